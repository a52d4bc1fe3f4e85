//! KFR006 invalid-schedule: a cron expression (a crontab entry, a Jenkins
//! `cron`/`pollSCM` trigger or timer spec) that the scheduler refuses, or
//! that names a date that never comes (30 February).

use super::Context;
use crate::cron::{self, Dialect, Expr, Problem};
use crate::diagnostic::Diagnostic;

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for p in &ctx.dag.pipelines {
        for s in p.schedule.iter().chain(p.other_schedules.iter()) {
            let Some(dialect) = s.dialect else { continue };
            for line in cron::lines(&s.text, dialect) {
                let problem = match &line.parsed {
                    Err(p) => p.clone(),
                    Ok(e) => match e.never_runs() {
                        Some(p) => p,
                        None => continue,
                    },
                };
                let problem = &problem;
                let at = line.range.start + problem.range.start..line.range.start + problem.range.end;
                let span = if s.exact {
                    crate::source::Span::new(
                        s.span.file,
                        s.span.start as usize + at.start..s.span.start as usize + at.end,
                    )
                } else {
                    s.span
                };
                let expr = &s.text[line.range.clone()];
                let who = match dialect {
                    Dialect::Vixie => "cron",
                    Dialect::Jenkins => "Jenkins",
                };
                let (message, label) = if problem.never_runs {
                    (
                        format!("schedule `{expr}` never runs: {}", problem.message),
                        "never occurs".to_string(),
                    )
                } else if problem.accepted {
                    (
                        format!("schedule `{expr}` does not mean what it says: {}", problem.message),
                        match problem.field {
                            Some(f) => format!("{} field", f.name()),
                            None => "here".to_string(),
                        },
                    )
                } else {
                    let consequence = match dialect {
                        Dialect::Vixie => "cron refuses the whole crontab",
                        Dialect::Jenkins => "Jenkins refuses the trigger, and the job never runs on its own",
                    };
                    (
                        format!("invalid schedule `{expr}`: {}; {consequence}", problem.message),
                        match problem.field {
                            Some(f) => format!("{} field", f.name()),
                            None => format!("{who} cannot read this"),
                        },
                    )
                };
                out.push(
                    Diagnostic::new("KFR006", span, message)
                        .with_label(label)
                        .with_help(help(expr, dialect, problem))
                        .with_subject(crate::diagnostic::Subject {
                            pipeline: p.name.clone(),
                            step: s.job.clone().unwrap_or_default(),
                            key: format!("schedule {}", expr.trim()),
                            steps: Vec::new(),
                        }),
                );
            }
        }
    }
}

/// The fields read one by one, the broken one marked, so the help line
/// says what the expression asks for.
fn help(expr: &str, dialect: Dialect, problem: &Problem) -> String {
    let (ranges, _) = cron::split_fields(expr.trim(), 5);
    let trimmed = expr.trim();
    if ranges.len() != 5 || trimmed.starts_with('@') {
        return match dialect {
            Dialect::Vixie => "a crontab entry is `minute hour day-of-month month day-of-week command`, or a special string (@reboot, @hourly, @daily, @weekly, @monthly, @yearly) then the command".into(),
            Dialect::Jenkins => "a Jenkins schedule is `MINUTE HOUR DOM MONTH DOW` (with `H` to spread load: `H 2 * * *`), or @hourly, @daily, @midnight, @weekly, @monthly, @yearly".into(),
        };
    }
    if problem.never_runs {
        let reading = Expr::parse(trimmed, dialect)
            .map(|e| e.describe(None))
            .unwrap_or_default();
        return format!("it reads as: {reading}; check the day and month fields (a month has 28 to 31 days)");
    }
    let parts: Vec<String> = cron::FIELDS
        .iter()
        .zip(&ranges)
        .map(|(kind, r)| {
            let text = &trimmed[r.clone()];
            let (lo, hi) = kind.bounds();
            if Some(*kind) == problem.field {
                format!("{} `{text}` (must be {lo}-{hi})", kind.name())
            } else {
                format!("{} `{text}`", kind.name())
            }
        })
        .collect();
    format!("the fields read as {}", parts.join(", "))
}
