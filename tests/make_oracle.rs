//! GNU make is the oracle for the Makefile frontend: for every fixture under
//! `testdata/make/`, the targets and prerequisites kfr reads must equal what
//! `make -pnrR` prints. The expected listing is also kept as an insta
//! snapshot, so plain `cargo test` checks it without make installed; with
//! `KFR_REQUIRE_MAKE=1` (the README test command) a missing make is a failure.

#[path = "support/make_oracle.rs"]
mod make_oracle;

use std::path::{Path, PathBuf};

fn fixtures() -> Vec<(String, PathBuf)> {
    let root = Path::new("testdata/make");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root).expect("testdata/make exists") {
        let dir = entry.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let mk = kfr::frontend::make::DEFAULT_MAKEFILES
            .iter()
            .map(|n| dir.join(n))
            .find(|p| p.is_file());
        if let Some(mk) = mk {
            out.push((dir.file_name().unwrap().to_string_lossy().into_owned(), mk));
        }
    }
    out.sort();
    out
}

#[test]
fn there_are_enough_fixtures() {
    assert!(fixtures().len() >= 15, "at least 15 Makefile fixtures");
}

#[test]
fn makefile_fixtures_agree_with_gnu_make() {
    let have_make = make_oracle::make_available();
    if std::env::var_os("KFR_REQUIRE_MAKE").is_some() {
        assert!(have_make, "KFR_REQUIRE_MAKE is set but GNU make is not installed");
    }
    let mut mismatches = Vec::new();
    for (name, mk) in fixtures() {
        let ours = kfr::frontend::make::database_listing(&mk).expect("fixture readable");
        insta::assert_snapshot!(format!("make_db__{name}"), ours);
        if have_make {
            match make_oracle::oracle_listing(&mk) {
                Ok(theirs) if theirs == ours => {}
                Ok(theirs) => mismatches.push(format!("== {name}\n-- kfr\n{ours}-- make\n{theirs}")),
                Err(e) => mismatches.push(format!("== {name}: make failed: {e}")),
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "kfr disagrees with GNU make:\n{}",
        mismatches.join("\n")
    );
}

/// Development aid: `KFR_ORACLE_DIR=/some/dir cargo test --test make_oracle
/// -- extra` compares every makefile directly under that directory.
#[test]
fn extra_directory_from_environment() {
    let Some(root) = std::env::var_os("KFR_ORACLE_DIR") else {
        return;
    };
    let mut failures = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).collect();
    dirs.sort();
    for dir in dirs {
        let Some(mk) = kfr::frontend::make::DEFAULT_MAKEFILES
            .iter()
            .map(|n| dir.join(n))
            .find(|p| p.is_file())
        else {
            continue;
        };
        let ours = kfr::frontend::make::database_listing(&mk).unwrap();
        let theirs = make_oracle::oracle_listing(&mk).unwrap_or_else(|e| format!("make failed: {e}\n"));
        if ours != theirs {
            failures.push(format!("== {}\n-- kfr\n{ours}-- make\n{theirs}", dir.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
