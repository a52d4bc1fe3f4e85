//! Rendering findings. Every format reads the same resolved [`Finding`]s:
//! `full` (codespan-reporting with source snippets), `concise` (one line
//! each) and `json` (a public contract) here; the machine formats for
//! review tools each in a module of their own.

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{FileId, SourceDb, SourceFile};
use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label, Severity as CsSeverity};
use codespan_reporting::term::{self, termcolor::WriteColor};
use serde::Serialize;
use std::io::{self, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub mod github;
pub mod gitlab;
pub mod rdjson;
pub mod sarif;
pub mod xml;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Source snippets with labels and a help line.
    Full,
    /// One line per finding: `file:line:col: severity[code] message`.
    Concise,
    /// One JSON array of findings.
    Json,
    /// One JSON object per line, the elements of `json`.
    JsonLines,
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// reviewdog's rdjson: one DiagnosticResult.
    Rdjson,
    /// reviewdog's rdjsonl: one Diagnostic per line.
    Rdjsonl,
    /// GitLab Code Quality report.
    Gitlab,
    /// Checkstyle XML.
    Checkstyle,
    /// JUnit XML, one test suite per file.
    Junit,
}

impl Format {
    /// Human formats end with a summary line; machine formats print only data.
    pub fn is_human(self) -> bool {
        matches!(self, Format::Full | Format::Concise)
    }
}

/// A position in a file, 1-based, with the column in the units each
/// format wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Position {
    pub line: usize,
    /// In characters (Unicode scalar values): kfr's own formats.
    pub column: usize,
    /// In UTF-16 code units (SARIF with `columnKind: utf16CodeUnits`).
    pub utf16_column: usize,
    /// In bytes of the file (reviewdog): of UTF-8, or of the file's own
    /// encoding where it is not UTF-8.
    pub byte_column: usize,
}

/// Where a finding is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The path as shown to the user (relative to the current directory).
    pub path: String,
    /// The path relative to the project root (the enclosing git work tree,
    /// else the current directory), `/`-separated: what SARIF, GitLab and
    /// annotations need.
    pub repo_path: String,
    pub start: Position,
    /// Exclusive end (the position after the last character).
    pub end: Position,
}

/// One finding, resolved for rendering.
#[derive(Debug, Clone)]
pub struct Finding<'a> {
    pub diagnostic: &'a Diagnostic,
    pub code: &'static str,
    /// The rule's kebab-case name.
    pub name: &'static str,
    pub severity: Severity,
    pub message: &'a str,
    pub help: Option<&'a str>,
    pub location: Location,
    pub related: Vec<(Location, &'a str)>,
    /// Line-independent identity (32 hex digits), unique within the
    /// report: rule, file, pipeline, step and subject, plus an occurrence
    /// number when those coincide.
    pub fingerprint: String,
}

/// Everything a format may need besides the findings.
pub struct Report<'a> {
    pub findings: Vec<Finding<'a>>,
    pub files_checked: usize,
    /// The rules that could report in this run (SARIF lists them all).
    pub rules: Vec<&'static crate::rules::RuleMeta>,
    pub db: &'a SourceDb,
    pub root: PathBuf,
}

/// Where the docs page of a rule is published.
pub fn rule_url(id: &str) -> String {
    format!("{}/blob/main/docs/rules/{id}.md", env!("CARGO_PKG_REPOSITORY"))
}

/// The project root for repository-relative paths: the nearest enclosing
/// git work tree of the current directory, else the current directory.
pub fn project_root() -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let cwd = std::fs::canonicalize(&cwd).unwrap_or(cwd);
    crate::discover::enclosing_repository(&cwd)
        .map(Path::to_path_buf)
        .unwrap_or(cwd)
}

/// A file's path relative to `root`, `/`-separated; the shown name when
/// the file is outside it or not on disk.
pub fn repo_relative(root: &Path, file: &SourceFile) -> String {
    std::fs::canonicalize(&file.path)
        .ok()
        .and_then(|p| p.strip_prefix(root).ok().map(Path::to_path_buf))
        .map(|p| {
            p.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/")
        })
        .unwrap_or_else(|| file.name.clone())
}

