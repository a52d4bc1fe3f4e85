//! Inline suppressions: `kfr: ignore[KFR001] reason` in a comment drops
//! the findings of those rules whose primary span starts on that line (a
//! trailing comment) or on the line below (a comment on its own line;
//! several stacked above one line all apply to it), and
//! `kfr: file-ignore[KFR003] reason` drops them in the whole file.
//!
//! Two steps: [`parse`] reads one file's directives out of its comments
//! (found by the lexers of [`comments`]), and [`apply`] drops the findings
//! they match and reports, as KFR900, the codes that matched nothing, the
//! codes that name no rule and the directives kfr cannot read.

pub mod comments;

use crate::diagnostic::Diagnostic;
use crate::frontend::{self, SourceKind};
use crate::rules::{self, Selection, kfr900_unused_suppression as kfr900};
use crate::source::{FileId, SourceDb, SourceFile, TextProblem};
pub use comments::Syntax;
use rayon::prelude::*;
use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

/// Whether a directive covers lines or its whole file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `kfr: ignore[...]`: a finding on line `first` (the directive's
    /// own, 0-based) or `last` (the line it stands above, when it is a
    /// comment on its own line; else `first`).
    Line { own_line: bool, first: usize, last: usize },
    /// `kfr: file-ignore[...]`.
    File,
}

/// One rule named in a directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    /// As written.
    pub text: String,
    /// Where it is written.
    pub range: Range<usize>,
    /// The rule id it names, if any.
    pub rule: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// 0-based line of the directive.
    pub line: usize,
    pub scope: Scope,
    pub codes: Vec<Code>,
    /// The text after `]`, if any.
    pub reason: Option<String>,
    /// From `kfr:` through `]`.
    pub range: Range<usize>,
}

/// What is wrong with a directive kfr cannot read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// `kfr: ignore` without `[...]`.
    NoBrackets,
    /// `kfr: ignore[]`.
    EmptyBrackets,
    /// `kfr: ignore[KFR001` without `]`.
    Unclosed,
    /// `kfr: noqa[...]`, or any word but `ignore` and `file-ignore`.
    UnknownDirective(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    pub range: Range<usize>,
    pub problem: Problem,
    /// `ignore` or `file-ignore`, as the directive meant it.
    pub file_level: bool,
}

/// A file's directives.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    pub directives: Vec<Directive>,
    pub malformed: Vec<Malformed>,
}

/// The cheap test before any lexing: the file mentions `kfr:` in any case.
pub fn mentions_kfr(text: &str) -> bool {
    text.as_bytes().windows(4).any(|w| w.eq_ignore_ascii_case(b"kfr:"))
}

/// The comment syntax of a file, by its name.
pub fn syntax_of(path: &Path) -> Syntax {
    match frontend::classify(path) {
        Some(SourceKind::Python) => Syntax::Python,
        Some(SourceKind::Makefile) => Syntax::Make,
        Some(SourceKind::Crontab) => Syntax::Crontab,
        Some(SourceKind::Jenkinsfile) => Syntax::Groovy,
        Some(SourceKind::JenkinsXml) => Syntax::Xml,
        Some(SourceKind::Yaml) => Syntax::Yaml,
        None => match path.extension().and_then(|e| e.to_str()) {
            Some("groovy") => Syntax::Groovy,
            Some("xml") => Syntax::Xml,
            Some("sh" | "bash") => Syntax::Shell,
            _ => Syntax::Hash,
        },
    }
}

/// Read the directives of a file's text.
pub fn parse(text: &str, syntax: Syntax) -> Parsed {
    let mut parsed = Parsed::default();
    if !mentions_kfr(text) {
        return parsed;
    }
    let starts = line_starts(text);
    let line_of = |offset: usize| starts.partition_point(|&s| s <= offset) - 1;
    let comments = comments::comments(text, syntax);
    // (comment index, directive) in file order
    let mut found: Vec<(usize, Result<Directive, Malformed>)> = Vec::new();
    for (ci, c) in comments.iter().enumerate() {
        let at = directive_starts(text, c.clone());
        for (k, &(_, start)) in at.iter().enumerate() {
            // a directive's text ends where the next one's comment marker begins
            let end = at.get(k + 1).map_or(c.end, |n| n.0);
            found.push((ci, read_directive(text, start..end, &line_of)));
        }
    }
    // which comments stand on a line of their own, and which of them hold directives
    let own_line = |c: &Range<usize>| {
        let line_start = starts[line_of(c.start)];
        text[line_start..c.start].bytes().all(|b| b == b' ' || b == b'\t')
    };
    let mut stacked: HashMap<usize, usize> = HashMap::new(); // first line -> last line of the comment
    for (ci, _) in &found {
        if own_line(&comments[*ci]) {
            let c = &comments[*ci];
            stacked.insert(line_of(c.start), line_of(c.end.saturating_sub(1).max(c.start)));
        }
    }
    let mut below: HashMap<usize, usize> = HashMap::new();
    for (ci, d) in found {
        match d {
            Ok(mut d) => {
                if let Scope::Line { .. } = d.scope {
                    let c = &comments[ci];
                    let own = own_line(c);
                    let mut last = d.line;
                    if own {
                        // the line after the comment, past stacked directive comments
                        let next = past_stack(&stacked, &mut below, line_of(c.end.saturating_sub(1).max(c.start)) + 1);
                        if next < starts.len() && starts[next] < text.len() {
                            last = next;
                        }
                    }
                    d.scope = Scope::Line {
                        own_line: own,
                        first: d.line,
                        last,
                    };
                }
                parsed.directives.push(d);
            }
            Err(m) => parsed.malformed.push(m),
        }
    }
    parsed
}

