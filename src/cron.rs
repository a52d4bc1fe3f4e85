//! Cron expressions, shared by every scheduler kfr reads: crontab lines
//! (Vixie cron, as Debian's `cron` reads them) and Jenkins trigger specs
//! (`hudson.scheduler.CronTab`, with `H`). An expression is parsed into
//! five fields, each with the byte range it was written at, so a problem
//! can highlight the exact field; [`Expr::describe`] reads it back in
//! English for help lines.
//!
//! Jenkins' `H` ("hash") picks a value per job so that jobs spread their
//! load: [`Expr::resolve`] reproduces the choice Jenkins makes
//! (`hudson.scheduler.Hash.from(job full name)`: an MD5 of the name, folded
//! to 64 bits, seeding `java.util.Random`, one `nextInt` per `H` in the
//! order the fields are written).

use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// Vixie cron (Debian's `cron`, cronie): names, `@reboot`, and day of
    /// month OR day of week when both are restricted.
    Vixie,
    /// Jenkins `TimerTrigger` / `SCMTrigger` specs: `H`, no names, and
    /// day of month AND day of week.
    Jenkins,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FieldKind {
    Minute,
    Hour,
    DayOfMonth,
    Month,
    DayOfWeek,
}

pub const FIELDS: [FieldKind; 5] = [
    FieldKind::Minute,
    FieldKind::Hour,
    FieldKind::DayOfMonth,
    FieldKind::Month,
    FieldKind::DayOfWeek,
];

impl FieldKind {
    pub fn name(self) -> &'static str {
        match self {
            FieldKind::Minute => "minute",
            FieldKind::Hour => "hour",
            FieldKind::DayOfMonth => "day of month",
            FieldKind::Month => "month",
            FieldKind::DayOfWeek => "day of week",
        }
    }

    /// The values the field accepts (day of week 7 is Sunday again).
    pub fn bounds(self) -> (u32, u32) {
        match self {
            FieldKind::Minute => (0, 59),
            FieldKind::Hour => (0, 23),
            FieldKind::DayOfMonth => (1, 31),
            FieldKind::Month => (1, 12),
            FieldKind::DayOfWeek => (0, 7),
        }
    }

    fn names(self) -> &'static [&'static str] {
        match self {
            FieldKind::Month => &[
                "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
            ],
            FieldKind::DayOfWeek => &["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
            _ => &[],
        }
    }

    fn first_name_value(self) -> u32 {
        if self == FieldKind::Month { 1 } else { 0 }
    }
}

/// One comma-separated element of a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// `*` or `*/n`.
    Any { step: u32 },
    /// `a`, `a-b`, `a-b/n`.
    Range { from: u32, to: u32, step: u32 },
    /// Jenkins `H`, `H/n`, `H(a-b)`, `H(a-b)/n`: a value (or a start for
    /// the steps) picked per job within `from..=to`.
    Hash { from: u32, to: u32, step: u32 },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub kind: FieldKind,
    /// Where the field is written, relative to the expression's text.
    pub range: Range<usize>,
    pub terms: Vec<Term>,
}

impl Field {
    /// The field is `*` (every value).
    pub fn is_any(&self) -> bool {
        matches!(self.terms.as_slice(), [Term::Any { step: 1 }])
    }

    fn has_hash(&self) -> bool {
        self.terms.iter().any(|t| matches!(t, Term::Hash { .. }))
    }

    /// The values, for a field without `H` (day of week 7 folded to 0).
    fn values(&self) -> u64 {
        let (lo, hi) = self.kind.bounds();
        let mut bits = 0u64;
        for t in &self.terms {
            let (a, b, step) = match *t {
                Term::Any { step } => (lo, hi, step),
                Term::Range { from, to, step } => (from, to, step),
                Term::Hash { .. } => continue,
            };
            let mut v = a;
            while v <= b && step > 0 {
                bits |= 1 << v;
                v += step;
            }
        }
        if self.kind == FieldKind::DayOfWeek && bits & (1 << 7) != 0 {
            bits = (bits | 1) & !(1 << 7);
        }
        bits
    }
}

