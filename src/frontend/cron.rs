//! Crontab files: a user crontab (`crontab -e`, `*.cron`, `*.crontab`) or
//! a system one (`/etc/crontab`, `cron.d/*`, with a user column), read as
//! Vixie cron reads them. Each entry is its own pipeline of kind `cron`
//! with one step, its command; environment lines set the environment of
//! the entries after them.
//!
//! The command is the rest of the line. An unescaped `%` ends it: the
//! text after it is the command's standard input, with further `%`s as
//! newlines; `\%` is a literal `%`. Relative paths are resolved against the
//! crontab's directory (cron itself starts commands in the user's home
//! directory; a crontab kept in a repository names the repository's files).

use crate::cron::{self, Dialect};
use crate::dag::{Fragment, Pipeline, PipelineKind, Schedule, Step, StepKind};
use crate::diagnostic::Diagnostic;
use crate::frontend::command;
use crate::frontend::mapped::Mapped;
use crate::source::{SourceDb, SourceFile};
use std::path::Path;
use std::sync::Arc;

/// Whether entries in this file have a user column (`/etc/crontab` and
/// `cron.d`).
pub fn has_user_column(path: &Path) -> bool {
    let parent = path.parent().and_then(|p| p.file_name()).and_then(|n| n.to_str());
    parent == Some("cron.d") || (path.file_name().is_some_and(|n| n == "crontab") && parent == Some("etc"))
}

pub fn lower(db: &SourceDb, file: &Arc<SourceFile>) -> Fragment {
    let mut frag = Fragment::default();
    if !crate::frontend::readable(file, "a crontab", &mut frag.diagnostics) {
        return frag;
    }
    let user_column = has_user_column(&file.path);
    let dir = file.dir().to_path_buf();
    let text = &file.text;
    let mut env: Vec<(String, String)> = Vec::new();
    let mut at = 0;
    for (n, raw) in text.split('\n').enumerate() {
        let line_start = at;
        at += raw.len() + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let lead = line.len() - line.trim_start().len();
        let body = line.trim();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let body_start = line_start + lead;
        let first = body.as_bytes()[0];
        if !(first.is_ascii_digit() || first == b'*' || first == b'@') {
            if let Some((name, value)) = env_line(body) {
                env.retain(|(n, _)| *n != name);
                env.push((name, value));
                continue;
            }
            frag.diagnostics.push(
                Diagnostic::parse_error(
                    file.span(body_start..line_start + line.trim_end().len()),
                    "not a crontab entry or an environment setting",
                )
                .with_label("cron refuses the whole file because of this line")
                .with_help(
                    "an entry is five time fields (or @daily, @reboot, ...) then the command; a setting is NAME=value",
                ),
            );
            continue;
        }
        let time_fields = if first == b'@' { 1 } else { 5 };
        let wanted = time_fields + usize::from(user_column) + 1;
        let (words, rest) = cron::split_fields(body, time_fields + usize::from(user_column));
        if words.len() + 1 < wanted || rest >= body.len() {
            let what = if user_column {
                "the time fields, a user and a command"
            } else {
                "the time fields and a command"
            };
            frag.diagnostics.push(
                Diagnostic::parse_error(
                    file.span(body_start..body_start + body.len()),
                    format!("crontab entry is incomplete: it needs {what}"),
                )
                .with_label("cron refuses the whole file because of this line")
                .with_help("write five fields (minute hour day-of-month month day-of-week) or a special string like @daily, then the command"),
            );
            continue;
        }
        let time = 0..words[time_fields - 1].end;
        let user = user_column.then(|| body[words[time_fields].clone()].to_string());
        if let Some(u) = &user
            && (u.contains('/') || u.contains('='))
        {
            let r = words[time_fields].clone();
            frag.diagnostics.push(
                Diagnostic::parse_error(
                    file.span(body_start + r.start..body_start + r.end),
                    format!("this entry has no user: in a system crontab the field after the schedule is the user to run as, and `{u}` is not one"),
                )
                .with_label("read as the user")
                .with_help("write the user between the schedule and the command (`0 2 * * * mlops /opt/ml/run.sh`)"),
            );
            continue;
        }
        let cmd = command_text(body, rest, body_start);
        let pipeline_id = format!("cron:{}:{}", file.name, n + 1);
        let p = frag.pipelines.len();
        let schedule_text = &body[time.clone()];
        frag.pipelines.push(Pipeline {
            id: pipeline_id.clone(),
            kind: PipelineKind::Cron,
            name: format!("{}:{}", file.name, n + 1),
            file: file.id,
            span: file.span(body_start..body_start + body.len()),
            schedule: Some(Schedule {
                text: schedule_text.to_string(),
                span: file.span(body_start + time.start..body_start + time.end),
                dialect: Some(Dialect::Vixie),
                exact: true,
                job: None,
            }),
            dir: dir.clone(),
            includes: Vec::new(),
            default_step: None,
            notes: Vec::new(),
            other_schedules: Vec::new(),
            dropped_cycle_edges: Vec::new(),
            triggered_by: Vec::new(),
        });
        let cmd_span = file.span(cmd.command.source_range(0..cmd.command.text.len()));
        // named by its command, known once the command is read
        let mut step = Step::new(&pipeline_id, p, "", StepKind::Command, cmd_span);
        let summary = command::analyse_mapped(db, &mut step, file, &cmd.command, &dir, None, &mut frag.diagnostics);
        step.id = format!("{pipeline_id}::{}", summary.label);
        step.name = summary.label;
        if let Some(u) = user {
            step.settings.push(("user".into(), u));
        }
        for (k, v) in &env {
            step.settings.push((format!("env.{k}"), v.clone()));
        }
        if let Some(stdin) = cmd.stdin {
            step.notes.push((
                file.span(stdin.source_range(0..stdin.text.len())),
                "text after an unescaped `%` is the command's standard input, not part of the command".into(),
            ));
        }
        frag.steps.push(step);
    }
    frag
}

