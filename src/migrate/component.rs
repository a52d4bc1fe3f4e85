//! Building one component from a legacy step: its artifacts, command,
//! parameters, packages, image, environment, retry and caching, and the
//! notes on what its command does that KFP will not see.

use super::command::{self, FileArg, ParamUse};
use super::names::{self, Unique};
use super::pins::{self, Pins, Requirement};
use super::plan::{Artifact, Body, Component, Note, Param, Placeholder, RetryPlan, Settings};
use super::python_task::PythonFunc;
use crate::dag::{CallArg, Dag, EdgeKind, PipelineKind, Retry, Step};
use crate::shell::{self, Invocation};
use crate::source::SourceDb;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// `a`, `a and b`, `a, b and c`.
fn list_words(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// What building a component needs to know of the plan around it.
pub(super) struct Ctx<'a> {
    /// The directory the image's working directory stands for.
    pub(super) root: &'a Path,
    pub(super) db: &'a SourceDb,
    pub(super) dag: &'a Dag,
    pub(super) closure: &'a BTreeSet<usize>,
    pub(super) index: &'a BTreeMap<usize, usize>,
    pub(super) pins: &'a Pins,
    pub(super) project_dirs: &'a [PathBuf],
    pub(super) settings: &'a Settings<'a>,
    /// The distributions each script imports, read once per script (a
    /// pattern rule runs one script for many targets).
    pub(super) imports: std::cell::RefCell<BTreeMap<PathBuf, Option<Vec<String>>>>,
}

