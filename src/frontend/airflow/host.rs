//! The model of Airflow's Python API that the interpreter calls into.

use crate::dag::MAX_DEPENDENCIES;
use crate::diagnostic::thousands;
use crate::python::{Args, Func, Host, Interp, Value};
use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;
use tree_sitter::Node;

pub type It<'t> = Interp<'t, Airflow<'t>>;

/// A keyword argument as given: value and where.
pub type Kwargs<'t> = Vec<(String, Value<'t>, Option<Node<'t>>)>;

#[derive(Debug)]
pub struct DagModel<'t> {
    pub dag_id: Value<'t>,
    /// The dag_id argument, or the call/function that names the DAG.
    pub id_node: Node<'t>,
    /// `schedule=` (or legacy `schedule_interval=`/`timetable=`): value and node.
    pub schedule: Option<(Value<'t>, Node<'t>)>,
    pub default_args: Value<'t>,
    /// Entered as a context manager: Airflow registers it.
    pub registered: bool,
    pub tasks: Vec<usize>,
    pub task_ids: HashMap<String, usize>,
    pub group_ids: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskKind {
    Bash,
    Python,
    Virtualenv,
    ExternalPython,
    Docker,
    Kubernetes,
    Empty,
    Sensor,
    Trigger,
    Other,
}

#[derive(Debug)]
pub struct TaskModel<'t> {
    pub dag: Option<usize>,
    /// The full task id (group prefix included); partial when not static.
    pub task_id: Value<'t>,
    pub node: Node<'t>,
    /// The operator class (`BashOperator`) or decorator (`@task.virtualenv`).
    pub operator: String,
    pub kind: TaskKind,
    pub kwargs: Kwargs<'t>,
    /// The merged default_args in effect (DAG, groups, operator).
    pub defaults: Vec<(String, Value<'t>)>,
    /// Upstream tasks, with where each dependency is declared and the
    /// file handed over, if one is.
    pub upstream: Vec<Dep<'t>>,
    /// Downstream tasks (the reverse of `upstream`).
    pub downstream: Vec<usize>,
    pub is_setup: bool,
    pub is_teardown: bool,
    pub mapped: bool,
    /// The decorated function of a TaskFlow task.
    pub func: Option<Rc<Func<'t>>>,
    /// What a TaskFlow call passes its function: parameter (when known),
    /// value, and the tasks whose output the value is.
    pub call_args: Vec<(Option<String>, Value<'t>, Vec<usize>)>,
}

#[derive(Debug, Clone)]
pub struct Dep<'t> {
    pub task: usize,
    pub node: Node<'t>,
    /// A file path handed over along this dependency (a path returned by
    /// the upstream task and passed in).
    pub path: Option<(String, Range<usize>)>,
}

#[derive(Debug)]
pub struct GroupModel<'t> {
    pub dag: Option<usize>,
    pub parent: Option<usize>,
    pub full_id: String,
    pub prefix_group_id: bool,
    pub default_args: Vec<(String, Value<'t>)>,
    /// Every task in the group, nested groups included, in creation order.
    pub members: Vec<usize>,
}

