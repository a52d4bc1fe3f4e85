//! Rendering diagnostics: `full` (codespan-reporting with source snippets),
//! `concise` (one line each) and `json` (a public contract).

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{FileId, SourceDb, SourceFile};
use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label, Severity as CsSeverity};
use codespan_reporting::term::{self, termcolor::WriteColor};
use serde::Serialize;
use std::io::{self, Write};
use std::ops::Range;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Source snippets with labels and a help line.
    Full,
    /// One line per finding: `file:line:col: severity[code] message`.
    Concise,
    /// One JSON array of findings.
    Json,
}

/// The `kfr lint --format json` element. Public contract: fields may be
/// added, never removed or changed.
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: &'static str,
    pub message: String,
    pub help: Option<String>,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

pub fn to_json(d: &Diagnostic, db: &SourceDb) -> JsonDiagnostic {
    let f = db.get(d.span.file);
    let (line, column) = f.line_col(d.span.start as usize);
    let (end_line, end_column) = f.line_col(d.span.end as usize);
    JsonDiagnostic {
        code: d.code,
        name: crate::rules::meta(d.code).map(|m| m.name).unwrap_or(""),
        severity: d.severity.as_str(),
        message: d.message.clone(),
        help: d.help.clone(),
        file: f.name.clone(),
        line,
        column,
        end_line,
        end_column,
    }
}

pub fn write_json(w: &mut dyn Write, diags: &[Diagnostic], db: &SourceDb) -> io::Result<()> {
    let items: Vec<JsonDiagnostic> = diags.iter().map(|d| to_json(d, db)).collect();
    serde_json::to_writer_pretty(&mut *w, &items)?;
    writeln!(w)
}

pub fn write_concise(w: &mut dyn Write, diags: &[Diagnostic], db: &SourceDb) -> io::Result<()> {
    for d in diags {
        let f = db.get(d.span.file);
        let (line, col) = f.line_col(d.span.start as usize);
        writeln!(
            w,
            "{}:{line}:{col}: {}[{}] {}",
            f.name,
            d.severity.as_str(),
            d.code,
            d.message
        )?;
    }
    Ok(())
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

pub fn write_full(w: &mut dyn WriteColor, diags: &[Diagnostic], db: &SourceDb) -> io::Result<()> {
    let files = Files(db);
    let config = term::Config::default();
    for d in diags {
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
pub fn summary(diags: &[Diagnostic], files_checked: usize) -> String {
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
