//! The model of the KFP SDK's Python API that the interpreter calls into.
//!
//! It does what the SDK does at import time, without running user code:
//! `@dsl.component` records a component from the function's signature;
//! `@dsl.container_component` calls the function with placeholders and
//! keeps the `ContainerSpec` it returns; `@dsl.pipeline` calls the
//! pipeline function at once (as `GraphComponent.__init__` does) with a
//! channel for each parameter, and every component called meanwhile adds
//! a task to that pipeline, named as `Pipeline.add_task` names it. Groups
//! (`ParallelFor`, `If`/`Elif`/`Else`, `ExitHandler`) are numbered and
//! nested exactly as `tasks_group` does, including the id swap and the
//! hidden `condition-branches` group of `Elif`/`Else`.

use super::ir::Loaded;
use super::model::{self, IoType, ParamType, component_name_of_function, k8s_name};
use super::placeholder::{Branch, Placeholder};
use crate::dag::MAX_DEPENDENCIES;
use crate::diagnostic::thousands;
use crate::python::{Args, Func, Host, Interp, Value};
use crate::source::SourceDb;
use std::ops::Range;
use std::path::PathBuf;
use std::rc::Rc;
use tree_sitter::Node;

pub type It<'t> = Interp<'t, Kfp<'t>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecoKind {
    Component,
    /// `@dsl.notebook_component`: a Python component running a notebook.
    Notebook,
    Container,
    Pipeline,
}

/// A value flowing between tasks (`kfp.dsl.PipelineChannel`).
#[derive(Debug, Clone, PartialEq)]
pub enum Channel {
    /// A parameter of the pipeline function.
    Param(String),
    /// An output of a task.
    Output { task: usize, key: String },
    /// The item of a `ParallelFor`, or a field of it (`item.a`).
    LoopItem { group: usize, field: Option<String> },
    /// `dsl.Collected(...)`: the outputs of a task in a loop, as a list.
    Collected(Box<Channel>),
    /// `dsl.OneOf(...)`: the output of whichever branch ran; the number
    /// of the OneOf in its `condition-branches` group.
    OneOf {
        group: usize,
        index: u32,
        channels: Vec<Channel>,
    },
}