#[derive(Debug, Clone)]
pub enum Obj<'t> {
    Dag(usize),
    Task(usize),
    Group(usize),
    /// An XComArg: the output of tasks.
    XCom(Vec<usize>),
    /// `Label("...")` between tasks: what was set upstream of it.
    Label(Vec<usize>),
    /// `@task(...)`, `@task.virtualenv(...)`, `@setup`: a decorator waiting
    /// for its function.
    TaskDecorator(Deco<'t>),
    /// A TaskFlow function; calling it adds a task.
    TaskFunc(Deco<'t>, Rc<Func<'t>>),
    /// `fn.partial(...)` of a TaskFlow function.
    TaskFuncPartial(Deco<'t>, Rc<Func<'t>>, Args<'t>),
    DagDecorator(Kwargs<'t>),
    DagFunc(Kwargs<'t>, Rc<Func<'t>>),
    GroupDecorator(Kwargs<'t>),
    GroupFunc(Kwargs<'t>, Rc<Func<'t>>),
    GroupFuncPartial(Kwargs<'t>, Rc<Func<'t>>, Args<'t>),
    AssetDecorator(Kwargs<'t>),
    /// `Operator.partial(...)`.
    OperatorPartial(String, Args<'t>, Node<'t>),
}

#[derive(Debug, Clone)]
pub struct Deco<'t> {
    /// `task`, `virtualenv`, `docker`, `bash`, ... (the `@task.X` name).
    pub kind: String,
    pub kwargs: Kwargs<'t>,
    pub setup: bool,
    pub teardown: bool,
}

#[derive(Debug, Clone, Copy)]
enum Ctx {
    Dag(usize),
    Group(usize),
}

#[derive(Debug, Default)]
pub struct Airflow<'t> {
    pub objs: Vec<Obj<'t>>,
    pub dags: Vec<DagModel<'t>>,
    pub tasks: Vec<TaskModel<'t>>,
    pub groups: Vec<GroupModel<'t>>,
    ctx: Vec<Ctx>,
    /// Problems that change the DAG (ids not static, operands not
    /// understood), with where.
    /// Warnings, with a help line where there is one.
    pub problems: Vec<(Range<usize>, String, Option<String>)>,
    /// What makes Airflow refuse to load the file (a duplicate task id, a
    /// TypeError at import), with where.
    pub load_errors: Vec<(Range<usize>, String)>,
    /// (upstream, downstream) pairs already recorded.
    edges: std::collections::HashSet<(usize, usize)>,
    /// Past [`MAX_DEPENDENCIES`]: further dependencies are not recorded.
    too_many_deps: bool,
}

/// The last segment of a qualified name.
fn last(q: &str) -> &str {
    q.rsplit('.').next().unwrap_or(q)
}

fn is_airflow(q: &str) -> bool {
    q.starts_with("airflow.") || q == "airflow"
}

/// An operator or sensor class, by its name.
pub fn is_operator_name(name: &str) -> bool {
    name.ends_with("Operator")
        || name.ends_with("Sensor")
        || name.ends_with("OperatorAsync")
        || name.ends_with("SensorAsync")
        || name == "BaseOperator"
}

fn kind_of(class: &str) -> TaskKind {
    match class {
        "BashOperator" | "SSHOperator" => TaskKind::Bash,
        "PythonVirtualenvOperator" | "BranchPythonVirtualenvOperator" => TaskKind::Virtualenv,
        "ExternalPythonOperator" | "BranchExternalPythonOperator" => TaskKind::ExternalPython,
        "DockerOperator" | "DockerSwarmOperator" => TaskKind::Docker,
        "KubernetesPodOperator" | "KubernetesJobOperator" | "GKEStartPodOperator" | "EksPodOperator" => {
            TaskKind::Kubernetes
        }
        "EmptyOperator" | "DummyOperator" => TaskKind::Empty,
        "TriggerDagRunOperator" => TaskKind::Trigger,
        c if c.contains("Python") || c == "ShortCircuitOperator" => TaskKind::Python,
        c if c.ends_with("Sensor") || c.ends_with("SensorAsync") => TaskKind::Sensor,
        _ => TaskKind::Other,
    }
}

fn deco_kind(kind: &str) -> TaskKind {
    match kind {
        "bash" => TaskKind::Bash,
        "virtualenv" | "branch_virtualenv" => TaskKind::Virtualenv,
        "external_python" | "branch_external_python" => TaskKind::ExternalPython,
        "docker" => TaskKind::Docker,
        "kubernetes" | "kubernetes_cmd" => TaskKind::Kubernetes,
        "sensor" => TaskKind::Sensor,
        _ => TaskKind::Python,
    }
}

/// The `@task` decorator family: `task`, `task.virtualenv`, `setup`, ...
fn task_decorator(q: &str) -> Option<(String, bool, bool)> {
    if !is_airflow(q) {
        return None;
    }
    let parts: Vec<&str> = q.split('.').collect();
    let n = parts.len();
    match parts[n - 1] {
        "task" | "python_task" => return Some(("task".into(), false, false)),
        "setup" => return Some(("task".into(), true, false)),
        "teardown" => return Some(("task".into(), false, true)),
        _ => {}
    }
    if n >= 2 && parts[n - 2] == "task" {
        return Some((parts[n - 1].to_string(), false, false));
    }
    None
}

impl<'t> Airflow<'t> {
    fn obj(&mut self, o: Obj<'t>) -> Value<'t> {
        self.objs.push(o);
        Value::Obj((self.objs.len() - 1) as u32)
    }

    fn get(&self, id: u32) -> Option<&Obj<'t>> {
        self.objs.get(id as usize)
    }

    fn current_dag(&self) -> Option<usize> {
        for c in self.ctx.iter().rev() {
            match *c {
                Ctx::Dag(d) => return Some(d),
                Ctx::Group(g) => {
                    if let Some(d) = self.groups[g].dag {
                        return Some(d);
                    }
                }
            }
        }
        None
    }

    fn current_group(&self, dag: Option<usize>) -> Option<usize> {
        for c in self.ctx.iter().rev() {
            match *c {
                Ctx::Group(g) if self.groups[g].dag == dag || dag.is_none() => return Some(g),
                Ctx::Dag(d) if Some(d) == dag => return None,
                _ => {}
            }
        }
        None
    }

    /// `TaskGroup.child_id`: the id a child named `label` gets in `group`.
    fn child_id(&self, group: Option<usize>, label: &str) -> String {
        match group {
            Some(g) if self.groups[g].prefix_group_id && !self.groups[g].full_id.is_empty() => {
                format!("{}.{label}", self.groups[g].full_id)
            }
            _ => label.to_string(),
        }
    }

    /// `TaskGroup.get_roots`: tasks with no upstream inside the group.
    fn roots(&self, g: usize) -> Vec<usize> {
        let tasks = &self.groups[g].members;
        let ids: std::collections::HashSet<usize> = tasks.iter().copied().collect();
        tasks
            .iter()
            .copied()
            .filter(|&t| !self.tasks[t].upstream.iter().any(|u| ids.contains(&u.task)))
            .collect()
    }

    /// `TaskGroup.get_leaves`: tasks with no downstream inside the group;
    /// a teardown leaf is replaced by the work it tears down.
    fn leaves(&self, g: usize) -> Vec<usize> {
        let tasks = &self.groups[g].members;
        let ids: std::collections::HashSet<usize> = tasks.iter().copied().collect();
        let mut out = Vec::new();
        for &t in tasks {
            if self.tasks[t].downstream.iter().any(|d| ids.contains(d)) {
                continue;
            }
            if !self.tasks[t].is_teardown {
                out.push(t);
            } else {
                self.first_non_teardown(t, &ids, &mut out, 0);
            }
        }
        out.dedup();
        out
    }

    fn first_non_teardown(&self, t: usize, ids: &std::collections::HashSet<usize>, out: &mut Vec<usize>, depth: usize) {
        if depth > 64 {
            return;
        }
        for u in self.tasks[t].upstream.iter().map(|u| u.task) {
            if !ids.contains(&u) {
                continue;
            }
            if self.tasks[u].is_teardown {
                self.first_non_teardown(u, ids, out, depth + 1);
            } else if self.tasks[t].is_teardown && self.tasks[u].is_setup {
                continue;
            } else if !self.tasks[u]
                .downstream
                .iter()
                .any(|&d| d != t && ids.contains(&d) && !self.tasks[d].is_teardown)
                && !out.contains(&u)
            {
                out.push(u);
            }
        }
    }

    /// The tasks a value stands for as one end of a dependency.
    fn endpoints(&self, v: &Value<'t>, upstream_side: bool, out: &mut Vec<usize>) -> bool {
        match v {
            Value::Obj(id) => match self.get(*id) {
                Some(Obj::Task(t)) => out.push(*t),
                Some(Obj::XCom(ts)) => out.extend(ts),
                Some(Obj::Group(g)) => {
                    let ends = if upstream_side { self.leaves(*g) } else { self.roots(*g) };
                    out.extend(ends);
                }
                Some(Obj::Label(ups)) if upstream_side => out.extend(ups),
                _ => return false,
            },
            Value::List(_) | Value::Tuple(_) => {
                let mut ok = true;
                for i in v.items().unwrap_or_default() {
                    ok &= self.endpoints(&i, upstream_side, out);
                }
                return ok;
            }
            _ => return false,
        }
        true
    }

    fn add_dep(&mut self, up: usize, down: usize, node: Node<'t>, path: Option<(String, Range<usize>)>) {
        if up == down {
            return;
        }
        if self.edges.len() >= MAX_DEPENDENCIES && !self.edges.contains(&(up, down)) {
            if !self.too_many_deps {
                self.too_many_deps = true;
                self.problem_with_help(
                    node,
                    format!(
                        "more than {} task dependencies in this file: the ones made here and after are not read",
                        thousands(MAX_DEPENDENCIES)
                    ),
                    "between two large groups of tasks, one join task (an `EmptyOperator` downstream of \
                     the first group and upstream of the second) makes m + n dependencies instead of m × n",
                );
            }
            return;
        }
        // a task without a DAG joins the DAG of the task it is tied to
        match (self.tasks[up].dag, self.tasks[down].dag) {
            (Some(d), None) => self.adopt(down, d),
            (None, Some(d)) => self.adopt(up, d),
            _ => {}
        }
        if self.edges.insert((up, down)) {
            self.tasks[down].upstream.push(Dep { task: up, node, path });
            self.tasks[up].downstream.push(down);
        } else if path.is_some()
            && let Some(d) = self.tasks[down].upstream.iter_mut().find(|d| d.task == up)
            && d.path.is_none()
        {
            d.path = path;
        }
    }

    fn adopt(&mut self, t: usize, d: usize) {
        self.tasks[t].dag = Some(d);
        self.dags[d].tasks.push(t);
        if let Some(id) = self.tasks[t].task_id.as_str() {
            self.dags[d].task_ids.insert(id.to_string(), t);
        }
    }

    /// Record `a >> b` for every pair of ends.
    fn connect(&mut self, it_node: Node<'t>, up: &Value<'t>, down: &Value<'t>) -> bool {
        // `x >> Label("why")`: remember x as the label's upstream
        if let Value::Obj(id) = down
            && let Some(Obj::Label(_)) = self.get(*id)
        {
            let mut ups = Vec::new();
            let ok = self.endpoints(up, true, &mut ups);
            if let Some(Obj::Label(l)) = self.objs.get_mut(*id as usize) {
                l.extend(ups);
            }
            return ok;
        }
        let mut ups = Vec::new();
        let mut downs = Vec::new();
        let ok = self.endpoints(up, true, &mut ups) & self.endpoints(down, false, &mut downs);
        'pairs: for &u in &ups {
            for &d in &downs {
                // `cross_downstream` of two lists of 20,000 tasks: 400 million pairs
                if self.too_many_deps {
                    break 'pairs;
                }
                self.add_dep(u, d, it_node, None);
            }
        }
        ok
    }

    fn load_error(&mut self, node: Node<'t>, message: impl Into<String>) {
        if self.load_errors.len() < 100 {
            self.load_errors.push((node.byte_range(), message.into()));
        }
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
}

/// A kwarg's value.
fn kw<'a, 't>(kwargs: &'a Kwargs<'t>, name: &str) -> Option<&'a Value<'t>> {
    kw_entry(kwargs, name).map(|(v, _)| v)
}

/// A kwarg's value and node; the last one given wins, as in a call.
pub fn kw_entry<'a, 't>(kwargs: &'a Kwargs<'t>, name: &str) -> Option<(&'a Value<'t>, Option<Node<'t>>)> {
    kwargs.iter().rev().find(|(k, _, _)| k == name).map(|(_, v, n)| (v, *n))
}

/// The schedule (as given, with its node) and the default_args of a DAG's
/// arguments; `default_args=None` is reported, Airflow 3 cannot load it.
fn dag_settings<'t>(it: &mut It<'t>, kwargs: &Kwargs<'t>) -> (Option<(Value<'t>, Node<'t>)>, Value<'t>) {
    let schedule = ["schedule", "schedule_interval", "timetable"]
        .iter()
        .find_map(|k| kw_entry(kwargs, k).and_then(|(v, n)| n.map(|n| (v.clone(), n))));
    let default_args = match kw_entry(kwargs, "default_args") {
        Some((Value::None, Some(n))) => {
            it.host.load_error(
                n,
                "`default_args=None` makes Airflow 3 fail to load this DAG (TypeError in `DAG()`): leave it out or pass `{}`",
            );
            Value::None
        }
        Some((v, _)) => v.clone(),
        None => Value::None,
    };
    (schedule, default_args)
}

fn merge_kwargs<'t>(base: &Kwargs<'t>, over: &Kwargs<'t>) -> Kwargs<'t> {
    let mut out = base.clone();
    for (k, v, n) in over {
        out.retain(|(bk, _, _)| bk != k);
        out.push((k.clone(), v.clone(), *n));
    }
    out
}

fn dict_items<'t>(v: Option<&Value<'t>>) -> Vec<(String, Value<'t>)> {
    match v {
        Some(Value::Dict(d)) => d
            .borrow()
            .items
            .iter()
            .filter_map(|(k, v)| k.as_str().map(|k| (k.to_string(), v.clone())))
            .collect(),
        Some(Value::None) | None => Vec::new(),
        Some(_) => vec![("**".to_string(), Value::Unknown)],
    }
}

/// Every XComArg inside a value (lists, dicts, nested).
fn xcoms_in<'t>(af: &Airflow<'t>, v: &Value<'t>, out: &mut Vec<usize>, depth: usize) {
    if depth > 8 {
        return;
    }
    match v {
        Value::Obj(id) => match af.get(*id) {
            Some(Obj::XCom(ts)) => out.extend(ts),
            Some(Obj::Task(t)) => {
                // a task passed where a value is expected stands for its output
                out.push(*t)
            }
            _ => {}
        },
        Value::List(_) | Value::Tuple(_) => {
            for i in v.items().unwrap_or_default() {
                xcoms_in(af, &i, out, depth + 1);
            }
        }
        Value::Dict(d) => {
            for (_, i) in d.borrow().items.iter() {
                xcoms_in(af, i, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// The names of a function's parameters, in order.
pub fn func_param_names<'t>(it: &It<'t>, f: &Func<'t>) -> Vec<String> {
    let Some(p) = f.params else { return Vec::new() };
    let mut cursor = p.walk();
    p.named_children(&mut cursor)
        .filter_map(|c| match c.kind() {
            "identifier" => Some(it.text(c).to_string()),
            "default_parameter" | "typed_default_parameter" => {
                c.child_by_field_name("name").map(|n| it.text(n).to_string())
            }
            "typed_parameter" => c
                .named_child(0)
                .filter(|n| n.kind() == "identifier")
                .map(|n| it.text(n).to_string()),
            _ => None,
        })
        .collect()
}

pub use crate::dag::looks_like_path;

/// A file path the TaskFlow function returns, when it returns one.
pub fn returned_path<'t>(it: &It<'t>, f: &Func<'t>) -> Option<String> {
    if f.is_lambda {
        return None;
    }
    crate::python::returned_path(it.src, f.body)
}

impl<'t> Host<'t> for Airflow<'t> {
    fn call_extern(it: &mut It<'t>, qname: &str, args: Args<'t>, node: Node<'t>) -> Option<Value<'t>> {
        let name = last(qname);
        let af = &mut it.host;
        // decorators
        if let Some((kind, setup, teardown)) = task_decorator(qname) {
            let deco = Deco {
                kind,
                kwargs: args.kw.clone(),
                setup,
                teardown,
            };
            return Some(apply_task_decorator(it, deco, &args));
        }
        if is_airflow(qname) {
            match name {
                "dag" => {
                    return Some(match single_func(&args) {
                        Some(f) => af.obj(Obj::DagFunc(Vec::new(), f)),
                        None => af.obj(Obj::DagDecorator(args.kw.clone())),
                    });
                }
                "task_group" => {
                    return Some(match single_func(&args) {
                        Some(f) => af.obj(Obj::GroupFunc(Vec::new(), f)),
                        None => af.obj(Obj::GroupDecorator(args.kw.clone())),
                    });
                }
                "asset" => {
                    return Some(match single_func(&args) {
                        Some(f) => asset_dag(it, Vec::new(), f, node),
                        None => af.obj(Obj::AssetDecorator(args.kw.clone())),
                    });
                }
                "DAG" => {
                    // airflow.sdk exists only in Airflow 3, which removed schedule_interval
                    if qname.starts_with("airflow.sdk")
                        && let Some(n) = args.kwarg_node("schedule_interval")
                    {
                        it.host.load_error(
                            n,
                            "Airflow 3 (this file imports `airflow.sdk`) removed `schedule_interval`: `DAG()` raises a TypeError; use `schedule=`",
                        );
                    }
                    return Some(new_dag(it, &args, node));
                }
                "TaskGroup" => return Some(new_group(it, &args, node, false)),
                "Label" => return Some(af.obj(Obj::Label(Vec::new()))),
                "XComArg" => {
                    let mut ts = Vec::new();
                    if let Some(v) = args.get("operator", 0) {
                        af.endpoints(v, true, &mut ts);
                    }
                    return Some(af.obj(Obj::XCom(ts)));
                }
                "chain" => {
                    chain(it, &args, node, false);
                    return Some(Value::None);
                }
                "chain_linear" => {
                    chain(it, &args, node, true);
                    return Some(Value::None);
                }
                "cross_downstream" => {
                    let (Some(from), Some(to)) = (args.get("from_tasks", 0).cloned(), args.get("to_tasks", 1).cloned())
                    else {
                        return Some(Value::None);
                    };
                    if !it.host.connect(node, &from, &to) {
                        it.host
                            .problem(node, "`cross_downstream` with tasks kfr cannot resolve statically");
                    }
                    return Some(Value::None);
                }
                _ => {}
            }
        }
        // `Operator.partial(...)`
        if name == "partial" {
            let class = qname.trim_end_matches(".partial");
            if is_operator_name(last(class)) {
                return Some(af.obj(Obj::OperatorPartial(last(class).to_string(), args, node)));
            }
        }
        if is_operator_name(name) || (args.kwarg("task_id").is_some() && !is_airflow(qname)) {
            let kind = kind_of(name);
            return Some(new_operator(it, name.to_string(), kind, args, node, false));
        }
        None
    }

    fn call_class(
        it: &mut It<'t>,
        class: &Rc<crate::python::Class<'t>>,
        args: Args<'t>,
        node: Node<'t>,
    ) -> Option<Value<'t>> {
        // a custom operator defined in the file
        let mut operator = false;
        let mut kind = TaskKind::Other;
        let mut stack: Vec<Value<'t>> = class.bases.clone();
        let mut seen = 0;
        while let Some(b) = stack.pop() {
            seen += 1;
            if seen > 32 {
                break;
            }
            match b {
                Value::Extern(q) if is_operator_name(last(&q)) => {
                    operator = true;
                    if kind == TaskKind::Other {
                        kind = kind_of(last(&q));
                    }
                }
                Value::Class(c) => stack.extend(c.bases.iter().cloned()),
                _ => {}
            }
        }
        if operator || args.kwarg("task_id").is_some() {
            return Some(new_operator(it, class.name.clone(), kind, args, node, false));
        }
        None
    }

    fn call_obj(it: &mut It<'t>, id: u32, args: Args<'t>, node: Node<'t>) -> Value<'t> {
        let Some(o) = it.host.get(id).cloned() else {
            return Value::Unknown;
        };
        match o {
            Obj::TaskDecorator(deco) => apply_task_decorator(it, deco, &args),
            Obj::TaskFunc(deco, f) => call_task_func(it, &deco, &f, args, None, node),
            Obj::DagDecorator(kwargs) => match single_func(&args) {
                Some(f) => it.host.obj(Obj::DagFunc(kwargs, f)),
                None => Value::Unknown,
            },
            Obj::DagFunc(kwargs, f) => call_dag_func(it, &kwargs, &f, args, node),
            Obj::GroupDecorator(kwargs) => match single_func(&args) {
                Some(f) => it.host.obj(Obj::GroupFunc(kwargs, f)),
                None => Value::Unknown,
            },
            Obj::GroupFunc(kwargs, f) => call_group_func(it, &kwargs, &f, args, node),
            Obj::AssetDecorator(kwargs) => match single_func(&args) {
                Some(f) => asset_dag(it, kwargs, f, node),
                None => Value::Unknown,
            },
            _ => Value::Unknown,
        }
    }

    fn method(it: &mut It<'t>, id: u32, name: &str, args: Args<'t>, node: Node<'t>) -> Value<'t> {
        let Some(o) = it.host.get(id).cloned() else {
            return Value::Unknown;
        };
        let this = Value::Obj(id);
        match (&o, name) {
            (Obj::Task(_) | Obj::Group(_) | Obj::XCom(_), "set_downstream" | "set_upstream") => {
                if let Some(other) = args.get("task_or_task_list", 0).cloned() {
                    let ok = if name == "set_downstream" {
                        it.host.connect(node, &this, &other)
                    } else {
                        it.host.connect(node, &other, &this)
                    };
                    if !ok {
                        it.host
                            .problem(node, format!("`{name}` with tasks kfr cannot resolve statically"));
                    }
                }
                Value::None
            }
            (Obj::Task(t), "as_setup") => {
                it.host.tasks[*t].is_setup = true;
                this
            }
            (Obj::XCom(ts), "as_setup") => {
                for &t in ts {
                    it.host.tasks[t].is_setup = true;
                }
                this
            }
            (Obj::Task(_) | Obj::XCom(_), "as_teardown") => {
                let mut ts = Vec::new();
                it.host.endpoints(&this, true, &mut ts);
                for &t in &ts {
                    it.host.tasks[t].is_teardown = true;
                }
                if let Some(setups) = args.kwarg("setups").cloned() {
                    let mut ss = Vec::new();
                    it.host.endpoints(&setups, true, &mut ss);
                    for s in ss {
                        it.host.tasks[s].is_setup = true;
                        for &t in &ts {
                            it.host.add_dep(s, t, node, None);
                        }
                    }
                }
                this
            }
            (Obj::XCom(ts), "map" | "zip" | "concat" | "resolve") => {
                let mut all = ts.clone();
                for v in args.values() {
                    xcoms_in(&it.host, v, &mut all, 0);
                }
                it.host.obj(Obj::XCom(all))
            }
            (Obj::XCom(_) | Obj::Task(_), "__getitem__") => {
                let mut ts = Vec::new();
                it.host.endpoints(&this, true, &mut ts);
                it.host.obj(Obj::XCom(ts))
            }
            (Obj::TaskFunc(deco, f), "override") => {
                let mut d = deco.clone();
                d.kwargs = merge_kwargs(&deco.kwargs, &args.kw);
                it.host.obj(Obj::TaskFunc(d, f.clone()))
            }
            (Obj::TaskFunc(deco, f), "partial") => it.host.obj(Obj::TaskFuncPartial(deco.clone(), f.clone(), args)),
            (Obj::TaskFunc(deco, f), "expand" | "expand_kwargs") => {
                call_task_func(it, deco, f, Args::default(), Some(args), node)
            }
            (Obj::TaskFuncPartial(deco, f, partial), "expand" | "expand_kwargs") => {
                call_task_func(it, deco, f, partial.clone(), Some(args), node)
            }
            (Obj::GroupFunc(kwargs, f), "override") => {
                it.host.obj(Obj::GroupFunc(merge_kwargs(kwargs, &args.kw), f.clone()))
            }
            (Obj::GroupFunc(kwargs, f), "partial") => {
                it.host.obj(Obj::GroupFuncPartial(kwargs.clone(), f.clone(), args))
            }
            (Obj::GroupFunc(kwargs, f), "expand" | "expand_kwargs") => {
                let all = Args {
                    kw: args.kw.clone(),
                    pos: args.pos.clone(),
                    ..Default::default()
                };
                call_group_func(it, kwargs, f, all, node)
            }
            (Obj::GroupFuncPartial(kwargs, f, partial), "expand" | "expand_kwargs") => {
                let mut all = partial.clone();
                all.kw.extend(args.kw.iter().cloned());
                all.pos.extend(args.pos.iter().cloned());
                call_group_func(it, kwargs, f, all, node)
            }
            (Obj::OperatorPartial(class, partial, pnode), "expand" | "expand_kwargs") => {
                let mut all = partial.clone();
                all.kw.extend(args.kw.iter().cloned());
                all.pos.clear();
                for v in args.values() {
                    all.kw.push(("<expand>".into(), v.clone(), None));
                }
                let kind = kind_of(class);
                let pnode = *pnode;
                let _ = pnode;
                new_operator(it, class.clone(), kind, all, node, true)
            }
            _ => Value::Unknown,
        }
    }

    fn attr(it: &mut It<'t>, id: u32, name: &str, _node: Node<'t>) -> Value<'t> {
        let Some(o) = it.host.get(id).cloned() else {
            return Value::Unknown;
        };
        match (&o, name) {
            (Obj::Task(t), "output") => it.host.obj(Obj::XCom(vec![*t])),
            (Obj::Task(t), "task_id") => it.host.tasks[*t].task_id.clone(),
            (Obj::Task(t), "dag") => match it.host.tasks[*t].dag {
                Some(d) => Value::Obj(it.host.obj_index(Obj::Dag(d))),
                None => Value::None,
            },
            (Obj::Dag(d), "dag_id") => it.host.dags[*d].dag_id.clone(),
            (Obj::Group(g), "group_id") => Value::str(it.host.groups[*g].full_id.clone()),
            (Obj::XCom(ts), "operator") if ts.len() == 1 => {
                let t = ts[0];
                Value::Obj(it.host.obj_index(Obj::Task(t)))
            }
            (
                Obj::TaskFunc(..) | Obj::GroupFunc(..) | Obj::TaskFuncPartial(..) | Obj::GroupFuncPartial(..),
                "override" | "partial" | "expand" | "expand_kwargs",
            )
            | (Obj::Task(_) | Obj::Group(_) | Obj::XCom(_), _)
            | (Obj::OperatorPartial(..), _) => Value::Method(Box::new(Value::Obj(id)), name.into()),
            _ => Value::Unknown,
        }
    }

    fn binop(it: &mut It<'t>, op: &str, l: Value<'t>, r: Value<'t>, node: Node<'t>) -> Option<Value<'t>> {
        let (up, down) = match op {
            ">>" => (&l, &r),
            "<<" => (&r, &l),
            _ => return Some(Value::Opaque(it.text(node).into())),
        };
        let both_lists = matches!(l, Value::List(_) | Value::Tuple(_)) && matches!(r, Value::List(_) | Value::Tuple(_));
        if both_lists {
            it.host.load_error(
                node,
                "a list on both sides of a dependency operator is a TypeError in Python: Airflow cannot load this file",
            );
            return Some(Value::Unknown);
        }
        // `Label >> task`: the label's upstream tasks precede `task`
        if let Value::Obj(id) = up
            && let Some(Obj::Label(ups)) = it.host.get(*id).cloned()
        {
            let mut downs = Vec::new();
            it.host.endpoints(down, false, &mut downs);
            for u in ups {
                for &d in &downs {
                    it.host.add_dep(u, d, node, None);
                }
            }
            return Some(r);
        }
        if !it.host.connect(node, up, down) {
            it.host.problem(
                node,
                format!(
                    "a side of `{}` is not a task kfr can resolve statically: this dependency is not in the graph",
                    crate::python::clip_text(it.text(node))
                ),
            );
        }
        Some(r)
    }

    fn enter(it: &mut It<'t>, v: &Value<'t>, _node: Node<'t>) -> Value<'t> {
        if let Value::Obj(id) = v {
            match it.host.get(*id) {
                Some(Obj::Dag(d)) => {
                    let d = *d;
                    it.host.dags[d].registered = true;
                    it.host.ctx.push(Ctx::Dag(d));
                }
                Some(Obj::Group(g)) => {
                    let g = *g;
                    it.host.ctx.push(Ctx::Group(g));
                }
                _ => {}
            }
        }
        v.clone()
    }

    fn exit(it: &mut It<'t>, v: &Value<'t>) {
        if let Value::Obj(id) = v
            && matches!(it.host.get(*id), Some(Obj::Dag(_) | Obj::Group(_)))
        {
            it.host.ctx.pop();
        }
    }
}

impl<'t> Airflow<'t> {
    fn obj_index(&mut self, o: Obj<'t>) -> u32 {
        match self.obj(o) {
            Value::Obj(i) => i,
            _ => 0,
        }
    }
}

fn single_func<'t>(args: &Args<'t>) -> Option<Rc<Func<'t>>> {
    if args.pos.len() == 1
        && args.kw.is_empty()
        && let Value::Func(f) = &args.pos[0].0
    {
        return Some(f.clone());
    }
    None
}

fn apply_task_decorator<'t>(it: &mut It<'t>, deco: Deco<'t>, args: &Args<'t>) -> Value<'t> {
    match single_func(args) {
        Some(f) => it.host.obj(Obj::TaskFunc(deco, f)),
        None => {
            // `@setup` over an already decorated function
            if args.pos.len() == 1
                && args.kw.is_empty()
                && let Value::Obj(id) = &args.pos[0].0
                && let Some(Obj::TaskFunc(inner, f)) = it.host.get(*id).cloned()
            {
                let mut d = inner.clone();
                d.setup |= deco.setup;
                d.teardown |= deco.teardown;
                d.kwargs = merge_kwargs(&inner.kwargs, &deco.kwargs);
                return it.host.obj(Obj::TaskFunc(d, f));
            }
            let mut d = deco;
            d.kwargs = args.kw.clone();
            it.host.obj(Obj::TaskDecorator(d))
        }
    }
}