/// A special-time string: `@daily` and friends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Macro {
    Reboot,
    Yearly,
    Monthly,
    Weekly,
    Daily,
    Midnight,
    Hourly,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expr {
    pub dialect: Dialect,
    /// The text as written.
    pub text: String,
    /// `@reboot`, `@daily`, ... as written; the fields hold its expansion
    /// (none for `@reboot`).
    pub special: Option<Macro>,
    pub fields: Vec<Field>,
}

/// What is wrong with an expression, with the bytes to highlight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub range: Range<usize>,
    /// Which field, when one is to blame.
    pub field: Option<FieldKind>,
    pub message: String,
    /// The expression can never run (30 February), as opposed to one that
    /// the scheduler refuses.
    pub never_runs: bool,
    /// The scheduler accepts the text, but not with the meaning written
    /// (Debian's cron takes `5-1` and matches nothing, and reads `1-2-3` as
    /// `1-2`).
    pub accepted: bool,
}

/// Split a crontab-style line into its leading fields: the byte ranges of
/// up to `n` whitespace-separated words, and where the rest begins.
pub fn split_fields(text: &str, n: usize) -> (Vec<Range<usize>>, usize) {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while out.len() < n {
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let start = i;
        while i < b.len() && b[i] != b' ' && b[i] != b'\t' {
            i += 1;
        }
        out.push(start..i);
    }
    while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    (out, i)
}

