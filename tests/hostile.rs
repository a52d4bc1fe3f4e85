//! `testdata/hostile`: files no one should lint, beside one that should be.
//! The committed directory is copied into a temporary one and the inputs
//! too big or too odd to commit are made there: binary files with pipeline
//! names, NUL bytes, a file over the size limit, 10,000-deep nesting in
//! each language, multi-megabyte lines, symlink loops, symlinks and
//! includes that lead out of the project, an unreadable file. kfr exits 0
//! or 1 (never 2, never a panic), gives each hostile file a diagnostic
//! with its file and line, reads nothing outside the project, and still
//! lints the good file.

#[path = "support/run.rs"]
mod run;

use run::kfr_in;
use std::path::{Path, PathBuf};

const N: usize = 10_000;

/// Seeded bytes, so a failure reproduces.
fn junk(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn write(root: &Path, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, bytes).unwrap();
    p
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The binary files: a first line of the kind kfr looks for, then a NUL
/// at the start of line 2, then junk.
const BINARY: &[(&str, &str)] = &[
    ("binary/Makefile", "all: model\n"),
    ("binary/Jenkinsfile", "pipeline {\n"),
    ("binary/dags/x.py", "from airflow import DAG\n"),
    ("binary/crontab", "0 3 * * * make -C /srv/ml train\n"),
    (
        "binary/config.xml",
        "<?xml version='1.0' encoding='UTF-8'?><flow-definition>\n",
    ),
    ("binary/pipeline.yaml", "# PIPELINE DEFINITION\n"),
];

/// The deep files, each nested 10,000 levels.
fn deep_files() -> Vec<(&'static str, String)> {
    vec![
        (
            "deep/Makefile",
            format!("{}all:\n\ttrue\n{}", "ifeq (a,a)\n".repeat(N), "endif\n".repeat(N)),
        ),
        (
            "deep/Jenkinsfile",
            format!(
                "pipeline {{\n  agent any\n  stages {{ stage('a') {{ steps {{ {}sh 'make'{} }} }} }}\n}}\n",
                "script { ".repeat(N),
                " }".repeat(N)
            ),
        ),
        (
            "deep/dags/deep.py",
            format!(
                "from airflow import DAG\nX = {}{}\nY = {}1{}\n",
                "[".repeat(N),
                "]".repeat(N),
                "(".repeat(N),
                ")".repeat(N)
            ),
        ),
        (
            "deep/pipeline.yaml",
            format!(
                "# PIPELINE DEFINITION\npipelineInfo:\n  name: deep\nroot:\n  dag:\n    tasks:\n      t: {}1{}\n",
                "{a: ".repeat(N),
                "}".repeat(N)
            ),
        ),
        (
            "deep/config.xml",
            format!(
                "<?xml version='1.0' encoding='UTF-8'?>\n<flow-definition>\n{}{}\n</flow-definition>\n",
                "<a>".repeat(N),
                "</a>".repeat(N)
            ),
        ),
    ]
}

const GOOD: &str = include_str!("../testdata/hostile/good/Makefile");

struct Tree {
    _dir: tempfile::TempDir,
    /// The linted project (the current directory of each run).
    proj: PathBuf,
    /// Files beside it that must never be read.
    outside: PathBuf,
    unreadable: Option<PathBuf>,
}

fn tree() -> Tree {
    let dir = tempfile::tempdir().unwrap();
    let proj = dir.path().join("proj");
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(proj.join(".git")).unwrap();
    copy_dir(Path::new("testdata/hostile"), &proj);
    // never to be read: each would show `outsidepkg` or `hunter2` if it were
    write(&outside, "Makefile", "all:\n\tpip install outsidepkg\n");
    write(
        &outside,
        "secret.mk",
        "SECRET := hunter2\nhunter2:\n\tpip install outsidepkg\n",
    );
    write(&outside, "requirements.txt", "outsidepkg\n");
    write(
        &outside,
        "helpers.py",
        "from airflow.providers.standard.operators.bash import BashOperator\n\ndef step():\n    return BashOperator(task_id='hunter2', bash_command='pip install outsidepkg')\n",
    );

    for (i, (rel, head)) in BINARY.iter().enumerate() {
        let mut bytes = head.as_bytes().to_vec();
        bytes.push(0);
        bytes.extend(junk(i as u64 + 1, 4096));
        write(&proj, rel, bytes);
    }
    write(&proj, "nul/Makefile", format!("{GOOD}# a NUL \0 in a comment\n"));
    let mut big = String::with_capacity(9 << 20);
    while big.len() < 9 << 20 {
        big.push_str("node { sh 'make train' }\n");
    }
    write(&proj, "big/Jenkinsfile", big);
    for (rel, text) in deep_files() {
        write(&proj, rel, text);
    }
    // one line of 3 MiB, then the good makefile: its finding moves 1 line down
    write(&proj, "longline/Makefile", format!("# {}\n{GOOD}", "x".repeat(3 << 20)));
    write(
        &proj,
        "longline/dags/long.py",
        format!("from airflow import DAG\nX = '{}'\n", "y".repeat(3 << 20)),
    );
    write(
        &proj,
        "include/Makefile",
        "include ../../outside/secret.mk\nall:\n\techo $(SECRET)\n",
    );
    // GNU make's `$(file <…)` reads a file's text into a value
    write(
        &proj,
        "filefunc/Makefile",
        "SECRET := $(file <../../outside/secret.mk)\nall:\n\techo '$(SECRET)' > out.txt\n",
    );
    write(
        &proj,
        "requirements/Makefile",
        "all:\n\tpip install -r ../../outside/requirements.txt\n",
    );
    // a requirements file inside that includes one outside
    write(
        &proj,
        "nestedreq/requirements.txt",
        "numpy==1.26.4\n-r ../../outside/requirements.txt\n",
    );
    write(&proj, "nestedreq/Makefile", "all:\n\tpip install -r requirements.txt\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::symlink;
        let links = proj.join("links");
        std::fs::create_dir_all(&links).unwrap();
        symlink(".", links.join("self")).unwrap();
        symlink("b", links.join("a")).unwrap();
        symlink("a", links.join("b")).unwrap();
        symlink("../../outside", links.join("out")).unwrap();
        symlink("../../outside/Makefile", links.join("Makefile")).unwrap();
        symlink("../../outside/secret.mk", links.join("secret.mk")).unwrap();
        // a module beside a DAG that is a symlink out of the project
        write(
            &proj,
            "imports/dags/etl.py",
            "from airflow import DAG\nfrom helpers import step\n\nwith DAG('etl'):\n    step()\n",
        );
        symlink("../../../outside/helpers.py", proj.join("imports/dags/helpers.py")).unwrap();
    }
    // a DAG whose local module is nested too deep for Python
    write(
        &proj,
        "deepmod/dags/etl.py",
        "from airflow import DAG\nfrom deep_helpers import X\n\nwith DAG('etl'):\n    pass\n",
    );
    write(
        &proj,
        "deepmod/dags/deep_helpers.py",
        format!("X = {}{}\n", "[".repeat(N), "]".repeat(N)),
    );
    let unreadable = unreadable(&proj);
    Tree {
        _dir: dir,
        proj,
        outside,
        unreadable,
    }
}

/// An unreadable makefile, when the user running the tests cannot read a
/// file with mode 000 (root reads everything: then there is none).
fn unreadable(proj: &Path) -> Option<PathBuf> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let p = write(proj, "unreadable/Makefile", GOOD);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
        if std::fs::read(&p).is_err() {
            return Some(p);
        }
        std::fs::remove_file(&p).unwrap();
    }
    let _ = proj;
    None
}