fn dag_of_args<'t>(it: &It<'t>, args: &Args<'t>) -> Option<Option<usize>> {
    match args.kwarg("dag") {
        Some(Value::Obj(id)) => match it.host.get(*id) {
            Some(Obj::Dag(d)) => Some(Some(*d)),
            _ => None,
        },
        Some(Value::None) => Some(None),
        Some(_) => None,
        None => Some(it.host.current_dag()),
    }
}

fn new_dag<'t>(it: &mut It<'t>, args: &Args<'t>, node: Node<'t>) -> Value<'t> {
    let dag_id = args.get("dag_id", 0).cloned().unwrap_or(Value::Unknown);
    let id_node = args.get_node("dag_id", 0).unwrap_or(node);
    let (schedule, default_args) = dag_settings(it, &args.kw);
    make_dag(it, dag_id, id_node, schedule, default_args)
}

fn make_dag<'t>(
    it: &mut It<'t>,
    dag_id: Value<'t>,
    id_node: Node<'t>,
    schedule: Option<(Value<'t>, Node<'t>)>,
    default_args: Value<'t>,
) -> Value<'t> {
    // Airflow deep-copies default_args when the DAG is made
    let default_args = Value::dict(
        dict_items(Some(&default_args))
            .into_iter()
            .map(|(k, v)| (Value::str(k), v))
            .collect(),
    );
    if dag_id.as_str().is_none() {
        let shown = match &dag_id {
            Value::Str(s) => s.text.clone(),
            _ => crate::python::clip_text(it.text(id_node)),
        };
        it.host
            .problem(id_node, format!("the dag_id `{shown}` is not known statically"));
    }
    it.host.dags.push(DagModel {
        dag_id,
        id_node,
        schedule,
        default_args,
        registered: false,
        tasks: Vec::new(),
        task_ids: HashMap::new(),
        group_ids: Vec::new(),
    });
    let d = it.host.dags.len() - 1;
    it.host.obj(Obj::Dag(d))
}

