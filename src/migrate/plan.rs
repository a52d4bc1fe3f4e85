//! From the unified DAG to a migration plan for one pipeline: which legacy
//! steps become KFP components, what each takes and gives (typed artifacts
//! for file handoffs, parameters for values), how tasks depend on each
//! other, their retry and caching policies, and everything that could not
//! be carried over.

use super::command::{self, FileArg, ParamUse};
use super::names::{self, Unique};
use super::pins::{self, Pins, Requirement};
use super::python_task::{self, PythonFunc};
use crate::dag::{CallArg, Dag, EdgeKind, PipelineKind, Retry, Step, StepKind};
use crate::shell::{self, Invocation};
use crate::source::{SourceDb, Span};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    Str,
    Int,
    Float,
    Bool,
    List,
    Dict,
}

impl ParamType {
    pub fn ir(self) -> &'static str {
        match self {
            ParamType::Str => "STRING",
            ParamType::Int => "NUMBER_INTEGER",
            ParamType::Float => "NUMBER_DOUBLE",
            ParamType::Bool => "BOOLEAN",
            ParamType::List => "LIST",
            ParamType::Dict => "STRUCT",
        }
    }

    pub fn python(self) -> &'static str {
        match self {
            ParamType::Str => "str",
            ParamType::Int => "int",
            ParamType::Float => "float",
            ParamType::Bool => "bool",
            ParamType::List => "list",
            ParamType::Dict => "dict",
        }
    }

    /// The type of a literal value.
    pub fn of(v: &serde_json::Value) -> Option<ParamType> {
        Some(match v {
            serde_json::Value::String(_) => ParamType::Str,
            serde_json::Value::Bool(_) => ParamType::Bool,
            serde_json::Value::Number(n) if n.is_i64() || n.is_u64() => ParamType::Int,
            serde_json::Value::Number(_) => ParamType::Float,
            serde_json::Value::Array(_) => ParamType::List,
            serde_json::Value::Object(_) => ParamType::Dict,
            serde_json::Value::Null => return None,
        })
    }
}

/// One element of a container's args.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placeholder {
    InArtifact(String),
    OutArtifact(String),
    Param(String),
}

#[derive(Debug, Clone)]
pub struct Artifact {
    pub name: String,
    /// `Dataset`, `Model`, `Metrics`, `HTML`, `Markdown`, `Artifact`.
    pub ty: &'static str,
    /// The legacy path.
    pub path: String,
    /// For an input: the producing component and its output's name.
    pub source: Option<(usize, String)>,
}

#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    pub ty: ParamType,
    /// None: required.
    pub default: Option<serde_json::Value>,
    /// The pipeline input feeding it (unless `from_task`).
    pub pipeline_input: String,
    /// The component whose returned value (`Output`) feeds it.
    pub from_task: Option<usize>,
    pub origin: String,
    pub span: Option<Span>,
}

#[derive(Debug, Clone)]
pub struct RetryPlan {
    pub count: u32,
    pub backoff_secs: u64,
    pub factor: f64,
    pub max_secs: u64,
    /// Where it comes from, in words.
    pub why: String,
}

#[derive(Debug, Clone)]
pub enum Body {
    /// `SHELL -ec SCRIPT NAME ARGS...` (`sh`, or `bash` where the legacy
    /// step ran with bash).
    Container {
        shell: &'static str,
        script: String,
        args: Vec<Placeholder>,
    },
    /// A Python function (the `def` as the component runs it).
    Python { source: String, function: String },
}

#[derive(Debug, Clone)]
pub struct Component {
    /// KFP name (`train-model`): the task key and `comp-`/`exec-` suffix.
    pub name: String,
    /// The scaffold's function name (`train_model`).
    pub func: String,
    /// The legacy step.
    pub step: usize,
    pub image: String,
    pub image_from: String,
    pub body: Body,
    pub inputs: Vec<Artifact>,
    pub outputs: Vec<Artifact>,
    pub params: Vec<Param>,
    /// Components this one runs after (indices into the plan's).
    pub deps: BTreeSet<usize>,
    pub retry: RetryPlan,
    pub cache: bool,
    pub cache_why: String,
    pub packages: Vec<Requirement>,
    pub env: Vec<(String, String)>,
    pub description: String,
    /// A Python component's return value (output parameter `Output`).
    pub returns: Option<ParamType>,
    /// The legacy step is a Python function (an Airflow callable).
    pub step_has_callable: bool,
}

