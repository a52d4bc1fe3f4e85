//! From the evaluated model to the unified graph: one pipeline per loaded
//! DAG, one step per task, an edge per upstream relation.

use super::host::{Airflow, Obj, TaskKind, TaskModel, looks_like_path, returned_path};
use crate::dag::{
    CallArg, Callable, Edge, EdgeKind, Fragment, Package, Pipeline, PipelineKind, Retry, Schedule, Step, StepKind,
};
use crate::diagnostic::{Diagnostic, Severity};
use crate::frontend::command::{self, CommandText};
use crate::frontend::python_file::{self, Library, Parsed};
use crate::packages;
use crate::python::{self, Interp, Value};
use crate::source::{SourceDb, SourceFile, Span, join_normalized};
use std::collections::HashMap;
use std::sync::Arc;
use tree_sitter::Node;

/// What Airflow imports the file as, for the shared Python checks.
pub const LIBRARY: Library = Library {
    module: "airflow",
    name: "Airflow",
    importer: "Airflow",
    lost: "none of its DAGs load",
};

/// The DAGs of a parsed Python file that imports Airflow.
pub fn lower(db: &SourceDb, file: &Arc<SourceFile>, parsed: &Parsed) -> Fragment {
    let mut frag = Fragment::default();
    let (text, tree, program): (&str, _, _) = (&file.text, &parsed.tree, &parsed.program);
    let mut it = python_file::interpreter(db, file, parsed, Airflow::default());
    it.run_module(tree.root_node());

    // module-level names holding DAGs are loaded, as DagBag does
    for (_, v) in it.module.entries() {
        if let Value::Obj(id) = v
            && let Some(Obj::Dag(d)) = it.host.objs.get(id as usize)
        {
            let d = *d;
            it.host.dags[d].registered = true;
        }
    }
    let mut diags = Vec::new();
    let mut pipeline_notes: Vec<(Span, String)> = Vec::new();
    for python::Note {
        range,
        message,
        skipped_loop,
    } in &it.notes
    {
        if *skipped_loop && loop_builds_tasks(tree.root_node(), range.clone(), text) {
            diags.push(
                Diagnostic::parse_error(
                    program.span(range.clone()),
                    format!("{message}; the tasks it creates are missing from the graph"),
                )
                .with_severity(Severity::Warning)
                .with_help("build task ids from literal lists or module constants so they can be read without running the file"),
            );
        } else {
            pipeline_notes.push((program.span(range.clone()), message.clone()));
        }
    }
    for (range, message) in &it.host.load_errors {
        diags.push(
            Diagnostic::parse_error(program.span(range.clone()), message.clone())
                .with_help("Airflow cannot import this file, so none of its DAGs load"),
        );
    }
    for (range, message, help) in &it.host.problems {
        let d = Diagnostic::parse_error(program.span(range.clone()), message.clone()).with_severity(Severity::Warning);
        diags.push(match help {
            Some(h) => d.with_help(h.clone()),
            None => d,
        });
    }
    if it.exhausted {
        diags.push(python_file::exhausted(program, "DAGs"));
    }

    let dir = file.dir().to_path_buf();
    let af = &it.host;
    // the last DAG of an id wins, as in Airflow
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for (d, dag) in af.dags.iter().enumerate() {
        if dag.registered {
            by_id.insert(dag.dag_id.display(), d);
        }
    }
    let mut order: Vec<usize> = by_id.values().copied().collect();
    order.sort();
    let mut step_of: HashMap<usize, usize> = HashMap::new();
    for d in order {
        let dag = &af.dags[d];
        let name = dag.dag_id.display();
        let pipeline_id = format!("airflow:{}:{name}", file.name);
        let schedule = dag.schedule.as_ref().and_then(|(v, n)| {
            let text = match v {
                Value::None => return None,
                Value::Str(s) if !s.partial => s.text.clone(),
                _ => it.text(*n).split_whitespace().collect::<Vec<_>>().join(" "),
            };
            Some(Schedule::opaque(text, program.span(n.byte_range())))
        });
        let p = frag.pipelines.len();
        frag.pipelines.push(Pipeline {
            id: pipeline_id.clone(),
            kind: PipelineKind::Airflow,
            name: name.clone(),
            file: file.id,
            span: program.span(dag.id_node.byte_range()),
            schedule,
            dir: dir.clone(),
            includes: Vec::new(),
            default_step: None,
            notes: pipeline_notes.clone(),
            other_schedules: Vec::new(),
            dropped_cycle_edges: Vec::new(),
            triggered_by: Vec::new(),
        });
        for &t in &dag.tasks {
            let task = &af.tasks[t];
            if task.dag != Some(d) {
                continue;
            }
            let step = lower_task(db, &it, file, program, task, p, &pipeline_id, &mut diags);
            step_of.insert(t, frag.steps.len());
            frag.steps.push(step);
        }
    }
    // dependencies
    for (&t, &s) in &step_of {
        let task = &af.tasks[t];
        for dep in &task.upstream {
            let Some(&from) = step_of.get(&dep.task) else { continue };
            if frag.steps[from].pipeline != frag.steps[s].pipeline {
                continue;
            }
            let (kind, path, span) = match &dep.path {
                Some((p, r)) => (EdgeKind::File, Some(p.clone()), program.span(r.clone())),
                None => {
                    // a file the upstream task's command writes and this one reads
                    let shared = frag.steps[s]
                        .inputs
                        .iter()
                        .find(|i| frag.steps[from].outputs.iter().any(|o| o.key == i.key));
                    match shared {
                        Some(i) => (
                            EdgeKind::File,
                            Some(i.path.clone()),
                            i.span.unwrap_or(frag.steps[s].span),
                        ),
                        None => match xcom_pulled_path(&it, af, &af.tasks[dep.task], task) {
                            Some(p) => (EdgeKind::File, Some(p), frag.steps[s].span),
                            None => (EdgeKind::Order, None, program.span(dep.node.byte_range())),
                        },
                    }
                }
            };
            frag.edges.push(Edge {
                from,
                to: s,
                kind,
                path,
                span: Some(span),
            });
        }
    }
    frag.edges.sort_by_key(|e| (e.to, e.from));
    frag.diagnostics.extend(diags);
    frag
}