impl Expr {
    /// Parse one schedule (a crontab entry's time part, or one line of a
    /// Jenkins spec). `text` holds exactly the expression.
    pub fn parse(text: &str, dialect: Dialect) -> Result<Expr, Problem> {
        let trimmed_start = text.len() - text.trim_start().len();
        let body = text.trim();
        let whole = trimmed_start..trimmed_start + body.len();
        if body.is_empty() {
            return Err(Problem {
                range: whole,
                field: None,
                message: "empty schedule".into(),
                never_runs: false,
                accepted: false,
            });
        }
        if let Some(name) = body.strip_prefix('@') {
            let m = match (name.to_ascii_lowercase().as_str(), dialect) {
                ("reboot", Dialect::Vixie) => Macro::Reboot,
                ("yearly" | "annually", _) => Macro::Yearly,
                ("monthly", _) => Macro::Monthly,
                ("weekly", _) => Macro::Weekly,
                ("daily", _) => Macro::Daily,
                ("midnight", _) => Macro::Midnight,
                ("hourly", _) => Macro::Hourly,
                _ => {
                    let known = match dialect {
                        Dialect::Vixie => "@reboot, @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly",
                        Dialect::Jenkins => "@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly",
                    };
                    return Err(Problem {
                        range: whole,
                        field: None,
                        message: format!(
                            "`{body}` is not a schedule {} knows (it knows {known})",
                            dialect_name(dialect)
                        ),
                        never_runs: false,
                        accepted: false,
                    });
                }
            };
            // both compare special strings exactly
            if name != name.to_ascii_lowercase() {
                return Err(Problem {
                    range: whole,
                    field: None,
                    message: format!(
                        "{} reads special strings in lower case only: `{body}` is not one",
                        dialect_name(dialect)
                    ),
                    never_runs: false,
                    accepted: false,
                });
            }
            let expansion = match (m, dialect) {
                (Macro::Reboot, _) => {
                    return Ok(Expr {
                        dialect,
                        text: text.to_string(),
                        special: Some(m),
                        fields: vec![],
                    });
                }
                (Macro::Yearly, Dialect::Vixie) => "0 0 1 1 *",
                (Macro::Monthly, Dialect::Vixie) => "0 0 1 * *",
                (Macro::Weekly, Dialect::Vixie) => "0 0 * * 0",
                (Macro::Daily | Macro::Midnight, Dialect::Vixie) => "0 0 * * *",
                (Macro::Hourly, Dialect::Vixie) => "0 * * * *",
                (Macro::Yearly, Dialect::Jenkins) => "H H H H *",
                (Macro::Monthly, Dialect::Jenkins) => "H H H * *",
                (Macro::Weekly, Dialect::Jenkins) => "H H * * H",
                (Macro::Daily, Dialect::Jenkins) => "H H * * *",
                (Macro::Midnight, Dialect::Jenkins) => "H H(0-2) * * *",
                (Macro::Hourly, Dialect::Jenkins) => "H * * * *",
            };
            let mut e = Expr::parse(expansion, dialect).expect("macro expansions are valid");
            for f in &mut e.fields {
                f.range = whole.clone();
            }
            e.text = text.to_string();
            e.special = Some(m);
            return Ok(e);
        }
        let (ranges, _) = split_fields(text, 6);
        if ranges.len() != 5 {
            let message = if ranges.len() < 5 {
                format!(
                    "a schedule has five fields (minute hour day-of-month month day-of-week); this one has {}",
                    ranges.len()
                )
            } else {
                // the sixth word may be trailing space that trim_end drops (a newline)
                let end = text.trim_end().len();
                let extra = ranges[5].start.min(end);
                return Err(Problem {
                    range: extra..end,
                    field: None,
                    message:
                        "a schedule has five fields (minute hour day-of-month month day-of-week); this one has more"
                            .into(),
                    never_runs: false,
                    accepted: false,
                });
            };
            return Err(Problem {
                range: whole,
                field: None,
                message,
                never_runs: false,
                accepted: false,
            });
        }
        let mut fields = Vec::with_capacity(5);
        for (kind, r) in FIELDS.iter().zip(ranges) {
            let field_text = &text[r.clone()];
            let terms = parse_field(field_text, *kind, dialect).map_err(|(sub, message)| {
                // Debian's crontab takes a backwards range (matching nothing) and
                // skips text after a complete element (`1-2-3`, `5#3`, `*-5`)
                let accepted = dialect == Dialect::Vixie
                    && (message.contains("runs backwards")
                        || field_text.contains('#')
                        || field_text.contains("*-")
                        || field_text.split(',').any(|t| t.matches('-').count() > 1));
                let message = if accepted && !message.contains("runs backwards") {
                    format!("{message} (cron ignores the text after the first complete element, so the field does not mean what it says)")
                } else if accepted {
                    format!("{message}; cron accepts it but matches no {}, so the entry never runs", kind.name())
                } else {
                    message
                };
                Problem {
                    range: sub.map(|s| r.start + s.start..r.start + s.end).unwrap_or(r.clone()),
                    field: Some(*kind),
                    message,
                    never_runs: false,
                    accepted,
                }
            })?;
            fields.push(Field {
                kind: *kind,
                range: r,
                terms,
            });
        }
        Ok(Expr {
            dialect,
            text: text.to_string(),
            special: None,
            fields,
        })
    }

    /// A day-of-month and month combination that never occurs (30
    /// February), when the day of week does not rescue it. The scheduler
    /// accepts such an expression; it just never fires.
    pub fn never_runs(&self) -> Option<Problem> {
        let [_, _, dom, month, dow] = self.fields.as_slice() else {
            return None;
        };
        if dom.has_hash() || month.has_hash() {
            return None;
        }
        // Vixie runs when either day field matches, if both are restricted
        if self.dialect == Dialect::Vixie && !dow.is_any() && !dom.is_any() {
            return None;
        }
        let days = dom.values();
        let months = month.values();
        const LONGEST: [u32; 13] = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        let possible =
            (1..=12).any(|m| months & (1 << m) != 0 && (1..=LONGEST[m as usize]).any(|d| days & (1 << d) != 0));
        if possible {
            return None;
        }
        let month_names: Vec<String> = (1..=12)
            .filter(|m| months & (1 << m) != 0)
            .map(|m| MONTHS[m as usize - 1].to_string())
            .collect();
        let day_list = list_values(days, FieldKind::DayOfMonth);
        Some(Problem {
            range: dom.range.start..month.range.end,
            field: Some(FieldKind::DayOfMonth),
            message: format!("day {day_list} never occurs in {}", join_words(&month_names, "or")),
            never_runs: true,
            accepted: false,
        })
    }