#[derive(Debug, Clone)]
pub enum Obj<'t> {
    /// `@dsl.component(...)` / `@dsl.pipeline(...)` waiting for a function.
    Decorator(DecoKind, Args<'t>, Node<'t>),
    Component(usize),
    Task(usize),
    /// `task.outputs`.
    Outputs(usize),
    Channel(Channel),
    Group(usize),
    /// An artifact input or output of a container component, while its
    /// function runs: `.path`, `.uri`, `.metadata` are placeholders.
    ArtifactPlaceholder {
        name: String,
        output: bool,
    },
    /// `dsl.ContainerSpec(...)`.
    ContainerSpec(Args<'t>),
    /// A comparison of channels (`task.output == "x"`): the channels it reads.
    Condition(Vec<Channel>),
    /// `dsl.ConcatPlaceholder(...)` / `dsl.IfPresentPlaceholder(...)`.
    Placeholder(Placeholder),
    /// `NamedTuple("Outputs", [...])`: the field names and annotation nodes.
    NamedTuple(Vec<(String, Node<'t>)>),
    /// A function under a decorator of a library kfr does not model.
    Foreign {
        decorator: Node<'t>,
        func: Rc<Func<'t>>,
    },
}

/// An input or output of a component, as read from its signature.
impl Obj<'_> {
    /// The text a placeholder object stands for in a container's command.
    pub fn command_line(&self) -> Option<String> {
        match self {
            Obj::ArtifactPlaceholder { name, output } => {
                let io = if *output { "outputs" } else { "inputs" };
                Some(format!("{{{{$.{io}.artifacts['{name}']}}}}"))
            }
            Obj::Placeholder(p) => Some(p.to_command_line()),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct IoDef<'t> {
    pub name: String,
    pub ty: IoType,
    pub default: Option<Value<'t>>,
    pub optional: bool,
    /// `InputPath(...)`/`OutputPath(...)` as written.
    pub path_annotation: Option<String>,
    /// The annotation (or the parameter when there is none).
    pub node: Node<'t>,
}

#[derive(Debug, Clone)]
pub enum ComponentSource<'t> {
    /// `@dsl.component` on a function (`@dsl.notebook_component` when
    /// `notebook`).
    Python {
        func: Rc<Func<'t>>,
        kwargs: Args<'t>,
        deco: Node<'t>,
        notebook: bool,
    },
    /// `@dsl.container_component`: the `ContainerSpec` its function returned.
    Container { spec: Option<Args<'t>> },
    /// Loaded from YAML (`load_component_from_file`/`_text`).
    Yaml(Box<model::Component>),
    /// `dsl.importer`.
    Importer,
    /// A pipeline used as a component: the pipeline's index.
    Graph(usize),
    /// A compiled pipeline loaded from YAML, used as a component.
    LoadedPipeline,
    /// A component the SDK's extensions define (`kubernetes.CreatePVC`):
    /// its image.
    Builtin(&'static str),
}

#[derive(Debug, Clone)]
pub struct ComponentDef<'t> {
    /// The sanitised component name (what task names derive from).
    pub name: String,
    pub source: ComponentSource<'t>,
    pub inputs: Vec<IoDef<'t>>,
    pub outputs: Vec<IoDef<'t>>,
    /// The definition, or the call that made it.
    pub node: Node<'t>,
    /// The SDK refused it (an error was reported): calls make no task.
    pub broken: bool,
}

#[derive(Debug, Clone)]
pub struct RetryDef<'t> {
    pub count: Option<u32>,
    pub backoff_duration: Option<String>,
    pub backoff_factor: Option<f64>,
    pub backoff_max_duration: Option<String>,
    pub node: Node<'t>,
}

#[derive(Debug, Clone)]
pub struct TaskDef<'t> {
    pub name: String,
    pub component: usize,
    /// The group the task was created in; None: the pipeline's root.
    pub group: Option<usize>,
    pub args: Vec<(String, Value<'t>, Option<Node<'t>>)>,
    /// `.after()` targets: tasks or groups, with where.
    pub after: Vec<(AfterTarget, Node<'t>)>,
    pub retry: Option<RetryDef<'t>>,
    pub caching: Option<(bool, Node<'t>)>,
    pub display_name: Option<String>,
    pub settings: Vec<(String, String)>,
    /// Channels given to `set_cpu_limit` and friends: inputs of the task
    /// that the compiler does not wait for.
    pub resource_channels: Vec<Channel>,
    /// Channels given to `kfp.kubernetes` helpers (`mount_pvc(task,
    /// pvc_name=...)`): the task waits for them, and a group it is in
    /// takes them as inputs.
    pub platform_channels: Vec<(Channel, Node<'t>)>,
    pub exit_task: bool,
    /// The component call.
    pub node: Node<'t>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterTarget {
    Task(usize),
    Group(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupType {
    Loop,
    /// `dsl.If` / `dsl.Condition`.
    If,
    Elif,
    Else,
    Branches,
    ExitHandler,
}

impl GroupType {
    /// The `dsl` class of the group, as the SDK's messages name it.
    pub fn class_name(self) -> &'static str {
        match self {
            GroupType::Loop => "ParallelFor",
            GroupType::If => "If",
            GroupType::Elif => "Elif",
            GroupType::Else => "Else",
            GroupType::Branches => "ConditionBranches",
            GroupType::ExitHandler => "ExitHandler",
        }
    }
}

#[derive(Debug, Clone)]
pub struct GroupDef<'t> {
    pub pipeline: usize,
    pub ty: GroupType,
    /// `for-loop-2`, `condition-3`...; set when the group is entered.
    pub name: String,
    /// `name=`: the display name.
    pub display: Option<String>,
    pub parent: Option<usize>,
    /// Child groups, in the order they were entered.
    pub groups: Vec<usize>,
    /// The channels the conditions read (own and, for Elif/Else, the
    /// negated conditions before them).
    pub conditions: Vec<Channel>,
    /// A loop over a channel: the channel.
    pub items: Option<Channel>,
    pub exit_task: Option<usize>,
    pub node: Node<'t>,
    pub entered: bool,
    /// `dsl.OneOf`s made of this group's branches so far.
    pub oneofs: u32,
}

#[derive(Debug, Clone)]
pub struct PipelineDef<'t> {
    pub name: String,
    /// Where the name is given: the `name=` argument or the function name.
    pub name_node: Node<'t>,
    pub deco: Node<'t>,
    pub func: Rc<Func<'t>>,
    pub description: Option<String>,
    pub display_name: Option<String>,
    pub tasks: Vec<usize>,
    pub groups: Vec<usize>,
    /// Top-level groups, in the order entered.
    pub root_groups: Vec<usize>,
    pub params: Vec<IoDef<'t>>,
    group_id: u32,
    stack: Vec<usize>,
    /// The SDK refuses to build it; the error is reported.
    pub failed: bool,
    /// `pipeline_config=` sets a workspace.
    pub workspace: bool,
    /// Task names given so far, and where the `-N` search resumes per name.
    task_names: std::collections::HashSet<String>,
    next_suffix: std::collections::HashMap<String, usize>,
    /// Importers that download into the workspace (`download_to_workspace=True`).
    pub workspace_importers: Vec<Node<'t>>,
}

/// An error the SDK raises, with related locations.
#[derive(Debug, Clone)]
pub struct SdkError {
    pub at: Range<usize>,
    pub message: String,
    pub related: Vec<(Range<usize>, String)>,
    pub help: Option<String>,
}

pub struct Kfp<'t> {
    pub objs: Vec<Obj<'t>>,
    /// `.after()` targets recorded so far, of every task (at most
    /// [`MAX_DEPENDENCIES`]); past it, further ones are not read.
    afters: usize,
    pub components: Vec<ComponentDef<'t>>,
    pub pipelines: Vec<PipelineDef<'t>>,
    pub tasks: Vec<TaskDef<'t>>,
    pub groups: Vec<GroupDef<'t>>,
    /// The pipeline whose function is running (the SDK's default pipeline).
    current: Option<usize>,
    /// What makes the SDK refuse the file or a pipeline.
    pub errors: Vec<SdkError>,
    /// What kfr could not read statically, with where and what to do.
    pub problems: Vec<(Range<usize>, String, Option<String>)>,
    /// Channels shown in f-strings, so strings that hold them are traced back.
    shown: Vec<Channel>,
    pub db: &'t SourceDb,
    /// The directory relative component paths are resolved against.
    pub dir: PathBuf,
    /// The files (ranges of the program text) that import `from __future__
    /// import annotations`, with where they do, and whether that was
    /// reported.
    pub future_annotations: Vec<(Range<usize>, Range<usize>, bool)>,
}

impl<'t> Kfp<'t> {
    pub fn new(db: &'t SourceDb, dir: PathBuf) -> Self {
        Kfp {
            objs: Vec::new(),
            afters: 0,
            components: Vec::new(),
            pipelines: Vec::new(),
            tasks: Vec::new(),
            groups: Vec::new(),
            current: None,
            errors: Vec::new(),
            problems: Vec::new(),
            shown: Vec::new(),
            db,
            dir,
            future_annotations: Vec::new(),
        }
    }

    fn obj(&mut self, o: Obj<'t>) -> Value<'t> {
        self.objs.push(o);
        Value::Obj((self.objs.len() - 1) as u32)
    }

    pub fn get(&self, id: u32) -> Option<&Obj<'t>> {
        self.objs.get(id as usize)
    }

    pub fn error(&mut self, node: Node<'t>, message: impl Into<String>) -> &mut SdkError {
        // a failing call inside a pipeline fails that pipeline
        if let Some(p) = self.current {
            self.pipelines[p].failed = true;
        }
        self.errors.push(SdkError {
            at: node.byte_range(),
            message: message.into(),
            related: Vec::new(),
            help: None,
        });
        self.errors.last_mut().unwrap()
    }

    fn problem(&mut self, node: Node<'t>, message: impl Into<String>) {
        if self.problems.len() < 100 {
            self.problems.push((node.byte_range(), message.into(), None));
        }
    }

    fn problem_with_help(&mut self, node: Node<'t>, message: impl Into<String>, help: impl Into<String>) {
        if self.problems.len() < 100 {
            self.problems
                .push((node.byte_range(), message.into(), Some(help.into())));
        }
    }

    /// A channel a value stands for: a channel object, or a task with one
    /// output (passed where its output is meant).
    pub fn channel_of(&self, v: &Value<'t>) -> Option<Channel> {
        match v {
            Value::Obj(id) => match self.get(*id)? {
                Obj::Channel(c) => Some(c.clone()),
                _ => None,
            },
            _ => None,
        }
    }

    /// Every channel a value holds: itself, the items of lists and dicts,
    /// and channels shown inside strings (`f"{task.output}/x"`).
    pub fn channels_in(&self, v: &Value<'t>, out: &mut Vec<Channel>, depth: usize) {
        if depth > 8 {
            return;
        }
        match v {
            Value::Obj(id) => match self.get(*id) {
                Some(Obj::Channel(c)) => out.push(c.clone()),
                Some(Obj::Condition(cs)) => out.extend(cs.iter().cloned()),
                _ => {}
            },
            Value::List(_) | Value::Tuple(_) => {
                for i in v.items().unwrap_or_default() {
                    self.channels_in(&i, out, depth + 1);
                }
            }
            Value::Dict(d) => {
                for (k, i) in d.borrow().items.iter() {
                    self.channels_in(k, out, depth + 1);
                    self.channels_in(i, out, depth + 1);
                }
            }
            Value::Str(s) => {
                let mut rest = s.text.as_str();
                while let Some(i) = rest.find("{{channel:kfr=") {
                    let after = &rest[i + "{{channel:kfr=".len()..];
                    let n: String = after.chars().take_while(|c| c.is_ascii_digit()).collect();
                    if let Ok(n) = n.parse::<usize>()
                        && let Some(c) = self.shown.get(n)
                    {
                        out.push(c.clone());
                    }
                    rest = after;
                }
            }
            _ => {}
        }
    }

    fn next_group_id(&mut self, p: usize) -> u32 {
        self.pipelines[p].group_id += 1;
        self.pipelines[p].group_id
    }

    /// The group tasks and groups are added to now.
    fn top(&self, p: usize) -> Option<usize> {
        self.pipelines[p].stack.last().copied()
    }

    /// `Pipeline.get_last_tasks_group`: the last group entered at the
    /// current level.
    fn last_group(&self, p: usize) -> Option<usize> {
        match self.top(p) {
            Some(g) => self.groups[g].groups.last().copied(),
            None => self.pipelines[p].root_groups.last().copied(),
        }
    }

    fn push_group(&mut self, p: usize, g: usize) {
        let parent = self.top(p);
        self.groups[g].parent = parent;
        match parent {
            Some(pg) => self.groups[pg].groups.push(g),
            None => self.pipelines[p].root_groups.push(g),
        }
        self.pipelines[p].stack.push(g);
    }

    /// `make_name_unique_by_adding_index` over the pipeline's task names:
    /// `name`, else `name-2`, `name-3`... Names are only ever added, so the
    /// search for a name resumes after the suffix it found last time.
    fn unique_task_name(&mut self, p: usize, name: &str) -> String {
        let pipeline = &mut self.pipelines[p];
        if pipeline.task_names.insert(name.to_string()) {
            return name.to_string();
        }
        let next = pipeline.next_suffix.entry(name.to_string()).or_insert(2);
        loop {
            let candidate = format!("{name}-{next}");
            *next += 1;
            if pipeline.task_names.insert(candidate.clone()) {
                return candidate;
            }
        }
    }

    /// The type of the value a channel carries, when kfr knows it.
    pub fn channel_type(&self, c: &Channel) -> Option<IoType> {
        match c {
            Channel::Param(name) => self
                .current
                .and_then(|p| self.pipelines[p].params.iter().find(|i| &i.name == name))
                .map(|i| i.ty.clone()),
            Channel::Output { task, key } => self.components[self.tasks[*task].component]
                .outputs
                .iter()
                .find(|o| &o.name == key)
                .map(|o| o.ty.clone()),
            Channel::Collected(inner) => match self.channel_type(inner)? {
                IoType::Parameter(_) => Some(IoType::Parameter(ParamType::List)),
                IoType::Artifact { schema, .. } => Some(IoType::Artifact { schema, list: true }),
            },
            Channel::OneOf { channels, .. } => channels.first().and_then(|c| self.channel_type(c)),
            Channel::LoopItem { .. } => None,
        }
    }

    /// The outputs of a component by key, for `.outputs[...]`.
    pub fn output_keys(&self, c: usize) -> Vec<String> {
        self.components[c].outputs.iter().map(|o| o.name.clone()).collect()
    }
}

/// The last segment of a qualified name.
fn last(q: &str) -> &str {
    q.rsplit('.').next().unwrap_or(q)
}

/// A name the SDK exports (`kfp.dsl.component`, `kfp.components.x`).
fn is_kfp(q: &str) -> bool {
    q == "kfp" || q.starts_with("kfp.")
}

/// The text of a known string value.
fn text<'a>(v: &'a Value) -> Option<&'a str> {
    v.as_str()
}

/// A single function argument (a decorator applied to it).
fn single_func<'t>(args: &Args<'t>) -> Option<Rc<Func<'t>>> {
    match (args.pos.as_slice(), args.kw.is_empty()) {
        ([(Value::Func(f), _)], true) => Some(f.clone()),
        _ => None,
    }
}

/// The span of `x.method(...)` from the method name to the end.
pub fn method_range(node: Node) -> Range<usize> {
    let start = node
        .child_by_field_name("function")
        .and_then(|f| f.child_by_field_name("attribute"))
        .map_or(node.start_byte(), |a| a.start_byte());
    start..node.end_byte()
}

