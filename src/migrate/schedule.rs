//! The legacy schedule as a KFP recurring run's cron expression: six
//! fields, seconds first (`0 30 2 * * 1-5`), with Jenkins' `H` resolved
//! the way Jenkins resolves it for the job.

use crate::cron::{self, Dialect, Expr, Field, FieldKind, JenkinsHash, Macro};

/// The KFP cron for a cron schedule; None when it cannot be one
/// expression (`@reboot`, a Jenkins spec of several lines, `H` without a
/// known job name).
pub fn kfp_cron(text: &str, dialect: Dialect, job: Option<&str>) -> Option<String> {
    let lines = cron::lines(text, dialect);
    let [line] = lines.as_slice() else { return None };
    let expr = line.parsed.as_ref().ok()?;
    if expr.special == Some(Macro::Reboot) || expr.never_runs().is_some() {
        return None;
    }
    let has_hash = expr
        .fields
        .iter()
        .any(|f| f.terms.iter().any(|t| matches!(t, cron::Term::Hash { .. })));
    let bits = match (has_hash, job) {
        (true, None) => return None,
        _ => expr.resolve(&mut JenkinsHash::new(job.unwrap_or(""))),
    };
    let mut out = vec!["0".to_string()];
    for (f, b) in expr.fields.iter().zip(bits) {
        out.push(field_text(f, b));
    }
    Some(out.join(" "))
}

/// A field's values, day of week without its second Sunday (7): KFP's
/// cron takes 0 to 6.
fn bounds(kind: FieldKind) -> (u32, u32) {
    match kind.bounds() {
        (lo, 7) if kind == FieldKind::DayOfWeek => (lo, 6),
        b => b,
    }
}

fn field_text(f: &Field, bits: u64) -> String {
    let (lo, hi) = bounds(f.kind);
    let all = (lo..=hi).all(|v| bits & (1 << v) != 0);
    if all && !expr_has_hash(f) {
        return "*".into();
    }
    let mut parts = Vec::new();
    let mut v = lo;
    while v <= hi {
        if bits & (1 << v) == 0 {
            v += 1;
            continue;
        }
        let start = v;
        while v < hi && bits & (1 << (v + 1)) != 0 {
            v += 1;
        }
        parts.push(match v - start {
            0 => start.to_string(),
            1 => format!("{start},{v}"),
            _ => format!("{start}-{v}"),
        });
        v += 1;
    }
    parts.join(",")
}

fn expr_has_hash(f: &Field) -> bool {
    f.terms.iter().any(|t| matches!(t, cron::Term::Hash { .. }))
}

/// Airflow's presets as KFP cron; None for other schedules.
pub fn preset(text: &str) -> Option<String> {
    let t = text.trim().trim_matches(['"', '\'']);
    let fields = match t {
        "@hourly" => "0 0 * * * *",
        "@daily" | "@midnight" => "0 0 0 * * *",
        "@weekly" => "0 0 0 * * 0",
        "@monthly" => "0 0 0 1 * *",
        "@yearly" | "@annually" => "0 0 0 1 1 *",
        _ => {
            let e = Expr::parse(t, Dialect::Vixie).ok()?;
            return kfp_cron(&e.text, Dialect::Vixie, None);
        }
    };
    Some(fields.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_fields_seconds_first() {
        assert_eq!(
            kfp_cron("30 2 * * 1-5", Dialect::Vixie, None).as_deref(),
            Some("0 30 2 * * 1-5")
        );
        assert_eq!(
            kfp_cron("*/15 * * * *", Dialect::Vixie, None).as_deref(),
            Some("0 0,15,30,45 * * * *")
        );
        assert_eq!(
            kfp_cron("0 4 * * 7", Dialect::Vixie, None).as_deref(),
            Some("0 0 4 * * 0")
        );
        assert_eq!(kfp_cron("@daily", Dialect::Vixie, None).as_deref(), Some("0 0 0 * * *"));
        assert_eq!(kfp_cron("@reboot", Dialect::Vixie, None), None);
        assert_eq!(kfp_cron("H 2 * * 1-5", Dialect::Jenkins, None), None);
        let h = kfp_cron("H 2 * * 1-5", Dialect::Jenkins, Some("fraud-retrain")).unwrap();
        assert!(h.starts_with("0 ") && h.ends_with(" 2 * * 1-5"), "{h}");
        assert_eq!(preset("@weekly").as_deref(), Some("0 0 0 * * 0"));
        assert_eq!(preset("0 4 * * 1").as_deref(), Some("0 0 4 * * 1"));
        assert_eq!(preset("None"), None);
    }
}