impl Ctx<'_> {
    fn distributions(&self, script: &Path) -> Option<Vec<String>> {
        if let Some(d) = self.imports.borrow().get(script) {
            return d.clone();
        }
        let d = pins::script_distributions(self.db, script, self.project_dirs);
        self.imports.borrow_mut().insert(script.to_path_buf(), d.clone());
        d
    }

    /// The steps that run make target `s` (its least retried caller, and
    /// that one's caller...), whose agent and environment it runs in.
    pub(super) fn runners(&self, s: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut cur = self.dag.steps[s].retried_by;
        while let Some(c) = cur {
            if out.contains(&c) || !self.closure.contains(&c) {
                break;
            }
            out.push(c);
            cur = self.dag.steps[c].retried_by;
        }
        out
    }

    /// Environment and settings: the step's own, then its runners'.
    pub(super) fn settings_of(&self, s: usize) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self.dag.steps[s].settings.clone();
        for r in self.runners(s) {
            for (k, v) in &self.dag.steps[r].settings {
                if !out.iter().any(|(k2, _)| k2 == k) {
                    out.push((k.clone(), v.clone()));
                }
            }
        }
        out
    }

    pub(super) fn image(&self, s: usize) -> (String, String) {
        let step = &self.dag.steps[s];
        let inherited = self.runners(s).into_iter().find_map(|r| {
            let runner = &self.dag.steps[r];
            runner
                .image
                .clone()
                .filter(|i| !i.is_empty() && !runner.image_default)
                .map(|i| (i, runner))
        });
        if step.image.is_none()
            && let Some((i, runner)) = inherited
        {
            return (
                i,
                format!("the image of {} `{}`, which runs it", runner.kind.as_str(), runner.name),
            );
        }
        match (&step.image, self.settings.image) {
            (Some(i), _) if !step.image_default && !i.is_empty() => {
                (i.clone(), "the legacy step's own image".to_string())
            }
            (_, Some(i)) => (i.to_string(), "`--image`".to_string()),
            _ => (
                DEFAULT_IMAGE.to_string(),
                "kfr's default: build an image holding the project's code and pass it with `--image`".to_string(),
            ),
        }
    }

    pub(super) fn blank(&self, s: usize, name: String, func: String, body: Body) -> Component {
        let step = &self.dag.steps[s];
        let (image, image_from) = self.image(s);
        Component {
            description: describe_step(self.db, self.dag, step),
            name,
            func,
            step: s,
            image,
            image_from,
            body,
            inputs: Vec::new(),
            outputs: Vec::new(),
            params: Vec::new(),
            returns: None,
            deps: BTreeSet::new(),
            retry: RetryPlan {
                count: 0,
                backoff_secs: 0,
                factor: 2.0,
                max_secs: 0,
                why: String::new(),
            },
            cache: false,
            cache_why: String::new(),
            packages: Vec::new(),
            env: Vec::new(),
            step_has_callable: step.callable.is_some(),
        }
    }

    /// A step that runs shell commands: a container component.
    pub(super) fn container_component(
        &self,
        s: usize,
        name: String,
        func: String,
        text: Option<&str>,
        left_out: &mut Vec<Note>,
    ) -> Component {
        let (dag, db) = (self.dag, self.db);
        let step = &dag.steps[s];
        let mut io_names = Unique::default();
        // inputs handed over by components, outputs (every file written)
        let mut inputs: Vec<Artifact> = Vec::new();
        for e in dag.step_edges_in(s) {
            if e.kind != EdgeKind::File || !self.index.contains_key(&e.from) {
                continue;
            }
            let producer = &dag.steps[e.from];
            if producer.callable.is_some() {
                continue;
            }
            for ip in &step.inputs {
                let Some(op) = producer.outputs.iter().find(|o| o.key == ip.key) else {
                    continue;
                };
                if crate::dag::is_stamp(&op.path) || inputs.iter().any(|a| a.path == ip.path) {
                    continue;
                }
                inputs.push(Artifact {
                    name: String::new(),
                    ty: crate::dag::artifact_type(&op.path),
                    path: ip.path.clone(),
                    source: Some((self.index[&e.from], op.path.clone())),
                });
            }
        }
        inputs.sort_by(|a, b| a.path.cmp(&b.path));
        for a in &mut inputs {
            a.name = names::artifact_name(&a.path, &mut io_names);
        }
        let mut outputs: Vec<Artifact> = Vec::new();
        for op in &step.outputs {
            let skip = crate::dag::is_stamp(&op.path)
                || op.path.contains(['*', '?', '['])
                || op.path.starts_with("/dev/")
                || inputs.iter().any(|a| a.path == op.path)
                || outputs.iter().any(|a| a.path == op.path);
            if skip {
                continue;
            }
            outputs.push(Artifact {
                name: names::artifact_name(&op.path, &mut io_names),
                ty: crate::dag::artifact_type(&op.path),
                path: op.path.clone(),
                source: None,
            });
        }
        let files: Vec<FileArg> = inputs
            .iter()
            .map(|a| FileArg {
                path: a.path.clone(),
                placeholder: Placeholder::InArtifact(a.name.clone()),
            })
            .chain(outputs.iter().map(|a| FileArg {
                path: a.path.clone(),
                placeholder: Placeholder::OutArtifact(a.name.clone()),
            }))
            .collect();
        let own_command = text.is_some();
        let text = match text {
            Some(t) => t.to_string(),
            None => without_make_runs(s, dag, self.closure),
        };
        let make = (dag.pipeline_of(step).kind == PipelineKind::Make).then_some(step.ignored_failures.as_slice());
        let rw = command::rewrite(&text, &files, &step.variables, &mut io_names, make);
        let note = |what: String| Note {
            span: Some(step.span),
            what,
        };
        if rw.parse_errors {
            left_out.push(note(format!(
                "the command of `{}` has shell syntax kfr could not read completely: check the script of component `{name}`",
                step.name
            )));
        }
        // (make's own notes say where each `$(shell)` is; these are for the rest)
        let noted = |r: &str| step.notes.iter().any(|(_, w)| w.contains(r));
        for r in rw.runtime.iter().filter(|r| !noted(r)) {
            left_out.push(note(format!(
                "`{r}` in `{}` was computed by make when the recipe ran; the component's shell now computes it when the task runs",
                step.name
            )));
        }
        for v in &rw.env {
            left_out.push(note(format!(
                "`{}` reads the environment variable `{v}`: set it on task `{name}` (`.set_env_variable`, or a Kubernetes secret with kfp-kubernetes)",
                step.name
            )));
        }
        // one note per step, however many files it copies
        match rw.staged.as_slice() {
            [] => {}
            [(art, path)] => left_out.push(note(format!(
                "`{}` does not name `{path}` in its command: the component copies it to and from the artifact `{art}`",
                step.name
            ))),
            many => {
                let shown: Vec<String> = many.iter().map(|(a, p)| format!("`{p}` (`{a}`)")).collect();
                left_out.push(note(format!(
                    "`{}` does not name {} in its command: the component copies each to and from its artifact",
                    step.name,
                    list_words(&shown)
                )));
            }
        }
        // the command as written, parsed once for what it runs
        let parsed = shell::parse(&crate::frontend::command::protect_templates(&text));
        for effect in side_effects(&parsed) {
            left_out.push(note(format!(
                "`{}` runs `{effect}`, which changes something outside the pipeline's files: the task still runs it, but KFP does not track it, and a retry runs it again",
                step.name
            )));
        }
        if text.contains("{{") && text.contains("}}") {
            left_out.push(note(format!(
                "`{}` uses orchestrator templates (`{{{{ ... }}}}`), which KFP does not render: replace them with pipeline parameters",
                step.name
            )));
        }
        // packages: what its Python scripts import, pinned from the project
        let mut packages: Vec<Requirement> = Vec::new();
        let base = match dag.pipeline_of(step).kind {
            PipelineKind::Make => dag.pipeline_of(step).dir.clone(),
            _ => db.get(step.span.file).dir().to_path_buf(),
        };
        for script in python_scripts(&parsed) {
            let path = base.join(&script);
            match self.distributions(&path) {
                Some(dists) => {
                    for d in dists {
                        let r = self.pins.requirement(&d);
                        if !packages.iter().any(|p| p.name == r.name) {
                            packages.push(r);
                        }
                    }
                }
                None => left_out.push(note(format!(
                    "`{script}` is not readable here, so the packages it imports are unknown: add them to component `{name}`"
                ))),
            }
        }
        packages.sort();
        let mut script = rw.script.clone();
        // the image's working directory is the migrated pipeline's; a step of
        // another makefile (`make -C data`) runs in its own
        let step_dir = match dag.pipeline_of(step).kind {
            PipelineKind::Make => dag.pipeline_of(step).dir.clone(),
            _ => db.get(step.span.file).dir().to_path_buf(),
        };
        let rel = relative(&step_dir, self.root).filter(|r| !r.is_empty());
        if let Some(rel) = &rel {
            script = format!("cd {}\n{script}", command::sh_quote(rel));
        }
        if !packages.is_empty() {
            let specs: Vec<String> = packages.iter().map(|r| command::sh_quote(&r.spec)).collect();
            script = format!(
                "python3 -m pip install --quiet --no-warn-script-location {}\n{script}",
                specs.join(" ")
            );
        }
        let params: Vec<Param> = rw
            .params
            .iter()
            .map(|u: &ParamUse| Param {
                name: u.name.clone(),
                ty: u.ty,
                default: Some(u.default.clone()),
                pipeline_input: u.name.clone(),
                from_task: None,
                origin: u.origin.clone(),
                span: u.variable.as_ref().map(|v| v.span),
            })
            .collect();
        let (cache, cache_why) = cache_policy(step, &inputs, &rw);
        let doc = format!("From {}.", describe_step(db, dag, step));
        // a step that only runs a Python script is a Python component (not
        // a container task's command: its image may have no pip for kfp)
        let function = match own_command {
            true => None,
            false => super::script_task::as_function(&func, &rw, &inputs, &outputs, &params, rel.as_deref(), &doc),
        };
        let body = match function {
            Some(source) => Body::Python {
                source,
                function: func.clone(),
            },
            None => Body::Container {
                shell: shell_of(step),
                script,
                args: rw.args.clone(),
            },
        };
        let mut c = self.blank(s, name, func, body);
        c.inputs = inputs;
        c.outputs = outputs;
        c.params = params;
        c.cache = cache;
        c.cache_why = cache_why;
        c.packages = packages;
        c
    }

    /// A self-contained Python function: a lightweight component.
    pub(super) fn python_component(
        &self,
        s: usize,
        name: String,
        func: String,
        f: &PythonFunc,
        done: &[Component],
        left_out: &mut Vec<Note>,
    ) -> Component {
        let step = &self.dag.steps[s];
        let callable = step.callable.as_ref().expect("a Python role has a callable");
        let mut params = Vec::new();
        for p in &f.params {
            let arg = callable.args.iter().find(|(n, _)| *n == p.name).map(|(_, a)| a);
            let (default, from_task, origin) = match arg {
                Some(CallArg::Task(t)) => {
                    // wired only when the types agree (the SDK refuses others)
                    let producer = done
                        .iter()
                        .position(|c| self.dag.steps[c.step].name == *t && c.returns == Some(p.ty));
                    match producer {
                        Some(i) => (None, Some(i), format!("the value `{t}` returns")),
                        None => {
                            left_out.push(Note {
                                span: Some(callable.span),
                                what: format!(
                                    "`{}` takes `{}` from `{t}`, which did not become a component returning a `{}`: it is a pipeline input now",
                                    step.name,
                                    p.name,
                                    p.ty.python()
                                ),
                            });
                            (p.default.clone(), None, format!("the default of `{}`", p.name))
                        }
                    }
                }
                Some(CallArg::Literal(v)) => (
                    Some(v.clone()),
                    None,
                    format!("the value the task passes to `{}`", p.name),
                ),
                Some(CallArg::Other(text)) => {
                    left_out.push(Note {
                        span: Some(callable.span),
                        what: format!(
                            "`{}` passes `{text}` to `{}`, which kfr cannot evaluate: it is a pipeline input now",
                            step.name, p.name
                        ),
                    });
                    (p.default.clone(), None, format!("the default of `{}`", p.name))
                }
                None => (p.default.clone(), None, format!("the default of `{}`", p.name)),
            };
            if let Some(serde_json::Value::String(v)) = &default
                && from_task.is_none()
                && (crate::dag::looks_like_path(v) || crate::dag::path_name(&p.name))
            {
                left_out.push(Note {
                    span: Some(callable.span),
                    what: format!(
                        "`{}` is given the path `{v}` as `{}`: KFP tasks do not share a disk, so hand the file over as an `Input`/`Output` artifact instead",
                        step.name, p.name
                    ),
                });
            }
            params.push(Param {
                name: p.name.clone(),
                ty: p.ty,
                default: default.filter(|d| !d.is_null()),
                pipeline_input: p.name.clone(),
                from_task,
                origin,
                span: Some(callable.span),
            });
        }
        let mut packages: Vec<Requirement> = Vec::new();
        for pk in &step.packages {
            packages.push(Requirement {
                spec: format!("{}{}", pk.name, pk.spec.as_deref().unwrap_or("")),
                name: pk.name.clone(),
                pinned: pk.pinned,
                from: super::report::location(self.db, pk.span),
            });
        }
        for m in &f.imports {
            let top = m.split('.').next().unwrap_or(m);
            if pins::is_stdlib(top) {
                continue;
            }
            let r = self.pins.requirement(&pins::distribution(m));
            if !packages
                .iter()
                .any(|p| crate::packages::normalize_name(&p.name) == crate::packages::normalize_name(&r.name))
            {
                packages.push(r);
            }
        }
        packages.sort();
        for (p, _) in step.inputs.iter().chain(&step.outputs).map(|p| (p, ())) {
            if p.path.ends_with(".py") {
                continue;
            }
            left_out.push(Note {
                span: p.span.or(Some(callable.span)),
                what: format!(
                    "`{}` reads or writes `{}` by path: KFP tasks do not share a disk, so pass it as an `Input`/`Output` artifact instead",
                    step.name, p.path
                ),
            });
        }
        let mut c = self.blank(
            s,
            name,
            func.clone(),
            Body::Python {
                source: f
                    .source
                    .replacen(&format!("def {}(", f.name), &format!("def {func}("), 1),
                function: func.clone(),
            },
        );
        c.params = params;
        c.returns = f.returns;
        c.cache = !c.params.is_empty() && step.external_reads.is_empty();
        c.cache_why = if c.cache {
            "on: a Python function of its parameters".into()
        } else {
            "off: it takes no inputs, so a cached result could be stale".into()
        };
        c.packages = packages;
        c
    }
}