impl<'t> Host<'t> for Kfp<'t> {
    fn call_extern(it: &mut It<'t>, qname: &str, args: Args<'t>, node: Node<'t>) -> Option<Value<'t>> {
        if qname.starts_with("google_cloud_pipeline_components.") && it.host.current.is_some() {
            it.host.problem_with_help(
                node,
                format!(
                    "`{}` is a Google Cloud Pipeline Components op: kfr does not read GCPC's components, so the task it creates is missing from the graph",
                    last(qname)
                ),
                "lint the compiled pipeline YAML as well: kfr reads GCPC tasks there",
            );
            return None;
        }
        if !is_kfp(qname) && !matches!(qname, "typing.NamedTuple" | "typing_extensions.NamedTuple") {
            return None;
        }
        let name = last(qname);
        if let Some(v2) = removed_in_v2(qname) {
            let module = qname.rsplit_once('.').map_or("kfp", |(m, _)| m);
            it.host.error(
                node,
                format!("module '{module}' has no attribute '{name}' (AttributeError): `{name}` is the KFP v1 API, which kfp 2.0 removed"),
            ).help = Some(v2.to_string());
            return Some(Value::Unknown);
        }
        Some(match name {
            "component" | "notebook_component" | "container_component" | "pipeline" => {
                let kind = match name {
                    "container_component" => DecoKind::Container,
                    "pipeline" => DecoKind::Pipeline,
                    "notebook_component" => DecoKind::Notebook,
                    _ => DecoKind::Component,
                };
                match single_func(&args) {
                    Some(f) => apply_decorator(it, kind, &Args::default(), f, node),
                    None => it.host.obj(Obj::Decorator(kind, args, node)),
                }
            }
            "ContainerSpec" => it.host.obj(Obj::ContainerSpec(args)),
            "ConcatPlaceholder" => {
                let items = args.get("items", 0).and_then(Value::items).unwrap_or_default();
                let items = items.iter().map(|i| to_placeholder(it, i)).collect();
                it.host.obj(Obj::Placeholder(Placeholder::Concat(items)))
            }
            "IfPresentPlaceholder" => {
                let input = args.get("input_name", 0).and_then(text).unwrap_or("").to_string();
                let then = branch(it, args.get("then", 1)).unwrap_or(Branch::List(Vec::new()));
                let otherwise = branch(it, args.get("else_", 2));
                it.host
                    .obj(Obj::Placeholder(Placeholder::IfPresent { input, then, otherwise }))
            }
            "ParallelFor" => new_loop(it, &args, node),
            "If" | "Condition" | "Elif" | "Else" => new_condition(it, name, &args, node),
            "ExitHandler" => new_exit_handler(it, &args, node),
            "Collected" => match args.get("output", 0).and_then(|v| it.host.channel_of(v)) {
                Some(c) => it.host.obj(Obj::Channel(Channel::Collected(Box::new(c)))),
                None => Value::Unknown,
            },
            "OneOf" => {
                let channels: Vec<Channel> = args.pos.iter().filter_map(|(v, _)| it.host.channel_of(v)).collect();
                let group = channels.iter().find_map(|c| match c {
                    Channel::Output { task, .. } => it.host.tasks[*task].group,
                    _ => None,
                });
                match group.and_then(|g| it.host.groups[g].parent) {
                    Some(b) => {
                        it.host.groups[b].oneofs += 1;
                        let index = it.host.groups[b].oneofs;
                        it.host.obj(Obj::Channel(Channel::OneOf {
                            group: b,
                            index,
                            channels,
                        }))
                    }
                    None => Value::Unknown,
                }
            }
            "importer" => new_importer(it, &args, node),
            "load_component_from_file" | "load_component_from_text" | "load_component_from_url" => {
                load_component(it, name, &args, node)
            }
            "NamedTuple" => named_tuple(it, &args),
            "CreatePVC" | "DeletePVC" if qname.starts_with("kfp.kubernetes") => {
                let c = builtin_component(it, name, node);
                call_component(it, c, args, node)
            }
            _ => {
                // kfp.kubernetes.mount_pvc(task, pvc_name=create.outputs["name"], ...)
                // and friends configure the task and return it; a channel
                // they are given makes the task wait for its producer
                if qname.starts_with("kfp.kubernetes.")
                    && let Some(v @ Value::Obj(id)) = args.get("task", 0)
                    && let Some(Obj::Task(t)) = it.host.get(*id).cloned()
                {
                    let mut channels = Vec::new();
                    for x in args.values() {
                        if !std::ptr::eq(x, v) {
                            it.host.channels_in(x, &mut channels, 0);
                        }
                    }
                    for c in channels {
                        it.host.tasks[t].platform_channels.push((c, node));
                    }
                    return Some(v.clone());
                }
                match placeholder_constant(name) {
                    Some(p) => Value::str(p),
                    None => return None,
                }
            }
        })
    }

    fn call_obj(it: &mut It<'t>, id: u32, args: Args<'t>, node: Node<'t>) -> Value<'t> {
        let Some(o) = it.host.get(id).cloned() else {
            return Value::Unknown;
        };
        match o {
            Obj::Decorator(kind, kwargs, deco) => match single_func(&args) {
                Some(f) => apply_decorator(it, kind, &kwargs, f, deco),
                None => Value::Unknown,
            },
            Obj::Component(c) => call_component(it, c, args, node),
            Obj::Foreign { decorator, func } => {
                let before = it.host.tasks.len();
                let v = it.call_func(&func, args);
                if it.host.current.is_some() && it.host.tasks.len() == before {
                    let deco = it.text(decorator).to_string();
                    it.host.problem_with_help(
                        node,
                        format!(
                            "`{}` is decorated with `@{deco}`, which kfr does not know: if it makes a KFP component, the task this call creates is missing from the graph",
                            func.name
                        ),
                        "decorate it with `@dsl.component` or `@dsl.container_component`, or with a wrapper defined in this repository (kfr reads those)",
                    );
                }
                v
            }
            _ => Value::Unknown,
        }
    }

    fn foreign_decorator(it: &mut It<'t>, decorator: Node<'t>, func: &Value<'t>) -> Option<Value<'t>> {
        let Value::Func(f) = func else { return None };
        let text = it.text(decorator);
        // decorators that do not make components
        const PLAIN: &[&str] = &[
            "functools.",
            "lru_cache",
            "cache",
            "wraps",
            "staticmethod",
            "classmethod",
            "property",
            "typing.",
            "overload",
            "contextlib.",
            "contextmanager",
            "dataclass",
            "abc.",
            "abstractmethod",
            "pytest.",
        ];
        if PLAIN
            .iter()
            .any(|p| text.starts_with(p) || text.contains(&format!(".{p}")))
        {
            return None;
        }
        Some(it.host.obj(Obj::Foreign {
            decorator: crate::python::first_expr(decorator).unwrap_or(decorator),
            func: f.clone(),
        }))
    }

    fn method(it: &mut It<'t>, id: u32, name: &str, args: Args<'t>, node: Node<'t>) -> Value<'t> {
        let Some(o) = it.host.get(id).cloned() else {
            return Value::Unknown;
        };
        match o {
            Obj::Task(t) => task_method(it, t, name, &args, node, Value::Obj(id)),
            Obj::Outputs(t) if name == "__getitem__" => {
                let key = args.get("key", 0).and_then(text).map(str::to_string);
                let c = it.host.tasks[t].component;
                match key {
                    Some(k) if it.host.output_keys(c).contains(&k) => {
                        it.host.obj(Obj::Channel(Channel::Output { task: t, key: k }))
                    }
                    Some(k) => {
                        let keys = it.host.output_keys(c).join("`, `");
                        let task = it.host.tasks[t].name.clone();
                        it.host
                            .error(node, format!("task `{task}` has no output `{k}` (KeyError)"))
                            .help = Some(format!("its outputs are `{keys}`"));
                        Value::Unknown
                    }
                    None => Value::Unknown,
                }
            }
            Obj::Outputs(t) if matches!(name, "keys" | "values" | "items" | "get") => {
                let c = it.host.tasks[t].component;
                let keys = it.host.output_keys(c);
                match name {
                    "keys" => Value::list(keys.into_iter().map(Value::str).collect()),
                    "get" => match args.get("key", 0).and_then(text) {
                        Some(k) if keys.iter().any(|x| x == k) => it.host.obj(Obj::Channel(Channel::Output {
                            task: t,
                            key: k.to_string(),
                        })),
                        _ => Value::None,
                    },
                    _ => Value::Unknown,
                }
            }
            Obj::Group(g) => {
                let ty = it.host.groups[g].ty;
                let class = ty.class_name();
                it.host.error(
                    node,
                    format!("'{class}' object has no attribute '{name}' (AttributeError): a group is not a task"),
                ).help = Some(match (ty, name) {
                    (_, "after") => "call `.after()` on the tasks instead; only a `dsl.ExitHandler` group can be waited for, with `task.after(exit_handler)`".to_string(),
                    _ => "set task options on the tasks inside the group".to_string(),
                });
                Value::Unknown
            }
            _ => Value::Unknown,
        }
    }

    fn attr(it: &mut It<'t>, id: u32, name: &str, node: Node<'t>) -> Value<'t> {
        let Some(o) = it.host.get(id).cloned() else {
            return Value::Unknown;
        };
        match (o, name) {
            (Obj::Task(t), "output") => {
                let c = it.host.tasks[t].component;
                let keys = it.host.output_keys(c);
                if keys.len() == 1 {
                    it.host.obj(Obj::Channel(Channel::Output {
                        task: t,
                        key: keys[0].clone(),
                    }))
                } else {
                    let task = it.host.tasks[t].name.clone();
                    let msg = if keys.is_empty() {
                        format!(
                            "task `{task}` has no output, so `.output` raises an AttributeError: KFP cannot compile this pipeline"
                        )
                    } else {
                        format!(
                            "task `{task}` has {} outputs, so `.output` raises an AttributeError (\"The task has multiple outputs\"): KFP cannot compile this pipeline",
                            keys.len()
                        )
                    };
                    let help = if keys.is_empty() {
                        "give the component a return annotation or an `Output[...]` parameter".to_string()
                    } else {
                        format!("name the output: `.outputs[\"{}\"]`", keys[0])
                    };
                    it.host.error(node, msg).help = Some(help);
                    Value::Unknown
                }
            }
            (Obj::Task(t), "outputs") => it.host.obj(Obj::Outputs(t)),
            (Obj::Task(t), "name") => Value::str(it.host.tasks[t].name.clone()),
            (Obj::Channel(Channel::LoopItem { group, field: None }), f) => {
                if RESERVED_CHANNEL_ATTRS.contains(&f) {
                    return Value::Unknown;
                }
                it.host.obj(Obj::Channel(Channel::LoopItem {
                    group,
                    field: Some(f.to_string()),
                }))
            }
            (Obj::ArtifactPlaceholder { name: n, output }, "path" | "uri" | "metadata") => {
                let io = if output { "outputs" } else { "inputs" };
                Value::str(format!("{{{{$.{io}.artifacts['{n}'].{name}}}}}"))
            }
            (Obj::Component(c), "name") => Value::str(it.host.components[c].name.clone()),
            _ => Value::Unknown,
        }
    }

    fn compare(it: &mut It<'t>, op: &str, l: &Value<'t>, r: &Value<'t>, _node: Node<'t>) -> Option<Value<'t>> {
        if !matches!(op, "==" | "!=" | "<" | ">" | "<=" | ">=") {
            return None;
        }
        let mut channels = Vec::new();
        it.host.channels_in(l, &mut channels, 0);
        it.host.channels_in(r, &mut channels, 0);
        if channels.is_empty() {
            return None;
        }
        Some(it.host.obj(Obj::Condition(channels)))
    }

    fn format(it: &mut It<'t>, id: u32) -> Option<String> {
        match it.host.get(id)? {
            Obj::Channel(c) => {
                let c = c.clone();
                let n = it.host.shown.len();
                it.host.shown.push(c);
                Some(format!("{{{{channel:kfr={n};}}}}"))
            }
            o => o.command_line(),
        }
    }

    fn enter(it: &mut It<'t>, v: &Value<'t>, _node: Node<'t>) -> Value<'t> {
        let Value::Obj(id) = v else { return v.clone() };
        let Some(Obj::Group(g)) = it.host.get(*id).cloned() else {
            return v.clone();
        };
        enter_group(it, g);
        match it.host.groups[g].ty {
            GroupType::Loop => it.host.obj(Obj::Channel(Channel::LoopItem { group: g, field: None })),
            _ => v.clone(),
        }
    }

    fn exit(it: &mut It<'t>, v: &Value<'t>) {
        let Value::Obj(id) = v else { return };
        let Some(Obj::Group(g)) = it.host.get(*id).cloned() else {
            return;
        };
        if !it.host.groups[g].entered {
            return;
        }
        let p = it.host.groups[g].pipeline;
        // TasksGroup.__exit__ pops whatever is on top: an Elif leaves its
        // condition-branches group open, an Else closes both
        it.host.pipelines[p].stack.pop();
        if it.host.groups[g].ty == GroupType::Else {
            it.host.pipelines[p].stack.pop();
        }
    }
}

/// A KFP v1 name that kfp 2 no longer has, with what to write instead.
fn removed_in_v2(qname: &str) -> Option<&'static str> {
    Some(match qname {
        "kfp.dsl.ContainerOp" | "kfp.dsl.ResourceOp" | "kfp.dsl.Sidecar" => {
            "write a `@dsl.container_component` that returns `dsl.ContainerSpec(image=..., command=[...], args=[...])`, or a `@dsl.component`"
        }
        "kfp.dsl.VolumeOp" | "kfp.dsl.VolumeSnapshotOp" | "kfp.dsl.PipelineVolume" => {
            "use `kfp.kubernetes.CreatePVC` and `kfp.kubernetes.mount_pvc` (the kfp-kubernetes package)"
        }
        "kfp.components.func_to_container_op" | "kfp.components.create_component_from_func" => {
            "decorate the function with `@dsl.component(base_image=..., packages_to_install=[...])`"
        }
        "kfp.dsl.get_pipeline_conf" | "kfp.dsl.PipelineConf" => {
            "set task options on the tasks, and `pipeline_config=` on `@dsl.pipeline`"
        }
        _ => return None,
    })
}

/// Attributes of KFP's loop argument itself, not fields of an item.
const RESERVED_CHANNEL_ATTRS: &[&str] = &[
    "name",
    "channel_type",
    "task_name",
    "task",
    "pattern",
    "full_name",
    "items_or_pipeline_channel",
    "is_with_items_loop_argument",
    "loop_argument",
    "subvar_name",
    "pipeline",
];

/// The SDK's pipeline and task placeholders (`dsl.PIPELINE_JOB_NAME_PLACEHOLDER`).
fn placeholder_constant(name: &str) -> Option<String> {
    let p = match name {
        "PIPELINE_JOB_NAME_PLACEHOLDER" => "pipeline_job_name",
        "PIPELINE_JOB_RESOURCE_NAME_PLACEHOLDER" => "pipeline_job_resource_name",
        "PIPELINE_JOB_ID_PLACEHOLDER" => "pipeline_job_uuid",
        "PIPELINE_TASK_NAME_PLACEHOLDER" => "pipeline_task_name",
        "PIPELINE_TASK_ID_PLACEHOLDER" => "pipeline_task_uuid",
        "PIPELINE_ROOT_PLACEHOLDER" => "pipeline_root",
        "PIPELINE_JOB_CREATE_TIME_UTC_PLACEHOLDER" => "pipeline_job_create_time_utc",
        "PIPELINE_JOB_SCHEDULE_TIME_UTC_PLACEHOLDER" => "pipeline_job_schedule_time_utc",
        "WORKSPACE_PATH_PLACEHOLDER" => "workspace_path",
        "PIPELINE_TASK_EXECUTOR_OUTPUT_PATH_PLACEHOLDER" => "outputs.output_file",
        "PIPELINE_TASK_EXECUTOR_INPUT_PLACEHOLDER" => return Some("{{$}}".into()),
        _ => return None,
    };
    Some(format!("{{{{$.{p}}}}}"))
}

/// A command element inside a placeholder: a nested `ConcatPlaceholder`
/// or `IfPresentPlaceholder` as it is, anything else as its text.
fn to_placeholder<'t>(it: &mut It<'t>, v: &Value<'t>) -> Placeholder {
    match v {
        Value::Obj(id) => match it.host.get(*id) {
            Some(Obj::Placeholder(p)) => p.clone(),
            _ => Placeholder::Text(<Kfp<'t> as Host<'t>>::format(it, *id).unwrap_or_default()),
        },
        v => Placeholder::Text(v.to_text().unwrap_or_else(|| v.display())),
    }
}

