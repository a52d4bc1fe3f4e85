//! A legacy step's shell command as a KFP container's script: file paths
//! handed between steps become artifact placeholders, option values and
//! the pipeline's variables become input parameters, and what the script
//! needs from its environment is listed.
//!
//! The script runs as `sh -ec SCRIPT NAME ARGS...`: every placeholder is one
//! element of the container's `args`, used in the script as `"$1"`, `"$2"`,
//! ... A file handoff the command does not name literally (a script with a
//! built-in default path) is copied between the artifact and the legacy
//! path before or after the script, so the handoff holds either way.

use super::plan::{ParamType, Placeholder};
use crate::dag::Variable;
use crate::shell::{self, FileContext, Invocation};
use std::ops::Range;

/// A file the script hands over: its path as the pipeline names it and the
/// placeholder that replaces it.
#[derive(Debug, Clone)]
pub struct FileArg {
    pub path: String,
    pub placeholder: Placeholder,
}

/// A value of the command that became an input parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamUse {
    pub name: String,
    pub ty: ParamType,
    pub default: serde_json::Value,
    /// What it was: "Make variable `EPOCHS`", "option `--lr`".
    pub origin: String,
    pub variable: Option<Variable>,
}

#[derive(Debug, Default)]
pub struct Rewrite {
    pub script: String,
    /// The container args, in order: `"$1"` is the first.
    pub args: Vec<Placeholder>,
    pub params: Vec<ParamUse>,
    /// Environment variables the script reads and does not set.
    pub env: Vec<String>,
    /// `$(shell ...)` values make computed, now computed by the script.
    pub runtime: Vec<String>,
    /// Handoffs copied because the command does not name them: (artifact
    /// name, legacy path).
    pub staged: Vec<(String, String)>,
    /// The command could not be parsed completely.
    pub parse_errors: bool,
}

