//! Inline suppressions end to end: a `kfr: ignore[...]` comment in each
//! kind of file drops its finding, and KFR900 reports the suppressions
//! that do nothing.

#[path = "support/run.rs"]
mod run;

use std::path::Path;
use std::process::Command;

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, body).unwrap();
    }
    dir
}

/// Exit code and stdout of `kfr lint --format concise ARGS` in `dir`.
fn lint(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let all: Vec<&str> = ["lint", "--format", "concise"]
        .into_iter()
        .chain(args.iter().copied())
        .collect();
    let (code, out, _) = run::kfr_in(dir, &all);
    (code, out)
}

fn clean(files: usize) -> String {
    let s = if files == 1 { "" } else { "s" };
    format!("No problems found ({files} file{s} checked).\n")
}

/// The finding is there without the comments, and gone with them.
fn suppressed(name: &str, without: &str, with: &str, args: &[&str], finding: &str) {
    let bare = project(&[(name, without)]);
    let (code, out) = lint(bare.path(), args);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains(finding), "expected `{finding}` in\n{out}");
    let dir = project(&[(name, with)]);
    let (code, out) = lint(dir.path(), args);
    assert_eq!((code, out), (Some(0), clean(1)), "{name}");
}

const MAKEFILE: &str = "features.parquet: raw.csv\n\tpython featurize.py --in $< --out $@\n\n\
                        model.pkl: features.parquet\n\tpython train.py --data $< --out $@\n";

#[test]
fn makefile_own_line_and_trailing() {
    suppressed(
        "Makefile",
        MAKEFILE,
        "# kfr: ignore[missing-retry] the CI job that runs make retries it\n\
         features.parquet: raw.csv\n\tpython featurize.py --in $< --out $@\n\n\
         model.pkl: features.parquet # kfr: ignore[KFR002] a parquet file, read with its schema\n\
         \tpython train.py --data $< --out $@\n",
        &[],
        "Makefile:1:1: warning[KFR001]",
    );
}

const DAG: &str = r#"from datetime import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

with DAG("churn", schedule="@daily", start_date=datetime(2024, 1, 1), default_args={"owner": "ml"}):
    features = BashOperator(task_id="features", bash_command="python features.py")
    train = BashOperator(task_id="train", bash_command="python train.py", retries=0)
    features >> train
"#;

#[test]
fn airflow_dag_trailing_and_stacked() {
    let with = DAG
        .replace(
            "\"python features.py\")\n",
            "\"python features.py\")  # kfr: ignore[KFR001] idempotent, rerun by hand\n",
        )
        .replace(
            "    train = ",
            "    # kfr: ignore[KFR003] nothing to pin here, stacked above the next one\n    \
             # kfr: ignore[KFR001] retried by the sensor downstream\n    train = ",
        );
    suppressed(
        "dags/churn.py",
        DAG,
        &with,
        &["--select", "KFR001"],
        "dags/churn.py:8:83:",
    );
    // with every rule, the stacked KFR003 suppression is reported, not the KFR001 one
    let dir = project(&[("dags/churn.py", &with)]);
    let (code, out) = lint(dir.path(), &[]);
    assert_eq!(code, Some(1));
    assert_eq!(
        out,
        "dags/churn.py:8:19: warning[KFR900] suppression of `KFR003` (unpinned-package) matches no finding on line 10\n\
         Found 1 problem (1 warning) in 1 file.\n"
    );
}

#[test]
fn a_string_that_looks_like_a_comment_suppresses_nothing() {
    let dag = DAG.replace(
        "\"python features.py\"",
        "\"python features.py  # kfr: ignore[KFR001]\"",
    );
    let dir = project(&[("dags/churn.py", &dag)]);
    let (_, out) = lint(dir.path(), &["--select", "KFR001"]);
    assert!(out.contains("dags/churn.py:7:37: warning[KFR001]"), "{out}");
    let jenkinsfile = JENKINSFILE.replace("stage('Train')", "stage('Train // kfr: ignore[KFR001]')");
    let dir = project(&[("Jenkinsfile", &jenkinsfile)]);
    let (_, out) = lint(dir.path(), &[]);
    assert!(out.contains("Jenkinsfile:5:15: warning[KFR001]"), "{out}");
}

const JENKINSFILE: &str = r#"pipeline {
    agent any
    triggers { cron('H 2 * * *') }
    stages {
        stage('Train') {
            steps {
                sh 'python train.py'
            }
        }
    }
}
"#;