/// `then=` / `else_=` of an `IfPresentPlaceholder`: a list or one element;
/// None when not given.
fn branch<'t>(it: &mut It<'t>, v: Option<&Value<'t>>) -> Option<Branch> {
    match v? {
        Value::None => None,
        v @ (Value::List(_) | Value::Tuple(_)) => {
            let items = v.items().unwrap_or_default();
            Some(Branch::List(items.iter().map(|i| to_placeholder(it, i)).collect()))
        }
        v => Some(Branch::One(Box::new(to_placeholder(it, v)))),
    }
}

// ---------------------------------------------------------------------
// Decorators: components and pipelines
// ---------------------------------------------------------------------

fn apply_decorator<'t>(
    it: &mut It<'t>,
    kind: DecoKind,
    kwargs: &Args<'t>,
    f: Rc<Func<'t>>,
    deco: Node<'t>,
) -> Value<'t> {
    match kind {
        DecoKind::Component => new_python_component(it, kwargs, f, deco, false),
        DecoKind::Notebook => new_python_component(it, kwargs, f, deco, true),
        DecoKind::Container => new_container_component(it, f, deco),
        DecoKind::Pipeline => new_pipeline(it, kwargs, f, deco),
    }
}

/// A function's interface; what the SDK refuses is an error (the
/// decorator raises it).
fn interface<'t>(
    it: &mut It<'t>,
    f: &Func<'t>,
    containerized: bool,
    deco: Node<'t>,
) -> (Vec<IoDef<'t>>, Vec<IoDef<'t>>, bool) {
    // under `from __future__ import annotations` every annotation is a
    // string, and the SDK reads no string as a type
    let at = f.node.start_byte();
    let annotated = f.node.child_by_field_name("return_type").is_some()
        || f.params.is_some_and(|p| {
            let mut c = p.walk();
            p.named_children(&mut c)
                .any(|x| matches!(x.kind(), "typed_parameter" | "typed_default_parameter"))
        });
    if annotated
        && let Some(i) = it
            .host
            .future_annotations
            .iter()
            .position(|(file, _, _)| file.contains(&at))
    {
        let (_, import, reported) = it.host.future_annotations[i].clone();
        if !reported {
            it.host.future_annotations[i].2 = true;
            let e = it.host.error(
                deco,
                "with `from __future__ import annotations`, every annotation is a string, and KFP reads none as a type: the SDK raises a TypeError (\"Artifacts must have both a schema_title and a schema_version, separated by `@`. Got: str\")",
            );
            e.related
                .push((import, "this import turns the annotations into strings".into()));
            e.help = Some("remove `from __future__ import annotations` from this file (keep it out of files that define components and pipelines)".into());
        }
        return (Vec::new(), Vec::new(), true);
    }
    match super::signature::read(it, f, containerized) {
        Ok((i, o)) => (i, o, false),
        Err((node, message, help)) => {
            let e = it.host.error(node, message);
            e.help = help;
            e.related.push((
                deco.byte_range(),
                "the SDK raises when this decorator reads the function".into(),
            ));
            (Vec::new(), Vec::new(), true)
        }
    }
}