fn position(f: &SourceFile, offset: usize) -> Position {
    let offset = offset.min(f.text.len());
    let mut o = offset;
    while !f.text.is_char_boundary(o) {
        o -= 1;
    }
    let line = f.line_index(o);
    let start = f.full_line_range(line).start;
    let before = &f.text[start..o];
    Position {
        line: line + 1,
        column: before.chars().count() + 1,
        utf16_column: before.encode_utf16().count() + 1,
        // in the file's bytes, which differ from the text's after a byte
        // that was not UTF-8
        byte_column: f.file_offset(o) - f.file_offset(start) + 1,
    }
}

/// Resolve a span to a location.
pub fn locate(db: &SourceDb, root: &Path, span: crate::source::Span, repo_paths: &mut PathCache) -> Location {
    let f = db.get(span.file);
    let repo_path = repo_paths
        .0
        .entry(span.file)
        .or_insert_with(|| repo_relative(root, &f))
        .clone();
    Location {
        path: f.name.clone(),
        repo_path,
        start: position(&f, span.start as usize),
        end: position(&f, (span.end as usize).max(span.start as usize)),
    }
}

/// Repository-relative paths, computed once per file.
#[derive(Default)]
pub struct PathCache(std::collections::HashMap<FileId, String>);

impl<'a> Report<'a> {
    /// Resolve diagnostics (already sorted) for rendering.
    pub fn new(
        diags: &'a [Diagnostic],
        db: &'a SourceDb,
        files_checked: usize,
        rules: Vec<&'static crate::rules::RuleMeta>,
        root: PathBuf,
    ) -> Report<'a> {
        let mut paths = PathCache::default();
        let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        let mut pipelines = std::collections::HashMap::new();
        let findings = diags
            .iter()
            .map(|d| {
                let location = locate(db, &root, d.span, &mut paths);
                let related = d
                    .related
                    .iter()
                    .map(|r| (locate(db, &root, r.span, &mut paths), r.message.as_str()))
                    .collect();
                let base = crate::baseline::fingerprint_basis(d, db, &location.repo_path, &root, &mut pipelines);
                let n = seen.entry(base.clone()).or_insert(0);
                *n += 1;
                let fingerprint = crate::baseline::hash(&base, *n);
                Finding {
                    diagnostic: d,
                    code: d.code,
                    name: crate::rules::meta(d.code).map(|m| m.name).unwrap_or(""),
                    severity: d.severity,
                    message: &d.message,
                    help: d.help.as_deref(),
                    location,
                    related,
                    fingerprint,
                }
            })
            .collect();
        Report {
            findings,
            files_checked,
            rules,
            db,
            root,
        }
    }
}

/// The `kfr lint --format json` element. Public contract: fields may be
/// added, never removed or changed.
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic<'a> {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: &'static str,
    pub message: &'a str,
    pub help: Option<&'a str>,
    pub file: &'a str,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// Line-independent identity (the baseline's key).
    pub fingerprint: &'a str,
}

pub fn to_json<'a>(f: &'a Finding) -> JsonDiagnostic<'a> {
    JsonDiagnostic {
        code: f.code,
        name: f.name,
        severity: f.severity.as_str(),
        message: f.message,
        help: f.help,
        file: &f.location.path,
        line: f.location.start.line,
        column: f.location.start.column,
        end_line: f.location.end.line,
        end_column: f.location.end.column,
        fingerprint: &f.fingerprint,
    }
}

pub fn write_json(w: &mut dyn Write, report: &Report) -> io::Result<()> {
    let items: Vec<JsonDiagnostic> = report.findings.iter().map(to_json).collect();
    serde_json::to_writer_pretty(&mut *w, &items)?;
    writeln!(w)
}

/// JSON Lines: one `json` element per line.
pub fn write_json_lines(w: &mut dyn Write, report: &Report) -> io::Result<()> {
    for f in &report.findings {
        serde_json::to_writer(&mut *w, &to_json(f))?;
        writeln!(w)?;
    }
    Ok(())
}

pub fn write_concise(w: &mut dyn Write, report: &Report) -> io::Result<()> {
    for f in &report.findings {
        writeln!(
            w,
            "{}:{}:{}: {}[{}] {}",
            f.location.path,
            f.location.start.line,
            f.location.start.column,
            f.severity.as_str(),
            f.code,
            f.message
        )?;
    }
    Ok(())
}

