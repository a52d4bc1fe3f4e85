//! What a shell command written in a pipeline file does, for frontends
//! other than make (an Airflow `bash_command`, a Jenkins `sh` step): the
//! packages it installs, the makefiles it runs, the files it reads and
//! writes. Template syntax (`{{ ds }}`, `${VAR}`) stays in the words and is
//! never resolved; a path with a template in it is kept as written, so the
//! same template in a producer and a consumer still matches.

use crate::dag::{Invocation, Port, Step};
use crate::diagnostic::Diagnostic;
use crate::frontend::make::DEFAULT_MAKEFILES;
use crate::packages;
use crate::shell::{self, FileContext, Invocation as ShellInvocation, Role};
use crate::source::{SourceDb, Span, join_normalized, normalize_path};
use std::path::{Path, PathBuf};

/// Where a command's text comes from: `map` turns a byte range of the text
/// into a span of the file (exact for a verbatim literal, else the whole
/// expression).
pub struct CommandText<'a> {
    pub text: &'a str,
    pub map: &'a dyn Fn(std::ops::Range<usize>) -> Span,
    /// The directory relative paths are resolved against.
    pub dir: &'a Path,
}

/// Replace the whitespace and shell syntax (quotes, parentheses, `|`, `;`,
/// `$`, ...) inside Jinja `{{ … }}` and `{% … %}` with `_`, so the shell
/// parser keeps a templated word in one piece whatever the template holds
/// (`{{ ti.xcom_pull(task_ids='train') }}`); byte offsets are unchanged.
pub fn protect_templates(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if i + 1 < b.len() && (&b[i..i + 2] == b"{{" || &b[i..i + 2] == b"{%") {
            depth += 1;
            out.push_str(&text[i..i + 2]);
            i += 2;
            continue;
        }
        if depth > 0 && i + 1 < b.len() && (&b[i..i + 2] == b"}}" || &b[i..i + 2] == b"%}") {
            depth -= 1;
            out.push_str(&text[i..i + 2]);
            i += 2;
            continue;
        }
        let c = text[i..].chars().next().unwrap_or(' ');
        if depth > 0
            && matches!(
                c,
                ' ' | '\t' | '\n' | '\'' | '"' | '(' | ')' | '|' | '&' | ';' | '<' | '>' | '$' | '`' | '\\' | '#'
            )
        {
            out.push('_');
        } else {
            out.push(c);
        }
        i += c.len_utf8();
    }
    out
}

/// What [`analyse`] learnt about a command beyond the step's ports.
pub struct Summary {
    /// A short name for it ([`label`]).
    pub label: String,
    /// It runs something besides housekeeping ([`runs_work`]).
    pub runs_work: bool,
}

