//! `testdata/regressions`: constructs met in real pipeline files that kfr
//! once misread. Each fixture is linted on its own: kfr must not fail
//! (exit status 2), print nothing on stderr, and report no KFR000 for a
//! file its tool reads without complaint.

use std::process::Command;

fn lint(path: &str) -> (Option<i32>, serde_json::Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kfr"))
        .args(["lint", path, "--no-project", "--format", "json"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (
        out.status.code(),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn codes(findings: &serde_json::Value) -> Vec<String> {
    findings
        .as_array()
        .expect("a JSON array")
        .iter()
        .map(|f| {
            format!(
                "{}:{} {}",
                f["code"].as_str().unwrap_or(""),
                f["line"],
                f["message"].as_str().unwrap_or("")
            )
        })
        .collect()
}

fn assert_reads_cleanly(path: &str) {
    let (code, findings, err) = lint(path);
    assert!(
        matches!(code, Some(0 | 1)),
        "{path}: exit status {code:?}, stderr: {err}"
    );
    assert!(err.is_empty(), "{path}: stderr: {err}");
    let parse_errors: Vec<String> = codes(&findings)
        .into_iter()
        .filter(|c| c.starts_with("KFR000"))
        .collect();
    assert!(parse_errors.is_empty(), "{path}: {parse_errors:?}");
}

/// `DIR ?= $(shell pwd)/bin` then `$(DIR):` with a recipe (the kubebuilder
/// layout): the recipe lines are the unnamed rule's, not stray ones.
#[test]
fn make_targets_named_through_shell_keep_their_recipes() {
    assert_reads_cleanly("testdata/regressions/make/shell-target-dir/Makefile");
}

/// `$(shell mkdir -p build)` alone on a line: make reads what the command
/// prints (nothing), so it is no missing separator.
#[test]
fn make_shell_on_its_own_line_is_no_missing_separator() {
    assert_reads_cleanly("testdata/regressions/make/shell-on-its-own-line/Makefile");
}

/// Groovy statement labels (`note: 'text'`) and `case 'a': step` on one line.
#[test]
fn jenkins_statement_labels_and_one_line_cases() {
    assert_reads_cleanly("testdata/regressions/jenkins/statement-labels/Jenkinsfile");
}

/// A chain of 100,000 make rules: the cycle search walks it without
/// overflowing the stack.
#[test]
fn a_long_rule_chain_does_not_overflow_the_stack() {
    let dir = std::env::temp_dir().join(format!("kfr-regression-chain-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut mk = String::from("all: s99999\n");
    for i in 0..100_000 {
        if i == 0 {
            mk.push_str("s0:\n");
        } else {
            mk.push_str(&format!("s{i}: s{}\n", i - 1));
        }
        mk.push_str("\tpython step.py > $@\n");
    }
    let path = dir.join("Makefile");
    std::fs::write(&path, mk).unwrap();
    let (code, findings, err) = lint(path.to_str().unwrap());
    std::fs::remove_dir_all(&dir).ok();
    assert!(matches!(code, Some(0 | 1)), "exit status {code:?}, stderr: {err}");
    assert!(!codes(&findings).iter().any(|c| c.starts_with("KFR000")));
}

/// A DAG file over the size limit is reported, not skipped as a Python file
/// that mentions no pipeline library.
#[test]
fn a_dag_file_over_the_size_limit_is_reported() {
    let dir = std::env::temp_dir().join(format!("kfr-regression-large-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut py = String::from("from airflow import DAG\n\nwith DAG(\"large\") as dag:\n    pass\n");
    while py.len() as u64 <= kfr::source::MAX_FILE_SIZE {
        py.push_str("# padding padding padding padding padding padding padding padding\n");
    }
    let path = dir.join("large_dag.py");
    std::fs::write(&path, py).unwrap();
    let (code, findings, err) = lint(path.to_str().unwrap());
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(code, Some(1), "stderr: {err}");
    let found = codes(&findings);
    assert!(
        found
            .iter()
            .any(|c| c.starts_with("KFR000:1 ") && c.contains("over the limit of")),
        "{found:?}"
    );
}