/// Rewrite one step's command. `make`: the command is a make recipe, whose
/// lines each run in their own shell, with the lines whose failure make
/// ignores.
pub fn rewrite(
    text: &str,
    files: &[FileArg],
    variables: &[Variable],
    taken: &mut super::names::Unique,
    make: Option<&[String]>,
) -> Rewrite {
    let mut out = Rewrite::default();
    let text = if let Some(ignored) = make {
        isolate_lines(text, ignored)
    } else {
        text.to_string()
    };
    let script = shell::parse(&crate::frontend::command::protect_templates(&text));
    out.parse_errors = script.has_errors;
    let inputs: Vec<String> = files
        .iter()
        .filter(|f| matches!(f.placeholder, Placeholder::InArtifact(_)))
        .map(|f| f.path.clone())
        .collect();
    let outputs: Vec<String> = files
        .iter()
        .filter(|f| matches!(f.placeholder, Placeholder::OutArtifact(_)))
        .map(|f| f.path.clone())
        .collect();
    let ctx = FileContext {
        prerequisites: &inputs,
        targets: &outputs,
    };
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let mut used = vec![false; files.len()];
    let pos = |args: &mut Vec<Placeholder>, ph: &Placeholder| -> usize {
        match args.iter().position(|a| a == ph) {
            Some(i) => i + 1,
            None => {
                args.push(ph.clone());
                args.len()
            }
        }
    };
    let overlaps = |edits: &[(Range<usize>, String)], r: &Range<usize>| {
        edits.iter().any(|(e, _)| e.start < r.end && r.start < e.end)
    };
    for cmd in &script.commands {
        for u in shell::file_uses(cmd, &ctx) {
            let path = u.resolved.clone().unwrap_or_else(|| u.path.clone());
            let Some(i) = files.iter().position(|f| f.path == path || f.path == u.path) else {
                continue;
            };
            if overlaps(&edits, &u.span) {
                continue;
            }
            let Some(raw) = text.get(u.span.clone()) else { continue };
            let n = pos(&mut out.args, &files[i].placeholder);
            if let Some(new) = substitute(raw, &u.path, &format!("${n}")) {
                edits.push((u.span.clone(), new));
                used[i] = true;
            }
        }
        if cmd.program() == "mkdir" {
            for w in cmd
                .words
                .iter()
                .skip(1)
                .filter(|w| w.literal && !w.text.starts_with('-'))
            {
                let dir = w.text.trim_end_matches('/');
                // `mkdir -p $@` of a directory output: the artifact's own path
                let itself = files.iter().position(|f| {
                    matches!(f.placeholder, Placeholder::OutArtifact(_)) && f.path.trim_end_matches('/') == dir
                });
                if let Some(i) = itself
                    && !overlaps(&edits, &w.span)
                {
                    let n = pos(&mut out.args, &files[i].placeholder);
                    edits.push((w.span.clone(), format!("\"${n}\"")));
                    used[i] = true;
                    continue;
                }
                let child = files.iter().position(|f| {
                    matches!(f.placeholder, Placeholder::OutArtifact(_))
                        && parent(&f.path) == Some(dir)
                        && !dir.is_empty()
                });
                if let Some(i) = child
                    && !overlaps(&edits, &w.span)
                {
                    let n = pos(&mut out.args, &files[i].placeholder);
                    edits.push((w.span.clone(), format!("\"$(dirname \"${n}\")\"")));
                }
            }
        }
        let program_like = |name: &str| {
            matches!(
                name,
                "PYTHON" | "PY" | "PIP" | "SHELL" | "MAKE" | "CONDA" | "DOCKER" | "RSCRIPT" | "R" | "JAVA" | "UV"
            )
        };
        let mut value_words: Vec<(&shell::Word, Option<&str>)> = Vec::new();
        if let Invocation::Python(py) = &cmd.invocation {
            for a in &py.args {
                value_words.push((&a.word, a.option.as_deref()));
            }
        }
        for w in cmd.words.iter().skip(1) {
            if !value_words.iter().any(|(v, _)| v.span == w.span) {
                value_words.push((w, None));
            }
        }
        for (w, option) in value_words {
            let templated = w.text.contains("{{") || w.text.contains("{%");
            if !w.literal || templated || w.text.is_empty() || w.text.starts_with('-') || overlaps(&edits, &w.span) {
                continue;
            }
            // a variable holding a local path names a file the image holds, not a value
            let local_path = crate::dag::looks_like_path(&w.text) && !w.text.contains("://");
            let variable = variables
                .iter()
                .find(|v| v.value == w.text && !program_like(&v.name) && !local_path);
            let name = match (variable, option) {
                (Some(v), _) => v.name.clone(),
                (None, Some(o)) if !crate::dag::looks_like_path(&w.text) => o.trim_start_matches('-').to_string(),
                _ => continue,
            };
            let Some(raw) = text.get(w.span.clone()) else { continue };
            let ident = super::names::py_ident(&name);
            let (ty, default) = typed(&w.text);
            let existing = out.params.iter().find(|p| p.name == ident || p.origin_name() == name);
            let ident = match existing {
                Some(p) if p.default == default => p.name.clone(),
                _ => {
                    let id = taken.take(&ident, '_');
                    out.params.push(ParamUse {
                        name: id.clone(),
                        ty,
                        default,
                        origin: match (variable, option) {
                            (Some(v), _) => format!("Make variable `{}`", v.name),
                            (None, Some(o)) => format!("option `{o}`"),
                            _ => String::new(),
                        },
                        variable: variable.cloned(),
                    });
                    id
                }
            };
            let n = pos(&mut out.args, &Placeholder::Param(ident));
            if let Some(new) = substitute(raw, &w.text, &format!("${n}")) {
                edits.push((w.span.clone(), new));
            }
        }
    }
    edits.sort_by_key(|e| std::cmp::Reverse(e.0.start));
    let mut s = text.clone();
    for (r, new) in edits {
        s.replace_range(r, &new);
    }
    let s = runtime_values(&s, &mut out.runtime);
    out.env = environment(&s, &script);
    // handoffs the command does not name: copy them in and out
    let mut before = Vec::new();
    let mut after = Vec::new();
    for (i, f) in files.iter().enumerate() {
        if used[i] {
            continue;
        }
        let n = pos(&mut out.args, &f.placeholder);
        let legacy = sh_quote(&f.path);
        match &f.placeholder {
            Placeholder::InArtifact(name) => {
                before.push(format!(
                    "mkdir -p \"$(dirname {legacy})\" && rm -rf {legacy} && cp -R \"${n}\" {legacy}"
                ));
                out.staged.push((name.clone(), f.path.clone()));
            }
            Placeholder::OutArtifact(name) => {
                after.push(format!("mkdir -p \"$(dirname \"${n}\")\" && cp -R {legacy} \"${n}\""));
                out.staged.push((name.clone(), f.path.clone()));
            }
            Placeholder::Param(_) => {}
        }
    }
    let mut lines = before;
    lines.push(s.trim_end().to_string());
    lines.extend(after);
    out.script = lines.join("\n");
    out
}

impl ParamUse {
    fn origin_name(&self) -> String {
        self.variable.as_ref().map(|v| v.name.clone()).unwrap_or_default()
    }
}

