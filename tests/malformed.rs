//! `testdata/malformed`: every broken file gets a KFR000 diagnostic with its
//! file and line, nothing panics, and the correct file beside them is still
//! linted.

use std::process::Command;

fn lint(format: &str) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kfr"))
        .args(["lint", "testdata/malformed", "--format", format])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn each_broken_file_is_reported_and_the_rest_is_linted() {
    let (code, out, err) = lint("concise");
    assert_eq!(code, Some(1));
    assert!(err.is_empty(), "nothing on stderr (no panic): {err}");
    for dir in [
        "binary-junk",
        "latin1",
        "missing-endif",
        "missing-include",
        "missing-separator",
        "recipe-before-target",
        "runaway-call",
        "spaces-not-tab",
        "stray-endif",
        "unterminated-define",
    ] {
        let prefix = format!("testdata/malformed/{dir}/Makefile:");
        assert!(
            out.lines()
                .any(|l| l.starts_with(&prefix) && l.contains("error[KFR000]")),
            "{dir} has no KFR000 in\n{out}"
        );
    }
    for file in [
        "dag-syntax-error/etl.py",
        "dag-binary/score.py",
        "dag-latin1/report.py",
        "kfp-syntax-error/pipeline.py",
        "kfp-binary/pipeline.py",
        "kfp-latin1/pipeline.py",
        "kfp-missing-component/pipeline.py",
        "kfp-yaml-broken/pipeline.yaml",
        "kfp-yaml-dangling/pipeline.yaml",
    ] {
        let prefix = format!("testdata/malformed/{file}:");
        assert!(
            out.lines()
                .any(|l| l.starts_with(&prefix) && l.contains("error[KFR000]")),
            "{file} has no KFR000 in\n{out}"
        );
    }
    // a file both Airflow and KFP read is reported once, naming both
    let both: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("testdata/malformed/dag-submits-kfp/nightly_submit.py:"))
        .collect();
    assert_eq!(
        both,
        [
            "testdata/malformed/dag-submits-kfp/nightly_submit.py:25:63: error[KFR000] Python syntax error: `(` was never closed"
        ],
        "{out}"
    );
    assert!(
        out.contains("testdata/malformed/good-neighbour/Makefile:4:12: warning[KFR002]"),
        "{out}"
    );
    // a loop kfr cannot evaluate is a warning, and the DAG beside it is linted
    assert!(
        out.contains("testdata/malformed/dag-unknown-loop/sync.py:7:18: warning[KFR000]"),
        "{out}"
    );
    assert!(
        out.contains("testdata/malformed/good-dag/train.py:7:26: warning[KFR001]"),
        "{out}"
    );
    // a decorator kfr does not know is a warning where its task is lost,
    // and the pipeline beside it is linted
    assert!(
        out.contains("testdata/malformed/kfp-unknown-decorator/pipeline.py:20:13: warning[KFR000]"),
        "{out}"
    );
    assert!(
        out.contains("testdata/malformed/good-kfp/pipeline.py:19:12: warning[KFR001]"),
        "{out}"
    );
    insta::assert_snapshot!("concise", out);
}

#[test]
fn full_output_shows_where() {
    let (_, out, _) = lint("full");
    insta::assert_snapshot!("full", out);
}