    /// Every value each field takes, with `H` resolved for the job `seed`
    /// the way Jenkins does (day of week 7 folded to 0).
    pub fn resolve(&self, hash: &mut JenkinsHash) -> [u64; 5] {
        let mut out = [0u64; 5];
        for (i, f) in self.fields.iter().enumerate() {
            let mut bits = 0u64;
            for t in &f.terms {
                match *t {
                    Term::Hash { from, to, step } => {
                        if step > 1 {
                            let mut v = hash.next(step) + from;
                            while v <= to {
                                bits |= 1 << v;
                                v += step;
                            }
                        } else {
                            bits |= 1 << (from + hash.next(to - from + 1));
                        }
                    }
                    _ => {
                        let single = Field {
                            kind: f.kind,
                            range: 0..0,
                            terms: vec![t.clone()],
                        };
                        bits |= single.values();
                    }
                }
            }
            if f.kind == FieldKind::DayOfWeek && bits & (1 << 7) != 0 {
                bits = (bits | 1) & !(1 << 7);
            }
            out[i] = bits;
        }
        out
    }

    /// The schedule in English: "at 02:00 on Monday to Friday". With a
    /// hash (a known Jenkins job), `H` is read as the values it resolves to.
    pub fn describe(&self, hash: Option<&mut JenkinsHash>) -> String {
        if self.special == Some(Macro::Reboot) {
            return "once, when cron starts (at boot)".into();
        }
        let unresolved_h = hash.is_none() && self.fields.iter().any(Field::has_hash);
        if unresolved_h && let Some(m) = self.special {
            let once = match m {
                Macro::Hourly => "once an hour",
                Macro::Daily => "once a day",
                Macro::Midnight => "once a day between 00:00 and 02:59",
                Macro::Weekly => "once a week",
                Macro::Monthly => "once a month",
                Macro::Yearly => "once a year",
                Macro::Reboot => "",
            };
            return format!("{once}, at a time Jenkins picks from the job's name");
        }
        let resolved = hash.map(|h| self.resolve(h));
        let value_bits = |i: usize| -> Option<u64> {
            match &resolved {
                Some(r) => Some(r[i]),
                None if self.fields[i].has_hash() => None,
                None => Some(self.fields[i].values()),
            }
        };
        let [minute, hour, dom, month, dow] = [0, 1, 2, 3, 4].map(value_bits);
        let f = &self.fields;
        let time = match (minute, hour) {
            (Some(m), Some(h)) if m.count_ones() == 1 && h.count_ones() == 1 => {
                format!("at {:02}:{:02}", h.trailing_zeros(), m.trailing_zeros())
            }
            _ => {
                let minutes = describe_part(&f[0], minute, "minute");
                let hours = if f[1].is_any() {
                    "of every hour".to_string()
                } else {
                    format!("past {}", describe_part(&f[1], hour, "hour"))
                };
                if f[0].is_any() && f[1].is_any() {
                    "every minute".to_string()
                } else if f[0].is_any() {
                    format!("every minute {hours}")
                } else if let ([Term::Any { step }], true) = (f[0].terms.as_slice(), f[1].is_any()) {
                    format!("every {step} minutes")
                } else {
                    format!("at {minutes} {hours}")
                }
            }
        };
        let mut days = Vec::new();
        let dom_text = (!f[2].is_any()).then(|| describe_part(&f[2], dom, "day"));
        let dow_text = (!f[4].is_any()).then(|| describe_part(&f[4], dow, "weekday"));
        match (dom_text, dow_text) {
            (None, None) => days.push("every day".to_string()),
            (Some(d), None) => days.push(format!("on {d} of the month")),
            (None, Some(w)) => days.push(format!("on {w}")),
            (Some(d), Some(w)) => days.push(match self.dialect {
                Dialect::Vixie => format!("on {d} of the month and on every {w}"),
                Dialect::Jenkins => format!("on {d} of the month when it is {w}"),
            }),
        }
        if !f[3].is_any() {
            days.push(format!("in {}", describe_part(&f[3], month, "month")));
        }
        let note = if unresolved_h {
            " (Jenkins picks H from the job's name)"
        } else {
            ""
        };
        if days == ["every day"] && (time.starts_with("every") || time.ends_with("of every hour")) {
            return format!("{time}{note}");
        }
        format!("{time} {}{note}", days.join(" "))
    }
}