/// Replace `path` inside one shell word as written (`raw`, quotes and all)
/// by a reference to positional parameter `var` (`$1`); None when the word
/// is too unusual to rewrite safely.
fn substitute(raw: &str, path: &str, var: &str) -> Option<String> {
    if raw == path {
        return Some(format!("\"{var}\""));
    }
    let bytes = raw.as_bytes();
    let quoted = |q: u8| bytes.len() >= 2 && bytes[0] == q && bytes[bytes.len() - 1] == q;
    if quoted(b'"') && raw[1..raw.len() - 1].matches(path).count() == 1 {
        return Some(raw.replacen(path, var, 1));
    }
    if quoted(b'\'') {
        let inner = &raw[1..raw.len() - 1];
        if inner.matches(path).count() == 1 && !inner.contains(['"', '\\', '$', '`']) {
            return Some(format!("\"{}\"", inner.replacen(path, var, 1)));
        }
        return None;
    }
    let plain = !raw.contains(['"', '\'', '\\', '$', '`']);
    if plain && raw.matches(path).count() == 1 {
        return Some(raw.replacen(path, &format!("\"{var}\""), 1));
    }
    None
}

fn parent(path: &str) -> Option<&str> {
    path.trim_end_matches('/').rsplit_once('/').map(|(p, _)| p)
}

/// Integer, float, boolean or string, with the default as JSON.
fn typed(value: &str) -> (ParamType, serde_json::Value) {
    if let Ok(i) = value.parse::<i64>()
        && !(value.len() > 1 && value.starts_with('0'))
    {
        return (ParamType::Integer, serde_json::Value::from(i));
    }
    if value.contains(['.', 'e', 'E'])
        && let Ok(f) = value.parse::<f64>()
        && f.is_finite()
        && value
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == '.' || c == '-')
    {
        return (ParamType::Double, serde_json::Value::from(f));
    }
    match value {
        "true" | "True" => (ParamType::Boolean, serde_json::Value::Bool(true)),
        "false" | "False" => (ParamType::Boolean, serde_json::Value::Bool(false)),
        _ => (ParamType::String, serde_json::Value::from(value)),
    }
}

/// Make runs each recipe line in its own shell and stops at the first that
/// fails. As one script: a line that changes the shell's state (`cd`,
/// `export`) runs in a subshell so that it does not leak into the next one,
/// and a line make lets fail (`-` prefix, listed in `ignored`) may fail.
fn isolate_lines(text: &str, ignored: &[String]) -> String {
    // logical lines: a backslash-newline continues the line
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for physical in text.split('\n') {
        if !cur.is_empty() {
            cur.push('\n');
        }
        cur.push_str(physical);
        if !physical.trim_end().ends_with('\\') {
            lines.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    let n = lines.len();
    let mut out = Vec::with_capacity(n);
    for (i, line) in lines.into_iter().enumerate() {
        let first = line.split_whitespace().next().unwrap_or("");
        let stateful = matches!(
            first,
            "cd" | "pushd" | "popd" | "export" | "unset" | "source" | "." | "set" | "umask" | "alias"
        ) || (first.contains('=') && !first.starts_with('=') && line.split_whitespace().count() == 1);
        if ignored.contains(&line) {
            out.push(format!("(\n{line}\n) || true"));
        } else if stateful && i + 1 < n {
            out.push(format!("(\n{line}\n)"));
        } else {
            out.push(line);
        }
    }
    out.join("\n")
}

/// Make's `$(shell CMD)` becomes the shell's own `$(CMD)`; other make
/// references that were not known statically (`$(VAR)`) become `${VAR}`,
/// read from the environment.
fn runtime_values(s: &str, runtime: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("$(") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        if let Some(cmd) = after.strip_prefix("shell ") {
            let end = matching_paren(cmd).unwrap_or(cmd.len());
            runtime.push(format!("$(shell {})", &cmd[..end]));
            out.push_str("$(");
            rest = cmd;
            continue;
        }
        let name_len = after
            .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(after.len());
        if name_len > 0 && after[name_len..].starts_with(')') {
            runtime.push(format!("$({})", &after[..name_len]));
            out.push_str("${");
            out.push_str(&after[..name_len]);
            out.push('}');
            rest = &after[name_len + 1..];
            continue;
        }
        out.push_str("$(");
        rest = after;
    }
    out.push_str(rest);
    out
}

fn matching_paren(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return Some(i),
            ')' => depth -= 1,
            _ => {}
        }
    }
    None
}

const SHELL_OWN: &[&str] = &[
    "PWD", "OLDPWD", "RANDOM", "LINENO", "IFS", "SECONDS", "PPID", "UID", "EUID", "OPTARG", "OPTIND", "REPLY",
];