/// `path` relative to `base` (`data`, `../ml`); None when one is absolute
/// and the other not.
pub(super) fn relative(path: &Path, base: &Path) -> Option<String> {
    use std::path::Component as C;
    let norm = |p: &Path| -> Vec<String> {
        crate::source::normalize_path(p)
            .components()
            .filter(|c| !matches!(c, C::CurDir))
            .map(|c| c.as_os_str().to_string_lossy().to_string())
            .collect()
    };
    if path.is_absolute() != base.is_absolute() {
        return None;
    }
    let (p, b) = (norm(path), norm(base));
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if b[common..].iter().any(|c| c == "..") {
        return None;
    }
    let mut parts: Vec<String> = vec!["..".to_string(); b.len() - common];
    parts.extend(p[common..].iter().cloned());
    Some(parts.join("/"))
}

/// The image a component gets when neither the legacy step nor `--image`
/// names one.
pub const DEFAULT_IMAGE: &str = "python:3.11-slim";

/// `bash` for a step that ran with bash (make's `SHELL`, a crontab's
/// `SHELL=`), else `sh`.
pub(super) fn shell_of(step: &Step) -> &'static str {
    let cron_shell = step
        .settings
        .iter()
        .find(|(k, _)| k == "env.SHELL")
        .map(|(_, v)| v.as_str());
    let shell = step.shell.as_deref().or(cron_shell).unwrap_or("/bin/sh");
    if shell.ends_with("bash") || shell.contains("bash ") {
        "bash"
    } else {
        "sh"
    }
}

