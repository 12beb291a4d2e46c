//! Running the built command line from native tests.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// The binary with `args`, in `dir`.
pub fn cli(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_influence-rec"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("binary runs")
}

/// Its stdout, after asserting it succeeded (stderr shown otherwise).
pub fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}
