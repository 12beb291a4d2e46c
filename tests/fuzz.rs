//! Bounded fuzzing in the normal suite: every kept regression input, then a few thousand
//! seeded mutants per parser of untrusted bytes (see `tests/fuzzing/mod.rs`); none may panic
//! or take longer than `fuzzing::SLOW`. `cargo bench --bench fuzz` runs the same targets for
//! minutes.
#![cfg(not(target_arch = "wasm32"))]

mod fuzzing;

use std::time::Duration;

fn check(name: &str, inputs: u64) {
    let targets = fuzzing::targets();
    let target = targets.iter().find(|t| t.name == name).expect("target");
    assert!(
        target.seeds.iter().all(|s| !s.is_empty()),
        "{name}: a seed file is missing"
    );
    for (path, bytes) in fuzzing::regressions(target) {
        let (panic, took) = fuzzing::run_one(target, &bytes);
        assert!(panic.is_none(), "{}: {panic:?}", fuzzing::short(&path));
        assert!(took < fuzzing::SLOW, "{}: {took:?}", fuzzing::short(&path));
    }
    let r = fuzzing::fuzz(target, 0x5eed ^ inputs, inputs, Duration::from_secs(120));
    if let Some((input, msg)) = r.panics.first() {
        let path = fuzzing::keep(target, input);
        panic!(
            "{name}: {} of {} inputs panicked; first kept as {}: {msg}",
            r.panics.len(),
            r.tried,
            fuzzing::short(&path)
        );
    }
    if let Some((input, took)) = r.slow.first() {
        let path = fuzzing::keep(target, input);
        panic!(
            "{name}: an input took {took:?}; kept as {}",
            fuzzing::short(&path)
        );
    }
}

#[test]
fn scraped_csv_ingest_never_panics() {
    check("ingest", 3000);
}

#[test]
fn tables_never_panic() {
    check("tables", 1500);
}

#[test]
fn bundle_bytes_never_panic() {
    check("bundle", 1500);
}

#[test]
fn bundle_payloads_past_the_checksum_never_panic() {
    check("bundle-payload", 1500);
}

#[test]
fn detail_shard_payloads_past_the_checksum_never_panic() {
    check("details", 1500);
}

#[test]
fn lightgbm_model_text_never_panics() {
    check("lightgbm", 3000);
}

#[test]
fn sync_batch_json_never_panics() {
    check("sync", 5000);
}

#[test]
fn plan_csv_never_panics() {
    check("plan", 5000);
}
