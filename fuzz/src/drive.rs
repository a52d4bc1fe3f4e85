//! What each fuzz target does with one input. Shared by the fuzz targets
//! and by `tests/fuzz_regressions.rs`, which replays the minimised inputs
//! of past findings through the same code.
//!
//! Every target reads the bytes as kfr reads a file from disk (a NUL byte
//! makes it binary, bad UTF-8 is replaced), lowers it, links it, runs every
//! rule over the result, and checks that each diagnostic points into a
//! known file, on character boundaries, at a 1-based line.

use kfr::analysis::{self, Analysis};
use kfr::cron::{self, Dialect, Expr, JenkinsHash};
use kfr::dag::{Fragment, link};
use kfr::diagnostic::Diagnostic;
use kfr::discover::Discovered;
use kfr::frontend::{self, Options, SourceKind};
use kfr::rules::Selection;
use kfr::shell::{self, FileContext};
use kfr::source::SourceDb;
use std::path::{Path, PathBuf};

/// Every target name, as used for `fuzz_targets/<name>.rs`, the corpus
/// directories and `testdata/fuzz-regressions/<name>/`.
pub const TARGETS: &[&str] = &[
    "make",
    "jenkinsfile",
    "jenkins_xml",
    "crontab",
    "cron_expr",
    "airflow",
    "kfp_python",
    "kfp_yaml",
    "shell",
    "link",
];

/// Run one target over one input; panics on a finding.
///
/// With `KFR_FUZZ_LAST=<file>` set, each input is first written to that
/// file: a stack overflow kills a fuzz target before libFuzzer can save the
/// input (its own SEGV handler runs on the overflowed stack), and the file
/// then holds it.
pub fn run(target: &str, data: &[u8]) {
    static LAST: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    if let Some(last) = LAST.get_or_init(|| std::env::var_os("KFR_FUZZ_LAST").map(PathBuf::from)) {
        let _ = std::fs::write(last, data);
    }
    match target {
        "make" => one_file(SourceKind::Makefile, "Makefile", data.to_vec()),
        "jenkinsfile" => one_file(SourceKind::Jenkinsfile, "Jenkinsfile", data.to_vec()),
        "jenkins_xml" => one_file(SourceKind::JenkinsXml, "jobs/train/config.xml", data.to_vec()),
        "crontab" => {
            // the first byte picks a user crontab or a system one (with a user column)
            let (path, rest) = match data.split_first() {
                Some((b, rest)) if b & 1 == 1 => ("etc/cron.d/train", rest),
                Some((_, rest)) => ("ml.crontab", rest),
                None => ("ml.crontab", data),
            };
            one_file(SourceKind::Crontab, path, rest.to_vec())
        }
        "cron_expr" => cron_expr(data),
        "airflow" => one_file(
            SourceKind::Python,
            "dags/train.py",
            with_import(data, "airflow", "from airflow import DAG\n"),
        ),
        "kfp_python" => one_file(
            SourceKind::Python,
            "pipeline.py",
            with_import(data, "kfp", "from kfp import dsl\n"),
        ),
        "kfp_yaml" => one_file(SourceKind::Yaml, "pipeline.yaml", data.to_vec()),
        "shell" => shell_text(data),
        "link" => link_files(data),
        other => panic!("unknown fuzz target {other}"),
    }
}

/// The input, with an import of `module` in front unless it names it.
fn with_import(data: &[u8], module: &str, import: &str) -> Vec<u8> {
    if data.windows(module.len()).any(|w| w == module.as_bytes()) {
        data.to_vec()
    } else {
        let mut v = import.as_bytes().to_vec();
        v.extend_from_slice(data);
        v
    }
}

fn one_file(kind: SourceKind, path: &str, bytes: Vec<u8>) {
    let db = SourceDb::new();
    let file = db.add_virtual_bytes(Path::new(path), bytes);
    let frag = frontend::lower(&db, &file, kind, &Options::default());
    lint_fragments(db, vec![frag], 1);
}

fn lint_fragments(db: SourceDb, fragments: Vec<Fragment>, files: usize) {
    let (dag, parse_diagnostics) = link(fragments);
    let analysis = Analysis {
        db,
        dag,
        parse_diagnostics,
        files_checked: files,
    };
    let diags = analysis::lint(&analysis, &Selection::all());
    check(&analysis, &diags);
}