#[test]
fn jenkinsfile_line_and_block_comments() {
    let line = JENKINSFILE.replace(
        "        stage('Train') {",
        "        // kfr: ignore[KFR001] the job is retried by the seed job's retry wrapper\n        stage('Train') {",
    );
    suppressed(
        "Jenkinsfile",
        JENKINSFILE,
        &line,
        &[],
        "Jenkinsfile:5:15: warning[KFR001]",
    );
    let block = JENKINSFILE.replace(
        "        stage('Train') {",
        "        stage('Train') { /* kfr: ignore[KFR001] retried by the wrapper */",
    );
    suppressed(
        "Jenkinsfile",
        JENKINSFILE,
        &block,
        &[],
        "Jenkinsfile:5:15: warning[KFR001]",
    );
}

const CRONTAB: &str = "MAILTO=ml@example.com\n0 3 * * * cd /srv/ml && ./train.sh\n61 * * * * /srv/ml/report.sh\n";

#[test]
fn crontab_comment_lines_and_shell_comments() {
    let with = "MAILTO=ml@example.com\n\
                0 3 * * * cd /srv/ml && ./train.sh # kfr: ignore[KFR001] train.sh retries itself\n\
                # kfr: ignore[KFR006, missing-retry] this host's cron is patched to accept it\n\
                61 * * * * /srv/ml/report.sh\n";
    suppressed("crontab", CRONTAB, with, &[], "crontab:3:1: error[KFR006]");
    // a `#` that does not begin a shell word is part of the command
    let glued = CRONTAB.replace("./train.sh", "./train.sh#kfr: ignore[KFR001]");
    let dir = project(&[("crontab", &glued)]);
    let (_, out) = lint(dir.path(), &["--select", "KFR001"]);
    assert!(out.contains("crontab:2:11: warning[KFR001]"), "{out}");
}

#[test]
fn requirements_file_line() {
    let dir = project(&[
        ("Makefile", ".PHONY: setup\nsetup:\n\tpip install -r requirements.txt\n"),
        ("requirements.txt", "joblib==1.4.2\nnumpy>=1.24\n"),
    ]);
    let (code, out) = lint(dir.path(), &[]);
    assert_eq!(code, Some(1));
    assert!(out.contains("requirements.txt:2:1: warning[KFR003]"), "{out}");
    std::fs::write(
        dir.path().join("requirements.txt"),
        "joblib==1.4.2\nnumpy>=1.24  # kfr: ignore[KFR003] the range is tested nightly\n",
    )
    .unwrap();
    assert_eq!(lint(dir.path(), &[]), (Some(0), clean(1)));
}

const CONFIG_XML: &str = "<?xml version='1.1' encoding='UTF-8'?>\n<project>\n  <triggers>\n\
    <hudson.triggers.TimerTrigger>\n      <spec>@weekly</spec>\n    </hudson.triggers.TimerTrigger>\n\
    </triggers>\n  <builders>\n    <hudson.tasks.Shell>\n      <command>pip install pandas\n\
    python train_rf.py</command>\n    </hudson.tasks.Shell>\n  </builders>\n</project>\n";

#[test]
fn jenkins_config_xml_comment_and_shell_comment() {
    let with = CONFIG_XML
        .replace(
            "<project>",
            "<!-- kfr: ignore[KFR001] retried by the Naginator settings of the folder -->\n<project>",
        )
        .replace(
            "pip install pandas\n",
            "pip install pandas # kfr: ignore[KFR003] pinned by the agent image\n",
        );
    suppressed(
        "jobs/train/config.xml",
        CONFIG_XML,
        &with,
        &[],
        "jobs/train/config.xml:10:28: warning[KFR003]",
    );
}