fn dialect_name(d: Dialect) -> &'static str {
    match d {
        Dialect::Vixie => "cron",
        Dialect::Jenkins => "Jenkins",
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 8] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

fn value_name(kind: FieldKind, v: u32) -> String {
    match kind {
        FieldKind::Month => MONTHS[(v as usize).clamp(1, 12) - 1].to_string(),
        FieldKind::DayOfWeek => WEEKDAYS[(v as usize).min(7)].to_string(),
        _ => v.to_string(),
    }
}

fn join_words(items: &[String], conj: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {conj} {last}", init.join(", ")),
    }
}

/// Values as runs: "1-5, 7", or with names "Monday to Friday".
fn list_values(bits: u64, kind: FieldKind) -> String {
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for v in 0..64u32 {
        if bits & (1 << v) == 0 {
            continue;
        }
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == v => *end = v,
            _ => runs.push((v, v)),
        }
    }
    let named = matches!(kind, FieldKind::Month | FieldKind::DayOfWeek);
    let parts: Vec<String> = runs
        .iter()
        .map(|&(a, b)| {
            if a == b {
                value_name(kind, a)
            } else if named {
                if b == a + 1 {
                    format!("{} and {}", value_name(kind, a), value_name(kind, b))
                } else {
                    format!("{} to {}", value_name(kind, a), value_name(kind, b))
                }
            } else if b == a + 1 {
                format!("{a} and {b}")
            } else {
                format!("{a}-{b}")
            }
        })
        .collect();
    join_words(&parts, "and")
}

fn describe_part(field: &Field, bits: Option<u64>, unit: &str) -> String {
    let kind = field.kind;
    if let Some(bits) = bits {
        // a step over the whole field reads better as "every n"
        if let [Term::Any { step }] = field.terms.as_slice()
            && *step > 1
            && !matches!(kind, FieldKind::Month | FieldKind::DayOfWeek)
        {
            return format!("every {step} {unit}s");
        }
        let values = list_values(bits, kind);
        return match kind {
            FieldKind::Minute => format!("minute {values}"),
            FieldKind::Hour => format!("hour {values}"),
            FieldKind::DayOfMonth => format!("day {values}"),
            _ => values,
        };
    }
    // unresolved H: say what it may be
    let parts: Vec<String> = field
        .terms
        .iter()
        .map(|t| match *t {
            Term::Hash { from, to, step } => {
                let (lo, hi) = kind.bounds();
                let within = if (from, to) == (lo, hi)
                    || (kind == FieldKind::DayOfMonth && (from, to) == (1, 28))
                    || (kind == FieldKind::DayOfWeek && (from, to) == (0, 6))
                {
                    String::new()
                } else {
                    format!(" between {} and {}", value_name(kind, from), value_name(kind, to))
                };
                if step > 1 {
                    format!("every {step} {unit}s from {unit} H{within}")
                } else if within.is_empty() {
                    format!("{unit} H")
                } else {
                    format!("{unit} H{within}")
                }
            }
            _ => {
                let single = Field {
                    kind,
                    range: 0..0,
                    terms: vec![t.clone()],
                };
                list_values(single.values(), kind)
            }
        })
        .collect();
    join_words(&parts, "and")
}

/// Parse one field into its terms; an error names the bytes within the
/// field (None: the whole field).
fn parse_field(text: &str, kind: FieldKind, dialect: Dialect) -> Result<Vec<Term>, (Option<Range<usize>>, String)> {
    let mut terms = Vec::new();
    let mut start = 0;
    for part in text.split(',') {
        let r = start..start + part.len();
        start += part.len() + 1;
        if part.is_empty() {
            return Err((Some(r), format!("empty element in the {} list", kind.name())));
        }
        terms.push(parse_term(part, kind, dialect).map_err(|(sub, m)| {
            (
                Some(sub.map(|s| r.start + s.start..r.start + s.end).unwrap_or(r.clone())),
                m,
            )
        })?);
    }
    Ok(terms)
}

