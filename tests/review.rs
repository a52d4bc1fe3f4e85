//! What pre-commit and pull-request review rely on: config files, the
//! report flags, baselines, diff mode (on real git repositories with real
//! commits) and the graph diff.

#[path = "support/run.rs"]
mod run;

use run::kfr_in;
use std::path::Path;
use std::process::Command;

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=kfr tests",
            "-c",
            "user.email=tests@kfr.invalid",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    dir
}

/// A makefile step hands a file to the next; a Jenkins stage on a cron
/// runs the last one under `retry(3)`, so both targets inherit it.
const MAKEFILE: &str = "\
# weekly retrain
features.parquet: raw.csv
\tpython featurize.py --in $< --out $@

model.pkl: features.parquet
\tpython train.py --data $< --out $@
";

const JENKINSFILE: &str = "\
pipeline {
    agent any
    triggers { cron('H 2 * * 1-5') }
    stages {
        stage('Train') {
            steps {
                retry(3) {
                    sh 'make model.pkl'
                }
            }
        }
    }
}
";

fn codes(out: &str) -> Vec<String> {
    out.lines()
        .filter_map(|l| {
            let (loc, rest) = l.split_once(": ")?;
            let code = rest.split_once('[')?.1.split_once(']')?.0;
            let file = loc.split(':').next()?;
            let line = loc.split(':').nth(1)?;
            Some(format!("{file}:{line} {code}"))
        })
        .collect()
}

#[test]
fn config_errors_name_file_and_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Makefile", MAKEFILE);
    write(dir.path(), "kfr.toml", "ignore = [\"KFR002\"]\nselct = [\"KFR001\"]\n");
    let (code, out, err) = kfr_in(dir.path(), &["lint", "."]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(err.contains("kfr.toml:2:1: unknown field `selct`"), "{err}");
    write(dir.path(), "kfr.toml", "[severity]\nmissing-retry = \"fatal\"\n");
    let (code, _, err) = kfr_in(dir.path(), &["lint", "."]);
    assert_eq!(code, Some(2));
    assert!(err.contains("kfr.toml:2:1: severity: `missing-retry` must be"), "{err}");
    write(dir.path(), "kfr.toml", "ignore = [\"KFR404\"]\n");
    let (code, _, err) = kfr_in(dir.path(), &["lint", "."]);
    assert_eq!(code, Some(2));
    assert!(err.contains("kfr.toml:1:11: ignore: unknown rule `KFR404`"), "{err}");
    // --isolated reads no config
    let (code, _, _) = kfr_in(dir.path(), &["lint", ".", "--isolated"]);
    assert_eq!(code, Some(1));
    // --config names one
    write(
        dir.path(),
        "ci/strict.toml",
        "select = [\"KFR002\"]\n[severity]\nKFR002 = \"error\"\n",
    );
    let (code, out, _) = kfr_in(
        dir.path(),
        &["lint", ".", "--config", "ci/strict.toml", "--format", "concise"],
    );
    assert_eq!(code, Some(1));
    assert_eq!(codes(&out), ["Makefile:5 KFR002"]);
    assert!(out.contains("error[KFR002]"), "{out}");
}

#[test]
fn config_select_ignore_per_file_severity_and_exclude() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "ml/Makefile", MAKEFILE);
    write(d, "legacy/Makefile", MAKEFILE);
    write(d, "old/Makefile", MAKEFILE);
    write(
        d,
        "pyproject.toml",
        "[project]\nname = \"churn\"\n\n[tool.ruff]\nline-length = 100\n\n[tool.kfr]\nexclude = [\"legacy\"]\n\n[tool.kfr.per-file-ignores]\n\"old/*\" = [\"untyped-path-handoff\"]\n\n[tool.kfr.severity]\nKFR001 = \"error\"\n",
    );
    // found from a subdirectory upward
    let (code, out, err) = kfr_in(&d.join("ml"), &["lint", ".", "--format", "concise"]);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(codes(&out), ["Makefile:2 KFR001", "Makefile:5 KFR002"]);
    assert!(out.contains("Makefile:2:1: error[KFR001]"), "{out}");
    let (_, out, _) = kfr_in(d, &["lint", ".", "--format", "concise"]);
    assert_eq!(
        codes(&out),
        ["ml/Makefile:2 KFR001", "ml/Makefile:5 KFR002", "old/Makefile:2 KFR001"],
        "{out}"
    );
    // the command line's --select replaces the config's, --ignore adds
    let (code, out, _) = kfr_in(d, &["lint", ".", "--format", "concise", "--ignore", "KFR001"]);
    assert_eq!(code, Some(1));
    assert_eq!(codes(&out), ["ml/Makefile:5 KFR002"]);
    // an excluded file named explicitly is read, unless --force-exclude
    let (code, out, _) = kfr_in(d, &["lint", "legacy/Makefile", "--format", "concise", "--no-project"]);
    assert_eq!(code, Some(1), "{out}");
    let (code, out, _) = kfr_in(
        d,
        &["lint", "legacy/Makefile", "--force-exclude", "--format", "concise"],
    );
    assert_eq!(code, Some(0), "{out}");
    let (_, out, _) = kfr_in(d, &["lint", ".", "--show-files"]);
    assert_eq!(out, "ml/Makefile\nold/Makefile\n");
}