fn add_component<'t>(it: &mut It<'t>, c: ComponentDef<'t>) -> Value<'t> {
    it.host.components.push(c);
    let i = it.host.components.len() - 1;
    it.host.obj(Obj::Component(i))
}

fn func_name_node<'t>(f: &Func<'t>) -> Node<'t> {
    f.node.child_by_field_name("name").unwrap_or(f.node)
}

fn new_python_component<'t>(
    it: &mut It<'t>,
    kwargs: &Args<'t>,
    f: Rc<Func<'t>>,
    deco: Node<'t>,
    notebook: bool,
) -> Value<'t> {
    let (inputs, outputs, broken) = interface(it, &f, false, deco);
    let name = k8s_name(&component_name_of_function(&f.name));
    add_component(
        it,
        ComponentDef {
            name,
            source: ComponentSource::Python {
                func: f.clone(),
                kwargs: kwargs.clone(),
                deco,
                notebook,
            },
            inputs,
            outputs,
            node: func_name_node(&f),
            broken,
        },
    )
}

fn new_container_component<'t>(it: &mut It<'t>, f: Rc<Func<'t>>, deco: Node<'t>) -> Value<'t> {
    let (inputs, outputs, broken) = interface(it, &f, true, deco);
    // the SDK calls the function with placeholders and keeps what it returns
    let mut args = Args::default();
    for (io, output) in inputs
        .iter()
        .map(|io| (io, false))
        .chain(outputs.iter().map(|io| (io, true)))
    {
        let v = match &io.ty {
            IoType::Artifact { .. } => it.host.obj(Obj::ArtifactPlaceholder {
                name: io.name.clone(),
                output,
            }),
            IoType::Parameter(_) if output => {
                Value::str(format!("{{{{$.outputs.parameters['{}'].output_file}}}}", io.name))
            }
            IoType::Parameter(_) => Value::str(format!("{{{{$.inputs.parameters['{}']}}}}", io.name)),
        };
        args.kw.push((io.name.clone(), v, None));
    }
    let spec = if broken {
        None
    } else {
        match it.call_func(&f, args) {
            Value::Obj(id) => match it.host.get(id) {
                Some(Obj::ContainerSpec(a)) => Some(a.clone()),
                _ => None,
            },
            _ => None,
        }
    };
    if spec.is_none() && !broken {
        it.host.problem(
            func_name_node(&f),
            format!(
                "the `dsl.ContainerSpec` that `{}` returns is not known statically: its image and command are not checked",
                f.name
            ),
        );
    }
    let name = k8s_name(&component_name_of_function(&f.name));
    add_component(
        it,
        ComponentDef {
            name,
            source: ComponentSource::Container { spec },
            inputs,
            outputs,
            node: func_name_node(&f),
            broken,
        },
    )
}

/// The docstring of a function: its first statement, when a string.
fn docstring<'t>(it: &mut It<'t>, f: &Func<'t>) -> Option<String> {
    let first = crate::python::first_expr(f.body)?;
    if first.kind() != "expression_statement" {
        return None;
    }
    let s = crate::python::first_expr(first)?;
    if s.kind() != "string" {
        return None;
    }
    let v = it.eval(s, &f.closure);
    let text = v.as_str()?;
    // docstring_parser: the short description, then the long one
    let cleaned = crate::python::cleandoc(text);
    let mut paragraphs = Vec::new();
    for line in cleaned.lines() {
        let l = line.trim();
        if ["Args:", "Returns:", "Raises:", "Arguments:", "Yields:"].contains(&l) {
            break;
        }
        paragraphs.push(line.trim_end().to_string());
    }
    // the first line, then the rest without the blank line between
    let joined = paragraphs.join("\n");
    let joined = joined.trim();
    let (short, long) = joined.split_once('\n').unwrap_or((joined, ""));
    let (short, long) = (short.trim(), long.trim());
    match (short.is_empty(), long.is_empty()) {
        (true, _) => None,
        (false, true) => Some(short.to_string()),
        (false, false) => Some(format!("{short}\n{long}")),
    }
}

fn new_pipeline<'t>(it: &mut It<'t>, kwargs: &Args<'t>, f: Rc<Func<'t>>, deco: Node<'t>) -> Value<'t> {
    if let Some(p) = it.host.current {
        let outer = it.host.pipelines[p].name.clone();
        it.host.error(
            deco,
            format!("a `@dsl.pipeline` defined while pipeline `{outer}` is being built: the SDK raises \"Nested pipelines are not allowed\""),
        ).help = Some("define the inner pipeline at module level and call it inside the outer one".into());
        return Value::Unknown;
    }
    let (name, name_node) = match kwargs.kwarg("name") {
        Some(v) => match v.as_str() {
            Some(s) => (s.to_string(), kwargs.kwarg_node("name").unwrap_or(deco)),
            None => {
                it.host.problem(
                    kwargs.kwarg_node("name").unwrap_or(deco),
                    "the pipeline name is not known statically: kfr names it after its function",
                );
                (component_name_of_function(&f.name), func_name_node(&f))
            }
        },
        None => (component_name_of_function(&f.name), func_name_node(&f)),
    };
    let name = k8s_name(&name);
    let description = match kwargs.kwarg("description").and_then(|v| v.as_str()) {
        Some(d) if !d.is_empty() => Some(d.to_string()),
        _ => docstring(it, &f),
    };
    let display_name = kwargs
        .kwarg("display_name")
        .and_then(|v| v.as_str())
        .map(str::to_string);
    let (params, outputs, broken) = interface(it, &f, false, deco);
    let p = it.host.pipelines.len();
    let comp = it.host.components.len();
    it.host.components.push(ComponentDef {
        name: name.clone(),
        source: ComponentSource::Graph(p),
        inputs: params.clone(),
        outputs,
        node: func_name_node(&f),
        broken,
    });
    it.host.pipelines.push(PipelineDef {
        name: name.clone(),
        name_node,
        deco,
        func: f.clone(),
        description,
        display_name,
        tasks: Vec::new(),
        groups: Vec::new(),
        root_groups: Vec::new(),
        params: params.clone(),
        group_id: 0,
        stack: Vec::new(),
        failed: broken,
        workspace: kwargs
            .kwarg_node("pipeline_config")
            .is_some_and(|n| it.text(n).contains("workspace")),
        workspace_importers: Vec::new(),
        task_names: Default::default(),
        next_suffix: Default::default(),
    });
    if !broken {
        // GraphComponent.__init__: run the body with a channel per parameter
        let mut args = Args::default();
        for io in &params {
            let v = it.host.obj(Obj::Channel(Channel::Param(io.name.clone())));
            args.pos.push((v, None));
        }
        let saved = it.host.current.replace(p);
        it.call_func(&f, args);
        it.host.current = saved;
        if it.host.pipelines[p].tasks.is_empty() && !it.host.pipelines[p].failed {
            if has_call(f.body) {
                // its calls are of components kfr could not read
                it.host.problem(
                    name_node,
                    format!(
                        "kfr read no task from pipeline `{name}`: the components it calls are not known statically"
                    ),
                );
            } else {
                it.host.error(
                    deco,
                    format!("pipeline `{name}` has no task: the SDK raises \"Task is missing from pipeline.\""),
                );
            }
            it.host.pipelines[p].failed = true;
        }
        if !it.host.pipelines[p].workspace
            && let Some(&imp) = it.host.pipelines[p].workspace_importers.first()
        {
            let e = it.host.error(
                imp,
                "dsl.importer(download_to_workspace=True) requires PipelineConfig(workspace=...) on the pipeline.",
            );
            e.related.push((
                deco.byte_range(),
                "the compiler raises when it writes this pipeline".into(),
            ));
            e.help = Some(
                "add `pipeline_config=dsl.PipelineConfig(workspace=dsl.WorkspaceConfig(size=\"10Gi\"))` to `@dsl.pipeline`"
                    .into(),
            );
            it.host.pipelines[p].failed = true;
        }
        if !model::valid_pipeline_name(&name) {
            it.host.error(
                name_node,
                format!("`{name}` is not a valid pipeline name: it must match ^[a-z0-9][a-z0-9-]{{0,127}}$ after KFP lowercases it and turns other characters into `-`"),
            );
            it.host.pipelines[p].failed = true;
        }
    }
    it.host.obj(Obj::Component(comp))
}

/// The type of a value given as a task argument, when kfr knows it: a
/// constant's by its Python type, a channel's by what carries it.
fn given_type<'t>(host: &Kfp<'t>, v: &Value<'t>) -> Option<IoType> {
    let p = |t| Some(IoType::Parameter(t));
    match v {
        Value::Str(_) => p(ParamType::String),
        Value::Int(_) => p(ParamType::Integer),
        Value::Float(_) => p(ParamType::Double),
        Value::Bool(_) => p(ParamType::Boolean),
        Value::List(_) => p(ParamType::List),
        Value::Dict(_) => p(ParamType::Struct),
        Value::Obj(_) => host.channel_of(v).and_then(|c| host.channel_type(&c)),
        _ => None,
    }
}

/// `check_parameter_type_compatibility` / `check_artifact_type_compatibility`.
fn compatible(given: &IoType, expected: &IoType) -> bool {
    match (given, expected) {
        (IoType::Parameter(a), IoType::Parameter(b)) => {
            a == b
                || [a, b]
                    .iter()
                    .any(|t| matches!(t, ParamType::Other | ParamType::TaskFinalStatus))
        }
        (IoType::Artifact { schema: a, list: la }, IoType::Artifact { schema: b, list: lb }) => {
            la == lb && (a == "system.Artifact" || b == "system.Artifact" || a == b)
        }
        _ => false,
    }
}