fn new_group<'t>(it: &mut It<'t>, args: &Args<'t>, node: Node<'t>, suffix_on_collision: bool) -> Value<'t> {
    let Some(dag) = dag_of_args(it, args) else {
        return Value::Unknown;
    };
    let parent = match args.kwarg("parent_group") {
        Some(Value::Obj(id)) => match it.host.get(*id) {
            Some(Obj::Group(g)) => Some(*g),
            _ => None,
        },
        _ => it.host.current_group(dag),
    };
    let short = match args.get("group_id", 0) {
        Some(v) => match v.as_str() {
            Some(s) => s.to_string(),
            None => {
                let n = args.get_node("group_id", 0).unwrap_or(node);
                it.host.problem(
                    n,
                    format!(
                        "the group_id `{}` is not known statically",
                        crate::python::clip_text(it.text(n))
                    ),
                );
                v.display()
            }
        },
        None => String::new(),
    };
    let prefix = args.kwarg("prefix_group_id").and_then(|v| v.truthy()).unwrap_or(true);
    let mut group_defaults: Vec<(String, Value<'t>)> = parent
        .map(|p| it.host.groups[p].default_args.clone())
        .unwrap_or_default();
    for (k, v) in dict_items(args.kwarg("default_args")) {
        group_defaults.retain(|(gk, _)| *gk != k);
        group_defaults.push((k, v));
    }
    let mut short = short;
    let mut full = match parent {
        Some(p) if it.host.groups[p].prefix_group_id && !it.host.groups[p].full_id.is_empty() => {
            format!("{}.{short}", it.host.groups[p].full_id)
        }
        _ => short.clone(),
    };
    if let Some(d) = dag {
        let used = &it.host.dags[d].group_ids;
        if used.contains(&full) && suffix_on_collision {
            let base = strip_suffix(&short).to_string();
            let full_base = strip_suffix(&full).to_string();
            let max = used
                .iter()
                .filter_map(|u| {
                    u.strip_prefix(&format!("{full_base}__"))
                        .and_then(|n| n.parse::<u64>().ok())
                })
                .max();
            short = match max {
                None => format!("{short}__1"),
                Some(n) => format!("{base}__{}", n + 1),
            };
            full = match parent {
                Some(p) if it.host.groups[p].prefix_group_id && !it.host.groups[p].full_id.is_empty() => {
                    format!("{}.{short}", it.host.groups[p].full_id)
                }
                _ => short.clone(),
            };
        } else if used.contains(&full) {
            it.host.load_error(
                node,
                format!("group_id `{full}` is already used in this DAG: Airflow refuses to load it"),
            );
        }
        it.host.dags[d].group_ids.push(full.clone());
    }
    it.host.groups.push(GroupModel {
        dag,
        parent,
        full_id: full,
        prefix_group_id: prefix,
        default_args: group_defaults,
        members: Vec::new(),
    });
    let g = it.host.groups.len() - 1;
    it.host.obj(Obj::Group(g))
}

