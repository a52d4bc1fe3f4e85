//! What a legacy step is for the migration: a container component, a
//! Python component, or no component (and why), and the name it gets.

use super::component::python_scripts;
use super::plan::ParamType;
use super::python_task::{self, PythonFunc};
use crate::dag::{CallArg, Dag, EdgeKind, PipelineKind, Step, StepKind};
use crate::shell::{self, Invocation};
use std::collections::BTreeSet;
use std::path::Path;

/// What kind of step a legacy step is for the migration.
pub(super) enum Role {
    /// A shell command (the step's own, or the one given).
    Component(Option<String>),
    /// A Python function.
    Python(Box<PythonFunc>),
    Skip(String),
}

pub(super) fn role(dag: &Dag, s: usize, closure: &BTreeSet<usize>) -> Role {
    let step = &dag.steps[s];
    let Some(cmd) = step.command.as_deref().filter(|c| !c.trim().is_empty()) else {
        return Role::Skip(match step.kind {
            StepKind::Target => "has no recipe: it only orders its prerequisites".into(),
            _ => "runs no command".into(),
        });
    };
    if step.notes.iter().any(|(_, n)| n.contains("(`.expand()`)")) {
        return Role::Skip(
            "is mapped over values known only when it runs (`.expand()`): a `dsl.ParallelFor` over them, with `dsl.Collected` for the results, is the KFP way".into(),
        );
    }
    if let Some(op) = &step.operator {
        let op = op.as_str();
        if let Some(c) = &step.callable {
            // a value handed from one function to another: each side's
            // declared type tells the other's (the consumer's parameter
            // types the producer's return, and the other way round)
            let mut return_hint = None;
            for &o in closure {
                let Some(oc) = &dag.steps[o].callable else { continue };
                for (param, a) in &oc.args {
                    if *a == CallArg::Task(step.name.clone()) {
                        let (params, _) = python_task::declared_types(oc);
                        let t = params.iter().find(|(n, _)| n == param).and_then(|(_, t)| *t);
                        return_hint = return_hint.or(t).or(Some(ParamType::String));
                    }
                }
            }
            let arg_types: Vec<(String, ParamType)> = c
                .args
                .iter()
                .filter_map(|(n, a)| match a {
                    CallArg::Literal(v) => super::plan::type_of(v).map(|t| (n.clone(), t)),
                    CallArg::Task(t) => closure
                        .iter()
                        .find(|&&o| {
                            let producer = &dag.steps[o];
                            producer.name == *t
                                && producer.pipeline == step.pipeline
                                && !producer.notes.iter().any(|(_, n)| n.contains("(`.expand()`)"))
                        })
                        .and_then(|&o| dag.steps[o].callable.as_ref())
                        .and_then(|pc| python_task::declared_types(pc).1)
                        .map(|ty| (n.clone(), ty)),
                    CallArg::Other(_) => None,
                })
                .collect();
            return match python_task::analyse(c, &arg_types, return_hint) {
                Ok(f) => Role::Python(Box::new(f)),
                Err(why) => Role::Skip(format!(
                    "its function `{}` is not self-contained: {why}; rewrite it as a `@dsl.component`",
                    c.name
                )),
            };
        }
        if op.contains("Docker") || op.contains("Pod") || op.contains("kubernetes") || op.contains("docker") {
            let image = step.image.clone().unwrap_or_default();
            let prefix = format!("{op} {image}");
            let rest = cmd.strip_prefix(&prefix).unwrap_or("").trim().to_string();
            if rest.is_empty() || image.is_empty() {
                return Role::Skip(format!("is a `{op}` whose image or command is not known statically"));
            }
            return Role::Component(Some(rest));
        }
        let shell_task = op.contains("Bash") || op == "@task.bash";
        if !shell_task {
            return Role::Skip(format!(
                "is a `{op}` task: only shell, container and self-contained Python tasks are carried over"
            ));
        }
    }
    if dag.pipeline_of(step).kind == PipelineKind::Jenkins
        && let Some(cond) = step.name.strip_prefix("post/")
    {
        return Role::Skip(format!(
            "runs after the stages when the build is `{cond}`: in KFP that is a `dsl.ExitHandler` task (which runs whatever the outcome), not a step of the DAG"
        ));
    }
    let script = shell::parse(&crate::frontend::command::protect_templates(cmd));
    let consumed = dag
        .step_edges_out(s)
        .any(|e| e.kind == EdgeKind::File && closure.contains(&e.to));
    let mut make_runs = 0;
    let mut pip = 0;
    let mut work = 0;
    for c in &script.commands {
        match &c.invocation {
            Invocation::Make(_) => make_runs += 1,
            Invocation::Pip(_) => pip += 1,
            _ if matches!(
                c.program(),
                "echo" | "printf" | "true" | ":" | "ls" | "date" | "env" | "cd" | "mkdir"
            ) || c.program() == "rm"
                || c.program() == "virtualenv"
                || (c.program().starts_with("python") && c.words.iter().any(|w| w.text == "venv")) => {}
            _ => work += 1,
        }
    }
    let runs_targets = dag
        .step_edges_out(s)
        .any(|e| e.kind == EdgeKind::Invokes && closure.contains(&e.to));
    if work == 0 && make_runs > 0 && pip == 0 && runs_targets {
        return Role::Skip("only runs make: the targets it runs became components".into());
    }
    if work == 0 && make_runs == 0 && pip > 0 && !consumed {
        return Role::Skip("only installs packages: in KFP each component installs its own (see its packages)".into());
    }
    if work == 0 && make_runs == 0 && !consumed && step.housekeeping {
        return Role::Skip(
            "only reports or tidies up: a KFP task's container is thrown away after the task, so there is nothing to tidy"
                .into(),
        );
    }
    Role::Component(None)
}

/// The name a component gets: the script it runs (`train` for
/// `python scripts/train.py`), else the step's own name.
pub(super) fn base_name(step: &Step) -> String {
    if let Some(cmd) = &step.command {
        let scripts = python_scripts(&shell::parse(&crate::frontend::command::protect_templates(cmd)));
        if scripts.len() == 1 {
            let stem = Path::new(&scripts[0])
                .file_stem()
                .map(|s| s.to_string_lossy().to_string());
            if let Some(stem) = stem.filter(|s| !matches!(s.as_str(), "main" | "run" | "__main__" | "cli")) {
                return stem;
            }
        }
    }
    if step.kind == StepKind::Target && step.name.contains(['/', '.']) {
        let file = step.name.trim_end_matches('/').rsplit('/').next().unwrap_or(&step.name);
        return file.split('.').next().unwrap_or(file).to_string();
    }
    step.name.clone()
}

/// A file target's name without directories and extension.
pub(super) fn target_stem(name: &str) -> String {
    let file = name.trim_end_matches('/').rsplit('/').next().unwrap_or(name);
    file.split('.').next().unwrap_or(file).to_string()
}