impl Plan {
    /// The component that hands over input `a`, and the name of its output.
    pub fn source_of(&self, a: &Artifact) -> Option<(&Component, &str)> {
        let (producer, path) = a.source.as_ref()?;
        let p = &self.components[*producer];
        let key = p.outputs.iter().find(|o| o.path == *path)?;
        Some((p, key.name.as_str()))
    }
}

/// Something the migration does not carry over, with where it is.
#[derive(Debug, Clone)]
pub struct Note {
    pub span: Option<Span>,
    pub what: String,
}

/// What became of one legacy step.
#[derive(Debug, Clone)]
pub struct Fate {
    pub step: usize,
    /// The component, or why there is none.
    pub became: Result<usize, String>,
}

#[derive(Debug)]
pub struct Plan {
    pub name: String,
    pub func: String,
    /// What was migrated, in words: "make goal `all` of retrain/Makefile".
    pub title: String,
    pub pipeline: usize,
    pub components: Vec<Component>,
    /// Pipeline inputs (name, type, default; None: required).
    pub inputs: Vec<(String, ParamType, Option<serde_json::Value>)>,
    pub fates: Vec<Fate>,
    pub left_out: Vec<Note>,
    pub unpinned: Vec<(usize, Requirement)>,
    pub schedule: Option<Schedule>,
    pub pin_files: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Schedule {
    pub legacy: String,
    pub span: Span,
    /// KFP recurring runs take six fields, seconds first.
    pub kfp_cron: Option<String>,
    pub english: Option<String>,
}

pub struct Settings<'a> {
    pub image: Option<&'a str>,
    pub retries: u32,
    pub roots: &'a [PathBuf],
}

/// What kind of step a legacy step is for the migration.
enum Role {
    /// A shell command (the step's own, or the one given).
    Component(Option<String>),
    /// A Python function.
    Python(Box<PythonFunc>),
    Skip(String),
}