fn parse_term(text: &str, kind: FieldKind, dialect: Dialect) -> Result<Term, (Option<Range<usize>>, String)> {
    let (lo, hi) = kind.bounds();
    let (base, step, step_at) = match text.split_once('/') {
        Some((b, s)) => {
            let at = b.len() + 1..text.len();
            let step = s
                .parse::<u32>()
                .ok()
                .filter(|_| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()))
                .ok_or_else(|| (Some(at.clone()), format!("step `{s}` is not a number")))?;
            if step == 0 {
                return Err((Some(at), "a step of 0 never advances: use 1 or more".into()));
            }
            (b, Some(step), at)
        }
        None => (text, None, 0..0),
    };
    let base_at = 0..base.len();
    if base == "*" {
        let step = step.unwrap_or(1);
        if dialect == Dialect::Jenkins && step > hi - lo + 1 {
            return Err((
                Some(step_at),
                format!("step {step} is larger than the {} range {lo}-{hi}", kind.name()),
            ));
        }
        return Ok(Term::Any { step });
    }
    if dialect == Dialect::Jenkins && (base == "H" || base.starts_with("H(")) {
        let (from, to) = if base == "H" {
            match kind {
                FieldKind::DayOfMonth => (1, 28),
                FieldKind::DayOfWeek => (0, 6),
                _ => (lo, hi),
            }
        } else {
            let inner = base
                .strip_prefix("H(")
                .and_then(|r| r.strip_suffix(')'))
                .ok_or_else(|| (Some(base_at.clone()), format!("`{base}` is not `H(a-b)`")))?;
            let (a, b) = inner
                .split_once('-')
                .ok_or_else(|| (Some(base_at.clone()), format!("`{base}` needs a range: `H(a-b)`")))?;
            let a_at = 2..2 + a.len();
            let b_at = 2 + a.len() + 1..2 + inner.len();
            let a = number(a, kind, dialect, a_at)?;
            let b = number(b, kind, dialect, b_at)?;
            if a > b {
                return Err((
                    Some(base_at),
                    format!("range {a}-{b} runs backwards: write it from low to high"),
                ));
            }
            (a, b)
        };
        let step = step.unwrap_or(1);
        if step > to - from + 1 {
            return Err((
                Some(step_at),
                format!("step {step} is larger than the range {from}-{to} it steps through"),
            ));
        }
        return Ok(Term::Hash { from, to, step });
    }
    if base.starts_with('H') && dialect == Dialect::Vixie {
        return Err((Some(base_at), "`H` is Jenkins syntax; cron does not know it".into()));
    }
    let (from, to) = match base.split_once('-') {
        Some((a, b)) => {
            let a_at = 0..a.len();
            let b_at = a.len() + 1..base.len();
            let a_v = number(a, kind, dialect, a_at)?;
            let b_v = number(b, kind, dialect, b_at)?;
            if a_v > b_v {
                return Err((
                    Some(base_at),
                    format!("range {a}-{b} runs backwards: write it from low to high, or as a list"),
                ));
            }
            (a_v, b_v)
        }
        None => {
            let v = number(base, kind, dialect, base_at.clone())?;
            if step.is_some() {
                return Err((
                    Some(0..text.len()),
                    format!(
                        "`{text}`: a step needs a range (`{base}-{hi}/{}` or `*/{}`)",
                        step.unwrap_or(1),
                        step.unwrap_or(1)
                    ),
                ));
            }
            // Vixie reads `a/n` as `a` alone
            return Ok(Term::Range {
                from: v,
                to: v,
                step: 1,
            });
        }
    };
    Ok(Term::Range {
        from,
        to,
        step: step.unwrap_or(1),
    })
}