#[test]
fn unused_suppression_is_reported_with_its_span() {
    let dir = project(&[(
        "Makefile",
        ".PHONY: setup\nsetup:\n\tpip install pandas==2.2.3  # kfr: ignore[KFR003] pinned by the image\n",
    )]);
    let (code, out) = lint(dir.path(), &[]);
    assert_eq!(code, Some(1));
    assert_eq!(
        out,
        "Makefile:3:43: warning[KFR900] suppression of `KFR003` (unpinned-package) matches no finding on this line\n\
         Found 1 problem (1 warning) in 1 file.\n"
    );
    let json = Command::new(env!("CARGO_BIN_EXE_kfr"))
        .args(["lint", "--format", "json"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let d = &v[0];
    assert_eq!(d["code"], "KFR900");
    assert_eq!(d["name"], "unused-suppression");
    assert_eq!(d["severity"], "warning");
    assert_eq!((d["column"].as_u64(), d["end_column"].as_u64()), (Some(43), Some(49)));
    assert!(d["help"].as_str().unwrap().contains("remove"), "{d}");
    // and dropped on request
    assert_eq!(lint(dir.path(), &["--ignore", "KFR900"]), (Some(0), clean(1)));
}

#[test]
fn only_the_unused_code_of_a_directive_is_reported() {
    let dir = project(&[(
        "Makefile",
        ".PHONY: setup\nsetup:\n\tpip install pandas  # kfr: ignore[KFR003, KFR004] pinned by the image\n",
    )]);
    let (_, out) = lint(dir.path(), &[]);
    assert_eq!(
        out,
        "Makefile:3:44: warning[KFR900] suppression of `KFR004` (unpinned-image) matches no finding on this line\n\
         Found 1 problem (1 warning) in 1 file.\n"
    );
}

#[test]
fn unknown_codes_are_reported_even_when_not_selected() {
    let dir = project(&[(
        "Makefile",
        ".PHONY: setup\nsetup:\n\tpip install pandas  # kfr: ignore[KFR003, KFR123]\n",
    )]);
    for args in [&[][..], &["--select", "KFR003"], &["--select", "KFR001"]] {
        let (code, out) = lint(dir.path(), args);
        assert_eq!(code, Some(1));
        assert_eq!(
            out,
            "Makefile:3:44: warning[KFR900] unknown rule `KFR123` in suppression\n\
             Found 1 problem (1 warning) in 1 file.\n",
            "{args:?}"
        );
    }
}

#[test]
fn unused_suppression_of_a_rule_not_selected_is_not_reported() {
    let dir = project(&[(
        "Makefile",
        ".PHONY: setup\nsetup:\n\tpip install pandas==2.2.3  # kfr: ignore[KFR001] nothing retries make\n",
    )]);
    assert_eq!(lint(dir.path(), &["--select", "KFR003"]), (Some(0), clean(1)));
    let (code, out) = lint(dir.path(), &[]);
    assert_eq!(code, Some(1));
    assert!(
        out.contains("warning[KFR900] suppression of `KFR001` (missing-retry)"),
        "{out}"
    );
}

#[test]
fn file_ignore_covers_its_file_only() {
    let dir = project(&[
        (
            "Makefile",
            ".PHONY: setup\nsetup:\n\tpip install -r requirements.txt\n\tpip install pandas\n",
        ),
        (
            "requirements.txt",
            "# kfr: file-ignore[unpinned-package] ranges resolved by the platform's lock\njoblib>=1\nnumpy>=1.24\n",
        ),
    ]);
    let (code, out) = lint(dir.path(), &[]);
    assert_eq!(code, Some(1));
    assert_eq!(
        out,
        "Makefile:4:14: warning[KFR003] `pandas` is not pinned to one version: no version given\n\
         Found 1 problem (1 warning) in 1 file.\n"
    );
    // unused, it says so
    std::fs::write(
        dir.path().join("requirements.txt"),
        "# kfr: file-ignore[KFR003]\njoblib==1.4.2\n",
    )
    .unwrap();
    let (_, out) = lint(dir.path(), &["--select", "KFR003"]);
    assert!(
        out.contains(
            "requirements.txt:1:20: warning[KFR900] file-level suppression of `KFR003` (unpinned-package) matches no finding in this file"
        ),
        "{out}"
    );
}

#[test]
fn kfr900_can_be_suppressed_for_a_file() {
    let dir = project(&[(
        "Makefile",
        "# kfr: file-ignore[KFR900] kept for the nightly variant\n\
         .PHONY: setup\nsetup:\n\tpip install pandas==2.2.3  # kfr: ignore[KFR003, KFR999]\n",
    )]);
    assert_eq!(lint(dir.path(), &[]), (Some(0), clean(1)));
}

#[test]
fn malformed_directive_shows_the_syntax() {
    let dir = project(&[(
        "Makefile",
        ".PHONY: setup\nsetup:\n\tpip install pandas  # kfr: ignore pandas is pinned by the image\n",
    )]);
    let (_, out) = lint(dir.path(), &[]);
    assert!(
        out.contains("Makefile:3:14: warning[KFR003]")
            && out.contains("Makefile:3:24: warning[KFR900] suppression `kfr: ignore` names no rule"),
        "{out}"
    );
    let json = Command::new(env!("CARGO_BIN_EXE_kfr"))
        .args(["lint", "--format", "json"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let d = v.as_array().unwrap().iter().find(|d| d["code"] == "KFR900").unwrap();
    assert!(
        d["help"].as_str().unwrap().contains("kfr: ignore[KFR001] reason"),
        "{d}"
    );
}
