//! A step that runs one Python script (`python3 scripts/train.py --data X
//! --out Y`) as a KFP lightweight component: a function taking the typed
//! artifacts and parameters, which runs the script with their paths and
//! values. Its packages are the component's `packages_to_install`, and it
//! is where the script's logic can move into the component later.
//!
//! Only a plain run qualifies: one script, its words literal or handed
//! over, besides `mkdir`, `echo` and `touch` of the outputs. Anything else
//! (pipes, redirections, `$(...)`, environment, several programs) stays a
//! container component, which keeps the shell.

use super::command::Rewrite;
use super::plan::{Artifact, Param, Placeholder};
use super::scaffold::py_str;
use crate::shell::{self, Invocation};

/// The function's source, or None when the step is not a plain script run.
pub fn as_function(
    func: &str,
    rw: &Rewrite,
    inputs: &[Artifact],
    outputs: &[Artifact],
    params: &[Param],
    dir: Option<&str>,
    doc: &str,
) -> Option<String> {
    if !rw.staged.is_empty() || !rw.runtime.is_empty() || !rw.env.is_empty() || rw.parse_errors {
        return None;
    }
    let script = shell::parse(&rw.script);
    if script.has_errors {
        return None;
    }
    // `"$3"` is the third container arg: its Python expression
    let arg = |text: &str| -> Option<String> {
        let n: usize = text.strip_prefix('$')?.parse().ok()?;
        Some(match rw.args.get(n.checked_sub(1)?)? {
            Placeholder::InArtifact(a) | Placeholder::OutArtifact(a) => format!("{a}.path"),
            Placeholder::Param(p) => format!("str({p})"),
        })
    };
    let mut run: Option<(Vec<String>, Option<String>)> = None;
    let mut make_dirs: Vec<String> = Vec::new();
    for c in &script.commands {
        if !c.redirects.is_empty() || !c.assignments.is_empty() {
            return None;
        }
        match (c.program(), &c.invocation) {
            ("echo" | "printf", _) => continue,
            ("mkdir", _) => {
                // the parent of an output: the executor makes it; an output
                // directory itself: made before the script runs
                for w in c.words.iter().skip(1).filter(|w| !w.text.starts_with('-')) {
                    if let Some(e) = arg(&w.text) {
                        make_dirs.push(e);
                    } else if !w.text.starts_with("$(dirname") {
                        return None;
                    }
                }
                continue;
            }
            ("touch", _) if c.words.iter().skip(1).all(|w| arg(&w.text).is_some()) => continue,
            ("cd", _) if c.words.len() == 2 => continue,
            (_, Invocation::Python(py)) if run.is_none() && (py.script.is_some() || py.module.is_some()) => {
                // the interpreter is the component's own; a launcher
                // (`torchrun`, `accelerate launch`) stays
                let python = c.program().starts_with("python") || c.program() == "py";
                let mut argv = if python {
                    vec!["sys.executable".to_string()]
                } else {
                    vec![py_str(&c.words[0].text)]
                };
                for w in c.words.iter().skip(1) {
                    if w.literal {
                        argv.push(py_str(&w.text));
                    } else {
                        argv.push(arg(&w.text)?);
                    }
                }
                let mut cwd: Vec<String> = dir.map(|d| vec![d.to_string()]).unwrap_or_default();
                for d in &c.cwd {
                    if !d.literal {
                        return None;
                    }
                    cwd.push(d.text.clone());
                }
                let cwd = (!cwd.is_empty()).then(|| cwd.join("/"));
                run = Some((argv, cwd));
            }
            _ => return None,
        }
    }
    let (argv, cwd) = run?;
    let mut sig: Vec<String> = Vec::new();
    for a in inputs {
        sig.push(format!("{}: Input[{}]", a.name, a.ty));
    }
    for a in outputs {
        sig.push(format!("{}: Output[{}]", a.name, a.ty));
    }
    for p in params {
        let d = p
            .default
            .as_ref()
            .map(|d| format!(" = {}", py_value(d)))
            .unwrap_or_default();
        sig.push(format!("{}: {}{d}", p.name, p.ty.python()));
    }
    let mut src = format!("def {func}({}):\n", sig.join(", "));
    src.push_str(&format!("    {}\n", py_str(doc)));
    if !make_dirs.is_empty() {
        src.push_str("    import os\n");
    }
    src.push_str("    import subprocess\n    import sys\n\n");
    for d in &make_dirs {
        src.push_str(&format!("    os.makedirs({d}, exist_ok=True)\n"));
    }
    src.push_str("    subprocess.run(\n        [\n");
    for a in &argv {
        src.push_str(&format!("            {a},\n"));
    }
    src.push_str("        ],\n        check=True,\n");
    if let Some(d) = cwd {
        src.push_str(&format!("        cwd={},\n", py_str(&d)));
    }
    src.push_str("    )\n");
    Some(src)
}

fn py_value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Bool(true) => "True".into(),
        serde_json::Value::Bool(false) => "False".into(),
        serde_json::Value::String(s) => py_str(s),
        serde_json::Value::Null => "None".into(),
        other => other.to_string(),
    }
}