fn number(
    text: &str,
    kind: FieldKind,
    dialect: Dialect,
    at: Range<usize>,
) -> Result<u32, (Option<Range<usize>>, String)> {
    let (lo, hi) = kind.bounds();
    if !text.is_empty() && text.bytes().all(|c| c.is_ascii_digit()) {
        let v: u32 = text.parse().unwrap_or(u32::MAX);
        if v < lo || v > hi {
            let extra = if kind == FieldKind::DayOfWeek {
                " (0 and 7 are Sunday)"
            } else {
                ""
            };
            return Err((
                Some(at),
                format!("{} {text} is out of range {lo}-{hi}{extra}", kind.name()),
            ));
        }
        return Ok(v);
    }
    let names = kind.names();
    let lower = text.to_ascii_lowercase();
    if let Some(i) = names.iter().position(|n| *n == lower) {
        if dialect == Dialect::Jenkins {
            return Err((
                Some(at),
                format!(
                    "Jenkins does not read names: write the {} as the number {}",
                    kind.name(),
                    i as u32 + kind.first_name_value()
                ),
            ));
        }
        return Ok(i as u32 + kind.first_name_value());
    }
    let what = if names.is_empty() {
        format!("a number {lo}-{hi}")
    } else if dialect == Dialect::Vixie {
        format!("a number {lo}-{hi} or a name ({}, ...)", names[..3].join(", "))
    } else {
        format!("a number {lo}-{hi}")
    };
    Err((
        Some(at),
        format!("`{text}` is not a valid {}: expected {what}", kind.name()),
    ))
}

/// Jenkins' per-job choice for `H`: MD5 of the job's full name, folded to
/// 64 bits, seeding `java.util.Random`.
pub struct JenkinsHash {
    seed: u64,
}

impl JenkinsHash {
    pub fn new(job_full_name: &str) -> JenkinsHash {
        use md5::{Digest, Md5};
        let mut digest: [u8; 16] = Md5::digest(job_full_name.as_bytes()).into();
        for i in 8..16 {
            digest[i % 8] ^= digest[i];
        }
        let mut l: u64 = 0;
        for b in &digest[..8] {
            l = (l << 8).wrapping_add(*b as u64);
        }
        JenkinsHash {
            seed: (l ^ 0x5DEECE66D) & ((1 << 48) - 1),
        }
    }

    fn next_bits(&mut self, bits: u32) -> i32 {
        self.seed = (self.seed.wrapping_mul(0x5DEECE66D).wrapping_add(0xB)) & ((1 << 48) - 1);
        (self.seed >> (48 - bits)) as i32
    }

    /// `java.util.Random.nextInt(bound)`.
    pub fn next(&mut self, bound: u32) -> u32 {
        let bound = bound as i32;
        if bound <= 0 {
            return 0;
        }
        if bound & -bound == bound {
            return ((bound as i64 * self.next_bits(31) as i64) >> 31) as u32;
        }
        loop {
            let bits = self.next_bits(31);
            let val = bits % bound;
            if bits.wrapping_sub(val).wrapping_add(bound - 1) >= 0 {
                return val as u32;
            }
        }
    }
}

/// A Parameterized Scheduler spec (`H 2 * * * %EPOCHS=10`) without the
/// parameters after each line's `%`.
pub fn without_parameters(spec: &str) -> String {
    spec.lines()
        .map(|l| l.split('%').next().unwrap_or("").trim_end())
        .collect::<Vec<_>>()
        .join("\n")
}

/// One line of a Jenkins spec that holds a schedule (not `TZ=`, a
/// comment or blank), with its byte range in the spec.
pub fn jenkins_lines(spec: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut at = 0;
    for (n, line) in spec.split('\n').enumerate() {
        let r = at..at + line.len();
        at += line.len() + 1;
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') || (n == 0 && t.starts_with("TZ=")) {
            continue;
        }
        let lead = line.len() - line.trim_start().len();
        out.push(r.start + lead..r.start + lead + t.len());
    }
    out
}

