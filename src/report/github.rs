//! GitHub Actions workflow commands: one `::error`, `::warning` or
//! `::notice` line per finding, which the runner turns into an annotation
//! on the file and line. GitHub renders only a few annotations per step, so
//! past that limit one notice says how many were left out, and the job
//! summary (`$GITHUB_STEP_SUMMARY`), when there is one, gets a table of
//! every finding.

use super::{Finding, Report};
use crate::diagnostic::Severity;
use std::io::{self, Write};
use std::path::PathBuf;

/// Annotations GitHub renders per step for each of the error, warning and
/// notice kinds; a job renders at most 50 in all. From the limitations in
/// actions/toolkit `docs/problem-matchers.md` ("10 warning annotations, 10
/// error annotations, and 10 notice annotations per step", "50 annotations
/// per job"); GitHub's REST docs for check runs state the same per-step limit
/// for errors and warnings. One step of kfr writes at most 30.
pub const PER_KIND: usize = 10;

/// What a step summary may hold: the runner refuses a larger one whole
/// ("$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of
/// 1024k"), so rows that would pass it are counted instead of listed.
const SUMMARY_LIMIT: usize = 1024 * 1024;

pub fn write(w: &mut dyn Write, report: &Report, step_summary: Option<PathBuf>) -> io::Result<()> {
    let total = |s: Severity| report.findings.iter().filter(|f| f.severity == s).count();
    let over = [Severity::Error, Severity::Warning, Severity::Info]
        .into_iter()
        .any(|s| total(s) > PER_KIND);
    // the notice about the rest is a notice too: keep a place for it
    let budget = |s: Severity| {
        if over && s == Severity::Info {
            PER_KIND - 1
        } else {
            PER_KIND
        }
    };
    let mut shown = [0usize; 3];
    let mut left_out = 0;
    for f in &report.findings {
        let n = &mut shown[kind_index(f.severity)];
        if *n < budget(f.severity) {
            *n += 1;
            writeln!(w, "{}", command(f))?;
        } else {
            left_out += 1;
        }
    }
    if left_out > 0 {
        let where_ = if step_summary.is_some() {
            "the job summary lists all of them"
        } else {
            "run `kfr lint` to see all of them"
        };
        let message = format!(
            "kfr: {left_out} more finding{} not shown as annotations (GitHub shows {PER_KIND} errors, {PER_KIND} warnings and {PER_KIND} notices per step); {} findings in all, {where_}",
            if left_out == 1 { " is" } else { "s are" },
            report.findings.len(),
        );
        writeln!(w, "::notice title={}::{}", property("kfr"), data(&message))?;
    }
    if let Some(path) = step_summary {
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(&path)?;
        let used = file.metadata().map_or(0, |m| m.len() as usize);
        file.write_all(summary(report, SUMMARY_LIMIT.saturating_sub(used)).as_bytes())?;
    }
    Ok(())
}

fn kind_index(s: Severity) -> usize {
    match s {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    }
}

/// One workflow command. `file` is the repository-relative path; columns
/// (characters, the end being the one after the region) only for a region
/// on one line, because the runner drops them when `line` and `endLine`
/// differ.
pub fn command(f: &Finding) -> String {
    let kind = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let loc = &f.location;
    let mut props = vec![
        format!("file={}", property(&loc.repo_path)),
        format!("line={}", loc.start.line),
        format!("endLine={}", loc.end.line.max(loc.start.line)),
    ];
    if loc.start.line == loc.end.line {
        props.push(format!("col={}", loc.start.column));
        props.push(format!("endColumn={}", loc.end.column.max(loc.start.column)));
    }
    props.push(format!("title={}", property(&format!("kfr {} ({})", f.code, f.name))));
    format!("::{kind} {}::{}", props.join(","), data(&message(f)))
}

/// The message, then each related location and the help on lines of their
/// own.
fn message(f: &Finding) -> String {
    let mut out = f.message.to_string();
    for (loc, msg) in &f.related {
        out.push_str(&format!(
            "\n  {}:{}:{}: {msg}",
            loc.repo_path, loc.start.line, loc.start.column
        ));
    }
    if let Some(help) = f.help {
        out.push_str(&format!("\nhelp: {help}"));
    }
    out
}

