//! reviewdog's Diagnostic Format: `rdjson` is one DiagnosticResult holding
//! every finding, `rdjsonl` one Diagnostic per line, each carrying its
//! source. Positions are 1-based with columns in UTF-8 bytes, as reviewdog
//! counts them; the end is exclusive.

use super::{Finding, Location, Report, rule_url};
use crate::diagnostic::Severity;
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct DiagnosticResult<'a> {
    source: Source,
    diagnostics: Vec<Diagnostic<'a>>,
}

#[derive(Serialize)]
struct Source {
    name: &'static str,
    url: &'static str,
}

#[derive(Serialize)]
struct Diagnostic<'a> {
    message: &'a str,
    location: RdLocation<'a>,
    severity: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<Source>,
    code: Code,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Related<'a>>,
}

#[derive(Serialize)]
struct Code {
    value: &'static str,
    url: String,
}

#[derive(Serialize)]
struct RdLocation<'a> {
    path: &'a str,
    range: Range,
}

#[derive(Serialize)]
struct Range {
    start: Position,
    end: Position,
}

#[derive(Serialize)]
struct Position {
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct Related<'a> {
    message: &'a str,
    location: RdLocation<'a>,
}

fn source() -> Source {
    Source {
        name: "kfr",
        url: env!("CARGO_PKG_REPOSITORY"),
    }
}

pub fn write(w: &mut dyn Write, report: &Report) -> io::Result<()> {
    let result = DiagnosticResult {
        source: source(),
        diagnostics: report.findings.iter().map(|f| diagnostic(f, None)).collect(),
    };
    serde_json::to_writer_pretty(&mut *w, &result)?;
    writeln!(w)
}

pub fn write_lines(w: &mut dyn Write, report: &Report) -> io::Result<()> {
    for f in &report.findings {
        serde_json::to_writer(&mut *w, &diagnostic(f, Some(source())))?;
        writeln!(w)?;
    }
    Ok(())
}

fn diagnostic<'a>(f: &'a Finding, source: Option<Source>) -> Diagnostic<'a> {
    Diagnostic {
        message: f.message,
        location: location(&f.location),
        severity: match f.severity {
            Severity::Error => "ERROR",
            Severity::Warning => "WARNING",
            Severity::Info => "INFO",
        },
        source,
        code: Code {
            value: f.code,
            url: rule_url(f.code),
        },
        related_locations: f
            .related
            .iter()
            .map(|(loc, message)| Related {
                message,
                location: location(loc),
            })
            .collect(),
    }
}

fn location(loc: &Location) -> RdLocation<'_> {
    RdLocation {
        path: &loc.repo_path,
        range: Range {
            start: Position {
                line: loc.start.line,
                column: loc.start.byte_column,
            },
            end: Position {
                line: loc.end.line,
                column: loc.end.byte_column,
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;
    use serde_json::{Value, json};

    #[test]
    fn byte_columns_and_severities() {
        let db = fixture::db();
        let diags = fixture::diagnostics(&db);
        let report = fixture::report(&db, &diags);
        let mut out = Vec::new();
        write(&mut out, &report).unwrap();
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["source"]["name"], "kfr");
        let d = &v["diagnostics"][0];
        assert_eq!(d["severity"], "WARNING");
        assert_eq!(d.get("source"), None);
        assert_eq!(d["code"]["value"], "KFR001");
        assert_eq!(d["code"]["url"], rule_url("KFR001"));
        assert_eq!(
            d["location"],
            json!({"path": fixture::PATH, "range": {"start": {"line": 2, "column": 8}, "end": {"line": 2, "column": 14}}})
        );
        assert_eq!(
            d["related_locations"][0]["location"]["range"]["start"],
            json!({"line": 1, "column": 6})
        );
        assert_eq!(v["diagnostics"][1]["severity"], "ERROR");
        assert_eq!(v["diagnostics"][2]["severity"], "INFO");

        let mut lines = Vec::new();
        write_lines(&mut lines, &report).unwrap();
        let lines = String::from_utf8(lines).unwrap();
        assert_eq!(lines.lines().count(), 3);
        for (line, d) in lines.lines().zip(v["diagnostics"].as_array().unwrap()) {
            let mut l: Value = serde_json::from_str(line).unwrap();
            assert_eq!(l["source"]["name"], "kfr");
            l.as_object_mut().unwrap().remove("source");
            assert_eq!(&l, d);
        }
    }
}