fn has(out: &str, prefix: &str, what: &str) -> bool {
    out.lines().any(|l| l.starts_with(prefix) && l.contains(what))
}

#[test]
fn hostile_files_are_reported_and_the_good_one_is_linted() {
    let t = tree();
    let (code, out, err) = kfr_in(&t.proj, &["lint", "--format", "concise"]);
    assert!(matches!(code, Some(0 | 1)), "exit {code:?}\n{err}\n{out}");
    assert_eq!(code, Some(1), "the hostile files are errors");
    assert!(!out.contains("failed internally"), "{out}");

    // the good file, and the same after a 3 MiB line
    assert!(out.contains("good/Makefile:4:12: warning[KFR002]"), "{out}");
    assert!(out.contains("longline/Makefile:5:12: warning[KFR002]"), "{out}");
    // Latin-1 is read, and the column after two accented letters counts them as one each
    assert!(
        out.contains("latin1/Makefile:5:33: warning[KFR003] `pandas` is not pinned"),
        "{out}"
    );
    assert!(has(
        &out,
        "latin1/Makefile:3:6: ",
        "error[KFR000] the file is not valid UTF-8"
    ));

    for (rel, _) in BINARY {
        assert!(
            has(&out, &format!("{rel}:2:1: "), "error[KFR000] binary data (a NUL byte)"),
            "{rel} has no KFR000 at line 2 in\n{out}"
        );
    }
    assert!(
        has(&out, "nul/Makefile:6:", "error[KFR000] binary data (a NUL byte)"),
        "{out}"
    );
    let size = std::fs::metadata(t.proj.join("big/Jenkinsfile")).unwrap().len();
    assert!(
        out.contains(&format!(
            "big/Jenkinsfile:1:1: error[KFR000] file is {size} bytes (9.0 MiB), over the limit of 8388608 bytes (8.0 MiB): not read"
        )),
        "{out}"
    );
    // what kfr cannot nest that deep it says, at the line where it stops
    assert!(has(&out, "deep/Jenkinsfile:3:", "error[KFR000]"), "{out}");
    assert!(has(&out, "deep/pipeline.yaml:7:", "error[KFR000]"), "{out}");
    assert!(
        has(
            &out,
            "deep/dags/deep.py:2:",
            "error[KFR000] brackets nested more than 200 deep"
        ),
        "{out}"
    );

    assert!(
        has(
            &out,
            "include/Makefile:1:9: ",
            "error[KFR000] included file `../../outside/secret.mk` is outside the project directory"
        ),
        "{out}"
    );
    assert!(
        has(
            &out,
            "nestedreq/requirements.txt:2:4: ",
            "error[KFR000] requirements file `../../outside/requirements.txt` is not read: outside the project directory `.`"
        ),
        "{out}"
    );
    if let Some(p) = &t.unreadable {
        assert!(p.exists());
        assert!(
            has(&out, "unreadable/Makefile:1:1: ", "error[KFR000] cannot read the file"),
            "{out}"
        );
    }
    // nothing outside the project was read, through a symlink or a `..`
    for secret in ["hunter2", "outsidepkg", "links/", "imports/dags/helpers.py"] {
        assert!(!out.contains(secret), "`{secret}` in\n{out}");
    }
    assert!(t.outside.join("secret.mk").exists());
    // every diagnostic names a file, a line and a column
    for l in out.lines().take_while(|l| !l.starts_with("Found ")) {
        let mut parts = l.splitn(4, ':');
        let (file, line, col) = (parts.next(), parts.next(), parts.next());
        assert!(
            file.is_some_and(|f| !f.is_empty())
                && line.is_some_and(|n| n.parse::<usize>().is_ok_and(|n| n >= 1))
                && col.is_some_and(|n| n.parse::<usize>().is_ok_and(|n| n >= 1)),
            "no file:line:col in {l}"
        );
    }

    // the other report formats and commands survive the same tree
    let (code, full, err) = kfr_in(&t.proj, &["lint", "--format", "full"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(!full.contains("hunter2") && !full.contains("outsidepkg"), "{full}");
    assert!(
        full.contains("# modèle entraîné à la main"),
        "Latin-1 shown as its letters"
    );
    let (code, rdjson, _) = kfr_in(&t.proj, &["lint", "--format", "rdjson"]);
    assert_eq!(code, Some(1));
    // reviewdog counts bytes of the file: the Latin-1 file has one per letter
    assert!(rdjson.contains("\"line\": 5,\n            \"column\": 33"), "{rdjson}");
    let (code, graph, err) = kfr_in(&t.proj, &["graph", "--format", "json"]);
    assert!(matches!(code, Some(0 | 1)), "graph: {code:?} {err}");
    assert!(!graph.contains("hunter2") && !graph.contains("outsidepkg"));
}

/// The frontends walk 10,000-deep input on a thread with the usual 2 MiB
/// stack: no recursion in kfr's own walks grows with the input's nesting.
#[test]
fn deep_nesting_fits_a_small_stack() {
    let t = tree();
    let mut files: Vec<PathBuf> = deep_files().iter().map(|(rel, _)| t.proj.join(rel)).collect();
    files.push(t.proj.join("deepmod/dags/etl.py"));
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            for path in files {
                let kind = kfr::frontend::classify(&path).unwrap();
                let db = kfr::source::SourceDb::new();
                let file = db.load(&path).unwrap();
                let frag = kfr::frontend::lower(&db, &file, kind, &kfr::frontend::Options::default());
                for d in &frag.diagnostics {
                    assert!(!d.message.contains("internally"), "{}: {}", path.display(), d.message);
                }
            }
        })
        .unwrap()
        .join()
        .expect("a frontend overflowed a 2 MiB stack or panicked");
}

