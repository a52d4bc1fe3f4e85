//! kfr reads pipelines; it never runs them. Files whose recipes, shell
//! calls or top-level code would leave a marker file are linted, graphed
//! and migrated, and no marker appears. And `kfr migrate` writes only
//! inside `--out`, with sane file names, whatever the steps are called.

#[path = "support/run.rs"]
mod run;

use run::kfr_in;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// Every path below `dir`, relative to it.
fn tree(dir: &Path) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            out.insert(e.path().strip_prefix(dir).unwrap().to_path_buf());
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            }
        }
    }
    out
}

#[test]
fn user_code_is_never_run() {
    let dir = tempfile::tempdir().unwrap();
    let proj = dir.path().join("proj");
    let marks = dir.path().join("marks");
    std::fs::create_dir_all(&marks).unwrap();
    let m = marks.display().to_string();
    let touch_py = |what: &str| format!("import pathlib\npathlib.Path({m:?}, {what:?}).touch()\n");
    write(
        &proj,
        "Makefile",
        &format!(
            "SHELLED := $(shell touch {m}/make-shell)\n$(shell touch {m}/make-bare-shell)\nX != touch {m}/make-bang\nall: model.pkl\nmodel.pkl: data.csv\n\ttouch {m}/make-recipe\n\tpython train.py --data $< --out $@\ndata.csv:\n\t@touch {m}/make-silent\n\tcurl -o $@ https://example.com/data.csv\n"
        ),
    );
    write(
        &proj,
        "dags/etl.py",
        &format!(
            "{}from airflow import DAG\nfrom airflow.providers.standard.operators.bash import BashOperator\nimport helpers\n\nwith DAG('etl', schedule='@daily'):\n    a = BashOperator(task_id='extract', bash_command='touch {m}/airflow-task')\n    b = BashOperator(task_id='load', bash_command='python load.py')\n    a >> b\n",
            touch_py("airflow-top")
        ),
    );
    write(&proj, "dags/helpers.py", &touch_py("airflow-import"));
    write(
        &proj,
        "kfp/pipeline.py",
        &format!(
            "{}from kfp import dsl\n\n@dsl.component(base_image='python:3.11')\ndef train() -> str:\n    import pathlib\n    pathlib.Path({m:?}, 'kfp-component').touch()\n    return 'x'\n\n@dsl.pipeline(name='p')\ndef p():\n    train()\n",
            touch_py("kfp-top")
        ),
    );
    write(&proj, "conftest.py", &touch_py("conftest"));
    write(&proj, "sitecustomize.py", &touch_py("sitecustomize"));
    write(&proj, "dags/conftest.py", &touch_py("conftest-dags"));
    write(
        &proj,
        "Jenkinsfile",
        &format!("pipeline {{\n  agent any\n  stages {{ stage('t') {{ steps {{ sh 'touch {m}/jenkins' }} }} }}\n}}\n"),
    );
    write(&proj, "crontab", &format!("* * * * * touch {m}/cron\n"));
    // a Python that kfr started would run sitecustomize.py from here
    let env_dir = proj.display().to_string();
    for args in [
        vec!["lint"],
        vec!["lint", "--format", "full"],
        vec!["graph", "--format", "json"],
        vec!["graph", "--format", "dot"],
        vec!["migrate", "--all", "--out", "../out"],
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_kfr"))
            .args(&args)
            .current_dir(&proj)
            .env("NO_COLOR", "1")
            .env("PYTHONPATH", &env_dir)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{args:?}: {:?} {err}",
            out.status
        );
        let made = tree(&marks);
        assert!(made.is_empty(), "kfr {args:?} ran user code: {made:?}");
    }
    // the migration did happen, so its code path was taken
    assert!(dir.path().join("out").read_dir().unwrap().next().is_some());
    // and the run proved the markers work: a shell would have made them
    let sh = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("touch {m}/shell-works"))
        .status();
    if sh.is_ok_and(|s| s.success()) {
        assert!(marks.join("shell-works").exists());
    }
}