/// The Python scripts a command runs (`python3 scripts/train.py`), as
/// paths from where the command starts (`cd scripts && python3 x.py` runs
/// `scripts/x.py`).
pub(super) fn python_scripts(script: &shell::Script) -> Vec<String> {
    let mut out = Vec::new();
    for c in &script.commands {
        if let Invocation::Python(py) = &c.invocation
            && let Some(s) = &py.script
            && s.literal
            && s.text.ends_with(".py")
        {
            let mut path = PathBuf::new();
            for d in &c.cwd {
                if !d.literal {
                    path = PathBuf::new();
                    break;
                }
                path.push(&d.text);
            }
            let full = crate::source::normalize_path(&path.join(&s.text))
                .to_string_lossy()
                .replace('\\', "/");
            if !out.contains(&full) {
                out.push(full);
            }
        }
    }
    out
}

/// The step's command without the make runs whose targets are components
/// of the plan: each becomes `:` (the shell's no-op), so `make x && y`
/// keeps its shape.
pub(super) fn without_make_runs(s: usize, dag: &Dag, closure: &BTreeSet<usize>) -> String {
    let step = &dag.steps[s];
    let cmd = step.command.clone().unwrap_or_default();
    // a make run kfr did not follow stays: the image must hold its makefile
    let invokes_in_plan = dag
        .step_edges_out(s)
        .any(|e| e.kind == EdgeKind::Invokes && closure.contains(&e.to));
    if !invokes_in_plan {
        return cmd;
    }
    let script = shell::parse(&cmd);
    let mut s = cmd.clone();
    let mut spans: Vec<std::ops::Range<usize>> = script
        .commands
        .iter()
        .filter(|c| matches!(c.invocation, Invocation::Make(_)))
        .map(|c| c.span.clone())
        .collect();
    spans.sort_by_key(|r| std::cmp::Reverse(r.start));
    for r in spans {
        if s.get(r.clone()).is_some() {
            s.replace_range(r, ":");
        }
    }
    s
}