/// `--statistics`: one line per rule with findings, most frequent first
/// (then by id): count, id, name, and how many are errors/warnings/info
/// when severities differ.
pub fn write_statistics(w: &mut dyn Write, report: &Report) -> io::Result<()> {
    let mut counts: std::collections::BTreeMap<&str, (usize, &str)> = std::collections::BTreeMap::new();
    for f in &report.findings {
        let e = counts.entry(f.code).or_insert((0, f.name));
        e.0 += 1;
    }
    let mut rows: Vec<(&str, usize, &str)> = counts.into_iter().map(|(c, (n, name))| (c, n, name)).collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let width = rows.iter().map(|r| r.1.to_string().len()).max().unwrap_or(1);
    for (code, n, name) in rows {
        writeln!(w, "{n:>width$}\t{code}\t{name}")?;
    }
    Ok(())
}

/// Write a machine format (everything but `full` and `concise`).
pub fn write_machine(format: Format, w: &mut dyn Write, report: &Report) -> io::Result<()> {
    match format {
        Format::Json => write_json(w, report),
        Format::JsonLines => write_json_lines(w, report),
        Format::Sarif => sarif::write(w, report),
        Format::Github => github::write(w, report, std::env::var_os("GITHUB_STEP_SUMMARY").map(PathBuf::from)),
        Format::Rdjson => rdjson::write(w, report),
        Format::Rdjsonl => rdjson::write_lines(w, report),
        Format::Gitlab => gitlab::write(w, report),
        Format::Checkstyle => xml::write_checkstyle(w, report),
        Format::Junit => xml::write_junit(w, report),
        Format::Full | Format::Concise => Err(io::Error::other("not a machine format")),
    }
}

struct Src(Arc<SourceFile>);

impl AsRef<str> for Src {
    fn as_ref(&self) -> &str {
        &self.0.text
    }
}

/// The source database seen through codespan-reporting's `Files`.
struct Files<'a>(&'a SourceDb);

