//! Cron expressions against the real schedulers: every row of
//! `testdata/cron/expressions.tsv` was answered by Debian's `crontab` (Vixie
//! cron) or by Jenkins' own `hudson.scheduler.CronTab` (see
//! `testdata/cron/EXPRESSIONS.md`). kfr must accept what they accept and
//! refuse what they refuse, pointing at the same field, except where it is
//! deliberately stricter (listed below, each with the reason). The values
//! Jenkins picks for `H` are checked against `jenkins_hash.tsv`.

use kfr::cron::{Dialect, Expr, FieldKind, JenkinsHash};

/// Expressions the tool accepts that kfr reports anyway, because they
/// cannot mean what was written.
const STRICTER: &[(&str, &str, &str)] = &[
    (
        "vixie",
        "0 0 * * fri-mon",
        "a backwards range matches no day: the entry never runs",
    ),
    (
        "vixie",
        "5-1 * * * *",
        "a backwards range matches no minute: the entry never runs",
    ),
    (
        "vixie",
        "0 20-4 * * *",
        "a backwards range matches no hour: the entry never runs",
    ),
    (
        "vixie",
        "0 0 * * 7-1",
        "a backwards range matches no day: the entry never runs",
    ),
    (
        "vixie",
        "1-2-3 * * * *",
        "crontab drops `-3`: the field is `1-2`, not what is written",
    ),
    ("vixie", "*-5 * * * *", "crontab drops `-5`: the field is `*`"),
    (
        "vixie",
        "0 0 * * 5#3",
        "crontab drops `#3`: every Friday, not the third one",
    ),
    (
        "vixie",
        "0 0 1 * * 2026",
        "a sixth field (a year, or seconds) becomes the start of the command",
    ),
];

fn rows(name: &str) -> Vec<Vec<String>> {
    let path = format!("{}/testdata/cron/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

fn field_name(f: Option<FieldKind>) -> &'static str {
    match f {
        Some(FieldKind::Minute) => "minute",
        Some(FieldKind::Hour) => "hour",
        Some(FieldKind::DayOfMonth) => "day-of-month",
        Some(FieldKind::Month) => "month",
        Some(FieldKind::DayOfWeek) => "day-of-week",
        None => "whole",
    }
}

#[test]
fn expressions_are_judged_as_the_schedulers_judge_them() {
    let mut wrong = Vec::new();
    let mut checked = 0;
    for r in rows("expressions.tsv") {
        let [dialect, expr, expect, field, note] = &r[..] else {
            panic!("bad row {r:?}")
        };
        let d = match dialect.as_str() {
            "vixie" => Dialect::Vixie,
            "jenkins" => Dialect::Jenkins,
            other => panic!("dialect {other}"),
        };
        checked += 1;
        let got = Expr::parse(expr, d);
        let stricter = STRICTER.iter().find(|(sd, se, _)| *sd == dialect && *se == expr);
        match (expect.as_str(), &got) {
            ("ok", Ok(e)) => {
                let impossible = note.contains("impossible-date");
                if e.never_runs().is_some() != impossible {
                    wrong.push(format!(
                        "{dialect} `{expr}`: never_runs={} but the note says {note:?}",
                        e.never_runs().is_some()
                    ));
                }
                if stricter.is_some() {
                    wrong.push(format!("{dialect} `{expr}` is listed as stricter but kfr accepts it"));
                }
            }
            ("ok", Err(p)) if stricter.is_some() => {
                // kfr reports these as problems of meaning, not as refusals
                if !p.accepted && !p.message.contains("five fields") {
                    wrong.push(format!("{dialect} `{expr}`: reported as a refusal: {}", p.message));
                }
            }
            ("ok", Err(p)) => wrong.push(format!(
                "{dialect} `{expr}`: the tool accepts it; kfr says {} ({note})",
                p.message
            )),
            ("error", Ok(_)) => wrong.push(format!(
                "{dialect} `{expr}`: the tool refuses it ({note}); kfr accepts it"
            )),
            ("error", Err(p)) => {
                if field_name(p.field) != field {
                    wrong.push(format!(
                        "{dialect} `{expr}`: the tool blames {field}, kfr blames {} ({})",
                        field_name(p.field),
                        p.message
                    ));
                }
            }
            other => panic!("bad expectation {other:?}"),
        }
    }
    assert!(checked >= 150, "only {checked} rows");
    assert!(
        wrong.is_empty(),
        "{} of {checked} rows differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn h_resolves_to_the_values_jenkins_picks() {
    let mut wrong = Vec::new();
    let rows = rows("jenkins_hash.tsv");
    assert!(rows.len() >= 20);
    for r in rows {
        let [seed, expr, fields @ ..] = &r[..] else { panic!() };
        let e = Expr::parse(expr, Dialect::Jenkins).unwrap_or_else(|p| panic!("{expr}: {p:?}"));
        let got = e.resolve(&mut JenkinsHash::new(seed));
        let want: Vec<u64> = fields
            .iter()
            .map(|f| {
                f.split(',')
                    .filter(|v| !v.is_empty())
                    .map(|v| 1u64 << v.parse::<u32>().unwrap())
                    .sum()
            })
            .collect();
        if got.as_slice() != want.as_slice() {
            wrong.push(format!("{seed} `{expr}`: kfr {got:?}, Jenkins {want:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