/// Analyse one command string into `step`: packages, invocations, ports.
pub fn analyse(db: &SourceDb, step: &mut Step, cmd: &CommandText, diags: &mut Vec<Diagnostic>) -> Summary {
    let protected = protect_templates(cmd.text);
    let script = shell::parse(&protected);
    let summary = Summary {
        label: label_of(&script, cmd.text),
        runs_work: works(&script),
    };
    let original = |r: &std::ops::Range<usize>| cmd.text.get(r.clone()).unwrap_or("").to_string();
    for c in &script.commands {
        let Some(cwd) = cwd_of(c) else { continue };
        let base = cmd.dir.join(&cwd);
        match &c.invocation {
            ShellInvocation::Pip(pip) => {
                let mut constraints = packages::Constraints::default();
                for f in &pip.constraints {
                    if f.literal {
                        packages::read_constraints(db, &join_normalized(&base, &f.text), &mut constraints);
                    }
                }
                for w in pip.packages.iter().chain(pip.editables.iter()) {
                    if let Some(req) = packages::classify(&original(&w.span), pip.upgrade) {
                        step.packages
                            .push(req.into_package((cmd.map)(w.span.clone()), &constraints));
                    }
                }
                for f in &pip.requirements {
                    let span = (cmd.map)(f.span.clone());
                    if !f.literal || f.text.contains("{{") {
                        step.notes.push((
                            span,
                            format!("requirements file `{}` cannot be resolved statically", f.text),
                        ));
                        continue;
                    }
                    match packages::read_requirements(db, &join_normalized(&base, &f.text), &constraints) {
                        Ok(read) => {
                            step.packages.extend(read.packages.into_iter().map(|mut p| {
                                p.installed_at = Some(span);
                                p
                            }));
                            diags.extend(read.diagnostics);
                        }
                        Err(e) => step.notes.push((span, packages::unread_note(&f.text, &e))),
                    }
                }
            }
            ShellInvocation::Make(run) => {
                let mut dir = base.clone();
                if let Some(d) = &run.directory {
                    if !d.literal || d.text.contains("{{") {
                        continue;
                    }
                    dir = join_normalized(&dir, &d.text);
                }
                let makefile = match &run.makefile {
                    Some(f) if f.literal => join_normalized(&dir, &f.text),
                    Some(_) => continue,
                    None => DEFAULT_MAKEFILES
                        .iter()
                        .map(|n| dir.join(n))
                        .find(|p| p.is_file())
                        .unwrap_or_else(|| dir.join("Makefile")),
                };
                let end = run
                    .targets
                    .last()
                    .map(|t| t.span.end)
                    .or(run.directory.as_ref().map(|d| d.span.end))
                    .unwrap_or(run.program.span.end);
                step.invocations.push(Invocation {
                    retry: None,
                    span: (cmd.map)(run.program.span.start..end),
                    makefile: normalize_path(&makefile),
                    targets: run
                        .targets
                        .iter()
                        .filter(|t| t.literal)
                        .map(|t| t.text.clone())
                        .collect(),
                });
            }
            _ => {}
        }
        for u in shell::file_uses(c, &FileContext::default()) {
            if u.glob {
                continue;
            }
            let path = original(&u.span);
            let path = if path.is_empty() || u.path.contains("{{") {
                // the word with its template as written (quotes removed)
                path.trim_matches(|c| c == '"' || c == '\'').to_string()
            } else {
                u.path.clone()
            };
            let span = Some((cmd.map)(u.span.clone()));
            let port = port(&path, &cwd, cmd.dir, span);
            let ports = match u.role {
                Role::Read if step.outputs.iter().any(|p| p.key == port.key) => continue,
                Role::Read => &mut step.inputs,
                Role::Write => &mut step.outputs,
            };
            if !ports.iter().any(|p| p.key == port.key) {
                ports.push(port);
            }
        }
    }
    summary
}

/// Analyse a command decoded from `file` into `step` (see [`analyse`]),
/// and add it to the step's command. `retry` is the command's own retry
/// when it differs from the step's; the makefiles it runs are retried so.
pub fn analyse_mapped(
    db: &SourceDb,
    step: &mut Step,
    file: &crate::source::SourceFile,
    cmd: &crate::frontend::mapped::Mapped,
    dir: &Path,
    retry: Option<crate::dag::Retry>,
    diags: &mut Vec<Diagnostic>,
) -> Summary {
    let before = step.invocations.len();
    let first = step.command.is_none();
    let map = |r: std::ops::Range<usize>| file.span(cmd.source_range(r));
    let summary = analyse(
        db,
        step,
        &CommandText {
            text: &cmd.text,
            map: &map,
            dir,
        },
        diags,
    );
    step.housekeeping = (first || step.housekeeping) && !summary.runs_work;
    for inv in &mut step.invocations[before..] {
        inv.retry = retry.clone();
    }
    let text = cmd.text.trim();
    if !text.is_empty() {
        let command = step.command.get_or_insert_with(String::new);
        if !command.is_empty() {
            command.push('\n');
        }
        command.push_str(text);
    }
    summary
}

/// Programs whose commands do no work worth retrying: they report, tidy
/// or set up the shell.
const HOUSEKEEPING: &[&str] = &[
    "echo",
    "printf",
    "cd",
    "pwd",
    "ls",
    "cat",
    "env",
    "printenv",
    "export",
    "set",
    "unset",
    "source",
    ".",
    "true",
    "false",
    "test",
    "[",
    "[[",
    "sleep",
    "date",
    "whoami",
    "hostname",
    "id",
    "mkdir",
    "rm",
    "rmdir",
    "touch",
    "chmod",
    "chown",
    "find",
    "du",
    "df",
    "nvidia-smi",
    "uname",
    "which",
    "type",
    "exit",
    "logrotate",
    "tee",
    "head",
    "tail",
    "wc",
    "sort",
    "git",
    "trap",
    "ln",
];

