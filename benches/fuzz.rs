//! Benchmark-style long fuzzing run (not a test): every target of `tests/fuzzing` for a given
//! time, printing inputs tried, inputs per second, findings and the slowest input. Findings
//! are written under tests/fixtures/fuzz/<target>/, where `cargo test --test fuzz` replays
//! them as regression inputs.
//! Usage: cargo bench --bench fuzz -- [seconds per target = 60] [seed = 1]

#[cfg(not(target_arch = "wasm32"))]
#[path = "../tests/fuzzing/mod.rs"]
mod fuzzing;

#[cfg(not(target_arch = "wasm32"))]
use std::time::{Duration, Instant};

/// The fuzzing targets include the collector's batch parser, which is native only (the wasm
/// module carries no server code): nothing to run on wasm32.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    // `cargo test --all-targets` runs this binary too, without `--bench`: a smoke run of a
    // few inputs per target then (the bounded fuzzing of the suite is tests/fuzz.rs).
    if !std::env::args().any(|a| a == "--bench") {
        let found: usize = fuzzing::targets()
            .iter()
            .map(|t| {
                let r = fuzzing::fuzz(t, 1, 100, Duration::from_secs(10));
                r.panics.len() + r.slow.len()
            })
            .sum();
        println!(
            "fuzz bench smoke run (cargo bench --bench fuzz for the long run): {found} findings"
        );
        std::process::exit(i32::from(found > 0));
    }
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let secs: u64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(60);
    let seed: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1);
    println!("fuzzing every parser of untrusted bytes, {secs} s each, seed {seed}");
    println!(
        "{:16} {:>10} {:>10} {:>8} {:>6} {:>12}",
        "target", "inputs", "inputs/s", "panics", "slow", "slowest ms"
    );
    let mut total = 0;
    for target in fuzzing::targets() {
        let t = Instant::now();
        let r = fuzzing::fuzz(&target, seed, u64::MAX, Duration::from_secs(secs));
        let rate = r.tried as f64 / t.elapsed().as_secs_f64();
        println!(
            "{:16} {:>10} {:>10.0} {:>8} {:>6} {:>12.1}",
            target.name,
            r.tried,
            rate,
            r.panics.len(),
            r.slow.len(),
            r.slowest.as_secs_f64() * 1e3
        );
        for (input, msg) in r.panics.iter().take(3) {
            let path = fuzzing::keep(&target, input);
            println!("  panic, kept as {}: {msg}", fuzzing::short(&path));
        }
        for (input, took) in r.slow.iter().take(3) {
            let path = fuzzing::keep(&target, input);
            println!("  slow ({took:?}), kept as {}", fuzzing::short(&path));
        }
        total += r.panics.len() + r.slow.len();
    }
    println!("findings: {total}");
}