fn strip_suffix(id: &str) -> &str {
    if let Some((base, n)) = id.rsplit_once("__")
        && !n.is_empty()
        && n.chars().all(|c| c.is_ascii_digit())
    {
        return base;
    }
    id
}

/// Most tasks one file may create; past it the file is not evaluated further.
const MAX_TASKS: usize = 20_000;

/// Make a task: an operator instantiation or a TaskFlow call.
#[allow(clippy::too_many_arguments)]
fn add_task<'t>(
    it: &mut It<'t>,
    raw_id: Value<'t>,
    unique: bool,
    operator: String,
    kind: TaskKind,
    kwargs: Kwargs<'t>,
    node: Node<'t>,
    id_node: Node<'t>,
    func: Option<Rc<Func<'t>>>,
    explicit_dag: Option<Option<usize>>,
) -> usize {
    if it.host.tasks.len() + 1 >= MAX_TASKS {
        it.stop();
    }
    let dag = explicit_dag.unwrap_or_else(|| it.host.current_dag());
    let group = match kw(&kwargs, "task_group") {
        Some(Value::Obj(id)) => match it.host.get(*id) {
            Some(Obj::Group(g)) => Some(*g),
            _ => it.host.current_group(dag),
        },
        _ => it.host.current_group(dag),
    };
    let task_id = match raw_id.as_str() {
        Some(raw) => {
            let mut full = it.host.child_id(group, raw);
            if let Some(d) = dag
                && it.host.dags[d].task_ids.contains_key(&full)
            {
                if unique {
                    let core = strip_suffix(raw);
                    let prefix = strip_suffix(&full).to_string();
                    let max = it.host.dags[d]
                        .task_ids
                        .keys()
                        .filter_map(|u| {
                            u.strip_prefix(&format!("{prefix}__"))
                                .and_then(|n| n.parse::<u64>().ok())
                        })
                        .max()
                        .unwrap_or(0);
                    full = it.host.child_id(group, &format!("{core}__{}", max + 1));
                } else {
                    it.host.load_error(
                        id_node,
                        format!("task id `{full}` is already used in this DAG: Airflow refuses to load the file"),
                    );
                }
            }
            Value::str(full)
        }
        None => {
            let shown = match &raw_id {
                Value::Str(s) => s.text.clone(),
                _ => crate::python::clip_text(it.text(id_node)),
            };
            it.host
                .problem(id_node, format!("the task_id `{shown}` is not known statically"));
            Value::Str(Rc::new(crate::python::Str {
                text: it.host.child_id(group, &shown),
                origin: None,
                partial: true,
            }))
        }
    };
    // default_args: the DAG's, then each enclosing group's, then the task's own
    let mut defaults: Vec<(String, Value<'t>)> = dag
        .map(|d| dict_items(Some(&it.host.dags[d].default_args)))
        .unwrap_or_default();
    let mut over = group
        .map(|g| it.host.groups[g].default_args.clone())
        .unwrap_or_default();
    over.extend(dict_items(kw(&kwargs, "default_args")));
    for (k, v) in over {
        defaults.retain(|(dk, _)| *dk != k);
        defaults.push((k, v));
    }
    it.host.tasks.push(TaskModel {
        dag,
        task_id: task_id.clone(),
        node,
        operator,
        kind,
        kwargs,
        defaults,
        upstream: Vec::new(),
        downstream: Vec::new(),
        is_setup: false,
        is_teardown: false,
        mapped: false,
        func,
        call_args: Vec::new(),
    });
    let t = it.host.tasks.len() - 1;
    let mut cur = group;
    while let Some(g) = cur {
        it.host.groups[g].members.push(t);
        cur = it.host.groups[g].parent;
    }
    if let Some(d) = dag {
        it.host.dags[d].tasks.push(t);
        if let Some(id) = task_id.as_str() {
            it.host.dags[d].task_ids.insert(id.to_string(), t);
        }
    }
    t
}

fn new_operator<'t>(
    it: &mut It<'t>,
    class: String,
    kind: TaskKind,
    args: Args<'t>,
    node: Node<'t>,
    mapped: bool,
) -> Value<'t> {
    if it.exhausted {
        return Value::Unknown;
    }
    let Some(explicit_dag) = dag_of_args(it, &args) else {
        it.host.problem(node, "the `dag=` of this task is not known statically");
        return Value::Unknown;
    };
    let raw = args.kwarg("task_id").cloned().unwrap_or(Value::Unknown);
    let id_node = args.kwarg_node("task_id").unwrap_or(node);
    let mut kwargs = args.kw.clone();
    kwargs.retain(|(k, _, _)| k != "dag");
    let t = add_task(
        it,
        raw,
        false,
        class,
        kind,
        kwargs,
        node,
        id_node,
        None,
        Some(explicit_dag),
    );
    it.host.tasks[t].mapped = mapped;
    // XComArgs in arguments (`op_args=[extract.output]`) are dependencies
    let mut ups = Vec::new();
    for (k, v, _) in &args.kw {
        if !matches!(k.as_str(), "dag" | "task_group") {
            xcoms_in(&it.host, v, &mut ups, 0);
        }
    }
    for u in ups {
        it.host.add_dep(u, t, node, None);
    }
    it.host.obj(Obj::Task(t))
}

