//! From the unified DAG to a migration plan for one pipeline: which legacy
//! steps become KFP components, what each takes and gives (typed artifacts
//! for file handoffs, parameters for values), how tasks depend on each
//! other, their retry and caching policies, and everything that could not
//! be carried over.

use super::component::{Ctx, DEFAULT_IMAGE, caller_retries, retry_plan};
use super::names::{self, Unique};
use super::pins::{Pins, Requirement};
use super::role::{Role, base_name, role, target_stem};
use crate::dag::{Dag, EdgeKind, PipelineKind, StepKind};
use crate::source::{SourceDb, Span};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// Parameter types are the KFP model's.
pub use crate::frontend::kfp::model::ParamType;

/// The type of a literal value; None for `null`.
pub fn type_of(v: &serde_json::Value) -> Option<ParamType> {
    Some(match v {
        serde_json::Value::String(_) => ParamType::String,
        serde_json::Value::Bool(_) => ParamType::Boolean,
        serde_json::Value::Number(n) if n.is_i64() || n.is_u64() => ParamType::Integer,
        serde_json::Value::Number(_) => ParamType::Double,
        serde_json::Value::Array(_) => ParamType::List,
        serde_json::Value::Object(_) => ParamType::Struct,
        serde_json::Value::Null => return None,
    })
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
        imports: Default::default(),
    };
    let inherited_retries = caller_retries(dag, closure);
    let bases: BTreeMap<usize, String> = order
        .iter()
        .filter(|s| !matches!(roles[s], Role::Python(_)))
        .map(|&s| (s, base_name(&dag.steps[s])))
        .collect();
    let mut shared_bases: BTreeMap<&str, usize> = BTreeMap::new();
    for b in bases.values() {
        *shared_bases.entry(b.as_str()).or_default() += 1;
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
                let b = bases[&s].clone();
                if shared_bases.get(b.as_str()).is_some_and(|n| *n > 1) && step.kind == StepKind::Target {
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
        c.retry = retry_plan(db, dag, s, settings.retries, inherited_retries.get(&s).copied());
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

/// Pipeline inputs: one per distinct component parameter (same name, type
/// and default share one; a clash gets the component's name as prefix).
fn pipeline_inputs(components: &mut [Component]) -> Vec<(String, ParamType, Option<serde_json::Value>)> {
    type Key = (String, &'static str, String);
    let mut out: Vec<(String, ParamType, Option<serde_json::Value>)> = Vec::new();
    // by (name, type, default): the input that shares them; names in use
    let mut shared: std::collections::HashMap<Key, String> = std::collections::HashMap::new();
    let mut names_used: std::collections::HashSet<String> = std::collections::HashSet::new();
    // inside the pipeline function, an input must not shadow a component
    // function or a task variable (`train`, `train_task`)
    let reserved: Vec<String> = components
        .iter()
        .flat_map(|c| [c.func.clone(), format!("{}_task", c.func)])
        .collect();
    let mut taken = Unique::new(reserved.iter().map(String::as_str));
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