/// `NAME=value`, `NAME = "value"`: cron's environment setting.
fn env_line(body: &str) -> Option<(String, String)> {
    let (name, value) = body.split_once('=')?;
    let name = name.trim();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let value = value.trim();
    let value = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
        .unwrap_or(value);
    Some((name.to_string(), value.to_string()))
}

struct EntryCommand {
    command: Mapped,
    stdin: Option<Mapped>,
}

/// The command of an entry from byte `from` of `body` (which starts at
/// `offset` in the file): `\%` is `%`, an unescaped `%` starts stdin.
fn command_text(body: &str, from: usize, offset: usize) -> EntryCommand {
    let mut command = Mapped::new(offset + from);
    let mut stdin: Option<Mapped> = None;
    let b = body.as_bytes();
    let mut i = from;
    let mut run = from;
    let flush = |m: &mut Mapped, run: usize, i: usize| {
        if i > run {
            m.push_verbatim(&body[run..i], offset + run);
        }
    };
    while i < b.len() {
        match b[i] {
            b'\\' if b.get(i + 1) == Some(&b'%') => {
                let target = stdin.as_mut().unwrap_or(&mut command);
                flush(target, run, i);
                target.push_decoded("%", offset + i..offset + i + 2);
                i += 2;
                run = i;
            }
            b'%' => {
                match stdin.as_mut() {
                    None => {
                        flush(&mut command, run, i);
                        stdin = Some(Mapped::new(offset + i + 1));
                    }
                    Some(s) => {
                        flush(s, run, i);
                        s.push_decoded("\n", offset + i..offset + i + 1);
                    }
                }
                i += 1;
                run = i;
            }
            _ => i += 1,
        }
    }
    flush(stdin.as_mut().unwrap_or(&mut command), run, b.len());
    EntryCommand { command, stdin }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_signs_end_the_command_unless_escaped() {
        let body = r"0 2 * * * date +\%F && mail -s x%line one%two";
        let (_, rest) = cron::split_fields(body, 5);
        let c = command_text(body, rest, 100);
        assert_eq!(c.command.text, "date +%F && mail -s x");
        assert_eq!(c.stdin.as_ref().unwrap().text, "line one\ntwo");
        // `%F` in the command maps back to `\%F`
        let at = c.command.text.find('%').unwrap();
        assert_eq!(c.command.source_range(at..at + 2), 100 + 16..100 + 19);
    }

    #[test]
    fn environment_lines() {
        assert_eq!(env_line("MAILTO=\"\""), Some(("MAILTO".into(), "".into())));
        assert_eq!(
            env_line("PATH = /usr/bin:/bin"),
            Some(("PATH".into(), "/usr/bin:/bin".into()))
        );
        assert_eq!(env_line("echo a=b"), None);
    }
}