/// The commands that change things outside the pipeline's files: uploads,
/// pushes, deployments, messages.
pub(super) fn side_effects(script: &shell::Script) -> Vec<String> {
    let mut out = Vec::new();
    for c in &script.commands {
        let words: Vec<&str> = c.words.iter().map(|w| w.text.as_str()).collect();
        let remote = |w: &&str| w.contains("://") || (w.contains(':') && w.contains('@'));
        let hit = match c.program() {
            "aws" => {
                words.get(1) == Some(&"s3") && words.iter().skip(3).any(|w| w.starts_with("s3://"))
                    || words
                        .iter()
                        .any(|w| matches!(*w, "put-object" | "publish" | "invoke" | "deploy"))
            }
            "gsutil" => words.iter().skip(2).last().is_some_and(|w| w.starts_with("gs://")),
            "gcloud" | "az" | "kubectl" | "helm" | "terraform" | "ssh" => true,
            "scp" | "rsync" => words.last().is_some_and(|w| w.contains(':') && !w.starts_with('-')),
            "curl" | "http" => words.iter().any(|w| {
                matches!(
                    *w,
                    "-X" | "--request" | "-d" | "--data" | "-T" | "--upload-file" | "-F" | "--form" | "POST" | "PUT"
                )
            }),
            "docker" | "podman" => words.get(1).is_some_and(|w| matches!(*w, "push" | "run")),
            "git" => words.get(1).is_some_and(|w| matches!(*w, "push" | "tag")),
            "twine" => words.get(1) == Some(&"upload"),
            "mail" | "sendmail" | "mutt" => true,
            "psql" | "mysql" | "bq" | "snowsql" | "sqlite3" => true,
            "dvc" => words.get(1).is_some_and(|w| matches!(*w, "push" | "commit")),
            "mlflow" => words.get(1).is_some_and(|w| matches!(*w, "models" | "deployments")),
            _ => words.iter().skip(1).any(remote) && matches!(c.program(), "rclone" | "azcopy" | "s5cmd"),
        };
        if hit {
            let shown: Vec<&str> = words.iter().take(6).copied().collect();
            let mut text = shown.join(" ");
            if words.len() > 6 {
                text.push_str(" ...");
            }
            if !out.contains(&text) {
                out.push(text);
            }
        }
    }
    out
}