fn call_task_func<'t>(
    it: &mut It<'t>,
    deco: &Deco<'t>,
    f: &Rc<Func<'t>>,
    args: Args<'t>,
    expand: Option<Args<'t>>,
    node: Node<'t>,
) -> Value<'t> {
    if it.exhausted {
        return Value::Unknown;
    }
    let mut kwargs = deco.kwargs.clone();
    // `fn(x=1, task_id=...)`: operator arguments may also be passed at the call
    let raw = kw(&kwargs, "task_id")
        .cloned()
        .unwrap_or_else(|| Value::str(f.name.clone()));
    let id_node = kw_entry(&deco.kwargs, "task_id").and_then(|(_, n)| n).unwrap_or(node);
    let explicit_dag = match kw(&kwargs, "dag") {
        Some(Value::Obj(id)) => match it.host.get(*id) {
            Some(Obj::Dag(d)) => Some(Some(*d)),
            _ => None,
        },
        _ => None,
    };
    kwargs.retain(|(k, _, _)| k != "dag");
    let operator = if deco.kind == "task" {
        "@task".to_string()
    } else {
        format!("@task.{}", deco.kind)
    };
    let t = add_task(
        it,
        raw,
        true,
        operator,
        deco_kind(&deco.kind),
        kwargs,
        node,
        id_node,
        Some(f.clone()),
        explicit_dag,
    );
    it.host.tasks[t].is_setup = deco.setup;
    it.host.tasks[t].is_teardown = deco.teardown;
    it.host.tasks[t].mapped = expand.is_some();
    // data dependencies: every XComArg passed in
    let params = func_param_names(it, f);
    let mut passed: Vec<(Option<String>, Value<'t>, Option<Node<'t>>)> = Vec::new();
    for (i, (v, n)) in args.pos.iter().enumerate() {
        passed.push((params.get(i).cloned(), v.clone(), *n));
    }
    for (k, v, n) in args.kw.iter().chain(expand.iter().flat_map(|e| e.kw.iter())) {
        passed.push((Some(k.clone()), v.clone(), *n));
    }
    if let Some(e) = &expand {
        for (v, n) in &e.pos {
            passed.push((None, v.clone(), *n));
        }
    }
    for (param, v, n) in passed {
        let mut ups = Vec::new();
        xcoms_in(&it.host, &v, &mut ups, 0);
        it.host.tasks[t].call_args.push((param.clone(), v.clone(), ups.clone()));
        for u in ups {
            let path = handoff_path(it, u, param.as_deref(), n.unwrap_or(node));
            it.host.add_dep(u, t, n.unwrap_or(node), path);
        }
    }
    it.host.obj(Obj::XCom(vec![t]))
}