/// Whether the loop around `range` (its iterable) creates tasks.
fn loop_builds_tasks(root: Node, range: std::ops::Range<usize>, text: &str) -> bool {
    let Some(mut n) = root.descendant_for_byte_range(range.start, range.end) else {
        return false;
    };
    while !matches!(n.kind(), "for_statement" | "while_statement" | "module") {
        match n.parent() {
            Some(p) => n = p,
            None => return false,
        }
    }
    let body = n.child_by_field_name("body").map_or("", |b| &text[b.byte_range()]);
    body.contains("task_id")
        || body.contains(">>")
        || body.contains("<<")
        || body.contains("Operator(")
        || body.contains("Sensor(")
}

fn kwarg<'a, 't>(task: &'a TaskModel<'t>, name: &str) -> Option<(&'a Value<'t>, Option<Node<'t>>)> {
    super::host::kw_entry(&task.kwargs, name)
}

/// An argument of the task, else its default_args entry.
fn setting<'a, 't>(task: &'a TaskModel<'t>, name: &str) -> Option<(&'a Value<'t>, Option<Node<'t>>)> {
    kwarg(task, name).or_else(|| {
        task.defaults
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| (v, None))
    })
}

#[allow(clippy::too_many_arguments)]
fn lower_task<'t>(
    db: &SourceDb,
    it: &Interp<'t, Airflow<'t>>,
    file: &Arc<SourceFile>,
    program: &python::Program,
    task: &TaskModel<'t>,
    pipeline: usize,
    pipeline_id: &str,
    diags: &mut Vec<Diagnostic>,
) -> Step {
    let name = task.task_id.display();
    let span_node = match &task.func {
        Some(f) => f.node.child_by_field_name("name").unwrap_or(task.node),
        None => kwarg(task, "task_id").and_then(|(_, n)| n).unwrap_or(task.node),
    };
    let span = program.span(span_node.byte_range());
    let retry = match setting(task, "retries") {
        None => {
            if task.defaults.iter().any(|(k, _)| k == "**") || task.kwargs.iter().any(|(k, _, _)| k == "**") {
                Retry::Unknown { span }
            } else {
                Retry::None
            }
        }
        Some((v, n)) => {
            let rspan = n.map_or(span, |n| program.span(n.byte_range()));
            match v {
                Value::Int(i) => Retry::Count {
                    count: (*i).clamp(0, u32::MAX as i64) as u32,
                    span: rspan,
                },
                Value::None => Retry::Count { count: 0, span: rspan },
                _ => Retry::Unknown { span: rspan },
            }
        }
    };
    let shown = |v: &Value| -> String {
        match v {
            Value::Opaque(t) => t.split_whitespace().collect::<Vec<_>>().join(" "),
            v => v.display(),
        }
    };
    let retry_delay = setting(task, "retry_delay").map(|(v, _)| shown(v));
    let timeout = setting(task, "execution_timeout").map(|(v, _)| shown(v));
    let mut step = Step::new(pipeline_id, pipeline, &name, StepKind::Task, span);
    step.operator = Some(task.operator.clone());
    if task.mapped {
        step.notes.push((
            span,
            "is mapped over values known only when it runs (`.expand()`): one task per value".into(),
        ));
    }
    if matches!(
        task.kind,
        TaskKind::Python | TaskKind::Virtualenv | TaskKind::ExternalPython
    ) {
        step.callable = callable(it, program, task);
    }
    step.retry = retry;
    step.retry_delay = retry_delay;
    step.timeout = timeout;
    let dir = file.dir().to_path_buf();
    // the command a task runs
    match task.kind {
        TaskKind::Bash => {
            let cmd = match &task.func {
                // @task.bash returns its command
                Some(f) => returned_command(it, f).map(|(t, o)| (Value::str(t), o)),
                None => kwarg(task, "bash_command")
                    .or_else(|| kwarg(task, "command"))
                    .map(|(v, n)| (v.clone(), n)),
            };
            if let Some((v, n)) = cmd {
                let text = match &v {
                    Value::Str(s) => s.text.clone(),
                    v => v.display(),
                };
                let origin = match &v {
                    Value::Str(s) => s.origin,
                    _ => None,
                };
                let whole = n.map_or(span, |n| program.span(n.byte_range()));
                let map = |r: std::ops::Range<usize>| match origin {
                    Some(o) => program.span(o + r.start..o + r.end),
                    None => whole,
                };
                if let Value::Str(_) = v {
                    command::analyse(
                        db,
                        &mut step,
                        &CommandText {
                            text: &text,
                            map: &map,
                            dir: &dir,
                        },
                        diags,
                    );
                }
                step.command = Some(text.trim().to_string());
            } else {
                step.command = Some(task.operator.clone());
            }
        }
        TaskKind::Empty => {}
        TaskKind::Docker | TaskKind::Kubernetes => {
            if let Some((v, n)) = kwarg(task, "image") {
                step.image = Some(v.display());
                step.image_span = n.map(|n| program.span(n.byte_range()));
                if !matches!(v, Value::Str(s) if !s.partial) {
                    step.notes
                        .push((step.image_span.unwrap_or(span), "image not known statically".into()));
                }
            }
            let cmd = ["command", "cmds", "arguments"]
                .iter()
                .filter_map(|k| kwarg(task, k))
                .map(|(v, n)| match v {
                    Value::Str(s) => s.text.clone(),
                    v => v
                        .items()
                        .map(|i| i.iter().map(|x| x.display()).collect::<Vec<_>>().join(" "))
                        .unwrap_or_else(|| n.map_or(String::new(), |n| it.text(n).to_string())),
                })
                .collect::<Vec<_>>()
                .join(" ");
            let image = step.image.clone().unwrap_or_default();
            step.command = Some(format!("{} {image} {cmd}", task.operator).trim().to_string());
        }
        _ => {
            let callable = match &task.func {
                Some(f) => Some(f.name.clone()),
                None => match kwarg(task, "python_callable") {
                    Some((Value::Func(f), _)) => Some(f.name.clone()),
                    Some((_, Some(n))) => Some(it.text(n).to_string()),
                    _ => None,
                },
            };
            step.command = Some(match callable {
                Some(c) => format!("{} {c}", task.operator),
                None => task.operator.clone(),
            });
        }
    }
    // requirements of a virtualenv task
    if task.kind == TaskKind::Virtualenv
        && let Some((v, n)) = kwarg(task, "requirements")
    {
        requirements(db, file, program, &mut step, v, n, diags);
    }
    if task.kind == TaskKind::Sensor && step.command.is_none() {
        step.command = Some(task.operator.clone());
    }
    step
}