/// For each make target that steps of the closure run (`make train` under
/// `retry(3)`), the retries its first caller (in the order the steps are
/// written) gives it, and that caller. In KFP the target runs once, as it
/// did for that caller: later callers find it made.
pub(super) fn caller_retries(dag: &Dag, closure: &BTreeSet<usize>) -> BTreeMap<usize, (u32, usize)> {
    let mut out: BTreeMap<usize, (u32, usize)> = BTreeMap::new();
    for &c in closure {
        for e in dag.step_edges_out(c) {
            if e.kind != EdgeKind::Invokes || !closure.contains(&e.to) {
                continue;
            }
            let own = dag.steps[c]
                .invocations
                .iter()
                .find(|inv| Some(inv.span) == e.span)
                .and_then(|inv| inv.retry.as_ref())
                .and_then(Retry::retries);
            let r = own.or(dag.steps[c].effective_retries).unwrap_or(0);
            // the invoked target and what it needs in its makefile
            let p = dag.steps[e.to].pipeline;
            let mut seen = BTreeSet::new();
            let mut stack = vec![e.to];
            while let Some(t) = stack.pop() {
                if !seen.insert(t) {
                    continue;
                }
                // callers come in step order: the first one stays
                out.entry(t).or_insert((r, c));
                for d in dag.step_edges_in(t) {
                    if d.kind != EdgeKind::Invokes && dag.steps[d.from].pipeline == p {
                        stack.push(d.from);
                    }
                }
            }
        }
    }
    out
}

