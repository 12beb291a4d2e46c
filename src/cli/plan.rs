//! `plan`: campaign planning without a browser.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use crate::error::{Error, Result};
use crate::plan_table::{parse_cents, read_candidates};
use crate::planner::fill_to_budget;

/// `plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The budget in dollars (at most 2 decimals), e.g. 32.22.
    #[arg(long)]
    budget: String,
    /// Candidates CSV with the columns id, cost (dollars, at most 2 decimals) and value (any
    /// order; other columns are kept).
    #[arg(long)]
    input: PathBuf,
    /// Where to write the chosen rows as CSV (default: standard output).
    #[arg(long, short)]
    out: Option<PathBuf>,
}

pub(super) fn plan(a: &PlanArgs) -> Result<()> {
    let budget = parse_cents(&a.budget).map_err(|e| Error::InvalidParam {
        name: "budget",
        message: format!("expected {e}, found {:?}", a.budget),
    })?;
    let bytes = std::fs::read(&a.input).map_err(|e| Error::io(&a.input, e))?;
    let c = read_candidates(&bytes, &a.input.display().to_string())?;
    let started = std::time::Instant::now();
    let plan = fill_to_budget(&c.items, budget)?;
    let solve_ms = started.elapsed().as_secs_f64() * 1e3;
    let mut out: Vec<u8> = Vec::new();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        let err = |e: csv::Error| Error::io("<plan>", std::io::Error::other(e));
        w.write_record(&c.header).map_err(err)?;
        for &id in &plan.chosen {
            crate::tables::write_record(&mut w, &c.records[id as usize]).map_err(err)?;
        }
        w.flush().map_err(|e| Error::io("<plan>", e))?;
    }
    match &a.out {
        Some(path) => super::io::write_atomic(path, &out)?,
        None => std::io::stdout()
            .write_all(&out)
            .map_err(|e| Error::io("<stdout>", e))?,
    }
    eprintln!(
        "plan: {} of {} candidates, cost {}.{:02} of {}.{:02}, value {}{}, solved in {solve_ms:.3} ms",
        plan.chosen.len(),
        c.items.len(),
        plan.cost_cents / 100,
        plan.cost_cents % 100,
        budget / 100,
        budget % 100,
        plan.value,
        if plan.optimal {
            " (optimal)"
        } else {
            " (best found; the search stopped at its state limit)"
        }
    );
    Ok(())
}
