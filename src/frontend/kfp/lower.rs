//! From the compiler's view of a pipeline ([`super::model`]) to the
//! unified graph: one pipeline per KFP pipeline, one step per leaf task
//! (a container, an importer, a nested pipeline; loop, condition and
//! exit-handler groups are structure, not steps), and the edges between
//! leaf tasks: `artifact` for a typed artifact, `parameter` for a value,
//! `file` for a `str` parameter that carries a path, `order` for what
//! `dependentTasks` adds (`.after()`, a group that must finish first), and
//! `invokes` from a task to the pipeline it runs.

use super::model::{ArgValue, Caching, ComponentKind, IoType, Pipeline, Task, TaskKind};
use crate::dag::{
    CachePolicy, Edge, EdgeKind, Fragment, PipelineKind, Port, PortType, Retry, Step, StepKind, looks_like_path,
    path_name,
};
use crate::diagnostic::Diagnostic;
use crate::frontend::command::{self, CommandText};
use crate::source::{SourceDb, SourceFile, Span};
use std::collections::{HashMap, HashSet};

pub fn lower(db: &SourceDb, file: &SourceFile, pipelines: &[Pipeline], frag: &mut Fragment) {
    let dir = file.dir().to_path_buf();
    let mut diags: Vec<Diagnostic> = Vec::new();
    // (pipeline name) -> pipeline index in the fragment, (pipeline, task key) -> step
    let mut pipeline_of: HashMap<&str, usize> = HashMap::new();
    let mut step_of: HashMap<(usize, &str), usize> = HashMap::new();
    let first_pipeline = frag.pipelines.len();
    for p in pipelines {
        let pid = format!("kfp:{}:{}", file.name, p.name);
        let pi = frag.pipelines.len();
        pipeline_of.insert(p.name.as_str(), pi);
        frag.pipelines.push(crate::dag::Pipeline {
            id: pid.clone(),
            kind: PipelineKind::Kfp,
            name: p.name.clone(),
            file: file.id,
            span: p.span,
            schedule: None,
            dir: dir.clone(),
            includes: Vec::new(),
            default_step: None,
            notes: p.notes.clone(),
            other_schedules: Vec::new(),
            dropped_cycle_edges: Vec::new(),
            triggered_by: Vec::new(),
        });
        for t in p.tasks.iter().filter(|t| !matches!(t.kind, TaskKind::Group(_))) {
            step_of.insert((pi, t.key.as_str()), frag.steps.len());
            let step = lower_task(db, t, pi, &pid, &dir, &mut diags);
            frag.steps.push(step);
        }
    }
    for (n, p) in pipelines.iter().enumerate() {
        let pi = first_pipeline + n;
        let mut data: HashSet<(usize, usize)> = HashSet::new();
        let groups = Groups::new(p);
        // data edges
        for t in p.tasks.iter().filter(|t| !matches!(t.kind, TaskKind::Group(_))) {
            let to = step_of[&(pi, t.key.as_str())];
            for arg in &t.args {
                let ArgValue::Output { task, key } = &arg.value else {
                    continue;
                };
                let Some(&from) = step_of.get(&(pi, task.as_str())) else {
                    continue;
                };
                let producer = groups.by_key.get(task.as_str()).copied();
                let kind = handoff_kind(producer, key, t, &arg.input);
                data.insert((from, to));
                frag.edges.push(Edge {
                    from,
                    to,
                    kind,
                    path: Some(key.clone()),
                    span: Some(arg.span),
                });
            }
        }
        // ordering: what `dependentTasks` says, between leaf tasks
        for t in &p.tasks {
            let targets = groups.entries(&t.key);
            for d in &t.dependent_tasks {
                for s in groups.exits(d) {
                    for tgt in &targets {
                        let (Some(&from), Some(&to)) = (step_of.get(&(pi, s)), step_of.get(&(pi, tgt.as_str()))) else {
                            continue;
                        };
                        if from != to && data.insert((from, to)) {
                            frag.edges.push(Edge {
                                from,
                                to,
                                kind: EdgeKind::Order,
                                path: None,
                                span: Some(t.span),
                            });
                        }
                    }
                }
            }
        }
        // a task that runs a nested pipeline invokes its final tasks
        for t in &p.tasks {
            let sub = match &t.kind {
                TaskKind::Pipeline(Some(name)) => pipeline_of.get(name.as_str()).copied(),
                TaskKind::Pipeline(None) => pipelines
                    .iter()
                    .position(|q| q.embedded_in.as_ref() == Some(&(p.name.clone(), t.key.clone())))
                    .map(|i| first_pipeline + i),
                _ => None,
            };
            let (Some(sub), Some(&from)) = (sub, step_of.get(&(pi, t.key.as_str()))) else {
                continue;
            };
            let sub_p = &pipelines[sub - first_pipeline];
            for exit in Groups::new(sub_p).exits_of(None) {
                if let Some(&to) = step_of.get(&(sub, exit)) {
                    frag.edges.push(Edge {
                        from,
                        to,
                        kind: EdgeKind::Invokes,
                        path: None,
                        span: Some(t.span),
                    });
                }
            }
        }
    }
    frag.diagnostics.extend(diags);
}

