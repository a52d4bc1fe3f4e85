//! GitLab Code Quality: a JSON array of issues (a subset of Code Climate's
//! format) that GitLab shows in merge requests. Each issue's fingerprint is
//! the finding's, unique within the report and independent of its line, so
//! GitLab tells new findings from old ones and shows each once.

use super::{Finding, Report};
use crate::diagnostic::Severity;
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'static str,
    fingerprint: &'a str,
    severity: &'static str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    positions: Positions,
}

#[derive(Serialize)]
struct Positions {
    begin: Position,
    end: Position,
}

#[derive(Serialize)]
struct Position {
    line: usize,
    column: usize,
}

pub fn write(w: &mut dyn Write, report: &Report) -> io::Result<()> {
    let issues: Vec<Issue> = report.findings.iter().map(issue).collect();
    serde_json::to_writer_pretty(&mut *w, &issues)?;
    writeln!(w)
}

fn issue<'a>(f: &'a Finding) -> Issue<'a> {
    let loc = &f.location;
    Issue {
        // GitLab shows the description, not the check name
        description: format!("{}: {}", f.code, f.message),
        check_name: f.code,
        fingerprint: &f.fingerprint,
        severity: match f.severity {
            Severity::Error => "major",
            Severity::Warning => "minor",
            Severity::Info => "info",
        },
        location: Location {
            path: &loc.repo_path,
            positions: Positions {
                begin: Position {
                    line: loc.start.line,
                    column: loc.start.column,
                },
                end: Position {
                    line: loc.end.line,
                    column: loc.end.column,
                },
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
    fn issues() {
        let db = fixture::db();
        let diags = fixture::diagnostics(&db);
        let report = fixture::report(&db, &diags);
        let mut out = Vec::new();
        write(&mut out, &report).unwrap();
        assert_eq!(out[0], b'[');
        let v: Value = serde_json::from_slice(&out).unwrap();
        let issues = v.as_array().unwrap();
        assert_eq!(issues.len(), 3);
        let i = &issues[0];
        assert_eq!(i["check_name"], "KFR001");
        assert!(
            i["description"]
                .as_str()
                .unwrap()
                .starts_with("KFR001: target `é𝔘 target`")
        );
        assert_eq!(i["fingerprint"], report.findings[0].fingerprint.as_str());
        assert_eq!(
            i["location"],
            json!({"path": fixture::PATH, "positions": {"begin": {"line": 2, "column": 4}, "end": {"line": 2, "column": 10}}})
        );
        let severities: Vec<&str> = issues.iter().map(|i| i["severity"].as_str().unwrap()).collect();
        assert_eq!(severities, ["minor", "major", "info"]);
    }
}
