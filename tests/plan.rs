//! `plan` end to end: the best rows that fit a budget in exact cents, bad rows named, and its
//! output CSV, which echoes the candidates' cells (names from a scrape, notes typed by anyone):
//! a cell that starts like a spreadsheet formula is written defused (a leading apostrophe,
//! OWASP's CSV-injection advice), and the output fed back as input plans the same.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_influence-rec");

fn cli(args: &[&str], dir: &Path) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("binary runs")
}

fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn plan(dir: &Path, input: &str, out: &str) {
    ok(&cli(
        &["plan", "--budget", "100", "--input", input, "-o", out],
        dir,
    ));
}

#[test]
fn plan_output_defuses_formula_cells_and_reads_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("c.csv"),
        "id,cost,value,note\n\
         \"=HYPERLINK(\"\"http://x.example\"\",\"\"x\"\")\",10,5,@SUM(A1)\n\
         +cmd,20,9,-2+3\n\
         '=quoted,30,1,plain\n\
         calm,500,1,too dear\n",
    )
    .expect("write");
    plan(dir.path(), "c.csv", "out.csv");
    let out = std::fs::read_to_string(dir.path().join("out.csv")).expect("out.csv");
    let mut rdr = csv::Reader::from_reader(out.as_bytes());
    let mut ids = Vec::new();
    for rec in rdr.records() {
        let rec = rec.expect("record");
        for cell in rec.iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell:?} would run as a formula in {out}"
            );
        }
        ids.push(rec[0].to_string());
    }
    assert_eq!(
        ids,
        [
            "'=HYPERLINK(\"http://x.example\",\"x\")",
            "'+cmd",
            // An input cell that is already defused is read as its value and written the same.
            "'=quoted"
        ]
    );
    // The output is a valid input: the same three rows, written the same way.
    plan(dir.path(), "out.csv", "again.csv");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("again.csv")).expect("again.csv"),
        out
    );
}

#[test]
fn plan_writes_the_best_rows_that_fit_the_budget_in_exact_cents() {
    let dir = tempfile::tempdir().unwrap();
    // 18.26 + 4.99 + 8.97 = 32.22 exactly (value 1,983); a float cell grid found 1,462. Cells
    // that start like a formula (`@ann`) are written defused, with a leading apostrophe.
    std::fs::write(
        dir.path().join("c.csv"),
        "id,handle,cost,value\n1,@ann,18.26,722\n2,@bob,16.94,201\n3,\"@c, d\",4.99,671\n4,@eve,8.97,590\n",
    )
    .unwrap();
    let o = cli(
        &[
            "plan", "--budget", "32.22", "--input", "c.csv", "-o", "out.csv",
        ],
        dir.path(),
    );
    ok(&o);
    let out = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    assert_eq!(
        out,
        "id,handle,cost,value\n1,'@ann,18.26,722\n3,\"'@c, d\",4.99,671\n4,'@eve,8.97,590\n"
    );
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("cost 32.22 of 32.22, value 1983 (optimal)")
    );
    // Bad rows and budgets name the file, line and field; nothing is written.
    std::fs::write(
        dir.path().join("bad.csv"),
        "id,cost,value\n1,1.00,2\n2,1.005,3\n",
    )
    .unwrap();
    let o = cli(&["plan", "--budget", "5", "--input", "bad.csv"], dir.path());
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("bad.csv:3 field `cost`"));
    let o = cli(&["plan", "--budget", "1e9", "--input", "c.csv"], dir.path());
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("budget"));
}