/// One expression of a schedule as written: its byte range in the
/// schedule's text and what parsing it gave.
pub struct Line {
    pub range: Range<usize>,
    pub parsed: Result<Expr, Problem>,
}

/// The expressions of a schedule's text: a Jenkins spec line by line, a
/// crontab entry's time fields as one.
pub fn lines(text: &str, dialect: Dialect) -> Vec<Line> {
    let ranges = match dialect {
        Dialect::Jenkins => jenkins_lines(text),
        Dialect::Vixie => std::iter::once(0..text.len()).collect(),
    };
    ranges
        .into_iter()
        .map(|r| Line {
            parsed: Expr::parse(&text[r.clone()], dialect),
            range: r,
        })
        .collect()
}

/// The whole schedule in English, when every expression in it is valid;
/// with a Jenkins job name, `H` reads as the values Jenkins picks for it.
pub fn describe(text: &str, dialect: Dialect, job: Option<&str>) -> Option<String> {
    let mut hash = job.map(JenkinsHash::new);
    let mut parts = Vec::new();
    for l in lines(text, dialect) {
        let e = l.parsed.ok()?;
        if e.never_runs().is_some() {
            return None;
        }
        parts.push(e.describe(hash.as_mut()));
    }
    (!parts.is_empty()).then(|| parts.join("; and "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str, d: Dialect) -> Expr {
        Expr::parse(text, d).unwrap_or_else(|p| panic!("{text}: {p:?}"))
    }

    #[test]
    fn describes_common_schedules() {
        let v = Dialect::Vixie;
        assert_eq!(ok("0 2 * * *", v).describe(None), "at 02:00 every day");
        assert_eq!(ok("30 2 * * 1-5", v).describe(None), "at 02:30 on Monday to Friday");
        assert_eq!(ok("*/15 * * * *", v).describe(None), "every 15 minutes");
        assert_eq!(
            ok("0 */6 * * *", v).describe(None),
            "at minute 0 past every 6 hours every day"
        );
        assert_eq!(
            ok("0 0 1 jan *", v).describe(None),
            "at 00:00 on day 1 of the month in January"
        );
        assert_eq!(ok("@reboot", v).describe(None), "once, when cron starts (at boot)");
        let j = Dialect::Jenkins;
        assert_eq!(
            ok("H 2 * * *", j).describe(None),
            "at minute H past hour 2 every day (Jenkins picks H from the job's name)"
        );
        assert_eq!(
            ok("@midnight", j).describe(None),
            "once a day between 00:00 and 02:59, at a time Jenkins picks from the job's name"
        );
        let mut h = JenkinsHash::new("train-nightly");
        let d = ok("H 2 * * *", j).describe(Some(&mut h));
        assert!(d.starts_with("at 02:"), "{d}");
    }

    #[test]
    fn impossible_dates_are_problems() {
        let never = |t: &str, d| ok(t, d).never_runs();
        let p = never("0 0 30 2 *", Dialect::Vixie).unwrap();
        assert!(p.never_runs);
        assert_eq!(p.range, 4..8);
        assert_eq!(p.message, "day 30 never occurs in February");
        // Vixie: a weekday rescues it; Jenkins: both must match
        assert!(never("0 0 30 2 1", Dialect::Vixie).is_none());
        assert!(never("0 0 30 2 1", Dialect::Jenkins).is_some());
        assert!(never("0 0 29 2 *", Dialect::Vixie).is_none());
        assert!(never("0 0 31 4,6 *", Dialect::Vixie).is_some());
    }

    #[test]
    fn field_spans() {
        let p = Expr::parse("0 25 * * *", Dialect::Vixie).unwrap_err();
        assert_eq!((p.range, p.field), (2..4, Some(FieldKind::Hour)));
        let p = Expr::parse("0 1-30/0 * * *", Dialect::Vixie).unwrap_err();
        assert_eq!(p.range, 7..8);
        let p = Expr::parse("0 0 * * MON", Dialect::Jenkins).unwrap_err();
        assert_eq!(p.range, 8..11);
    }
}