/// An explicit file that is not there is a usage error naming it (exit 2
/// is for that alone); a file deleted between discovery and reading is a
/// KFR000 (see the unit tests of `SourceDb::load` and `analyze`).
#[test]
fn a_missing_explicit_file_is_named() {
    let t = tree();
    let (code, _, err) = kfr_in(&t.proj, &["lint", "gone/Makefile"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("gone/Makefile"), "{err}");
}

/// As root, every file is readable, so the unreadable case of [`tree`] does
/// not arise; then kfr is run as the unprivileged user 65534 (`setpriv`,
/// from util-linux) on a tree it may read but for one mode-000 makefile.
#[cfg(unix)]
#[test]
fn an_unreadable_file_is_reported_and_the_others_linted_even_when_testing_as_root() {
    use std::os::unix::fs::PermissionsExt;
    use std::process::Command;
    let uid = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout)
        .unwrap_or_default();
    let setpriv = Path::new("/usr/bin/setpriv");
    if uid != b"0\n" || !setpriv.exists() {
        // not root: `tree()` makes the unreadable file, and
        // `hostile_files_get_diagnostics_and_the_good_file_is_linted` checks it
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mode = |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    mode(dir.path(), 0o755);
    // the binary where the other user can run it, wherever the checkout is
    let kfr = dir.path().join("kfr");
    std::fs::copy(env!("CARGO_BIN_EXE_kfr"), &kfr).unwrap();
    mode(&kfr, 0o755);
    let proj = dir.path().join("proj");
    let good = write(&proj, "good/Makefile", GOOD);
    let locked = write(&proj, "locked/Makefile", GOOD);
    for d in [&proj, &proj.join("good"), &proj.join("locked")] {
        mode(d, 0o755);
    }
    mode(&good, 0o644);
    mode(&locked, 0o000);
    let out = Command::new(setpriv)
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(&kfr)
        .args(["lint", "--format", "concise"])
        .current_dir(&proj)
        .env("NO_COLOR", "1")
        .env("HOME", dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        has(
            &stdout,
            "locked/Makefile:1:1: ",
            "error[KFR000] cannot read the file: Permission denied"
        ),
        "{stdout}\n{stderr}"
    );
    assert!(stdout.lines().any(|l| l.starts_with("good/Makefile:")), "{stdout}");
    mode(&locked, 0o644);
}