/// How an output is handed over: a typed artifact, a value, or a `str`
/// that carries a path.
fn handoff_kind(producer: Option<&Task>, key: &str, consumer: &Task, input: &str) -> EdgeKind {
    let out = producer.and_then(|p| p.component.as_ref()).and_then(|c| c.output(key));
    let inp = consumer.component.as_ref().and_then(|c| c.input(input));
    if out.is_some_and(|o| o.ty.is_artifact()) || inp.is_some_and(|i| i.ty.is_artifact()) {
        return EdgeKind::Artifact;
    }
    let is_str = |ty: Option<&IoType>| matches!(ty, Some(IoType::Parameter(super::model::ParamType::String)) | None);
    if !is_str(out.map(|o| &o.ty)) || !is_str(inp.map(|i| &i.ty)) {
        return EdgeKind::Parameter;
    }
    let returned = key == "Output"
        && producer
            .and_then(|p| p.component.as_ref())
            .is_some_and(|c| c.returns_path.is_some());
    let default_path = inp.and_then(|i| i.default.as_deref()).is_some_and(looks_like_path);
    if path_name(key) || path_name(input) || returned || default_path {
        EdgeKind::File
    } else {
        EdgeKind::Parameter
    }
}

/// The group tree of a pipeline, for turning `dependentTasks` between
/// siblings into edges between leaf tasks.
struct Groups<'a> {
    by_key: HashMap<&'a str, &'a Task>,
    /// The tasks and groups directly in each group (None: the root DAG).
    children: HashMap<Option<&'a str>, Vec<&'a Task>>,
}

impl<'a> Groups<'a> {
    fn new(p: &'a Pipeline) -> Groups<'a> {
        let mut children: HashMap<Option<&'a str>, Vec<&'a Task>> = HashMap::new();
        for t in &p.tasks {
            children.entry(t.group.as_deref()).or_default().push(t);
        }
        Groups {
            by_key: p.tasks.iter().map(|t| (t.key.as_str(), t)).collect(),
            children,
        }
    }

    fn children(&self, group: Option<&str>) -> Vec<&'a Task> {
        self.children.get(&group).cloned().unwrap_or_default()
    }

    /// The leaf tasks that start `key`: itself, or a group's children
    /// that wait for nothing inside it.
    fn entries(&self, key: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.entries_into(key, &mut out, 0);
        out
    }