/// A file path handed from task `u` into a parameter: the path `u`
/// returns, or a parameter that says it takes a path.
fn handoff_path<'t>(it: &It<'t>, u: usize, param: Option<&str>, at: Node<'t>) -> Option<(String, Range<usize>)> {
    let returned = it.host.tasks[u].func.as_ref().and_then(|f| returned_path(it, f));
    let upstream_python = it.host.tasks[u].func.is_some()
        || matches!(
            it.host.tasks[u].kind,
            TaskKind::Python | TaskKind::Virtualenv | TaskKind::ExternalPython
        );
    match (returned, param) {
        (Some(p), _) => Some((p, at.byte_range())),
        (None, Some(name)) if upstream_python && crate::dag::path_name(name) => {
            Some((name.to_string(), at.byte_range()))
        }
        _ => None,
    }
}

fn call_dag_func<'t>(
    it: &mut It<'t>,
    kwargs: &Kwargs<'t>,
    f: &Rc<Func<'t>>,
    args: Args<'t>,
    node: Node<'t>,
) -> Value<'t> {
    let dag_id = kw(kwargs, "dag_id")
        .cloned()
        .unwrap_or_else(|| Value::str(f.name.clone()));
    let id_node = kw_entry(kwargs, "dag_id")
        .and_then(|(_, n)| n)
        .or_else(|| f.node.child_by_field_name("name"))
        .unwrap_or(node);
    let (schedule, default_args) = dag_settings(it, kwargs);
    let v = make_dag(it, dag_id, id_node, schedule, default_args);
    Airflow::enter(it, &v, node);
    it.call_func(f, args);
    Airflow::exit(it, &v);
    v
}