#[test]
fn report_flags() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "Makefile", MAKEFILE);
    let (code, out, _) = kfr_in(d, &["lint", ".", "--statistics"]);
    assert_eq!(code, Some(1));
    assert_eq!(
        out,
        "1\tKFR001\tmissing-retry\n1\tKFR002\tuntyped-path-handoff\nFound 2 problems (2 warnings) in 1 file.\n"
    );
    let (code, out, _) = kfr_in(d, &["lint", ".", "--exit-zero", "--format", "concise"]);
    assert_eq!(code, Some(0));
    assert_eq!(codes(&out).len(), 2);
    let (code, out, _) = kfr_in(d, &["lint", ".", "--format", "concise", "--quiet"]);
    assert_eq!(code, Some(1));
    assert!(!out.contains("Found"), "{out}");
    // the report into a file, nothing on stdout, the file complete
    let (code, out, _) = kfr_in(d, &["lint", ".", "--format", "json", "--output-file", "out/kfr.json"]);
    assert_eq!((code, out.as_str()), (Some(1), ""));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("out/kfr.json")).unwrap()).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 2);
    let names: Vec<_> = std::fs::read_dir(d.join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "no temporary file left: {names:?}");
    // a clean project, quiet: nothing at all
    let clean = tempfile::tempdir().unwrap();
    write(clean.path(), "Makefile", ".PHONY: hello\nhello:\n\t@echo hi\n");
    let (code, out, _) = kfr_in(clean.path(), &["lint", ".", "--quiet"]);
    assert_eq!((code, out.as_str()), (Some(0), ""));
}

#[test]
fn baseline_reports_only_new_findings_when_lines_move() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "Makefile", MAKEFILE);
    write(d, "requirements.txt", "pandas\nscikit-learn==1.5.2\n");
    write(
        d,
        "Makefile",
        &format!("{MAKEFILE}\nsetup:\n\tpip install -r requirements.txt\n"),
    );
    let (code, _, err) = kfr_in(d, &["lint", ".", "--write-baseline", "kfr-baseline.json"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("recorded 3 findings in kfr-baseline.json"), "{err}");
    let b: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("kfr-baseline.json")).unwrap()).unwrap();
    assert_eq!(b["findings"].as_array().unwrap().len(), 3);
    let (code, out, _) = kfr_in(
        d,
        &["lint", ".", "--baseline", "kfr-baseline.json", "--format", "concise"],
    );
    assert_eq!(code, Some(0), "{out}");

    // move every old line down, reorder the rules, and add one new problem
    let moved = "\
# weekly retrain, now with evaluation
PYTHON ?= python

.PHONY: setup

setup:
\tpip install -r requirements.txt

model.pkl: features.parquet
\t$(PYTHON) train.py --data $< --out $@

features.parquet: raw.csv
\t$(PYTHON) featurize.py --in $< --out $@