pub(super) fn retry_plan(
    db: &SourceDb,
    dag: &Dag,
    s: usize,
    default: u32,
    inherited: Option<(u32, usize)>,
) -> RetryPlan {
    let step = &dag.steps[s];
    let delay = step.retry_delay.as_deref().and_then(seconds);
    let legacy = |count: u32, delay: Option<u64>, why: String| RetryPlan {
        count,
        backoff_secs: delay.unwrap_or(30),
        factor: 2.0,
        max_secs: 3600,
        why,
    };
    if let Retry::Count { count, span } = &step.retry
        && *count > 0
    {
        let at = super::report::location(db, *span);
        return legacy(*count, delay, format!("the legacy retry at {at}"));
    }
    if step.retry == Retry::None
        && let Some((n, c)) = inherited.filter(|(n, _)| *n > 0)
    {
        let caller = &dag.steps[c];
        let delay = caller.retry_delay.as_deref().and_then(seconds);
        return legacy(
            n,
            delay,
            format!(
                "inherited from {} `{}`, which runs it with retries",
                caller.kind.as_str(),
                caller.name
            ),
        );
    }
    let legacy = |count: u32, why: String| legacy(count, delay, why);
    match (&step.retry, step.effective_retries) {
        (_, Some(n)) if n > 0 => {
            let by = dag
                .step_edges_in(s)
                .filter(|e| e.kind == EdgeKind::Invokes)
                .map(|e| format!("`{}`", dag.steps[e.from].name))
                .next();
            let by = by.or_else(|| step.scheduled_by.map(|i| format!("`{}`", dag.steps[i].name)));
            legacy(
                n,
                match by {
                    Some(b) => format!("inherited from {b}, which runs it with retries"),
                    None => "inherited from the step that runs it".into(),
                },
            )
        }
        (Retry::Unknown { .. }, _) => RetryPlan {
            count: default,
            backoff_secs: 30,
            factor: 2.0,
            max_secs: 3600,
            why: "the legacy retry is not known statically: `--retries`".into(),
        },
        _ => RetryPlan {
            count: default,
            backoff_secs: 30,
            factor: 2.0,
            max_secs: 3600,
            why: "the legacy step had none: `--retries`".into(),
        },
    }
}

/// Seconds in an Airflow `timedelta(minutes=5)`, a number of seconds, or
/// `30s`/`5m`.
pub(super) fn seconds(text: &str) -> Option<u64> {
    let t = text.trim();
    if let Ok(n) = t.parse::<u64>() {
        return Some(n);
    }
    if let Some(inner) = t.strip_prefix("timedelta(").and_then(|r| r.strip_suffix(')')) {
        let mut total = 0f64;
        for part in inner.split(',') {
            let (k, v) = part.split_once('=')?;
            let v: f64 = v.trim().parse().ok()?;
            total += v * match k.trim() {
                "seconds" => 1.0,
                "minutes" => 60.0,
                "hours" => 3600.0,
                "days" => 86400.0,
                "weeks" => 604800.0,
                _ => return None,
            };
        }
        return Some(total as u64);
    }
    let (n, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit())?);
    let n: u64 = n.parse().ok()?;
    Some(match unit {
        "s" => n,
        "m" | "min" => n * 60,
        "h" => n * 3600,
        _ => return None,
    })
}

pub(super) fn cache_policy(step: &Step, inputs: &[Artifact], rw: &command::Rewrite) -> (bool, String) {
    if !step.external_reads.is_empty() {
        return (
            false,
            "off: it reads data from outside the pipeline, which a cached result would not see change".into(),
        );
    }
    if !rw.runtime.is_empty() || !rw.env.is_empty() {
        return (
            false,
            "off: its command depends on values computed when it runs (the date, the environment)".into(),
        );
    }
    if inputs.is_empty() {
        return (
            false,
            "off: it takes no artifacts, so a cached result could be from data that has since changed".into(),
        );
    }
    (
        true,
        "on: its results depend only on its input artifacts and parameters (like make's timestamps)".into(),
    )
}

pub(super) fn describe_step(db: &SourceDb, dag: &Dag, step: &Step) -> String {
    let p = dag.pipeline_of(step);
    let file = db.get(step.span.file);
    let (line, _) = file.line_col(step.span.start as usize);
    format!(
        "{} `{}` of {} ({}:{line})",
        step.kind.as_str(),
        step.name,
        p.kind.as_str(),
        file.name
    )
}
