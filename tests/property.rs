//! A property test of the whole lint pipeline: small projects made of real
//! fixtures of every kind, each file cut, spliced, byte-flipped or
//! salted with the characters its language cares about, are discovered,
//! read, linked, linted and rendered in every format. Whatever the input:
//! nothing panics, every position is inside its file and 1-based, the
//! machine formats parse, fingerprints are unique, and a second run gives
//! the same bytes.
//!
//! proptest shrinks a failure to a small project and prints it;
//! `PROPTEST_CASES` runs more cases than the default below.

use kfr::analysis::{analyze, lint};
use kfr::discover::{build_excludes, discover};
use kfr::report::{Format, Report};
use kfr::rules::Selection;
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// Real fixtures by the name they have in a project: the file name decides
/// which frontend reads it.
static FIXTURES: LazyLock<Vec<(String, Vec<u8>)>> = LazyLock::new(|| {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
        let entry = entry.unwrap();
        let p = entry.path();
        if !entry.file_type().is_file() || kfr::frontend::classify(p).is_none() {
            continue;
        }
        let bytes = std::fs::read(p).unwrap();
        if bytes.len() > 64 * 1024 {
            continue;
        }
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        out.push((name, bytes));
    }
    assert!(out.len() > 100, "{} fixtures", out.len());
    out
});