fn requirements<'t>(
    db: &SourceDb,
    file: &Arc<SourceFile>,
    program: &python::Program,
    step: &mut Step,
    v: &Value<'t>,
    n: Option<Node<'t>>,
    diags: &mut Vec<Diagnostic>,
) {
    let whole = n.map_or(step.span, |n| program.span(n.byte_range()));
    let span_of = |v: &Value| match v {
        Value::Str(s) => s.origin.map_or(whole, |o| program.span(o..o + s.text.len())),
        _ => whole,
    };
    let items: Vec<Value> = match v {
        Value::Str(s) if s.text.trim_end().ends_with(".txt") && !s.text.contains('\n') => {
            let path = join_normalized(file.dir(), s.text.trim());
            match packages::read_requirements(db, &path, &packages::Constraints::default()) {
                Ok(read) => {
                    let at = span_of(v);
                    step.packages.extend(read.packages.into_iter().map(|mut p| {
                        p.installed_at = Some(at);
                        p
                    }));
                    diags.extend(read.diagnostics);
                }
                Err(e) => step.notes.push((span_of(v), packages::unread_note(s.text.trim(), &e))),
            }
            return;
        }
        Value::Str(s) => s.text.lines().map(|l| Value::str(l.to_string())).collect(),
        v => v.items().unwrap_or_default(),
    };
    let single_line_str = matches!(v, Value::Str(s) if !s.text.contains('\n'));
    for item in items {
        let Value::Str(s) = &item else { continue };
        if s.partial {
            continue;
        }
        if let Some(req) = packages::classify(&s.text, false) {
            let span = if single_line_str { span_of(v) } else { span_of(&item) };
            let p: Package = req.into_package(span, &packages::Constraints::default());
            step.packages.push(p);
        }
    }
}