/// Plan the migration of `closure` (steps of `dag`), started from pipeline
/// `pipeline`.
pub fn plan(
    db: &SourceDb,
    dag: &Dag,
    pipeline: usize,
    name: &str,
    title: String,
    closure: &BTreeSet<usize>,
    settings: &Settings,
) -> Result<Plan, String> {
    let p = &dag.pipelines[pipeline];
    let mut left_out = Vec::new();
    let roles: BTreeMap<usize, Role> = closure.iter().map(|&s| (s, role(dag, s, closure))).collect();
    let real: Vec<usize> = roles
        .iter()
        .filter(|(_, r)| !matches!(r, Role::Skip(_)))
        .map(|(s, _)| *s)
        .collect();
    if real.is_empty() {
        return Err("it runs no commands of its own: there is nothing to migrate".to_string());
    }
    // what each skipped step stands for: the components that must be done
    // when it is done
    let mut stands: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
    let deps_of = |s: usize, stands: &mut BTreeMap<usize, BTreeSet<usize>>| -> BTreeSet<usize> {
        let mut out = BTreeSet::new();
        let mut invoked = Vec::new();
        for e in dag.step_edges_out(s) {
            if e.kind == EdgeKind::Invokes && closure.contains(&e.to) {
                invoked.push(e.to);
            }
        }
        let preds: Vec<usize> = dag
            .step_edges_in(s)
            .filter(|e| e.kind != EdgeKind::Invokes && closure.contains(&e.from) && e.from != s)
            .map(|e| e.from)
            .collect();
        for q in preds.into_iter().chain(invoked) {
            out.extend(stand_for(dag, q, &roles, closure, stands));
        }
        out.remove(&s);
        out
    };
    let mut step_deps: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
    for &s in &real {
        let d = deps_of(s, &mut stands);
        step_deps.insert(s, d);
    }
    let order = topo(&real, &step_deps).ok_or_else(|| {
        "it has a dependency cycle (KFR005 shows it): a KFP pipeline must be acyclic, so fix the cycle first"
            .to_string()
    })?;
    let index: BTreeMap<usize, usize> = order.iter().enumerate().map(|(i, s)| (*s, i)).collect();

    let project_dirs: Vec<PathBuf> = vec![p.dir.clone()];
    let pins = Pins::read(db, dag, &project_dirs, settings.roots);
    let plan_func = format!("{}_pipeline", names::py_ident(name).trim_end_matches('_'));
    let mut kfp_names = Unique::new(["root"]);
    let mut funcs = Unique::new(["pipeline", plan_func.as_str()]);
    let mut components: Vec<Component> = Vec::new();
    let mut unpinned = Vec::new();
    let root = match p.kind {
        PipelineKind::Make => p.dir.clone(),
        _ => db.get(p.file).dir().to_path_buf(),
    };
    let ctx = Ctx {
        root: &root,
        db,
        dag,
        closure,
        index: &index,
        pins: &pins,
        project_dirs: &project_dirs,
        settings,
    };
    let mut shared_bases: BTreeMap<String, usize> = BTreeMap::new();
    for &s in &order {
        if !matches!(roles[&s], Role::Python(_)) {
            *shared_bases.entry(base_name(&dag.steps[s])).or_default() += 1;
        }
    }
    for &s in order.iter() {
        let step = &dag.steps[s];
        // the SDK names a component after its function: derive the KFP name
        // from the Python one so that both agree
        let base = match &roles[&s] {
            Role::Python(f) => f.name.clone(),
            _ => {
                // a script run for many targets (a pattern rule) is told
                // apart by the target: `train-ds0001`
                let b = base_name(step);
                if shared_bases.get(&b).is_some_and(|n| *n > 1) && step.kind == StepKind::Target {
                    format!("{b}-{}", target_stem(&step.name))
                } else {
                    b
                }
            }
        };
        let mut func = funcs.take(&names::py_ident(&base), '_');
        while kfp_names.taken(&names::kfp_name(&func)) {
            func = funcs.take(&format!("{func}_step"), '_');
        }
        let name = kfp_names.take(&names::kfp_name(&func), '-');
        let mut c = match &roles[&s] {
            Role::Python(f) => ctx.python_component(s, name, func, f, &components, &mut left_out),
            Role::Component(text) => ctx.container_component(s, name, func, text.as_deref(), &mut left_out),
            Role::Skip(_) => unreachable!("only components are ordered"),
        };
        c.deps = step_deps[&s].iter().map(|d| index[d]).collect();
        c.retry = retry_plan(db, dag, s, settings.retries);
        let step_settings = ctx.settings_of(s);
        let cron = dag.pipeline_of(step).kind == PipelineKind::Cron;
        for (k, v) in step_settings
            .iter()
            .filter_map(|(k, v)| k.strip_prefix("env.").map(|k| (k, v)))
        {
            let note = |what: String| Note {
                span: Some(step.span),
                what,
            };
            match k {
                // cron's own settings, not the command's environment
                "MAILTO" if cron => left_out.push(note(if v.is_empty() {
                    "the crontab's `MAILTO=\"\"` discards the output; KFP keeps every task's log".to_string()
                } else {
                    format!("cron mails `{}`'s output to `{v}`: KFP keeps the task's log and sends no mail", step.name)
                })),
                "SHELL" if cron => {}
                "PATH" => left_out.push(note(format!(
                    "`{}` ran with `PATH={v}` of the machine it ran on: the component uses the image's `PATH`",
                    step.name
                ))),
                _ if v.is_empty() => left_out.push(note(format!(
                    "`{}` sets `{k}` to the empty string, which KFP cannot pass (the SDK drops empty values): set it in the image",
                    step.name
                ))),
                _ => c.env.push((k.to_string(), v.clone())),
            }
        }
        // (settings a make target inherits are reported on the step that has them)
        for (k, v) in step.settings.iter().filter(|(k, _)| !k.starts_with("env.")) {
            let what = match k.as_str() {
                "when" => format!(
                    "`{}` runs only `when {v}`: a `dsl.If` on a pipeline parameter is the KFP way",
                    step.name
                ),
                "agent.label" => format!(
                    "`{}` runs on Jenkins agents labelled `{v}`: pick nodes with kfp-kubernetes (`add_node_selector`)",
                    step.name
                ),
                "agent.docker.args" => format!(
                    "`{}` runs its container with `{v}`: mount volumes with kfp-kubernetes (`mount_pvc`)",
                    step.name
                ),
                "matrix" => format!(
                    "`{}` runs once per `{v}`: a `dsl.ParallelFor` over those values is the KFP way",
                    step.name
                ),
                _ => format!("`{}` has `{k}` = `{v}`, which is not carried over", step.name),
            };
            left_out.push(Note {
                span: Some(step.span),
                what,
            });
        }
        for r in c.packages.iter().filter(|r| !r.pinned) {
            unpinned.push((components.len(), r.clone()));
        }
        components.push(c);
    }
    let shown_root = crate::source::display_path(&root);
    let workdir = if shown_root.is_empty() || shown_root == "." {
        "the directory kfr was run on".to_string()
    } else {
        format!("`{shown_root}`")
    };
    if settings.image.is_some() {
        left_out.push(Note {
            span: None,
            what: format!("the commands expect the image's working directory to be {workdir} of the repository"),
        });
    } else {
        let default = components
            .iter()
            .any(|c| c.image == DEFAULT_IMAGE && c.image_from.starts_with("kfr's default"));
        left_out.push(Note {
            span: None,
            what: format!(
                "the commands run the repository's own files (scripts, makefiles), which the legacy steps found in a checkout; a KFP container has only its image{}: build an image that holds the repository, with {workdir} as its working directory and the packages installed, and migrate again with `--image`",
                if default { format!(", and kfr's default `{DEFAULT_IMAGE}` does not hold it") } else { String::new() }
            ),
        });
    }
    let inputs = pipeline_inputs(&mut components);
    let mut fates: Vec<Fate> = Vec::new();
    for (&s, r) in &roles {
        fates.push(Fate {
            step: s,
            became: match r {
                Role::Component(_) | Role::Python(_) => Ok(index[&s]),
                Role::Skip(why) => Err(why.clone()),
            },
        });
    }
    // what the steps and pipelines note as not known statically
    let mut seen_notes = BTreeSet::new();
    for &s in closure {
        let step = &dag.steps[s];
        for (span, what) in &step.notes {
            if seen_notes.insert((span.file, span.start, what.clone())) {
                // make's run-time values: say what became of them
                let what = match what.strip_suffix(" is only known when the recipe runs") {
                    Some(v) if v.starts_with("`$(shell ") && matches!(roles.get(&s), Some(Role::Component(_))) => {
                        format!(
                            "{v} in `{}` was computed by make when the recipe ran; the component's shell now computes it when the task runs",
                            step.name
                        )
                    }
                    _ => format!("`{}`: {what}", step.name),
                };
                left_out.push(Note {
                    span: Some(*span),
                    what,
                });
            }
        }
        for (job, span) in &step.triggers {
            left_out.push(Note {
                span: Some(*span),
                what: format!(
                    "`{}` starts the job `{job}`: KFP has no job triggers; run that pipeline after this one, or make it part of it",
                    step.name
                ),
            });
        }
        for (span, what) in &step.external_reads {
            left_out.push(Note {
                span: Some(*span),
                what: format!(
                    "`{}` reads `{what}` from outside the pipeline: KFP does not track it as an artifact (a `dsl.importer` would)",
                    step.name
                ),
            });
        }
        for inp in &step.inputs {
            let produced = dag
                .step_edges_in(s)
                .any(|e| e.kind == EdgeKind::File && closure.contains(&e.from));
            let is_code = inp.path.ends_with(".py") || inp.path.ends_with(".sh") || inp.path.ends_with(".R");
            if !produced && !is_code && matches!(roles.get(&s), Some(Role::Component(_))) {
                left_out.push(Note {
                    span: inp.span,
                    what: format!(
                        "`{}` reads `{}`, which no step of the pipeline writes: the image must hold it (or import it with `dsl.importer`)",
                        step.name, inp.path
                    ),
                });
            }
        }
    }
    for (span, what) in &p.notes {
        if seen_notes.insert((span.file, span.start, what.clone())) {
            left_out.push(Note {
                span: Some(*span),
                what: what.clone(),
            });
        }
    }
    let schedule = schedule(dag, pipeline, closure, name);
    // dependencies implied by others are left to them (data handoffs stay:
    // KFP lists every producer)
    reduce_order_deps(&mut components);
    Ok(Plan {
        name: name.to_string(),
        func: plan_func,
        title,
        pipeline,
        components,
        inputs,
        fates,
        left_out,
        unpinned,
        schedule,
        pin_files: pins.files.clone(),
    })
}