    fn entries_into(&self, key: &str, out: &mut Vec<String>, depth: usize) {
        match self.by_key.get(key) {
            Some(t) if matches!(t.kind, TaskKind::Group(_)) && depth < 64 => {
                for c in self.children(Some(key)) {
                    if c.dependent_tasks.is_empty() {
                        self.entries_into(&c.key, out, depth + 1);
                    }
                }
            }
            Some(_) => out.push(key.to_string()),
            None => {}
        }
    }

    /// The leaf tasks that finish `key`: itself, or a group's children
    /// that nothing inside it waits for.
    fn exits(&self, key: &str) -> Vec<&'a str> {
        match self.by_key.get(key) {
            Some(t) if matches!(t.kind, TaskKind::Group(_)) => self.exits_of(Some(key)),
            Some(t) => vec![t.key.as_str()],
            None => Vec::new(),
        }
    }

    fn exits_of(&self, group: Option<&str>) -> Vec<&'a str> {
        let mut out = Vec::new();
        self.exits_into(group, &mut out, 0);
        out
    }

    fn exits_into(&self, group: Option<&str>, out: &mut Vec<&'a str>, depth: usize) {
        if depth > 64 {
            return;
        }
        let kids = self.children(group);
        let waited_for: HashSet<&str> = kids
            .iter()
            .flat_map(|o| o.dependent_tasks.iter().map(String::as_str))
            .collect();
        for c in &kids {
            if c.exit_task || waited_for.contains(c.key.as_str()) {
                continue;
            }
            match c.kind {
                TaskKind::Group(_) => self.exits_into(Some(&c.key), out, depth + 1),
                _ => out.push(c.key.as_str()),
            }
        }
    }
}

fn lower_task(
    db: &SourceDb,
    t: &Task,
    pi: usize,
    pid: &str,
    dir: &std::path::Path,
    diags: &mut Vec<Diagnostic>,
) -> Step {
    let retry = match &t.retry {
        None => Retry::None,
        Some(r) => match r.count {
            Some(count) => Retry::Count { count, span: r.span },
            None => Retry::Unknown { span: r.span },
        },
    };
    let cache = match t.kind {
        TaskKind::Container => Some(match t.caching {
            Caching::Default => CachePolicy {
                enabled: true,
                explicit: false,
                span: None,
            },
            Caching::Explicit(b, s) => CachePolicy {
                enabled: b,
                explicit: true,
                span: Some(s),
            },
            Caching::Compiled(b, s) => CachePolicy {
                enabled: b,
                explicit: false,
                span: Some(s),
            },
        }),
        _ => None,
    };
    let mut step = Step::new(pid, pi, &t.key, StepKind::Task, t.span);
    step.retry = retry;
    step.cache = cache;
    step.retry_delay = t.retry.as_ref().and_then(|r| r.backoff_duration.clone());
    step.settings = t.settings.clone();
    let Some(c) = &t.component else {
        return step;
    };
    if let Some(img) = &c.image {
        step.image = Some(img.name.clone());
        step.image_span = Some(img.span);
        step.image_default = img.implicit;
    }
    step.packages = c.packages.clone();
    match c.kind {
        ComponentKind::Python => {
            step.command = Some(format!("dsl.component {}", c.function.as_deref().unwrap_or(&c.name)));
        }
        ComponentKind::Container => {
            let words: Vec<&super::model::Word> = c.command.iter().chain(c.args.iter()).collect();
            if !words.is_empty() {
                container_command(db, &mut step, &words, dir, diags);
            } else {
                step.command = Some(c.name.clone());
            }
        }
        ComponentKind::Importer | ComponentKind::Pipeline => {}
    }
    // ports: the component's outputs, and what each input is given
    for o in &c.outputs {
        step.outputs.push(Port {
            path: format!("{}.{}", t.key, o.name),
            key: format!("{pid}::{}.{}", t.key, o.name),
            span: o.span,
            ty: Some(port_type(&o.ty)),
            declared: o.path_annotation.clone().zip(o.span),
        });
    }
    for i in &c.inputs {
        let arg = t.args.iter().find(|a| a.input == i.name);
        // an input fed by an output shares its key, as a file read shares
        // the written file's
        let key = match arg.map(|a| &a.value) {
            Some(ArgValue::Output { task, key }) => format!("{pid}::{task}.{key}"),
            _ => format!("{pid}::{}<-{}", t.key, i.name),
        };
        step.inputs.push(Port {
            path: format!("{}.{}", t.key, i.name),
            key,
            span: arg.map(|a| a.span).or(i.span),
            ty: Some(port_type(&i.ty)),
            declared: i.path_annotation.clone().zip(i.span),
        });
    }
    step.external_reads = super::external::reads(db, t, c);
    step
}