/// The first line from `line` on that does not start a stacked
/// suppression comment (`stacked`: its first line to its last), memoised
/// in `below` so a stack is walked once, not once per comment in it.
fn past_stack(stacked: &HashMap<usize, usize>, below: &mut HashMap<usize, usize>, line: usize) -> usize {
    let mut walked = Vec::new();
    let mut next = line;
    while let Some(&end) = stacked.get(&next) {
        if let Some(&known) = below.get(&next) {
            next = known;
            break;
        }
        walked.push(next);
        next = end + 1;
    }
    for l in walked {
        below.insert(l, next);
    }
    next
}

fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    starts
}

/// Where directives begin in a comment: each `kfr:` that starts the
/// comment (after its marker and blanks) or follows another comment marker
/// inside it (`# noqa: F401  # kfr: ignore[KFR003]`). Gives the marker's
/// offset and the offset of `kfr:`.
fn directive_starts(text: &str, comment: Range<usize>) -> Vec<(usize, usize)> {
    let body = &text[comment.clone()];
    let bytes = body.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 4 <= bytes.len() {
        if !bytes[i..i + 4].eq_ignore_ascii_case(b"kfr:") {
            i += 1;
            continue;
        }
        let before = body[..i].trim_end_matches([' ', '\t']);
        let marker = ["<!--", "//", "/*", "#"]
            .iter()
            .find(|m| before.ends_with(**m))
            .map(|m| before.len() - m.len())
            .or_else(|| {
                // the start of a line of a block comment, or ` * kfr:` in one
                let t = before.trim_end_matches('\r');
                let t = t.strip_suffix('*').unwrap_or(t).trim_end_matches([' ', '\t', '\r']);
                (t.is_empty() || t.ends_with('\n')).then_some(before.len())
            });
        if let Some(m) = marker {
            out.push((comment.start + m, comment.start + i));
        }
        i += 4;
    }
    out
}

/// Read one directive: `range` runs from its `kfr:` to the end of its
/// comment (or the next directive in it).
fn read_directive(text: &str, range: Range<usize>, line_of: &dyn Fn(usize) -> usize) -> Result<Directive, Malformed> {
    let s = &text[range.clone()];
    let b = s.as_bytes();
    let mut i = 4;
    while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    let word_start = i;
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'-' || b[i] == b'_') {
        i += 1;
    }
    let word = &s[word_start..i];
    let file_level = word.eq_ignore_ascii_case("file-ignore");
    let malformed = |end: usize, problem| Malformed {
        range: range.start..range.start + end,
        problem,
        file_level,
    };
    if !file_level && !word.eq_ignore_ascii_case("ignore") {
        return Err(malformed(i.max(4), Problem::UnknownDirective(word.to_string())));
    }
    let word_end = i;
    while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    if b.get(i) != Some(&b'[') {
        return Err(malformed(word_end, Problem::NoBrackets));
    }
    let open = i + 1;
    // the codes stop at the first `]` or at the end of the line
    let line_end = s[open..].find(['\n', '\r']).map_or(s.len(), |e| open + e);
    let Some(close) = s[open..line_end].find(']').map(|e| open + e) else {
        return Err(malformed(line_end, Problem::Unclosed));
    };
    let mut codes = Vec::new();
    let mut j = open;
    while j < close {
        if matches!(b[j], b',' | b' ' | b'\t') {
            j += 1;
            continue;
        }
        let start = j;
        while j < close && !matches!(b[j], b',' | b' ' | b'\t') {
            j += 1;
        }
        let text = &s[start..j];
        codes.push(Code {
            text: text.to_string(),
            range: range.start + start..range.start + j,
            rule: rules::lookup(text).map(|m| m.id),
        });
    }
    if codes.is_empty() {
        return Err(malformed(close + 1, Problem::EmptyBrackets));
    }
    let reason = s[close + 1..]
        .trim_end_matches(|c: char| c.is_whitespace())
        .trim_end_matches("-->")
        .trim_end_matches("*/")
        .trim();
    let line = line_of(range.start);
    Ok(Directive {
        line,
        scope: if file_level {
            Scope::File
        } else {
            Scope::Line {
                own_line: false,
                first: line,
                last: line,
            }
        },
        codes,
        reason: (!reason.is_empty()).then(|| reason.to_string()),
        range: range.start..range.start + close + 1,
    })
}