/// The function a Python task runs, what it is passed, and the module
/// around it.
fn callable<'t>(it: &Interp<'t, Airflow<'t>>, program: &python::Program, task: &TaskModel<'t>) -> Option<Callable> {
    let f = match &task.func {
        Some(f) => f.clone(),
        None => match kwarg(task, "python_callable") {
            Some((Value::Func(f), _)) => f.clone(),
            _ => return None,
        },
    };
    if f.is_lambda {
        return None;
    }
    let mut args = Vec::new();
    if task.func.is_some() {
        for (param, v, ups) in &task.call_args {
            let Some(param) = param else { continue };
            let arg = match ups.first() {
                Some(u) => CallArg::Task(it.host.tasks[*u].task_id.display()),
                None => literal(v).map_or_else(|| CallArg::Other(v.display()), CallArg::Literal),
            };
            args.push((param.clone(), arg));
        }
    } else {
        // `op_args` by position, then `op_kwargs` by name
        let names = super::host::func_param_names(it, &f);
        if let Some((v, _)) = kwarg(task, "op_args")
            && let Some(items) = v.items()
        {
            for (name, v) in names.iter().zip(items.iter()) {
                let arg = literal(v).map_or_else(|| CallArg::Other(v.display()), CallArg::Literal);
                args.push((name.clone(), arg));
            }
        }
        if let Some((Value::Dict(d), _)) = kwarg(task, "op_kwargs") {
            for (k, v) in &d.borrow().items {
                if let Some(k) = k.as_str() {
                    let arg = literal(v).map_or_else(|| CallArg::Other(v.display()), CallArg::Literal);
                    args.push((k.to_string(), arg));
                }
            }
        }
    }
    let mut module = f.node;
    while let Some(p) = module.parent() {
        module = p;
    }
    let mut module_imports = Vec::new();
    let mut module_names = Vec::new();
    let mut cursor = module.walk();
    for c in module.children(&mut cursor) {
        match c.kind() {
            "import_statement" | "import_from_statement" => {
                let mut bound = Vec::new();
                let mut cc = c.walk();
                for n in c.children_by_field_name("name", &mut cc) {
                    let b = match n.kind() {
                        "aliased_import" => n.child_by_field_name("alias").map(|a| it.text(a).to_string()),
                        _ => it.text(n).split('.').next().map(str::to_string),
                    };
                    bound.extend(b);
                }
                module_imports.push((bound, it.text(c).to_string()));
            }
            "function_definition" | "class_definition" | "decorated_definition" => {
                let def = if c.kind() == "decorated_definition" {
                    c.child_by_field_name("definition").unwrap_or(c)
                } else {
                    c
                };
                if let Some(n) = def.child_by_field_name("name") {
                    module_names.push(it.text(n).to_string());
                }
            }
            "expression_statement" => {
                if let Some(a) = c.named_child(0).filter(|a| a.kind() == "assignment")
                    && let Some(l) = a.child_by_field_name("left").filter(|l| l.kind() == "identifier")
                {
                    module_names.push(it.text(l).to_string());
                }
            }
            _ => {}
        }
    }
    Some(Callable {
        name: f.name.clone(),
        source: it.text(f.node).to_string(),
        span: program.span(f.node.byte_range()),
        args,
        module_imports,
        module_names,
    })
}