fn port_type(ty: &IoType) -> PortType {
    match ty {
        IoType::Artifact { schema, .. } => PortType::Artifact(schema.clone()),
        IoType::Parameter(p) => PortType::Parameter(p.ir().to_string()),
    }
}

/// A container's command and args, read by the shell analysis for the
/// packages it installs and the makefiles it runs: the script of a
/// `sh -c SCRIPT` (exactly, with its spans), else the words joined.
fn container_command(
    db: &SourceDb,
    step: &mut Step,
    words: &[&super::model::Word],
    dir: &std::path::Path,
    diags: &mut Vec<Diagnostic>,
) {
    let joined: Vec<String> = words.iter().map(|w| quote(&w.text)).collect();
    step.command = Some(joined.join(" "));
    let shell_script = words.windows(3).find_map(|w| {
        let program = w[0].text.rsplit('/').next().unwrap_or("");
        (matches!(program, "sh" | "bash" | "ash" | "dash" | "zsh")
            && w[1].text.starts_with('-')
            && w[1].text.contains('c'))
        .then_some(w[2])
    });
    // the analysis fills in packages and invocations; a container's own
    // file paths live in its image, not in the repository
    let mut scratch = step.clone();
    scratch.packages.clear();
    match shell_script {
        Some(w) => {
            let map = |r: std::ops::Range<usize>| -> Span {
                match w.origin {
                    Some(o) => Span::new(w.span.file, o + r.start..o + r.end.min(w.text.len())),
                    None => w.span,
                }
            };
            command::analyse(
                db,
                &mut scratch,
                &CommandText {
                    text: &w.text,
                    map: &map,
                    dir,
                },
                diags,
            );
        }
        None => {
            let text = joined.join(" ");
            let mut starts = Vec::new();
            let mut at = 0;
            for j in &joined {
                starts.push(at);
                at += j.len() + 1;
            }
            let map = |r: std::ops::Range<usize>| -> Span {
                let i = starts.partition_point(|&s| s <= r.start).saturating_sub(1);
                let w = words[i];
                match w.origin {
                    Some(o) if joined[i].len() == w.text.len() => {
                        let a = r.start - starts[i];
                        let b = (r.end - starts[i]).min(w.text.len());
                        Span::new(w.span.file, o + a..o + b.max(a))
                    }
                    _ => w.span,
                }
            };
            command::analyse(
                db,
                &mut scratch,
                &CommandText {
                    text: &text,
                    map: &map,
                    dir,
                },
                diags,
            );
        }
    }
    step.packages.extend(scratch.packages);
    step.invocations.extend(scratch.invocations);
    step.notes.extend(scratch.notes);
}

/// A word as the shell would need it written to stay one word.
fn quote(w: &str) -> String {
    if !w.is_empty() && !w.contains(|c: char| c.is_whitespace() || "'\"\\$`;&|<>()*?[]#~{}".contains(c)) {
        return w.to_string();
    }
    if w.starts_with("{{$") && w.ends_with("}}") && !w.contains(char::is_whitespace) {
        // a KFP placeholder alone: the backend substitutes it, keep it readable
        return w.to_string();
    }
    format!("'{}'", w.replace('\'', "'\\''"))
}