/// The directives of one file and which of their codes matched a finding.
struct FileState {
    file: Arc<SourceFile>,
    parsed: Parsed,
    /// `used[d][c]`: code `c` of directive `d` suppressed something.
    used: Vec<Vec<bool>>,
    /// 0-based line -> (directive, code) of the line directives covering it.
    by_line: HashMap<usize, Vec<(usize, usize)>>,
    /// (directive, code) of the file directives.
    whole_file: Vec<(usize, usize)>,
}

impl FileState {
    fn new(file: Arc<SourceFile>, parsed: Parsed) -> FileState {
        let used = parsed.directives.iter().map(|d| vec![false; d.codes.len()]).collect();
        let mut by_line: HashMap<usize, Vec<(usize, usize)>> = HashMap::new();
        let mut whole_file = Vec::new();
        for (di, d) in parsed.directives.iter().enumerate() {
            for ci in 0..d.codes.len() {
                match d.scope {
                    Scope::File => whole_file.push((di, ci)),
                    // the lines between are stacked suppressions: only
                    // the two ends, so a tall stack stays linear
                    Scope::Line { first, last, .. } => {
                        by_line.entry(first).or_default().push((di, ci));
                        if last != first {
                            by_line.entry(last).or_default().push((di, ci));
                        }
                    }
                }
            }
        }
        FileState {
            file,
            parsed,
            used,
            by_line,
            whole_file,
        }
    }

    /// Whether a finding of rule `code` at byte `offset` is suppressed;
    /// marks every code that matches it as used.
    fn suppress(&mut self, code: &str, offset: usize) -> bool {
        let line = self.file.line_index(offset.min(self.file.text.len()));
        let mut hit = false;
        let on_line = self.by_line.get(&line).map_or(&[][..], Vec::as_slice);
        for &(d, c) in self.whole_file.iter().chain(on_line) {
            if self.parsed.directives[d].codes[c].rule == Some(code) {
                self.used[d][c] = true;
                hit = true;
            }
        }
        hit
    }
}

/// Drop the findings that a suppression matches and add the KFR900
/// findings about the suppressions themselves. Only files that mention
/// `kfr:` are lexed.
pub fn apply(diags: Vec<Diagnostic>, db: &SourceDb, selection: &Selection) -> Vec<Diagnostic> {
    let mut states: HashMap<FileId, FileState> = db
        .all()
        .into_par_iter()
        .filter(|f| {
            !matches!(
                f.problem,
                Some(TextProblem::Binary { .. } | TextProblem::TooLarge { .. })
            )
        })
        .filter(|f| mentions_kfr(&f.text))
        .map(|f| {
            let parsed = parse(&f.text, syntax_of(&f.path));
            (f.id, FileState::new(f, parsed))
        })
        .collect();
    if states.is_empty() {
        return diags;
    }
    let mut out: Vec<Diagnostic> = diags
        .into_iter()
        .filter(|d| {
            !states
                .get_mut(&d.span.file)
                .is_some_and(|s| s.suppress(d.code, d.span.start as usize))
        })
        .collect();
    let mut ids: Vec<FileId> = states.keys().copied().collect();
    ids.sort();
    for id in ids {
        let state = states.get_mut(&id).expect("a state per id");
        if !selection.is_enabled_in(kfr900::ID, &state.file.path) {
            continue;
        }
        let mut found = Vec::new();
        report(state, selection, &mut found);
        for d in found {
            // a KFR900 finding can itself be suppressed, and that counts as a use
            if !state.suppress(kfr900::ID, d.span.start as usize) {
                let severity = selection.severity_of(kfr900::ID, d.severity);
                out.push(d.with_severity(severity));
            }
        }
    }
    out
}

/// The KFR900 findings of one file.
fn report(state: &FileState, selection: &Selection, out: &mut Vec<Diagnostic>) {
    let file = &state.file;
    for (di, d) in state.parsed.directives.iter().enumerate() {
        for (ci, code) in d.codes.iter().enumerate() {
            let span = file.span(code.range.clone());
            match code.rule {
                None => out.push(kfr900::unknown(span, &code.text)),
                // KFR900 is matched after the rest; never reported unused
                Some(kfr900::ID) => {}
                Some(rule) if !state.used[di][ci] && selection.is_enabled_in(rule, &file.path) => {
                    let place = match d.scope {
                        Scope::File => kfr900::Place::File,
                        Scope::Line { own_line: false, .. } => kfr900::Place::ThisLine,
                        Scope::Line { last, .. } => kfr900::Place::Line(last + 1),
                    };
                    out.push(kfr900::unused(span, rule, place, d.codes.len() == 1));
                }
                Some(_) => {}
            }
        }
    }
    for m in &state.parsed.malformed {
        out.push(kfr900::malformed(file.span(m.range.clone()), &m.problem, m.file_level));
    }
}

#[cfg(test)]
mod tests;