struct Ctx<'a> {
    /// The directory the image's working directory stands for.
    root: &'a Path,
    db: &'a SourceDb,
    dag: &'a Dag,
    closure: &'a BTreeSet<usize>,
    index: &'a BTreeMap<usize, usize>,
    pins: &'a Pins,
    project_dirs: &'a [PathBuf],
    settings: &'a Settings<'a>,
}

impl Ctx<'_> {
    /// The steps that run make target `s` (its least retried caller, and
    /// that one's caller...), whose agent and environment it runs in.
    fn runners(&self, s: usize) -> Vec<usize> {
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
    fn settings_of(&self, s: usize) -> Vec<(String, String)> {
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

    fn image(&self, s: usize) -> (String, String) {
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

    fn blank(&self, s: usize, name: String, func: String, body: Body) -> Component {
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
    fn container_component(
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
        for (art, path) in &rw.staged {
            left_out.push(note(format!(
                "`{}` does not name `{path}` in its command: the component copies it to and from the artifact `{art}`",
                step.name
            )));
        }
        for effect in side_effects(&text) {
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
        for script in python_scripts(&text) {
            let path = base.join(&script);
            match pins::script_distributions(db, &path, self.project_dirs) {
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
    fn python_component(
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
fn relative(path: &Path, base: &Path) -> Option<String> {
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

fn role(dag: &Dag, s: usize, closure: &BTreeSet<usize>) -> Role {
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
                        return_hint = return_hint.or(t).or(Some(ParamType::Str));
                    }
                }
            }
            let arg_types: Vec<(String, ParamType)> = c
                .args
                .iter()
                .filter_map(|(n, a)| match a {
                    CallArg::Literal(v) => ParamType::of(v).map(|t| (n.clone(), t)),
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

/// The components that are done when skipped step `s` is done: through
/// what it runs and what it waits for, down to components. Iterative, so
/// long chains of skipped steps cannot overflow the stack.
fn stand_for(
    dag: &Dag,
    s: usize,
    roles: &BTreeMap<usize, Role>,
    closure: &BTreeSet<usize>,
    memo: &mut BTreeMap<usize, BTreeSet<usize>>,
) -> BTreeSet<usize> {
    let is_component = |x: usize| !matches!(roles.get(&x), Some(Role::Skip(_)) | None);
    if is_component(s) {
        return BTreeSet::from([s]);
    }
    let next = |x: usize| -> Vec<usize> {
        dag.step_edges_out(x)
            .filter(|e| e.kind == EdgeKind::Invokes && closure.contains(&e.to))
            .map(|e| e.to)
            .chain(
                dag.step_edges_in(x)
                    .filter(|e| e.kind != EdgeKind::Invokes && closure.contains(&e.from) && e.from != x)
                    .map(|e| e.from),
            )
            .collect()
    };
    // post-order: a step's set once all of its skipped neighbours have theirs
    // (a neighbour still open closes a cycle and adds nothing)
    let mut open: BTreeSet<usize> = BTreeSet::new();
    let mut stack: Vec<(usize, bool)> = vec![(s, false)];
    while let Some((x, expanded)) = stack.pop() {
        if memo.contains_key(&x) {
            continue;
        }
        if !expanded {
            open.insert(x);
            stack.push((x, true));
            for q in next(x) {
                if !is_component(q) && !memo.contains_key(&q) && !open.contains(&q) {
                    stack.push((q, false));
                }
            }
            continue;
        }
        let mut out = BTreeSet::new();
        for q in next(x) {
            if is_component(q) {
                out.insert(q);
            } else if let Some(m) = memo.get(&q) {
                out.extend(m.iter().copied());
            }
        }
        open.remove(&x);
        memo.insert(x, out);
    }
    memo.get(&s).cloned().unwrap_or_default()
}

/// Steps in dependency order (producers first, then by step index); None
/// on a cycle.
fn topo(steps: &[usize], deps: &BTreeMap<usize, BTreeSet<usize>>) -> Option<Vec<usize>> {
    // layer by layer: every step whose dependencies are all in earlier
    // layers, each layer in step order (linear in steps and dependencies)
    let mut waiting: BTreeMap<usize, usize> = steps.iter().map(|s| (*s, deps[s].len())).collect();
    let mut dependents: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for &s in steps {
        for &d in &deps[&s] {
            dependents.entry(d).or_default().push(s);
        }
    }
    let mut layer: Vec<usize> = steps.iter().copied().filter(|s| deps[s].is_empty()).collect();
    let mut order = Vec::with_capacity(steps.len());
    while !layer.is_empty() {
        layer.sort_unstable();
        let mut next = Vec::new();
        for &s in &layer {
            for &t in dependents.get(&s).map(Vec::as_slice).unwrap_or(&[]) {
                let w = waiting.get_mut(&t)?;
                *w -= 1;
                if *w == 0 {
                    next.push(t);
                }
            }
        }
        order.append(&mut layer);
        layer = next;
    }
    (order.len() == steps.len()).then_some(order)
}

/// The name a component gets: the script it runs (`train` for
/// `python scripts/train.py`), else the step's own name.
fn base_name(step: &Step) -> String {
    if let Some(cmd) = &step.command {
        let scripts = python_scripts(cmd);
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

/// The commands that change things outside the pipeline's files: uploads,
/// pushes, deployments, messages.
fn side_effects(cmd: &str) -> Vec<String> {
    let script = shell::parse(&crate::frontend::command::protect_templates(cmd));
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

/// The Python scripts a command runs (`python3 scripts/train.py`).
/// `bash` for a step that ran with bash (make's `SHELL`, a crontab's
/// `SHELL=`), else `sh`.
fn shell_of(step: &Step) -> &'static str {
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

/// A file target's name without directories and extension.
fn target_stem(name: &str) -> String {
    let file = name.trim_end_matches('/').rsplit('/').next().unwrap_or(name);
    file.split('.').next().unwrap_or(file).to_string()
}

/// The Python scripts a command runs (`python3 scripts/train.py`), as
/// paths from where the command starts (`cd scripts && python3 x.py` runs
/// `scripts/x.py`).
fn python_scripts(cmd: &str) -> Vec<String> {
    let script = shell::parse(&crate::frontend::command::protect_templates(cmd));
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
fn without_make_runs(s: usize, dag: &Dag, closure: &BTreeSet<usize>) -> String {
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

fn retry_plan(db: &SourceDb, dag: &Dag, s: usize, default: u32) -> RetryPlan {
    let step = &dag.steps[s];
    let delay = step.retry_delay.as_deref().and_then(seconds);
    let legacy = |count: u32, why: String| RetryPlan {
        count,
        backoff_secs: delay.unwrap_or(30),
        factor: 2.0,
        max_secs: 3600,
        why,
    };
    match (&step.retry, step.effective_retries) {
        (Retry::Count { count, span }, _) if *count > 0 => legacy(
            *count,
            format!("the legacy retry at {}", super::report::location(db, *span)),
        ),
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
fn seconds(text: &str) -> Option<u64> {
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

fn cache_policy(step: &Step, inputs: &[Artifact], rw: &command::Rewrite) -> (bool, String) {
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

/// Pipeline inputs: one per distinct component parameter (same name, type
/// and default share one; a clash gets the component's name as prefix).
fn pipeline_inputs(components: &mut [Component]) -> Vec<(String, ParamType, Option<serde_json::Value>)> {
    type Key = (String, &'static str, String);
    let mut out: Vec<(String, ParamType, Option<serde_json::Value>)> = Vec::new();
    // by (name, type, default): the input that shares them; names in use
    let mut shared: std::collections::HashMap<Key, String> = std::collections::HashMap::new();
    let mut names_used: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut taken = Unique::default();
    for c in components.iter_mut() {
        for p in c.params.iter_mut().filter(|p| p.from_task.is_none()) {
            let key: Key = (
                p.name.clone(),
                p.ty.ir(),
                p.default.as_ref().map(|d| d.to_string()).unwrap_or_default(),
            );
            if let Some(n) = shared.get(&key) {
                p.pipeline_input = n.clone();
                continue;
            }
            let base = if names_used.contains(&p.name) {
                format!("{}_{}", c.func, p.name)
            } else {
                p.name.clone()
            };
            let n = taken.take(&base, '_');
            names_used.insert(p.name.clone());
            shared.insert(key, n.clone());
            p.pipeline_input = n.clone();
            out.push((n, p.ty, p.default.clone()));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn describe_step(db: &SourceDb, dag: &Dag, step: &Step) -> String {
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

fn reduce_order_deps(components: &mut [Component]) {
    // quadratic at worst: past a few thousand tasks the implied
    // dependencies stay (they are valid, only redundant)
    if components.len() > 5_000 {
        return;
    }
    let deps: Vec<BTreeSet<usize>> = components.iter().map(|c| c.deps.clone()).collect();
    let reach = |from: usize| -> BTreeSet<usize> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from];
        while let Some(x) = stack.pop() {
            for &d in &deps[x] {
                if seen.insert(d) {
                    stack.push(d);
                }
            }
        }
        seen
    };
    for i in 0..components.len() {
        let data: BTreeSet<usize> = components[i]
            .inputs
            .iter()
            .filter_map(|a| a.source.as_ref().map(|(p, _)| *p))
            .chain(components[i].params.iter().filter_map(|p| p.from_task))
            .collect();
        // a single dependency implies no other
        if deps[i].len() < 2 {
            continue;
        }
        let implied: BTreeSet<usize> = deps[i].iter().flat_map(|&d| reach(d)).collect();
        components[i].deps.retain(|d| data.contains(d) || !implied.contains(d));
    }
}

fn schedule(dag: &Dag, pipeline: usize, closure: &BTreeSet<usize>, name: &str) -> Option<Schedule> {
    let p = &dag.pipelines[pipeline];
    let sched = p.schedule.clone().or_else(|| {
        closure
            .iter()
            .filter_map(|&s| dag.steps[s].scheduled_by)
            .filter_map(|s| dag.pipelines[dag.steps[s].pipeline].schedule.clone())
            .next()
    })?;
    // Jenkins picks `H` from the job's full name; a Jenkinsfile does not say
    // it, so the migrated pipeline's name stands in (and the report says so)
    let job = sched.job.clone().or_else(|| {
        (sched.dialect == Some(crate::cron::Dialect::Jenkins) && sched.text.contains('H')).then(|| name.to_string())
    });
    let assumed = sched.job.is_none() && job.is_some();
    let (kfp_cron, english) = match sched.dialect {
        Some(d) => (
            super::schedule::kfp_cron(&sched.text, d, job.as_deref()),
            crate::cron::describe(&sched.text, d, job.as_deref()).map(|e| {
                if assumed {
                    format!("{e}, with `H` picked as Jenkins would for a job named `{name}`")
                } else {
                    e
                }
            }),
        ),
        None => (super::schedule::preset(&sched.text), None),
    };
    Some(Schedule {
        legacy: sched.text.clone(),
        span: sched.span,
        kfp_cron,
        english,
    })
}