/// A type as the SDK's messages write it.
fn type_text(t: &IoType) -> String {
    match t {
        IoType::Parameter(p) => p.ir().to_string(),
        IoType::Artifact { schema, list: false } => format!("{schema}@0.0.1"),
        IoType::Artifact { schema, list: true } => format!("List[{schema}@0.0.1]"),
    }
}

fn type_help(given: &IoType, expected: &IoType) -> String {
    use ParamType::*;
    match (given, expected) {
        (IoType::Parameter(Integer), IoType::Parameter(Double)) => {
            "KFP does not convert between parameter types: write the number as a float (`1.0`), or annotate the input `int`".into()
        }
        (IoType::Parameter(String), IoType::Parameter(Struct | List)) => {
            "pass a dict or a list, not its JSON text: KFP serialises it itself".into()
        }
        (IoType::Parameter(_), IoType::Artifact { .. }) => {
            "an artifact input takes an artifact: another task's `Output[...]`, or `dsl.importer(artifact_uri=...)` for a file that already exists".into()
        }
        (IoType::Artifact { .. }, IoType::Parameter(_)) => {
            "a parameter input takes a value: pass it a parameter output, or declare the input `Input[...]`".into()
        }
        _ => "pass a value of the input's type: KFP checks argument types strictly and converts none".into(),
    }
}

/// Whether a function body calls anything (outside nested definitions).
fn has_call(body: Node) -> bool {
    let mut stack = vec![body];
    while let Some(n) = stack.pop() {
        match n.kind() {
            "call" => return true,
            "function_definition" | "class_definition" | "lambda" => continue,
            _ => {
                let mut c = n.walk();
                stack.extend(n.named_children(&mut c));
            }
        }
    }
    false
}

// ---------------------------------------------------------------------
// Tasks
// ---------------------------------------------------------------------

/// An error at a keyword argument of a component call (`arg` is its value
/// node), with the call as a related location when it starts on another
/// line.
fn argument_error<'t, 'a>(
    it: &'a mut It<'t>,
    arg: Option<Node<'t>>,
    call: Node<'t>,
    message: impl Into<String>,
) -> &'a mut SdkError {
    let at = arg.and_then(|n| n.parent()).unwrap_or(call);
    let e = it.host.error(at, message);
    if at.start_position().row != call.start_position().row {
        e.related.push((call.byte_range(), "the call the SDK raises in".into()));
    }
    e
}

fn call_component<'t>(it: &mut It<'t>, c: usize, args: Args<'t>, node: Node<'t>) -> Value<'t> {
    let comp_name = it.host.components[c].name.clone();
    let Some(p) = it.host.current else {
        it.host.problem(
            node,
            format!(
                "`{comp_name}` is called outside a pipeline: the SDK would run it locally (kfr reads no task from it)"
            ),
        );
        return Value::Unknown;
    };
    if it.host.components[c].broken {
        return Value::Unknown;
    }
    if !args.pos.is_empty() {
        let n = args.pos.len();
        let at = args.pos[0].1.unwrap_or(node);
        // the inputs the positions would fill, in signature order
        let named: Vec<String> = args
            .pos
            .iter()
            .zip(it.host.components[c].inputs.iter())
            .map(|((_, n), i)| format!("{}={}", i.name, n.map_or("…", |n| it.text(n))))
            .collect();
        let help = if named.is_empty() {
            "pass every input by name: `component(name=value)`".to_string()
        } else {
            format!("pass every input by name: `{}`", named.join(", "))
        };
        it.host.error(
            at,
            format!("Components must be instantiated using keyword arguments. Positional parameters are not allowed (found {n} such parameters for component \"{comp_name}\")."),
        ).help = Some(help);
        return Value::Unknown;
    }
    let comp = &it.host.components[c];
    if !args.unknown_splat {
        for (k, _, n) in &args.kw {
            if k != "**" && !comp.inputs.iter().any(|i| &i.name == k) {
                let known: Vec<String> = comp.inputs.iter().map(|i| format!("`{}`", i.name)).collect();
                let message = format!("{comp_name}() got an unexpected keyword argument \"{k}\".");
                argument_error(it, *n, node, message).help = Some(if known.is_empty() {
                    format!("`{comp_name}` takes no inputs")
                } else {
                    format!("its inputs are {}", known.join(", "))
                });
                return Value::Unknown;
            }
        }
        let comp = &it.host.components[c];
        let missing: Vec<String> = comp
            .inputs
            .iter()
            .filter(|i| !i.optional && !args.kw.iter().any(|(k, _, _)| *k == i.name))
            .map(|i| i.name.clone())
            .collect();
        if !missing.is_empty() {
            let word = if missing.len() == 1 { "argument" } else { "arguments" };
            it.host.error(
                node,
                format!(
                    "{comp_name}() missing {} required {word}: {}.",
                    missing.len(),
                    missing.join(", ")
                ),
            );
            return Value::Unknown;
        }
        // type_utils.verify_type_compatibility: no conversion between types
        for (k, v, n) in &args.kw {
            let comp = &it.host.components[c];
            let Some(expected) = comp.inputs.iter().find(|i| &i.name == k).map(|i| i.ty.clone()) else {
                continue;
            };
            if matches!(v, Value::None) && !matches!(comp.source, ComponentSource::Importer) {
                argument_error(
                    it,
                    *n,
                    node,
                    "Constant argument inputs must be one of type ['String', 'Integer', 'Float', 'Boolean', 'List', 'Dict'] Got: None of type <class 'NoneType'>.",
                )
                .help = Some(format!("leave `{k}` out to use the input's default"));
                return Value::Unknown;
            }
            let Some(given) = given_type(&it.host, v) else { continue };
            if !compatible(&given, &expected) {
                let message = format!(
                    "Incompatible argument passed to the input '{k}' of component '{comp_name}': Argument type '{}' is incompatible with the input type '{}'",
                    type_text(&given),
                    type_text(&expected)
                );
                argument_error(it, *n, node, message).help = Some(type_help(&given, &expected));
                return Value::Unknown;
            }
        }
    }
    let name = it
        .host
        .unique_task_name(p, if comp_name.is_empty() { "task" } else { &comp_name });
    let group = it.host.top(p);
    let t = it.host.tasks.len();
    it.host.tasks.push(TaskDef {
        name,
        component: c,
        group,
        args: args.kw.iter().filter(|(k, _, _)| k != "**").cloned().collect(),
        after: Vec::new(),
        retry: None,
        caching: None,
        display_name: None,
        settings: Vec::new(),
        resource_channels: Vec::new(),
        platform_channels: Vec::new(),
        exit_task: false,
        node,
    });
    it.host.pipelines[p].tasks.push(t);
    it.host.obj(Obj::Task(t))
}

fn task_method<'t>(
    it: &mut It<'t>,
    t: usize,
    name: &str,
    args: &Args<'t>,
    node: Node<'t>,
    this: Value<'t>,
) -> Value<'t> {
    let as_string = |v: Option<&Value<'t>>| -> Option<String> {
        v.map(|v| match v {
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            v => v.display(),
        })
    };
    match name {
        "set_retry" => {
            let count = match args.get("num_retries", 0) {
                Some(Value::Int(i)) => Some((*i).clamp(0, u32::MAX as i64) as u32),
                Some(Value::Bool(b)) => Some(*b as u32),
                _ => None,
            };
            let duration = |v: Option<&Value<'t>>, default: &str| -> Option<String> {
                match v {
                    None | Some(Value::None) => Some(default.to_string()),
                    Some(Value::Str(s)) if !s.partial => Some(s.text.clone()),
                    Some(_) => None,
                }
            };
            it.host.tasks[t].retry = Some(RetryDef {
                count,
                backoff_duration: duration(args.get("backoff_duration", 1), "0s"),
                backoff_factor: match args.get("backoff_factor", 2) {
                    None | Some(Value::None) => Some(2.0),
                    Some(Value::Float(f)) => Some(*f),
                    Some(Value::Int(i)) => Some(*i as f64),
                    Some(_) => None,
                },
                backoff_max_duration: duration(args.get("backoff_max_duration", 3), "3600s"),
                node,
            });
            this
        }
        "set_caching_options" => {
            match args.get("enable_caching", 0).and_then(Value::truthy) {
                Some(b) => it.host.tasks[t].caching = Some((b, node)),
                None => it.host.problem(node, "the caching option is not known statically"),
            }
            this
        }
        "set_display_name" => {
            it.host.tasks[t].display_name = args.get("name", 0).and_then(text).map(str::to_string);
            this
        }
        "after" => {
            for (v, _) in &args.pos {
                let target = match v {
                    Value::Obj(id) => match it.host.get(*id) {
                        Some(Obj::Task(u)) => Some(AfterTarget::Task(*u)),
                        Some(Obj::Group(g)) => Some(AfterTarget::Group(*g)),
                        _ => None,
                    },
                    _ => None,
                };
                if it.host.afters >= MAX_DEPENDENCIES {
                    if it.host.afters == MAX_DEPENDENCIES {
                        it.host.afters += 1;
                        it.host.problem_with_help(
                            node,
                            format!(
                                "more than {} `.after()` dependencies in this file: the ones made here and after are not read",
                                thousands(MAX_DEPENDENCIES)
                            ),
                            "between two large groups of tasks, one task that runs `.after()` the first group, and \
                             that the second runs `.after()`, makes m + n dependencies instead of m × n",
                        );
                    }
                    break;
                }
                match target {
                    Some(tg) => {
                        it.host.afters += 1;
                        it.host.tasks[t].after.push((tg, node));
                    }
                    None => it
                        .host
                        .problem(node, "an `.after()` argument is not a task kfr can read"),
                }
            }
            this
        }
        "set_env_variable" => {
            if let (Some(n), Some(v)) = (args.get("name", 0).and_then(text), as_string(args.get("value", 1))) {
                let n = n.to_string();
                it.host.tasks[t].settings.push((format!("env.{n}"), v));
            }
            this
        }
        "set_cpu_limit"
        | "set_cpu_request"
        | "set_memory_limit"
        | "set_memory_request"
        | "set_accelerator_type"
        | "set_accelerator_limit"
        | "set_gpu_limit" => {
            let given = args.pos.first().map(|(v, _)| v).or(args.kw.first().map(|(_, v, _)| v));
            if let Some(c) = given.and_then(|v| it.host.channel_of(v)) {
                it.host.tasks[t].resource_channels.push(c);
                return this;
            }
            if let Some(v) = as_string(given) {
                it.host.tasks[t]
                    .settings
                    .push((name.trim_start_matches("set_").to_string(), v));
            }
            this
        }
        "__getitem__" => Value::Unknown,
        _ if name.starts_with("set_") || name.starts_with("add_") || name == "ignore_upstream_failure" => this,
        _ => Value::Unknown,
    }
}