metrics.json: model.pkl
\t$(PYTHON) evaluate.py --model $< --out $@
";
    write(d, "Makefile", moved);
    write(
        d,
        "requirements.txt",
        "# pinned by hand\n\nscikit-learn==1.5.2\npandas\n",
    );
    let (code, out, err) = kfr_in(
        d,
        &["lint", ".", "--baseline", "kfr-baseline.json", "--format", "concise"],
    );
    assert_eq!(code, Some(1), "{out}{err}");
    assert_eq!(codes(&out), ["Makefile:9 KFR001", "Makefile:15 KFR002"], "{out}");
    assert!(out.contains("`model.pkl` is handed to `metrics.json`"), "{out}");
    assert!(err.is_empty(), "{err}");

    // a problem fixed: the baseline entry is listed as gone
    write(d, "requirements.txt", "scikit-learn==1.5.2\npandas==2.2.3\n");
    let (_, _, err) = kfr_in(d, &["lint", ".", "--baseline", "kfr-baseline.json"]);
    assert!(err.contains("1 finding of the baseline no longer occurs"), "{err}");
    assert!(err.contains("requirements.txt KFR003 `pandas` is not pinned"), "{err}");

    write(d, "bad.json", "{\"version\": 1, \"findings\": [}");
    let (code, _, err) = kfr_in(d, &["lint", ".", "--baseline", "bad.json"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("bad.json:1:"), "{err}");
}