fn call_group_func<'t>(
    it: &mut It<'t>,
    kwargs: &Kwargs<'t>,
    f: &Rc<Func<'t>>,
    args: Args<'t>,
    node: Node<'t>,
) -> Value<'t> {
    let mut gargs = Args {
        kw: kwargs.clone(),
        ..Default::default()
    };
    if gargs.kwarg("group_id").is_none() {
        gargs.kw.push(("group_id".into(), Value::str(f.name.clone()), None));
    }
    let g = new_group(it, &gargs, node, true);
    if g.is_unknown() {
        return Value::Unknown;
    }
    Airflow::enter(it, &g, node);
    let ret = it.call_func(f, args);
    Airflow::exit(it, &g);
    match ret {
        Value::None | Value::Unknown => g,
        Value::Obj(_) | Value::List(_) | Value::Tuple(_) => ret,
        _ => g,
    }
}

/// `@asset`: a DAG named after the asset with one task.
fn asset_dag<'t>(it: &mut It<'t>, kwargs: Kwargs<'t>, f: Rc<Func<'t>>, node: Node<'t>) -> Value<'t> {
    let name = kw(&kwargs, "name")
        .cloned()
        .unwrap_or_else(|| Value::str(f.name.clone()));
    let id_node = f.node.child_by_field_name("name").unwrap_or(node);
    let (schedule, _) = dag_settings(it, &kwargs);
    let v = make_dag(it, name.clone(), id_node, schedule, Value::None);
    Airflow::enter(it, &v, node);
    let deco = Deco {
        kind: "task".into(),
        kwargs: kwargs
            .into_iter()
            .filter(|(k, _, _)| !matches!(k.as_str(), "schedule" | "name" | "uri" | "group" | "extra"))
            .collect(),
        setup: false,
        teardown: false,
    };
    let mut d = deco;
    d.kwargs.push(("task_id".into(), name, None));
    call_task_func(it, &d, &f, Args::default(), None, node);
    Airflow::exit(it, &v);
    v
}

fn chain<'t>(it: &mut It<'t>, args: &Args<'t>, node: Node<'t>, linear: bool) {
    let elems: Vec<Value<'t>> = args.pos.iter().map(|(v, _)| v.clone()).collect();
    if args.unknown_splat {
        it.host
            .problem(node, "`chain` over tasks kfr cannot resolve statically");
    }
    for pair in elems.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let a_list = matches!(a, Value::List(_) | Value::Tuple(_));
        let b_list = matches!(b, Value::List(_) | Value::Tuple(_));
        if a_list && b_list && !linear {
            let (ai, bi) = (a.items().unwrap_or_default(), b.items().unwrap_or_default());
            if ai.len() != bi.len() {
                it.host.load_error(
                    node,
                    format!(
                        "`chain` of lists of different lengths ({} and {}): Airflow refuses to load the file",
                        ai.len(),
                        bi.len()
                    ),
                );
                continue;
            }
            for (x, y) in ai.iter().zip(bi.iter()) {
                it.host.connect(node, x, y);
            }
        } else if !it.host.connect(node, a, b) {
            it.host
                .problem(node, "`chain` with tasks kfr cannot resolve statically");
        }
    }
}