/// `kfp.kubernetes.CreatePVC` / `DeletePVC`: container components of the
/// kfp-kubernetes package, run by the backend (their images are stubs).
fn builtin_component<'t>(it: &mut It<'t>, which: &str, node: Node<'t>) -> usize {
    let io = |name: &str, ty: ParamType, optional: bool| IoDef {
        name: name.to_string(),
        ty: IoType::Parameter(ty),
        default: None,
        optional,
        path_annotation: None,
        node,
    };
    let (name, image, inputs, outputs) = match which {
        "CreatePVC" => (
            "createpvc",
            "argostub/createpvc",
            vec![
                io("access_modes", ParamType::List, false),
                io("size", ParamType::String, false),
                io("pvc_name", ParamType::String, true),
                io("pvc_name_suffix", ParamType::String, true),
                io("storage_class_name", ParamType::String, true),
                io("volume_name", ParamType::String, true),
                io("annotations", ParamType::Struct, true),
                io("data_source", ParamType::Struct, true),
            ],
            vec![io("name", ParamType::String, false)],
        ),
        _ => (
            "deletepvc",
            "argostub/deletepvc",
            vec![io("pvc_name", ParamType::String, false)],
            Vec::new(),
        ),
    };
    it.host.components.push(ComponentDef {
        name: name.into(),
        source: ComponentSource::Builtin(image),
        inputs,
        outputs,
        node,
        broken: false,
    });
    it.host.components.len() - 1
}

fn new_importer<'t>(it: &mut It<'t>, args: &Args<'t>, node: Node<'t>) -> Value<'t> {
    // `dsl.importer` makes a component named `importer` with input `uri`
    // and output `artifact`, and calls it
    let class = args
        .get("artifact_class", 1)
        .and_then(super::signature::artifact_class_schema)
        .unwrap_or_else(|| "system.Artifact".to_string());
    let uri_node = args.get_node("artifact_uri", 0);
    if args.kwarg("download_to_workspace").and_then(Value::truthy) == Some(true)
        && let Some(p) = it.host.current
    {
        it.host.pipelines[p].workspace_importers.push(node);
    }
    let io = |name: &str, ty: IoType, n: Node<'t>| IoDef {
        name: name.to_string(),
        ty,
        default: None,
        optional: false,
        path_annotation: None,
        node: n,
    };
    let mut inputs = vec![io(
        "uri",
        IoType::Parameter(ParamType::String),
        uri_node.unwrap_or(node),
    )];
    // each channel in the metadata is an input: `metadata`, `metadata-2`...
    let mut channels = Vec::new();
    if let Some(m) = args.kwarg("metadata") {
        it.host.channels_in(m, &mut channels, 0);
    }
    let mut seen: Vec<Channel> = Vec::new();
    for ch in channels {
        if seen.contains(&ch) {
            continue;
        }
        let name = match seen.len() {
            0 => "metadata".to_string(),
            n => format!("metadata-{}", n + 1),
        };
        let ty = it
            .host
            .channel_type(&ch)
            .unwrap_or(IoType::Parameter(ParamType::String));
        inputs.push(IoDef {
            optional: true,
            ..io(&name, ty, args.kwarg_node("metadata").unwrap_or(node))
        });
        seen.push(ch);
    }
    let c = it.host.components.len();
    it.host.components.push(ComponentDef {
        name: "importer".into(),
        source: ComponentSource::Importer,
        inputs,
        outputs: vec![io(
            "artifact",
            IoType::Artifact {
                schema: class,
                list: false,
            },
            node,
        )],
        node,
        broken: false,
    });
    let mut call = Args::default();
    if let Some(uri) = args.get("artifact_uri", 0) {
        call.kw.push(("uri".into(), uri.clone(), uri_node));
    }
    let task = call_component(it, c, call, node);
    // channels in the metadata are inputs of the importer too (the IR
    // adds an input for each)
    if let (Some(m), Value::Obj(id)) = (args.kwarg("metadata"), &task)
        && let Some(Obj::Task(t)) = it.host.get(*id).cloned()
    {
        it.host.tasks[t]
            .args
            .push(("metadata".into(), m.clone(), args.kwarg_node("metadata")));
    }
    task
}

fn load_component<'t>(it: &mut It<'t>, how: &str, args: &Args<'t>, node: Node<'t>) -> Value<'t> {
    let arg_node = args.pos.first().and_then(|(_, n)| *n).unwrap_or(node);
    let loaded = match how {
        "load_component_from_file" => {
            let Some(path) = args.get("file_path", 0).and_then(text) else {
                it.host.problem(
                    arg_node,
                    "the component file's path is not known statically: its component is not read",
                );
                return Value::Unknown;
            };
            let full = crate::source::join_normalized(&it.host.dir, path);
            let file = match it.host.db.load(&full) {
                Ok(f) => f,
                Err(e) => {
                    it.host
                        .error(
                            arg_node,
                            format!("cannot read component file `{path}`: {}", crate::source::why_not_read(&e)),
                        )
                        .help = Some("KFP resolves this path from the directory the pipeline is compiled in; kfr looks next to the pipeline file".into());
                    return Value::Unknown;
                }
            };
            super::ir::read_component(&file).map_err(|(r, m)| (Some(file.span(r)), m))
        }
        "load_component_from_text" => {
            let Some(text) = args.get("text", 0).and_then(text).map(str::to_string) else {
                it.host.problem(
                    arg_node,
                    "the component text is not known statically: its component is not read",
                );
                return Value::Unknown;
            };
            // the text, as a file of its own so its spans point somewhere
            let key = format!("{}#{}", it.file_path, arg_node.start_byte());
            let file = it.host.db.add_virtual(std::path::Path::new(&key), text);
            super::ir::read_component(&file).map_err(|(_, m)| (None::<crate::source::Span>, m))
        }
        _ => {
            it.host.problem(
                node,
                "a component loaded from a URL is not fetched: its tasks are not read",
            );
            return Value::Unknown;
        }
    };
    match loaded {
        Ok(Loaded::Component(c)) => {
            let inputs = c.inputs.iter().map(|i| io_from_model(i, arg_node)).collect();
            let outputs = c.outputs.iter().map(|i| io_from_model(i, arg_node)).collect();
            add_component(
                it,
                ComponentDef {
                    name: c.name.clone(),
                    source: ComponentSource::Yaml(c),
                    inputs,
                    outputs,
                    node,
                    broken: false,
                },
            )
        }
        Ok(Loaded::Pipeline { name, inputs, outputs }) => {
            let inputs = inputs.iter().map(|i| io_from_model(i, arg_node)).collect();
            let outputs = outputs.iter().map(|i| io_from_model(i, arg_node)).collect();
            add_component(
                it,
                ComponentDef {
                    name,
                    source: ComponentSource::LoadedPipeline,
                    inputs,
                    outputs,
                    node,
                    broken: false,
                },
            )
        }
        Err((_, message)) => {
            it.host
                .error(arg_node, format!("KFP cannot load this component: {message}"));
            Value::Unknown
        }
    }
}

fn io_from_model<'t>(io: &model::Io, node: Node<'t>) -> IoDef<'t> {
    IoDef {
        name: io.name.clone(),
        ty: io.ty.clone(),
        default: io.default.as_ref().map(|d| Value::str(d.clone())),
        optional: io.optional,
        path_annotation: io.path_annotation.clone(),
        node,
    }
}

fn named_tuple<'t>(it: &mut It<'t>, args: &Args<'t>) -> Value<'t> {
    let mut fields = Vec::new();
    if let Some((_, Some(list))) = args.pos.get(1) {
        let mut cursor = list.walk();
        for item in list.named_children(&mut cursor) {
            if item.kind() != "tuple" {
                continue;
            }
            let mut c2 = item.walk();
            let parts: Vec<Node<'t>> = item.named_children(&mut c2).collect();
            if let [n, ty] = parts.as_slice()
                && let Some(s) = crate::python::literal_string(it.src, *n)
            {
                fields.push((s, *ty));
            }
        }
    }
    for (k, _, n) in &args.kw {
        if let Some(n) = n {
            fields.push((k.clone(), *n));
        }
    }
    it.host.obj(Obj::NamedTuple(fields))
}