/// The environment variables a script reads and does not set itself.
fn environment(s: &str, script: &shell::Script) -> Vec<String> {
    let assigned: Vec<&str> = script
        .commands
        .iter()
        .flat_map(|c| c.assignments.iter().map(|(n, _)| n.as_str()))
        .collect();
    let b = s.as_bytes();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    let mut in_single = false;
    while i < b.len() {
        match b[i] {
            b'\'' => in_single = !in_single,
            b'\\' if !in_single => i += 1,
            b'$' if !in_single && i + 1 < b.len() => {
                let start = if b[i + 1] == b'{' { i + 2 } else { i + 1 };
                let len = s[start..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(s.len() - start);
                let name = &s[start..start + len];
                let valid = !name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit());
                // set before it is read, other than in its own assignment
                // (`AWS_PROFILE=${AWS_PROFILE:?}` still reads it)
                let word_start = s[..i].rfind([' ', '\t', '\n', ';', '&', '|', '(']).map_or(0, |w| w + 1);
                let own = s[word_start..].starts_with(&format!("{name}="));
                let set_before =
                    s[..word_start].contains(&format!("{name}=")) || s[..i].contains(&format!("for {name} "));
                let set = !own && (set_before || assigned.contains(&name) && s[..i].contains(&format!("{name}=")));
                if valid && !SHELL_OWN.contains(&name) && !set && !out.iter().any(|o| o == name) {
                    out.push(name.to_string());
                }
                i = start + len;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// `s` as one shell word.
pub fn sh_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-' | '+' | ':' | '=' | '@' | ','))
    {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrate::names::Unique;

    fn files() -> Vec<FileArg> {
        vec![
            FileArg {
                path: "data/processed/features.parquet".into(),
                placeholder: Placeholder::InArtifact("features".into()),
            },
            FileArg {
                path: "models/model.pkl".into(),
                placeholder: Placeholder::OutArtifact("model".into()),
            },
        ]
    }

    #[test]
    fn paths_become_placeholders_and_options_parameters() {
        let cmd = "mkdir -p models\npython3 scripts/train.py --data data/processed/features.parquet --model-out models/model.pkl --n-estimators 300 --lr 0.05";
        let r = rewrite(cmd, &files(), &[], &mut Unique::default(), Some(&[]));
        assert_eq!(
            r.script,
            "mkdir -p \"$(dirname \"$1\")\"\npython3 scripts/train.py --data \"$2\" --model-out \"$1\" --n-estimators \"$3\" --lr \"$4\""
        );
        assert_eq!(r.args[0], Placeholder::OutArtifact("model".into()));
        assert_eq!(r.args[1], Placeholder::InArtifact("features".into()));
        assert_eq!(r.params[0].name, "n_estimators");
        assert_eq!(r.params[0].ty, ParamType::Integer);
        assert_eq!(r.params[1].ty, ParamType::Double);
        assert!(r.staged.is_empty());
    }

    #[test]
    fn handoffs_the_command_does_not_name_are_copied() {
        let r = rewrite("python3 train.py", &files(), &[], &mut Unique::default(), Some(&[]));
        assert_eq!(r.staged.len(), 2);
        assert!(
            r.script
                .starts_with("mkdir -p \"$(dirname data/processed/features.parquet)\"")
        );
        assert!(r.script.ends_with("cp -R models/model.pkl \"$2\""));
    }

    #[test]
    fn make_runtime_values_and_environment() {
        let r = rewrite(
            "cd sub\npython3 x.py --date $(shell date +%F) --profile $AWS_PROFILE --home ${HOME}",
            &[],
            &[],
            &mut Unique::default(),
            Some(&[]),
        );
        assert!(r.script.starts_with("(\ncd sub\n)\n"), "{}", r.script);
        assert!(r.script.contains("--date $(date +%F)"));
        assert_eq!(r.runtime, vec!["$(shell date +%F)"]);
        assert_eq!(r.env, vec!["AWS_PROFILE", "HOME"]);
    }

    #[test]
    fn make_lines_keep_their_semantics() {
        let cmd = "-rm -r tmp\ncd sub && \\\n  make x\npython3 a.py";
        let r = rewrite(cmd, &[], &[], &mut Unique::default(), Some(&["rm -r tmp".to_string()]));
        // a continued line is one line; its `cd` does not reach the next
        assert_eq!(r.script, "-rm -r tmp\n(\ncd sub && \\\n  make x\n)\npython3 a.py");
        let r = rewrite(
            "rm -r tmp\npython3 a.py",
            &[],
            &[],
            &mut Unique::default(),
            Some(&["rm -r tmp".to_string()]),
        );
        assert_eq!(r.script, "(\nrm -r tmp\n) || true\npython3 a.py");
    }

    #[test]
    fn quoting() {
        assert_eq!(sh_quote("data/x.csv"), "data/x.csv");
        assert_eq!(sh_quote("it's"), "'it'\\''s'");
        assert_eq!(
            substitute("--out=data/x.csv", "data/x.csv", "$1").as_deref(),
            Some("--out=\"$1\"")
        );
        assert_eq!(
            substitute("'data/x.csv'", "data/x.csv", "$1").as_deref(),
            Some("\"$1\"")
        );
        assert_eq!(substitute("\"$D/x.csv\"", "data/x.csv", "$1"), None);
    }
}