/// Whether a shell command runs something besides housekeeping (`echo`,
/// `ls`, `rm -rf tmp`).
pub fn runs_work(text: &str) -> bool {
    works(&shell::parse(&protect_templates(text)))
}

fn works(script: &shell::Script) -> bool {
    script.commands.iter().any(|c| !HOUSEKEEPING.contains(&c.program()))
}

/// A short name for a command: its first command that does work, as
/// program and first operands (`make train`, `python3 scripts/score.py`).
pub fn label(text: &str) -> String {
    label_of(&shell::parse(&protect_templates(text)), text)
}

fn label_of(script: &shell::Script, text: &str) -> String {
    let cmd = script
        .commands
        .iter()
        .find(|c| !HOUSEKEEPING.contains(&c.program()))
        .or(script.commands.first());
    let Some(cmd) = cmd else {
        return text.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
    };
    // `flock [-n] [-w SECS] LOCKFILE CMD...`: the command is after the lock file
    if cmd.program() == "flock" {
        let mut i = 1;
        while i < cmd.words.len() && cmd.words[i].text.starts_with('-') {
            let takes_value = matches!(
                cmd.words[i].text.as_str(),
                "-w" | "--timeout" | "-E" | "--conflict-exit-code"
            );
            i += if takes_value { 2 } else { 1 };
        }
        let rest: Vec<&str> = cmd.words.iter().skip(i + 1).map(|w| w.text.as_str()).collect();
        if !rest.is_empty() {
            return label(&rest.join(" "));
        }
    }
    let mut words = vec![cmd.program().to_string()];
    match &cmd.invocation {
        ShellInvocation::Make(run) => words.extend(run.targets.iter().map(|t| t.text.clone())),
        ShellInvocation::Python(py) => {
            if let Some(s) = py.script.as_ref().or(py.module.as_ref()) {
                if py.module.is_some() {
                    words.push("-m".into());
                }
                words.push(s.text.clone());
            }
        }
        _ => words.extend(
            cmd.words[1..]
                .iter()
                .filter(|w| !w.text.starts_with('-'))
                .take(2)
                .map(|w| w.text.clone()),
        ),
    }
    let mut out = words.join(" ");
    if out.chars().count() > 48 {
        out = out.chars().take(47).collect::<String>() + "…";
    }
    out
}

fn port(path: &str, cwd: &Path, dir: &Path, span: Option<Span>) -> Port {
    let rel = normalize_path(&cwd.join(path));
    let rel = rel.to_string_lossy().replace('\\', "/");
    let key = join_normalized(dir, &rel).to_string_lossy().replace('\\', "/");
    Port {
        path: rel,
        key,
        span,
        ..Default::default()
    }
}

/// The working directory of a command relative to where the script
/// starts, from the literal `cd`s before it; None when one is not literal.
fn cwd_of(cmd: &shell::SimpleCommand) -> Option<PathBuf> {
    let mut cwd = PathBuf::new();
    for w in &cmd.cwd {
        if !w.literal || w.text.contains("{{") {
            return None;
        }
        cwd = normalize_path(&cwd.join(&w.text));
    }
    Some(cwd)
}

#[cfg(test)]
mod tests {
    use super::protect_templates;

    #[test]
    fn templates_stay_one_word_at_the_same_offsets() {
        let t = "python x.py data/{{ ds }}/in.csv {% if x %}y{% endif %}";
        let p = protect_templates(t);
        assert_eq!(p.len(), t.len());
        assert_eq!(p, "python x.py data/{{_ds_}}/in.csv {%_if_x_%}y{%_endif_%}");
        let t = "python e.py --model {{ ti.xcom_pull(task_ids='train') }} --data d.csv";
        let p = protect_templates(t);
        assert_eq!(p.len(), t.len());
        assert_eq!(
            p,
            "python e.py --model {{_ti.xcom_pull_task_ids=_train___}} --data d.csv"
        );
    }
}
