//! KFR900: a suppression comment that suppresses nothing, names no rule,
//! or cannot be read. It runs after every other rule (see
//! [`crate::suppression`], which matches suppressions to findings); this
//! module words its findings.

use crate::diagnostic::Diagnostic;
use crate::source::Span;
use crate::suppression::Problem;

pub const ID: &str = "KFR900";

/// Where an unused suppression looked for its finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A trailing comment: its own line.
    ThisLine,
    /// A comment on its own line: the 1-based line it stands above.
    Line(usize),
    /// `file-ignore`: the whole file.
    File,
}

/// A rule code in a suppression that matched no finding.
pub fn unused(span: Span, rule: &str, place: Place, sole: bool) -> Diagnostic {
    let name = super::meta(rule).map_or("", |m| m.name);
    let (kind, wher) = match place {
        Place::ThisLine => ("suppression", "on this line".to_string()),
        Place::Line(n) => ("suppression", format!("on line {n}")),
        Place::File => ("file-level suppression", "in this file".to_string()),
    };
    let help = if sole {
        "remove the suppression comment: the finding it was written for is gone".to_string()
    } else {
        format!("remove `{rule}` from the brackets: the finding it was written for is gone")
    };
    Diagnostic::new(
        ID,
        span,
        format!("{kind} of `{rule}` ({name}) matches no finding {wher}"),
    )
    .with_label("suppresses nothing")
    .with_help(help)
}

/// A code in a suppression that is neither a rule id nor a rule name.
pub fn unknown(span: Span, code: &str) -> Diagnostic {
    let help = match closest(code) {
        Some(m) => format!("did you mean `{}` ({})? `kfr rules` lists every rule", m.id, m.name),
        None => "write a rule id (`KFR001`) or name (`missing-retry`); `kfr rules` lists them".to_string(),
    };
    Diagnostic::new(ID, span, format!("unknown rule `{code}` in suppression"))
        .with_label("not a rule id or name")
        .with_help(help)
}

/// A directive kfr cannot read.
pub fn malformed(span: Span, problem: &Problem, file_level: bool) -> Diagnostic {
    let word = if file_level { "file-ignore" } else { "ignore" };
    let syntax = format!("write `kfr: {word}[KFR001] reason`, with rule ids or names separated by commas");
    let (message, help) = match problem {
        Problem::NoBrackets => (
            format!("suppression `kfr: {word}` names no rule: the rules go in brackets"),
            format!("{syntax}; kfr has no suppression of every rule at once"),
        ),
        Problem::EmptyBrackets => (format!("suppression `kfr: {word}[]` names no rule"), syntax),
        Problem::Unclosed => ("suppression's `[` is never closed on its line".to_string(), syntax),
        Problem::UnknownDirective(w) => (
            format!("unknown kfr directive `{w}`: kfr reads `ignore[...]` and `file-ignore[...]`"),
            "write `kfr: ignore[KFR001] reason` for a line, `kfr: file-ignore[KFR001] reason` for the file".to_string(),
        ),
    };
    Diagnostic::new(ID, span, message)
        .with_label("not a suppression kfr can read")
        .with_help(help)
}

/// The rule whose id is one edit from `code`, or whose name is within two.
fn closest(code: &str) -> Option<&'static super::RuleMeta> {
    let code = code.to_ascii_lowercase();
    super::all()
        .iter()
        .filter_map(|m| {
            // ids differ in digits, so one edit away; names may be misspelt more
            let by_id = distance(&code, &m.id.to_ascii_lowercase());
            let by_name = distance(&code, m.name);
            let d = if by_id <= 1 { by_id } else { by_name };
            (d <= 2).then_some((d, m))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, m)| m)
}

/// Levenshtein distance, by characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (diag + usize::from(ca != *cb)).min(row[j] + 1).min(row[j + 1] + 1);
            diag = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_nearest_rule() {
        assert_eq!(closest("KFR01").map(|m| m.id), Some("KFR001"));
        assert_eq!(closest("unpined-package").map(|m| m.id), Some("KFR003"));
        assert_eq!(closest("something-else").map(|m| m.id), None);
        assert_eq!(closest("KFR123").map(|m| m.id), None);
        assert_eq!(distance("kitten", "sitting"), 3);
    }
}