/// What a mutation does to a file's bytes.
#[derive(Debug, Clone)]
enum Edit {
    /// Insert a piece of syntax at a relative position.
    Insert(f64, &'static str),
    /// Delete a relative range.
    Delete(f64, f64),
    /// Flip a byte (which may break UTF-8).
    Flip(f64, u8),
    /// Keep only a prefix.
    Truncate(f64),
    /// Repeat a relative range.
    Duplicate(f64, f64),
}

const PIECES: &[&str] = &[
    "$(",
    ")",
    "${",
    "}",
    "{",
    "[",
    "]",
    "(",
    "'",
    "\"",
    "'''",
    "\"\"\"",
    "\\",
    "\n",
    "\t",
    "\r\n",
    ":",
    "::",
    "=",
    ":=",
    "?=",
    "+=",
    "#",
    "//",
    "/*",
    "*/",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "%",
    "$$",
    "@",
    "&&",
    "|",
    ";",
    ">>",
    "<<",
    "ifeq (a,b)\n",
    "endif\n",
    "define x\n",
    "endef\n",
    "include x.mk\n",
    "stage('s') {",
    "retry(3) {",
    "sh '''",
    "steps {",
    "pipeline {",
    "* * * * * ",
    "H(0-7) */2 * * 1-5 ",
    "@reboot ",
    "MAILTO=\n",
    "with DAG(",
    "@task\n",
    "def f(",
    "    ",
    "retries=",
    ">> ",
    "@dsl.pipeline(name='p')\n",
    "@dsl.component\n",
    ".set_retry(",
    "kfr: ignore[KFR001]",
    "kfr: file-ignore[",
    "é",
    "𝔘",
    "\u{0}",
    "\u{feff}",
    "pipelineSpec:\n",
    "components:\n",
    "  - ",
    "&a ",
    "*a ",
    "!!binary ",
    "<?xml version='1.0'?>",
    "<project>",
    "</project>",
    "&amp;",
    "&#0;",
];

fn edit() -> impl Strategy<Value = Edit> {
    let at = 0.0..1.0f64;
    prop_oneof![
        4 => (at.clone(), prop::sample::select(PIECES)).prop_map(|(a, p)| Edit::Insert(a, p)),
        2 => (at.clone(), 0.0..0.2f64).prop_map(|(a, l)| Edit::Delete(a, l)),
        2 => (at.clone(), any::<u8>()).prop_map(|(a, b)| Edit::Flip(a, b)),
        1 => (0.0..1.0f64).prop_map(Edit::Truncate),
        1 => (at, 0.0..0.1f64).prop_map(|(a, l)| Edit::Duplicate(a, l)),
    ]
}

fn apply(bytes: &mut Vec<u8>, e: &Edit) {
    let n = bytes.len();
    let pos = |f: f64| ((f * n as f64) as usize).min(n);
    match *e {
        Edit::Insert(a, p) => {
            let i = pos(a);
            bytes.splice(i..i, p.bytes());
        }
        Edit::Delete(a, l) => {
            let i = pos(a);
            let j = (i + pos(l)).min(n);
            bytes.drain(i..j);
        }
        Edit::Flip(a, b) if n > 0 => {
            let i = pos(a).min(n - 1);
            bytes[i] ^= b;
        }
        Edit::Flip(..) => {}
        Edit::Truncate(a) => bytes.truncate(pos(a)),
        Edit::Duplicate(a, l) => {
            let i = pos(a);
            let j = (i + pos(l)).min(n);
            let copy = bytes[i..j].to_vec();
            bytes.splice(j..j, copy);
        }
    }
}

/// A project: up to four fixtures, each with its edits, in directories of
/// their own (so two makefiles do not overwrite each other) or side by side
/// (so they link).
#[derive(Debug, Clone)]
struct Project {
    files: Vec<(usize, Vec<Edit>, bool)>,
}

fn project() -> impl Strategy<Value = Project> {
    let n = FIXTURES.len();
    prop::collection::vec((0..n, prop::collection::vec(edit(), 0..6), any::<bool>()), 1..5)
        .prop_map(|files| Project { files })
}

/// Lint the project in `dir`, rendered in every format.
fn run(dir: &Path) -> Vec<(Format, Vec<u8>)> {
    let found = discover(&[dir.to_path_buf()], &build_excludes(&[]).unwrap()).unwrap();
    let analysis = analyze(&found.files, &kfr::frontend::Options::default());
    let diags = lint(&analysis, &Selection::all());
    let rules = kfr::rules::all().iter().collect();
    let report = Report::new(&diags, &analysis.db, analysis.files_checked, rules, dir.to_path_buf());
    for f in &report.findings {
        let file = analysis.db.get(f.diagnostic.span.file);
        let (s, e) = (f.diagnostic.span.start as usize, f.diagnostic.span.end as usize);
        assert!(
            s <= e && e <= file.text.len(),
            "{}: span {s}..{e} of {}",
            f.code,
            file.text.len()
        );
        for p in [f.location.start, f.location.end] {
            assert!(
                p.line >= 1 && p.line <= file.line_count(),
                "{}: line {}",
                f.code,
                p.line
            );
            assert!(p.column >= 1 && p.utf16_column >= p.column && p.byte_column >= p.utf16_column);
        }
        assert!(f.location.start.line <= f.location.end.line);
        assert!(!f.message.is_empty() && kfr::rules::meta(f.code).is_some(), "{f:?}");
    }
    let prints: std::collections::HashSet<&str> = report.findings.iter().map(|f| f.fingerprint.as_str()).collect();
    assert_eq!(prints.len(), report.findings.len(), "fingerprints are unique");
    let mut out = Vec::new();
    for format in [
        Format::Json,
        Format::JsonLines,
        Format::Sarif,
        Format::Github,
        Format::Rdjson,
        Format::Rdjsonl,
        Format::Gitlab,
        Format::Checkstyle,
        Format::Junit,
    ] {
        let mut buf = Vec::new();
        kfr::report::write_machine(format, &mut buf, &report).unwrap();
        let text = std::str::from_utf8(&buf).expect("machine formats are UTF-8");
        match format {
            Format::Json | Format::Sarif | Format::Rdjson | Format::Gitlab => {
                serde_json::from_str::<serde_json::Value>(text).unwrap();
            }
            Format::JsonLines | Format::Rdjsonl => {
                for l in text.lines() {
                    serde_json::from_str::<serde_json::Value>(l).unwrap();
                }
            }
            Format::Github => {
                assert!(text.lines().all(|l| l.starts_with("::")), "{text}");
            }
            _ => {
                let mut r = quick_xml::Reader::from_str(text);
                loop {
                    match r.read_event() {
                        Ok(quick_xml::events::Event::Eof) => break,
                        Ok(_) => {}
                        Err(e) => panic!("{format:?} is not XML: {e}\n{text}"),
                    }
                }
            }
        }
        out.push((format, buf));
    }
    let mut concise = Vec::new();
    kfr::report::write_concise(&mut concise, &report).unwrap();
    let mut full = codespan_reporting::term::termcolor::NoColor::new(Vec::new());
    kfr::report::write_full(&mut full, &report).unwrap();
    out.push((Format::Concise, concise));
    out.push((Format::Full, full.into_inner()));
    out
}

fn materialise(p: &Project) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (i, (fixture, edits, own_dir)) in p.files.iter().enumerate() {
        let (name, bytes) = &FIXTURES[*fixture];
        let mut bytes = bytes.clone();
        for e in edits {
            apply(&mut bytes, e);
        }
        let at: PathBuf = if *own_dir {
            dir.path().join(format!("p{i}")).join(name)
        } else {
            dir.path().join(name)
        };
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        std::fs::write(at, bytes).unwrap();
    }
    dir
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(48),
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_project_lints_and_renders(p in project()) {
        let dir = materialise(&p);
        let first = run(dir.path());
        let second = run(dir.path());
        prop_assert_eq!(first, second, "a second run renders the same bytes");
    }
}
