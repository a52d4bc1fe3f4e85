//! Running the kfr binary the way a user does (no colour), for the
//! integration tests.

use std::path::Path;
use std::process::Command;

/// Exit code, stdout and stderr of `kfr ARGS`; a panic fails the test.
#[allow(dead_code)]
pub fn kfr(args: &[&str]) -> (Option<i32>, String, String) {
    kfr_in(Path::new("."), args)
}

/// [`kfr`] run in the directory `dir`.
pub fn kfr_in(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kfr"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "kfr {args:?} panicked:\n{stderr}");
    (out.status.code(), String::from_utf8(out.stdout).unwrap(), stderr)
}