// ---------------------------------------------------------------------
// Groups
// ---------------------------------------------------------------------

fn new_group<'t>(it: &mut It<'t>, p: usize, ty: GroupType, display: Option<String>, node: Node<'t>) -> usize {
    let g = it.host.groups.len();
    it.host.groups.push(GroupDef {
        pipeline: p,
        ty,
        name: String::new(),
        display,
        parent: None,
        groups: Vec::new(),
        conditions: Vec::new(),
        items: None,
        exit_task: None,
        node,
        entered: false,
        oneofs: 0,
    });
    it.host.pipelines[p].groups.push(g);
    g
}

fn current_pipeline<'t>(it: &mut It<'t>, node: Node<'t>, what: &str) -> Option<usize> {
    let p = it.host.current;
    if p.is_none() {
        it.host
            .problem(node, format!("`dsl.{what}` outside a pipeline function is not read"));
    }
    p
}

fn new_loop<'t>(it: &mut It<'t>, args: &Args<'t>, node: Node<'t>) -> Value<'t> {
    let Some(p) = current_pipeline(it, node, "ParallelFor") else {
        return Value::Unknown;
    };
    let display = args.get("name", 1).and_then(text).map(str::to_string);
    let items = args.get("items", 0).cloned().unwrap_or(Value::Unknown);
    let g = new_group(it, p, GroupType::Loop, display, node);
    match it.host.channel_of(&items) {
        Some(c) => {
            if let Some(IoType::Parameter(t)) = it.host.channel_type(&c)
                && !matches!(t, ParamType::List | ParamType::Other)
            {
                let at = args.get_node("items", 0).unwrap_or(node);
                let e = it.host.error(
                    at,
                    "Cannot iterate over a single parameter using `dsl.ParallelFor`. Expected a list of parameters as argument to `items`.",
                );
                e.help = Some(format!(
                    "the items are a `{}`: loop over a list (`List[...]`), or fan out inside the component",
                    t.ir()
                ));
                if at.start_position().row != node.start_position().row {
                    e.related.push((node.byte_range(), "the loop the SDK raises in".into()));
                }
            }
            it.host.groups[g].items = Some(c);
        }
        None if items.items().is_none() => {
            // most likely an output kfr could not follow: numbered as one
            it.host.problem(
                node,
                "the loop items are not known statically (kfr numbers the loop as a loop over a task output)",
            );
        }
        None => {
            // raw items: LoopParameterArgument.from_raw_items takes a group id
            it.host.next_group_id(p);
            if let Some(list) = items.items() {
                if list.is_empty() {
                    it.host.error(node, "Got an empty item list for loop argument.");
                } else if let Value::Dict(d) = &list[0]
                    && let Some((k, _)) = d
                        .borrow()
                        .items
                        .iter()
                        .find(|(k, _)| k.as_str().is_some_and(|k| RESERVED_CHANNEL_ATTRS.contains(&k)))
                {
                    let key = k.as_str().unwrap_or("").to_string();
                    let at = args.get_node("items", 0).unwrap_or(node);
                    let deco = it.host.pipelines[p].deco;
                    let e = it.host.error(
                        at,
                        format!("the loop items have the key `{key}`, which is also an attribute of KFP's loop argument: the SDK overwrites it and fails to compile the pipeline (which error depends on Python's set order)"),
                    );
                    e.help = Some(format!(
                        "rename the `{key}` key of the items (e.g. `{key}_`), and read it as `item.{key}_`"
                    ));
                    e.related.push((
                        deco.byte_range(),
                        "the SDK raises when this decorator builds the pipeline".into(),
                    ));
                }
            }
        }
    }
    if let Some(Value::Int(n)) = args.get("parallelism", 2)
        && *n < 0
    {
        it.host
            .error(node, format!("ParallelFor parallelism must be >= 0. Got: {n}."));
    }
    it.host.obj(Obj::Group(g))
}

fn new_condition<'t>(it: &mut It<'t>, which: &str, args: &Args<'t>, node: Node<'t>) -> Value<'t> {
    let Some(p) = current_pipeline(it, node, which) else {
        return Value::Unknown;
    };
    let ty = match which {
        "Elif" => GroupType::Elif,
        "Else" => GroupType::Else,
        _ => GroupType::If,
    };
    let (cond, display) = match ty {
        GroupType::Else => (None, args.get("name", 0).and_then(text).map(str::to_string)),
        _ => (
            args.get("condition", 0).cloned(),
            args.get("name", 1).and_then(text).map(str::to_string),
        ),
    };
    let mut channels = Vec::new();
    if let Some(c) = &cond {
        if let Value::Bool(b) = c {
            it.host.error(
                node,
                format!("Got constant boolean {} as a condition. This is likely because the provided condition evaluated immediately. At least one of the operands must be an output from an upstream task or a pipeline parameter.", if *b { "True" } else { "False" }),
            );
        }
        it.host.channels_in(c, &mut channels, 0);
    }
    if ty != GroupType::If {
        // Elif and Else follow an If or an Elif at the same level
        let prev = it.host.last_group(p);
        let ok = prev.is_some_and(|g| matches!(it.host.groups[g].ty, GroupType::If | GroupType::Elif));
        if !ok {
            let msg = if prev.is_some_and(|g| it.host.groups[g].ty == GroupType::Branches) && ty == GroupType::Else {
                "Cannot use dsl.Else following another dsl.Else. dsl.Else can only be used following an upstream dsl.If or dsl.Elif."
                    .to_string()
            } else {
                format!("dsl.{which} can only be used following an upstream dsl.If or dsl.Elif.")
            };
            it.host.error(node, msg);
            return Value::Unknown;
        }
        // the negated conditions before it are conditions of this one too
        if let Some(prev) = prev {
            let mut before = it.host.groups[prev].conditions.clone();
            before.extend(channels);
            channels = before;
        }
    }
    let g = new_group(it, p, ty, display, node);
    it.host.groups[g].conditions = channels;
    it.host.obj(Obj::Group(g))
}

fn new_exit_handler<'t>(it: &mut It<'t>, args: &Args<'t>, node: Node<'t>) -> Value<'t> {
    let Some(p) = current_pipeline(it, node, "ExitHandler") else {
        return Value::Unknown;
    };
    let exit = match args.get("exit_task", 0) {
        Some(Value::Obj(id)) => match it.host.get(*id) {
            Some(Obj::Task(t)) => Some(*t),
            _ => None,
        },
        _ => None,
    };
    let display = args.get("name", 1).and_then(text).map(str::to_string);
    let g = new_group(it, p, GroupType::ExitHandler, display, node);
    match exit {
        Some(t) => {
            let mut deps = Vec::new();
            for (_, v, _) in it.host.tasks[t].args.clone() {
                it.host.channels_in(&v, &mut deps, 0);
            }
            let from_task = deps.iter().any(|c| !matches!(c, Channel::Param(_)));
            if from_task || !it.host.tasks[t].after.is_empty() {
                it.host.error(node, "exit_task cannot depend on any other tasks.").help =
                    Some("an exit task runs whatever happened before it: give it pipeline parameters and `dsl.PipelineTaskFinalStatus` only".into());
            }
            it.host.tasks[t].exit_task = true;
            it.host.tasks[t].group = None;
            it.host.groups[g].exit_task = Some(t);
        }
        None => it.host.problem(
            node,
            "the exit task of this `dsl.ExitHandler` is not a task kfr can read",
        ),
    }
    it.host.obj(Obj::Group(g))
}

/// `TasksGroup.__enter__`: number the group and push it.
fn enter_group(it: &mut It<'_>, g: usize) {
    let p = it.host.groups[g].pipeline;
    if it.host.current != Some(p) {
        return;
    }
    it.host.groups[g].entered = true;
    let ty = it.host.groups[g].ty;
    if matches!(ty, GroupType::Elif | GroupType::Else) {
        // maybe_make_and_insert_conditional_branches_group
        let last = it.host.last_group(p);
        let wrapped = last.is_some_and(|l| it.host.groups[l].ty == GroupType::Elif);
        if !wrapped && let Some(cond) = last {
            let node = it.host.groups[g].node;
            let b = new_group(it, p, GroupType::Branches, None, node);
            let id = it.host.next_group_id(p);
            // the wrapper takes the If's number, the If the new one
            let if_id = it.host.groups[cond].name.rsplit('-').next().unwrap_or("0").to_string();
            it.host.groups[b].name = format!("condition-branches-{if_id}");
            it.host.groups[cond].name = format!("condition-{id}");
            // move the If into the wrapper
            let parent = it.host.groups[cond].parent;
            match parent {
                Some(pg) => it.host.groups[pg].groups.retain(|&x| x != cond),
                None => it.host.pipelines[p].root_groups.retain(|&x| x != cond),
            }
            it.host.groups[b].entered = true;
            it.host.push_group(p, b);
            it.host.groups[cond].parent = Some(b);
            it.host.groups[b].groups.push(cond);
        }
    }
    let id = it.host.next_group_id(p);
    let prefix = match ty {
        GroupType::Loop => "for-loop",
        GroupType::If | GroupType::Elif | GroupType::Else => "condition",
        GroupType::Branches => "condition-branches",
        GroupType::ExitHandler => "exit-handler",
    };
    it.host.groups[g].name = format!("{prefix}-{id}");
    it.host.push_group(p, g);
}