/// Step names that try to escape `--out`, or to collide.
const NAMES: &[&str] = &[
    "../../etc/passwd",
    "/abs/path",
    "..",
    "./..",
    "a\\0b",
    "a%00b",
    "a\\nb",
    "Train",
    "train",
    "TRAIN",
    "-rf",
    "con",
    "out/../../x",
    "~root",
];

#[test]
fn migrate_writes_only_inside_out_with_sane_names() {
    let dir = tempfile::tempdir().unwrap();
    let proj = dir.path().join("proj");
    let long = "L".repeat(10_000);
    let mut names: Vec<&str> = NAMES.to_vec();
    names.push(&long);
    // one chain of steps, each running the same script: the component
    // names can only come from the target names
    let mut mk = format!("all: {}\n", names.last().unwrap());
    let mut prev = "data/raw.csv".to_string();
    for n in &names {
        mk.push_str(&format!("{n}: {prev}\n\tpython step.py --in $< --out $@\n"));
        prev = n.to_string();
    }
    write(&proj, "Makefile", &mk);
    let before = tree(dir.path());
    let (code, stdout, err) = kfr_in(&proj, &["migrate", "--out", "../out"]);
    assert_eq!(code, Some(0), "{err}\n{stdout}");
    let after = tree(dir.path());
    let new: Vec<&PathBuf> = after.difference(&before).collect();
    assert!(new.len() > 3, "something was written: {new:?}");
    let mut lower = BTreeSet::new();
    for p in &new {
        assert!(p.starts_with("out"), "written outside --out: {}", p.display());
        let rel = p.strip_prefix("out").unwrap();
        for c in rel.components() {
            let c = c.as_os_str().to_str().expect("a UTF-8 name");
            assert!(
                !c.is_empty()
                    && c.len() <= 255
                    && !c.starts_with('-')
                    && !c.starts_with('.')
                    && c.chars().all(|ch| ch.is_ascii_alphanumeric() || "._-".contains(ch)),
                "odd file name `{c}`"
            );
        }
        // two files differing only in case collide on macOS and Windows
        assert!(
            lower.insert(rel.to_string_lossy().to_lowercase()),
            "{} differs from another only in case",
            rel.display()
        );
    }
    let components = new.iter().filter(|p| p.starts_with("out/components")).count();
    assert!(components >= NAMES.len() / 2, "{new:?}");
}

/// With `--force` the output directory may already hold links: a
/// directory that is a link to elsewhere is refused before anything is
/// written, and a file that is a link is replaced, never written through.
#[cfg(unix)]
#[test]
fn migrate_never_writes_through_a_link_inside_out() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let proj = dir.path().join("proj");
    write(
        &proj,
        "Makefile",
        "model.pkl: data.csv\n\tpython train.py --in $< --out $@\ndata.csv:\n\tpython fetch.py --out $@\n",
    );
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let victim = dir.path().join("victim.yaml");
    std::fs::write(&victim, "precious\n").unwrap();

    // a first migration shows which files kfr writes
    let (code, _, err) = kfr_in(&proj, &["migrate", "--out", "../first"]);
    assert_eq!(code, Some(0), "{err}");
    let written = tree(&dir.path().join("first"));
    assert!(written.contains(Path::new("components")), "{written:?}");
    let file = written
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "yaml") && p.parent() == Some(Path::new("")))
        .expect("a YAML file at the top of --out")
        .clone();

    // `components` a link to another directory: refused, nothing written there
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    symlink(&elsewhere, out.join("components")).unwrap();
    let (code, _, err) = kfr_in(&proj, &["migrate", "--out", "../out", "--force"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("is a symbolic link"), "{err}");
    assert!(tree(&elsewhere).is_empty(), "{:?}", tree(&elsewhere));

    // a top-level file a link to a file outside: the link is replaced
    std::fs::remove_file(out.join("components")).unwrap();
    symlink(&victim, out.join(&file)).unwrap();
    let (code, _, err) = kfr_in(&proj, &["migrate", "--out", "../out", "--force"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    let m = std::fs::symlink_metadata(out.join(&file)).unwrap();
    assert!(m.file_type().is_file(), "{file:?} is still a link");
}