/// A value as JSON, when it is a plain literal.
fn literal(v: &Value) -> Option<serde_json::Value> {
    Some(match v {
        Value::None => serde_json::Value::Null,
        Value::Bool(b) => (*b).into(),
        Value::Int(i) => (*i).into(),
        Value::Float(f) => serde_json::Number::from_f64(*f)?.into(),
        Value::Str(s) if !s.partial => s.text.clone().into(),
        Value::List(_) | Value::Tuple(_) => {
            serde_json::Value::Array(v.items()?.iter().map(literal).collect::<Option<_>>()?)
        }
        Value::Dict(d) => {
            let mut m = serde_json::Map::new();
            for (k, v) in &d.borrow().items {
                m.insert(k.as_str()?.to_string(), literal(v)?);
            }
            serde_json::Value::Object(m)
        }
        _ => return None,
    })
}

/// The command string a `@task.bash` function returns.
fn returned_command<'t>(it: &Interp<'t, Airflow<'t>>, f: &python::Func<'t>) -> Option<(String, Option<Node<'t>>)> {
    let mut stack = vec![f.body];
    while let Some(n) = stack.pop() {
        if matches!(n.kind(), "function_definition" | "class_definition" | "lambda") {
            continue;
        }
        if n.kind() == "return_statement"
            && let Some(e) = n.named_child(0)
            && matches!(e.kind(), "string" | "concatenated_string")
        {
            let t = it.text(e);
            let body = t
                .trim_start_matches(|c: char| c.is_ascii_alphabetic())
                .trim_start_matches("\"\"\"")
                .trim_start_matches("'''")
                .trim_start_matches(['"', '\''])
                .trim_end_matches("\"\"\"")
                .trim_end_matches("'''")
                .trim_end_matches(['"', '\'']);
            return Some((body.to_string(), Some(e)));
        }
        let mut cursor = n.walk();
        let kids: Vec<Node> = n.named_children(&mut cursor).collect();
        stack.extend(kids.into_iter().rev());
    }
    None
}