/// Escape a command's data (its message), as the runner unescapes it:
/// `%` first, then CR and LF.
pub fn data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escape a property value: as data, and `:` and `,`, which end it.
pub fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The job summary: a Markdown table of every finding, as many rows as fit
/// in `budget` bytes.
pub fn summary(report: &Report, budget: usize) -> String {
    let n = report.findings.len();
    let mut out = format!(
        "## kfr\n\n{} in {}.\n\n",
        if n == 1 {
            "1 finding".to_string()
        } else {
            format!("{n} findings")
        },
        if report.files_checked == 1 {
            "1 file checked".to_string()
        } else {
            format!("{} files checked", report.files_checked)
        }
    );
    if n == 0 {
        return out;
    }
    out.push_str("| Location | Rule | Severity | Message |\n|---|---|---|---|\n");
    for (i, f) in report.findings.iter().enumerate() {
        let row = format!(
            "| {} | {} | {} | {} |\n",
            cell(&format!("{}:{}", f.location.repo_path, f.location.start.line)),
            cell(&format!("{} {}", f.code, f.name)),
            f.severity.as_str(),
            cell(f.message),
        );
        // room for the row, and for the line about the rest
        if out.len() + row.len() + 100 > budget {
            out.push_str(&format!(
                "\n{} more not listed: a step summary holds at most 1024 KiB.\n",
                n - i
            ));
            break;
        }
        out.push_str(&row);
    }
    out.push('\n');
    out
}

/// A table cell: `|` escaped (also inside code spans, as GitHub's tables
/// need), line breaks as `<br>`.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
        .replace("\r\n", "<br>")
        .replace(['\r', '\n'], "<br>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    #[test]
    fn escaping() {
        assert_eq!(data("50%\r\nnext %0A"), "50%25%0D%0Anext %250A");
        assert_eq!(property("a, b: 100%\n"), "a%2C b%3A 100%25%0A");
        assert_eq!(data("a, b: c"), "a, b: c");
    }

    #[test]
    fn commands() {
        let db = fixture::db();
        let diags = fixture::diagnostics(&db);
        let report = fixture::report(&db, &diags);
        let lines: Vec<String> = report.findings.iter().map(command).collect();
        assert_eq!(
            lines[0],
            "::warning file=a%2C b%3A 100%25/é.mk,line=2,endLine=2,col=4,endColumn=10,title=kfr KFR001 (missing-retry)::target `é𝔘 target` is 100%25 <late>, \"so\": a,b%0Anext line%0D%0A  a, b: 100%25/é.mk:1:6: needed by `all`, here: 1,2%0Ahelp: retry & wait"
        );
        assert!(lines[1].starts_with("::error file=a%2C b%3A 100%25/é.mk,line=3,endLine=3,col=2,endColumn=10,title=kfr KFR005 (dependency-cycle)::cycle: `echo 50%25`"));
        // two lines: no columns
        assert!(
            lines[2].starts_with("::notice file=a%2C b%3A 100%25/é.mk,line=1,endLine=2,title="),
            "{}",
            lines[2]
        );
        for l in &lines {
            assert!(!l.contains(['\r', '\n']));
        }
    }

    #[test]
    fn summary_cells_are_escaped() {
        assert_eq!(cell("a | b\nc\r\nd `x|y`"), "a \\| b<br>c<br>d `x\\|y`");
        let db = fixture::db();
        let diags = fixture::diagnostics(&db);
        let report = fixture::report(&db, &diags);
        let s = summary(&report, SUMMARY_LIMIT);
        assert!(s.starts_with("## kfr\n\n3 findings in 1 file checked.\n\n| Location | Rule | Severity | Message |\n"));
        assert!(s.contains("| a, b: 100%/é.mk:2 | KFR001 missing-retry | warning | target `é𝔘 target` is 100% <late>, \"so\": a,b<br>next line<br> |\n"), "{s}");
        assert_eq!(s.lines().filter(|l| l.starts_with("| a, b")).count(), 3);
        // a full summary file: rows give way to a count
        let budget = s.len() + 98;
        let short = summary(&report, budget);
        assert_eq!(short.lines().filter(|l| l.starts_with("| a, b")).count(), 2, "{short}");
        assert!(
            short.ends_with("|\n\n1 more not listed: a step summary holds at most 1024 KiB.\n\n"),
            "{short}"
        );
        assert!(short.len() <= budget);
        assert_eq!(summary(&report, s.len() + 100), s);
    }
}