#[test]
fn diff_mode_on_real_commits() {
    let dir = repo();
    let d = dir.path();
    write(d, "Makefile", MAKEFILE);
    write(d, "Jenkinsfile", JENKINSFILE);
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "retrain pipeline"]);
    let base = git(d, &["rev-parse", "HEAD"]).trim().to_string();
    // the old KFR002 is there, but not changed
    let (code, out, err) = kfr_in(d, &["lint", ".", "--diff", "HEAD", "--format", "concise"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("No problems found"), "{out}");

    // a committed change: a new target on new lines
    write(
        d,
        "Makefile",
        &format!("{MAKEFILE}\nmetrics.json: model.pkl\n\tpython evaluate.py --model $< --out $@\n"),
    );
    git(d, &["commit", "-qam", "evaluate"]);
    // an uncommitted change on one line of the Jenkinsfile drops the retry:
    // the make targets it runs, on lines nobody touched, lose theirs
    write(
        d,
        "Jenkinsfile",
        &JENKINSFILE.replace("retry(3) {", "timeout(time: 2, unit: 'HOURS') {"),
    );
    let (code, out, err) = kfr_in(d, &["lint", ".", "--diff", &base, "--format", "concise"]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert_eq!(
        codes(&out),
        [
            "Jenkinsfile:5 KFR001",
            "Makefile:2 KFR001",
            "Makefile:5 KFR001",
            "Makefile:5 KFR002",
            "Makefile:8 KFR002"
        ],
        "{out}"
    );
    // against HEAD only the uncommitted change counts: the retry
    let (_, out, _) = kfr_in(d, &["lint", ".", "--diff", "HEAD", "--format", "concise"]);
    assert_eq!(
        codes(&out),
        ["Jenkinsfile:5 KFR001", "Makefile:2 KFR001", "Makefile:5 KFR001"],
        "a lost retry brings back the retry findings, not the handoffs of those steps: {out}"
    );
    // an untracked file is new in every line
    write(d, "ml/Makefile", MAKEFILE);
    let (_, out, _) = kfr_in(d, &["lint", ".", "--diff", "HEAD", "--format", "concise"]);
    assert!(codes(&out).contains(&"ml/Makefile:5 KFR002".to_string()), "{out}");
    // a revision that does not exist
    let (code, _, err) = kfr_in(d, &["lint", ".", "--diff", "no-such-rev"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("`no-such-rev` is not a commit"), "{err}");
}

#[test]
fn diff_mode_outside_git_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Makefile", MAKEFILE);
    let (code, _, err) = kfr_in(dir.path(), &["lint", ".", "--diff", "HEAD"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("git"), "{err}");
}

#[test]
fn graph_diff_marks_added_removed_and_changed() {
    let dir = repo();
    let d = dir.path();
    write(
        d,
        "Makefile",
        &format!("{MAKEFILE}\nreport.html: model.pkl\n\tpython report.py $< > $@\n"),
    );
    write(d, "Jenkinsfile", JENKINSFILE);
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "v1"]);
    write(
        d,
        "Makefile",
        &format!("{MAKEFILE}\nmetrics.json: model.pkl\n\tpython evaluate.py --model $< --out $@\n"),
    );
    write(
        d,
        "Jenkinsfile",
        &JENKINSFILE.replace("retry(3) {", "timeout(time: 2, unit: 'HOURS') {"),
    );
    let (code, out, err) = kfr_in(d, &["graph", ".", "--format", "mermaid", "--diff", "HEAD"]);
    assert_eq!(code, Some(0), "{err}");
    insta::assert_snapshot!(out);
    let (code, _, err) = kfr_in(d, &["graph", ".", "--diff", "HEAD"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--format mermaid"), "{err}");
}

#[test]
fn named_files_are_linted_in_their_project() {
    let dir = repo();
    let d = dir.path();
    write(d, "ml/Makefile", MAKEFILE);
    write(
        d,
        "Jenkinsfile",
        &JENKINSFILE
            .replace("sh 'make model.pkl'", "sh 'make -C ml model.pkl'")
            .replace("retry(3) {", "timeout(time: 2, unit: 'HOURS') {"),
    );
    // the Jenkinsfile alone: its stage, and the make targets it runs
    // without retries (reported in the Makefile), not the Makefile's own
    // handoff finding (KFR002 at ml/Makefile:5)
    let (code, out, _) = kfr_in(d, &["lint", "Jenkinsfile", "--format", "concise"]);
    assert_eq!(code, Some(1));
    assert_eq!(
        codes(&out),
        ["Jenkinsfile:5 KFR001", "ml/Makefile:2 KFR001", "ml/Makefile:5 KFR001"],
        "{out}"
    );
    // a requirements file is no pipeline, but holds the findings of the
    // steps that install it
    write(d, "ml/requirements.txt", "pandas\n");
    write(
        d,
        "ml/Makefile",
        &format!("{MAKEFILE}\nsetup:\n\tpip install -r requirements.txt\n"),
    );
    let (code, out, err) = kfr_in(d, &["lint", "ml/requirements.txt", "--format", "concise"]);
    assert_eq!(code, Some(1));
    assert_eq!(codes(&out), ["ml/requirements.txt:1 KFR003"], "{out}");
    assert!(err.is_empty(), "{err}");
    // without the project, the Jenkinsfile knows nothing of the Makefile
    let (_, out, _) = kfr_in(d, &["lint", "Jenkinsfile", "--format", "concise", "--no-project"]);
    assert_eq!(codes(&out), ["Jenkinsfile:5 KFR001"], "{out}");
}

#[test]
fn graph_diff_of_a_large_graph_shows_the_changed_neighbourhood() {
    let dir = repo();
    let d = dir.path();
    // a chain of 60 make targets, each handing its file to the next
    let chain = |changed: usize| -> String {
        let mut m = String::from("s0.csv:\n\tpython fetch.py --out $@\n");
        for i in 1..60 {
            let cmd = if i == changed {
                "python step.py --fast"
            } else {
                "python step.py"
            };
            m.push_str(&format!("s{i}.csv: s{}.csv\n\t{cmd} --in $< --out $@\n", i - 1));
        }
        m
    };
    write(d, "Makefile", &chain(usize::MAX));
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "chain"]);
    write(d, "Makefile", &chain(30));
    let (code, out, err) = kfr_in(d, &["graph", ".", "--format", "mermaid", "--diff", "HEAD"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("0 added, 1 changed, 0 removed steps; 0 added, 0 removed edges; 57 unchanged steps not shown"),
        "{out}"
    );
    let nodes: Vec<&str> = out.lines().filter(|l| l.starts_with("    s")).collect();
    assert_eq!(
        nodes,
        [
            "    s29[\"s29.csv\"]",
            "    s30[\"s30.csv\"]:::changed",
            "    s31[\"s31.csv\"]"
        ],
        "{out}"
    );
}

#[test]
fn config_gives_migrate_its_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "Makefile", MAKEFILE);
    let image =
        "registry.example.com/ml/train:1.4.2@sha256:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";
    write(d, "kfr.toml", &format!("[migrate]\nimage = \"{image}\"\nretries = 5\n"));
    let (code, _, err) = kfr_in(d, &["migrate", ".", "--out", "out"]);
    assert_eq!(code, Some(0), "{err}");
    let spec = std::fs::read_to_string(d.join("out/pipeline.yaml")).unwrap();
    assert!(spec.contains(&format!("image: {image}")), "{spec}");
    assert!(spec.contains("maxRetryCount: 5"), "{spec}");
    // the command line wins
    let (code, _, err) = kfr_in(d, &["migrate", ".", "--out", "out2", "--retries", "1"]);
    assert_eq!(code, Some(0), "{err}");
    let spec = std::fs::read_to_string(d.join("out2/pipeline.yaml")).unwrap();
    assert!(
        spec.contains("maxRetryCount: 1") && !spec.contains("maxRetryCount: 5"),
        "{spec}"
    );
}