/// Each diagnostic names a file of the run and a range of its text on
/// character boundaries, so that its 1-based line and column exist.
fn check(analysis: &Analysis, diags: &[Diagnostic]) {
    let files = analysis.db.all();
    for d in diags {
        assert!(
            !d.message.contains("kfr failed internally"),
            "a frontend panicked: {}",
            d.message
        );
        let spans = std::iter::once(d.span).chain(d.related.iter().map(|r| r.span));
        for span in spans {
            let file = files
                .get(span.file.0 as usize)
                .unwrap_or_else(|| panic!("{}: span in an unknown file: {span:?}", d.code));
            let r = span.range();
            assert!(
                r.start <= r.end && r.end <= file.text.len(),
                "{}: span {r:?} outside {} ({} bytes): {}",
                d.code,
                file.name,
                file.text.len(),
                d.message
            );
            assert!(
                file.text.is_char_boundary(r.start) && file.text.is_char_boundary(r.end),
                "{}: span {r:?} splits a character in {}: {}",
                d.code,
                file.name,
                d.message
            );
            let (line, col) = file.line_col(r.start);
            assert!(line >= 1 && col >= 1);
        }
    }
}

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// Both dialects: parse, judge, resolve `H` and describe; then the same
/// through the schedule helpers that read a whole spec.
fn cron_expr(data: &[u8]) {
    let text = text(data);
    for dialect in [Dialect::Vixie, Dialect::Jenkins] {
        match Expr::parse(&text, dialect) {
            Ok(expr) => {
                if let Some(p) = expr.never_runs() {
                    assert!(p.range.end <= text.len(), "{p:?}");
                }
                let mut hash = JenkinsHash::new("folder/train");
                let _ = expr.resolve(&mut hash);
                let _ = expr.describe(Some(&mut hash));
                let _ = expr.describe(None);
            }
            Err(p) => assert!(
                p.range.start <= p.range.end && p.range.end <= text.len(),
                "{dialect:?}: problem range {:?} outside {} bytes",
                p.range,
                text.len()
            ),
        }
        for line in cron::lines(&text, dialect) {
            assert!(line.range.end <= text.len());
        }
        let _ = cron::describe(&text, dialect, Some("folder/train"));
        let _ = cron::describe(&text, dialect, None);
    }
    let _ = cron::without_parameters(&text);
    for r in cron::jenkins_lines(&text) {
        assert!(
            r.start <= r.end && r.end <= text.len() && text.is_char_boundary(r.start) && text.is_char_boundary(r.end)
        );
    }
}

/// The command analysis every frontend runs on shell text.
fn shell_text(data: &[u8]) {
    let text = text(data);
    let script = shell::parse(&text);
    let targets = vec!["model.pkl".to_string()];
    let prerequisites = vec!["data/train.csv".to_string()];
    let ctx = FileContext {
        prerequisites: &prerequisites,
        targets: &targets,
    };
    for cmd in &script.commands {
        assert!(
            cmd.span.start <= cmd.span.end && cmd.span.end <= text.len(),
            "{:?}",
            cmd.span
        );
        let _ = cmd.program();
        for w in &cmd.words {
            let _ = w.literal_text();
        }
        let _ = shell::file_uses(cmd, &ctx);
    }
    let _ = frontend::command::protect_templates(&text);
    let _ = frontend::command::runs_work(&text);
    let _ = frontend::command::label(&text);
}

/// Several files of different kinds in one run: the input is split at
/// 0xFF bytes into up to four files (each a directory of its own when two
/// share a name); the first byte of each picks its
/// kind. They are written to a fresh directory and read by `analyze`.
fn link_files(data: &[u8]) {
    const KINDS: &[(&str, SourceKind)] = &[
        ("Makefile", SourceKind::Makefile),
        ("Jenkinsfile", SourceKind::Jenkinsfile),
        ("jobs/train/config.xml", SourceKind::JenkinsXml),
        ("ml.crontab", SourceKind::Crontab),
        ("dags/train.py", SourceKind::Python),
        ("pipeline.py", SourceKind::Python),
        ("pipeline.yaml", SourceKind::Yaml),
        ("etc/cron.d/train", SourceKind::Crontab),
    ];
    let dir = tempfile::tempdir().expect("a scratch directory");
    let mut files = Vec::new();
    for (i, part) in data.split(|&b| b == 0xFF).take(4).enumerate() {
        let (pick, body) = part.split_first().map(|(b, r)| (*b as usize, r)).unwrap_or((i, part));
        let (name, kind) = KINDS[pick % KINDS.len()];
        // side by side, as in one repository, unless two share a name
        let mut path: PathBuf = dir.path().join(name);
        if files.iter().any(|f: &Discovered| f.path == path) {
            path = dir.path().join(format!("f{i}")).join(name);
        }
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, body).unwrap();
        files.push(Discovered { path, kind });
    }
    let analysis = analysis::analyze(&files, &Options::default());
    let diags = analysis::lint(&analysis, &Selection::all());
    check(&analysis, &diags);
}