impl<'a> codespan_reporting::files::Files<'a> for Files<'a> {
    type FileId = FileId;
    type Name = String;
    type Source = Src;

    fn name(&'a self, id: FileId) -> Result<String, codespan_reporting::files::Error> {
        Ok(self.0.get(id).name.clone())
    }

    fn source(&'a self, id: FileId) -> Result<Src, codespan_reporting::files::Error> {
        Ok(Src(self.0.get(id)))
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, codespan_reporting::files::Error> {
        Ok(self.0.get(id).line_index(byte_index))
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, codespan_reporting::files::Error> {
        let f = self.0.get(id);
        if line_index >= f.line_count() {
            return Err(codespan_reporting::files::Error::LineTooLarge {
                given: line_index,
                max: f.line_count() - 1,
            });
        }
        Ok(f.full_line_range(line_index))
    }
}

/// Clamp a span to char boundaries of its file (codespan needs them).
fn safe_range(f: &SourceFile, r: Range<usize>) -> Range<usize> {
    let mut s = r.start.min(f.text.len());
    while !f.text.is_char_boundary(s) {
        s -= 1;
    }
    let mut e = r.end.min(f.text.len()).max(s);
    while !f.text.is_char_boundary(e) {
        e += 1;
    }
    s..e
}

pub fn write_full(w: &mut dyn WriteColor, report: &Report) -> io::Result<()> {
    let db = report.db;
    let files = Files(db);
    let config = term::Config::default();
    for d in report.findings.iter().map(|f| f.diagnostic) {
        let severity = match d.severity {
            Severity::Error => CsSeverity::Error,
            Severity::Warning => CsSeverity::Warning,
            Severity::Info => CsSeverity::Note,
        };
        let f = db.get(d.span.file);
        let mut labels =
            vec![Label::primary(d.span.file, safe_range(&f, d.span.range())).with_message(d.label.clone())];
        for r in &d.related {
            let rf = db.get(r.span.file);
            labels.push(Label::secondary(r.span.file, safe_range(&rf, r.span.range())).with_message(r.message.clone()));
        }
        let mut notes = Vec::new();
        if let Some(h) = &d.help {
            notes.push(format!("help: {h}"));
        }
        let name = crate::rules::meta(d.code).map(|m| m.name).unwrap_or("");
        notes.push(format!("rule: {} {name}", d.code));
        let cs = CsDiagnostic::new(severity)
            .with_code(d.code)
            .with_message(d.message.clone())
            .with_labels(labels)
            .with_notes(notes);
        term::emit_to_write_style(w, &config, &files, &cs).map_err(io::Error::other)?;
    }
    Ok(())
}

/// "Found 3 problems (2 warnings, 1 error) in 2 files." or the all-clear.
pub fn summary(report: &Report) -> String {
    let diags: Vec<&Diagnostic> = report.findings.iter().map(|f| f.diagnostic).collect();
    let files_checked = report.files_checked;
    let files = |n: usize| {
        if n == 1 {
            "1 file".to_string()
        } else {
            format!("{n} files")
        }
    };
    if diags.is_empty() {
        return format!("No problems found ({} checked).", files(files_checked));
    }
    let count = |s: Severity| diags.iter().filter(|d| d.severity == s).count();
    let mut parts = Vec::new();
    for (s, one, many) in [
        (Severity::Error, "error", "errors"),
        (Severity::Warning, "warning", "warnings"),
        (Severity::Info, "info", "info"),
    ] {
        let n = count(s);
        if n > 0 {
            parts.push(format!("{n} {}", if n == 1 { one } else { many }));
        }
    }
    let mut with_findings: Vec<FileId> = diags.iter().map(|d| d.span.file).collect();
    with_findings.sort();
    with_findings.dedup();
    let n = diags.len();
    format!(
        "Found {n} problem{} ({}) in {}.",
        if n == 1 { "" } else { "s" },
        parts.join(", "),
        files(with_findings.len())
    )
}

/// Findings on text whose columns differ in every unit, for the format
/// modules' tests.
#[cfg(test)]
pub(crate) mod fixture {
    use crate::diagnostic::{Diagnostic, Severity};
    use crate::source::SourceDb;
    use std::path::Path;

    /// The file's path: a space, `%`, `,`, `:` and a non-ASCII letter.
    pub const PATH: &str = "a, b: 100%/é.mk";
    /// Line 2 starts with `é` (1 char, 1 UTF-16 unit, 2 bytes) and `𝔘`
    /// (1 char, 2 units, 4 bytes), so `target` starts at column 4 in
    /// characters, 5 in UTF-16 units and 8 in bytes.
    pub const TEXT: &str = "all: target\né𝔘 target: dep\n\techo 50%\n";

    pub fn db() -> SourceDb {
        let db = SourceDb::new();
        db.add_virtual(Path::new(PATH), TEXT.to_string());
        db
    }

    /// A warning on `target` of line 2 with a related location on line 1
    /// and a message needing escapes everywhere; an error on the recipe;
    /// an info spanning lines 1 to 2.
    pub fn diagnostics(db: &SourceDb) -> Vec<Diagnostic> {
        let f = db.get(crate::source::FileId(0));
        let at = |s: &str, n: usize| {
            let start = TEXT.match_indices(s).nth(n).unwrap().0;
            f.span(start..start + s.len())
        };
        let mut warning = Diagnostic::new(
            "KFR001",
            at("target", 1),
            "target `é𝔘 target` is 100% <late>, \"so\": a,b\nnext line\r",
        )
        .with_help("retry & wait")
        .with_related(at("target", 0), "needed by `all`, here: 1,2");
        warning.severity = Severity::Warning;
        let mut error = Diagnostic::new("KFR005", at("echo 50%", 0), "cycle: `echo 50%`");
        error.severity = Severity::Error;
        let mut info = Diagnostic::new("KFR007", f.span(5..TEXT.find(':').unwrap() + 14), "spans two lines");
        info.severity = Severity::Info;
        vec![warning, error, info]
    }

    pub fn report<'a>(db: &'a SourceDb, diags: &'a [Diagnostic]) -> super::Report<'a> {
        super::Report::new(
            diags,
            db,
            1,
            crate::rules::all().iter().collect(),
            std::path::PathBuf::from("/no/such/root"),
        )
    }

    #[test]
    fn columns_in_every_unit() {
        let db = db();
        let diags = diagnostics(&db);
        let r = report(&db, &diags);
        let loc = &r.findings[0].location;
        assert_eq!(loc.repo_path, PATH);
        assert_eq!(
            (
                loc.start.line,
                loc.start.column,
                loc.start.utf16_column,
                loc.start.byte_column
            ),
            (2, 4, 5, 8)
        );
        assert_eq!(
            (loc.end.line, loc.end.column, loc.end.utf16_column, loc.end.byte_column),
            (2, 10, 11, 14)
        );
        let info = &r.findings[2].location;
        assert_eq!((info.start.line, info.end.line), (1, 2));
    }
}
