//! Line-independent fingerprints, and baselines built from them: a
//! baseline file records today's findings so that only new ones fail.
//!
//! A finding about the graph is identified by its rule, its file, and its
//! subject (pipeline, step, and what in the step); a finding about text
//! (a parse error) by its rule, its file, the text of its line and its
//! message with numbers blanked. Neither moves when lines are added above.

use crate::diagnostic::Diagnostic;
use crate::report::Finding;
use crate::source::SourceDb;
use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The text a fingerprint hashes (before the occurrence number).
/// `pipelines` caches each pipeline name's project-relative form.
pub fn fingerprint_basis(
    d: &Diagnostic,
    db: &SourceDb,
    repo_path: &str,
    root: &Path,
    pipelines: &mut std::collections::HashMap<String, String>,
) -> String {
    match &d.subject {
        Some(s) => {
            // a pipeline named by its file (a makefile) is named relative
            // to the project, whatever the current directory
            let pipeline = pipelines
                .entry(s.pipeline.clone())
                .or_insert_with(|| {
                    db.lookup(Path::new(&s.pipeline))
                        .map(|f| crate::report::repo_relative(root, &f))
                        .unwrap_or_else(|| s.pipeline.clone())
                })
                .clone();
            format!("{}\0{repo_path}\0{pipeline}\0{}\0{}", d.code, s.step, s.key)
        }
        None => {
            let f = db.get(d.span.file);
            let line = f.line_range(f.line_index((d.span.start as usize).min(f.text.len())));
            let text: String = f.text[line].split_whitespace().collect::<Vec<_>>().join(" ");
            format!("{}\0{repo_path}\0{text}\0{}", d.code, blank_numbers(&d.message))
        }
    }
}

/// Digits replaced, so "line 12" and "line 14" are one message.
fn blank_numbers(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_digits = false;
    for c in s.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push('#');
            }
            in_digits = true;
        } else {
            in_digits = false;
            out.push(c);
        }
    }
    out
}

/// The fingerprint: MD5 of the basis and the occurrence number (the n-th
/// finding with that basis, in file order), as 32 hex digits.
pub fn hash(basis: &str, occurrence: usize) -> String {
    let mut h = Md5::new();
    h.update(b"kfr/v1\0");
    h.update(basis.as_bytes());
    h.update(b"\0");
    h.update(occurrence.to_string().as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A baseline file: JSON, one entry per finding, keyed by fingerprint.
/// The other fields are there for people reading the file and for the
/// list of entries that no longer occur.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Format version of this file.
    pub version: u32,
    pub findings: Vec<Entry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub fingerprint: String,
    pub code: String,
    pub file: String,
    pub message: String,
}

pub const VERSION: u32 = 1;

impl Baseline {
    pub fn from_findings(findings: &[Finding]) -> Baseline {
        let mut findings: Vec<Entry> = findings
            .iter()
            .map(|f| Entry {
                fingerprint: f.fingerprint.clone(),
                code: f.code.to_string(),
                file: f.location.repo_path.clone(),
                message: f.message.to_string(),
            })
            .collect();
        findings.sort_by(|a, b| (&a.file, &a.code, &a.fingerprint).cmp(&(&b.file, &b.code, &b.fingerprint)));
        Baseline {
            version: VERSION,
            findings,
        }
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("a baseline serialises");
        s.push('\n');
        s
    }

    /// Read a baseline file; errors name the file (and line for bad JSON).
    pub fn read(path: &Path) -> Result<Baseline, String> {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read the baseline: {e}", path.display()))?;
        let b: Baseline = serde_json::from_str(&text).map_err(|e| {
            format!(
                "{}:{}:{}: not a kfr baseline: {e}",
                path.display(),
                e.line(),
                e.column()
            )
        })?;
        if b.version != VERSION {
            return Err(format!(
                "{}: baseline version {} is not one this kfr reads ({VERSION}); write it again with --write-baseline",
                path.display(),
                b.version
            ));
        }
        Ok(b)
    }

    /// Split findings into the new ones (not in the baseline), and return
    /// too the baseline entries that no longer occur.
    pub fn filter<'a, 'b>(&'b self, findings: Vec<Finding<'a>>) -> (Vec<Finding<'a>>, Vec<&'b Entry>) {
        let mut known: BTreeMap<&str, (&Entry, bool)> = self
            .findings
            .iter()
            .map(|e| (e.fingerprint.as_str(), (e, false)))
            .collect();
        let mut new = Vec::new();
        for f in findings {
            match known.get_mut(f.fingerprint.as_str()) {
                Some((_, used)) => *used = true,
                None => new.push(f),
            }
        }
        let mut gone: Vec<&Entry> = known.values().filter(|(_, used)| !used).map(|(e, _)| *e).collect();
        gone.sort_by(|a, b| (&a.file, &a.code, &a.message).cmp(&(&b.file, &b.code, &b.message)));
        (new, gone)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_blanked() {
        assert_eq!(
            blank_numbers("expected `)` at line 12, col 3"),
            "expected `)` at line #, col #"
        );
    }

    #[test]
    fn occurrences_hash_apart() {
        assert_ne!(hash("a", 1), hash("a", 2));
        assert_eq!(hash("a", 1).len(), 32);
    }
}