/// A path the consumer pulls from the producer's XCom: a template or a
/// callable that calls `xcom_pull(task_ids="producer", ...)` into a name
/// that says it holds a path, or a producer that returns a path.
fn xcom_pulled_path<'t>(
    it: &Interp<'t, Airflow<'t>>,
    _af: &Airflow<'t>,
    producer: &TaskModel<'t>,
    consumer: &TaskModel<'t>,
) -> Option<String> {
    let producer_id = producer.task_id.as_str()?;
    let produced = producer.func.as_ref().and_then(|f| returned_path(it, f)).or_else(|| {
        kwarg(producer, "python_callable").and_then(|(v, _)| match v {
            Value::Func(f) => returned_path(it, f),
            _ => None,
        })
    });
    // texts where the consumer may pull: its string arguments and its callable
    let mut texts: Vec<(Option<String>, String)> = Vec::new();
    for (k, v, _) in &consumer.kwargs {
        collect_strings(v, Some(k.clone()), &mut texts, 0);
    }
    if let Some((Value::Func(f), _)) = kwarg(consumer, "python_callable") {
        texts.push((None, it.text(f.body).to_string()));
    }
    for (key, t) in texts {
        let mut rest = t.as_str();
        while let Some(i) = rest.find("xcom_pull(") {
            let call = &rest[i..];
            let end = call.find(')').unwrap_or(call.len());
            let args = &call[..end];
            rest = &call[end.min(call.len())..];
            let names_producer =
                args.contains(&format!("'{producer_id}'")) || args.contains(&format!("\"{producer_id}\""));
            if !names_producer {
                continue;
            }
            let pulled_key = args.split("key=").nth(1).map(|k| {
                k.trim_start_matches(['\'', '"'])
                    .split(['\'', '"'])
                    .next()
                    .unwrap_or("")
                    .to_string()
            });
            let keyish = |s: &str| {
                let s = s.to_ascii_lowercase();
                s.contains("path") || s.contains("file") || s.contains("uri") || s.contains("dir")
            };
            if let Some(p) = &produced {
                return Some(p.clone());
            }
            if let Some(k) = pulled_key.filter(|k| keyish(k)) {
                return Some(k.to_string());
            }
            if let Some(k) = key.as_deref().filter(|k| keyish(k)) {
                return Some(k.to_string());
            }
            if looks_like_path(&t) {
                return Some(t.clone());
            }
        }
    }
    None
}

fn collect_strings(v: &Value, key: Option<String>, out: &mut Vec<(Option<String>, String)>, depth: usize) {
    if depth > 6 {
        return;
    }
    match v {
        Value::Str(s) => out.push((key, s.text.clone())),
        Value::List(_) | Value::Tuple(_) => {
            for i in v.items().unwrap_or_default() {
                collect_strings(&i, key.clone(), out, depth + 1);
            }
        }
        Value::Dict(d) => {
            for (k, i) in d.borrow().items.iter() {
                collect_strings(i, k.as_str().map(str::to_string).or(key.clone()), out, depth + 1);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn lower_text(text: &str) -> Fragment {
        let db = SourceDb::new();
        let file = db.add_virtual(Path::new("dags/wide.py"), text.to_string());
        let mut diags = Vec::new();
        let parsed = python_file::parse(&db, &file, &[&LIBRARY], &mut diags).expect("an Airflow file");
        let mut frag = lower(&db, &file, &parsed);
        frag.diagnostics.extend(diags);
        frag
    }

    /// `groups` lists of `width` tasks, each list `cross_downstream` of the one before.
    fn crossed(groups: usize, width: usize) -> String {
        format!(
            "from airflow import DAG
from airflow.models.baseoperator import cross_downstream
from airflow.operators.bash import BashOperator

with DAG('wide', schedule='@daily') as dag:
    previous = None
    for g in range({groups}):
        group = [BashOperator(task_id=f't{{g}}_{{i}}', bash_command='make', retries=2) for i in range({width})]
        if previous:
            cross_downstream(previous, group)
        previous = group
"
        )
    }

    fn dependencies(frag: &Fragment) -> usize {
        frag.edges.len()
    }

    #[test]
    fn groups_crossed_below_the_limit_keep_every_dependency() {
        let frag = lower_text(&crossed(3, 300));
        assert!(frag.diagnostics.is_empty(), "{:?}", frag.diagnostics);
        assert_eq!(frag.steps.len(), 900);
        assert_eq!(dependencies(&frag), 2 * 300 * 300);
    }

    #[test]
    fn dependencies_past_the_limit_are_reported_once_and_not_read() {
        // each crossing of two groups of 900 makes 810,000
        let frag = lower_text(&crossed(20, 900));
        assert_eq!(frag.steps.len(), 18_000);
        assert!(
            dependencies(&frag) <= crate::dag::MAX_DEPENDENCIES,
            "{}",
            dependencies(&frag)
        );
        let limit: Vec<_> = frag
            .diagnostics
            .iter()
            .filter(|d| d.message.contains("task dependencies"))
            .collect();
        assert_eq!(limit.len(), 1, "{:?}", frag.diagnostics);
        assert_eq!(
            limit[0].message,
            "more than 250,000 task dependencies in this file: the ones made here and after are not read"
        );
        assert_eq!(limit[0].severity, Severity::Warning);
        assert!(limit[0].help.as_deref().is_some_and(|h| h.contains("EmptyOperator")));
    }
}
