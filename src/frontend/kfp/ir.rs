//! Compiled KFP pipelines (the PipelineSpec IR, as `kfp.compiler` writes
//! it) read as pipelines in their own right, and component YAML files (v1
//! `component.yaml` and v2 single-component IR) read for the Python files
//! that load them.
//!
//! A compiled pipeline gives the same model as the Python it came from:
//! task keys, groups, `dependentTasks`, retry policies, caching, images,
//! and the packages a Python function's executor installs, read back out of
//! the SDK's pip command. Inputs are resolved through group DAGs (a loop's
//! `pipelinechannel--…` inputs and its `dag.outputs` selectors) to the
//! leaf tasks that produce them.

use super::model::{
    Arg, ArgValue, Caching, Component, ComponentKind, GroupKind, Image, Io, IoType, ParamType, Pipeline, RetryPolicy,
    Task, TaskKind, Word, k8s_name,
};
use super::placeholder::{Branch, Placeholder};
use crate::dag::Package;
use crate::diagnostic::Diagnostic;
use crate::packages;
use crate::shell;
use crate::source::{SourceFile, Span, TextProblem};
use crate::yaml::{self, Kind, Node};
use std::ops::Range;

/// Whether a YAML text may be a compiled pipeline (the cheap test before
/// parsing): the SDK's header comment, or the keys only a PipelineSpec has.
pub fn mentions_pipeline_spec(text: &str) -> bool {
    text.starts_with("# PIPELINE DEFINITION") || text.contains("pipelineInfo") || text.contains("deploymentSpec")
}

/// Whether a parsed document is a PipelineSpec.
fn is_pipeline_spec(doc: &Node) -> bool {
    doc.get("pipelineInfo").is_some_and(Node::is_map) && doc.get("root").is_some_and(Node::is_map)
}

/// Read a YAML file: the pipelines of a compiled PipelineSpec, or nothing
/// for any other YAML.
pub fn read(file: &SourceFile) -> (Vec<Pipeline>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    if !mentions_pipeline_spec(&file.text) {
        return (Vec::new(), diags);
    }
    if let Some(problem) = &file.problem {
        diags.extend(
            crate::frontend::unreadable(file, problem, "a YAML file that looks like a compiled KFP pipeline").or_else(
                || {
                    let TextProblem::InvalidUtf8 { offset } = problem else {
                        return None;
                    };
                    Some(Diagnostic::parse_error(
                        crate::frontend::char_span(file, *offset),
                        "this YAML file is not valid UTF-8, so KFP cannot load it",
                    ))
                },
            ),
        );
        return (Vec::new(), diags);
    }
    let docs = match yaml::parse(&file.text) {
        Ok(d) => d,
        Err(e) => {
            // at the end of the text or on a blank line: the last line written
            let mut at = e.at.min(file.text.len());
            let before = file.text[..at].trim_end();
            if file.text[before.len()..at].contains('\n') || at == file.text.len() {
                at = before.rfind('\n').map_or(0, |i| i + 1);
            }
            diags.push(
                Diagnostic::parse_error(file.span(at..at), format!("YAML syntax error: {}", e.message))
                    .with_help("KFP cannot load this pipeline; recompile it, or fix the YAML by hand"),
            );
            return (Vec::new(), diags);
        }
    };
    let Some(doc) = docs.first().filter(|d| is_pipeline_spec(d)) else {
        return (Vec::new(), diags);
    };
    let reader = Reader::new(file, doc);
    let mut out = Vec::new();
    reader.pipeline(doc.get("root").unwrap_or(doc), None, &mut out, &mut diags, 0);
    (out, diags)
}

struct Reader<'a> {
    file: &'a SourceFile,
    doc: &'a Node,
    /// Components already read, by name: many tasks run one component.
    read: std::cell::RefCell<std::collections::HashMap<String, Component>>,
}

/// Where an input name of a DAG comes from: the pipeline's own inputs, or
/// the task (of the enclosing DAG) that runs a group. Scopes are kept as a
/// stack, innermost last, so resolution walks outwards.
#[derive(Clone, Copy)]
enum Frame<'a> {
    Root(&'a Node),
    Group {
        task: &'a Node,
        /// `parameterIterator.itemInput` / `artifactIterator.itemInput`.
        item: Option<&'a str>,
        /// The DAG the group task is in.
        dag: &'a Node,
    },
}

impl<'a> Reader<'a> {
    fn new(file: &'a SourceFile, doc: &'a Node) -> Reader<'a> {
        Reader {
            file,
            doc,
            read: Default::default(),
        }
    }

    fn span(&self, r: &Range<usize>) -> Span {
        self.file.span(r.clone())
    }

    fn components(&self) -> Option<&'a Node> {
        self.doc.get("components")
    }

    fn component(&self, task: &Node) -> Option<&'a Node> {
        let name = task.at(&["componentRef", "name"])?.as_str()?;
        self.components()?.get(name)
    }

    fn executor(&self, comp: &Node) -> Option<&'a Node> {
        let label = comp.get("executorLabel")?.as_str()?;
        self.doc.at(&["deploymentSpec", "executors", label])
    }

    /// One pipeline (the root, or a pipeline embedded as a component) with
    /// the tasks of its DAG and of its group DAGs.
    fn pipeline(
        &self,
        comp: &'a Node,
        embedded_in: Option<(String, String, Range<usize>)>,
        out: &mut Vec<Pipeline>,
        diags: &mut Vec<Diagnostic>,
        depth: usize,
    ) {
        if depth > 16 {
            return;
        }
        let info = self.doc.get("pipelineInfo");
        let (name, span) = match &embedded_in {
            Some((outer, task, span)) => (format!("{outer}/{task}"), self.span(span)),
            None => {
                let n = info.and_then(|i| i.get("name"));
                (
                    n.and_then(Node::as_str).unwrap_or("").to_string(),
                    self.span(&n.map_or(0..0, |n| n.span.clone())),
                )
            }
        };
        let mut pipeline = Pipeline {
            name: name.clone(),
            span,
            description: None,
            display_name: None,
            tasks: Vec::new(),
            notes: Vec::new(),
            embedded_in: embedded_in.as_ref().map(|(o, t, _)| (o.clone(), t.clone())),
        };
        if embedded_in.is_none() {
            pipeline.description = info
                .and_then(|i| i.get("description"))
                .and_then(Node::as_str)
                .map(str::to_string);
            pipeline.display_name = info
                .and_then(|i| i.get("displayName"))
                .and_then(Node::as_str)
                .map(str::to_string);
        }
        let root = [Frame::Root(comp)];
        let mut nested = Vec::new();
        if let Some(dag) = comp.get("dag") {
            self.dag(dag, None, &root, &mut pipeline.tasks, &mut nested, diags, 0);
        } else {
            diags.push(Diagnostic::parse_error(
                self.span(&comp.span),
                "the root of this PipelineSpec has no `dag`: KFP cannot run it",
            ));
        }
        out.push(pipeline);
        for (key, key_span, sub) in nested {
            self.pipeline(sub, Some((name.clone(), key, key_span)), out, diags, depth + 1);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn dag(
        &self,
        dag: &'a Node,
        group: Option<&str>,
        scope: &[Frame<'a>],
        tasks: &mut Vec<Task>,
        nested: &mut Vec<(String, Range<usize>, &'a Node)>,
        diags: &mut Vec<Diagnostic>,
        depth: usize,
    ) {
        if depth > 64 {
            return;
        }
        let Some(task_map) = dag.get("tasks") else { return };
        for (key, key_span, task) in task_map.entries() {
            let comp = self.component(task);
            let kind = match comp {
                Some(c) if c.get("dag").is_some() => match group_kind(key, task) {
                    Some(g) => TaskKind::Group(g),
                    None => TaskKind::Pipeline(None),
                },
                Some(c) => match self.executor(c) {
                    Some(e) if e.get("importer").is_some() => TaskKind::Importer,
                    _ => TaskKind::Container,
                },
                None => {
                    diags.push(
                        Diagnostic::parse_error(
                            self.span(key_span),
                            format!("task `{key}` names a component this file does not define"),
                        )
                        .with_help("the KFP backend rejects this pipeline: recompile it from its Python instead of editing the YAML"),
                    );
                    TaskKind::Container
                }
            };
            let display_name = task
                .at(&["taskInfo", "name"])
                .and_then(Node::as_str)
                .unwrap_or(key)
                .to_string();
            let dependent_tasks = task
                .get("dependentTasks")
                .map(|d| {
                    d.items()
                        .iter()
                        .filter_map(|n| n.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            let retry = task.entry("retryPolicy").map(|(ks, r)| RetryPolicy {
                count: Some(
                    r.get("maxRetryCount")
                        .and_then(Node::as_i64)
                        .unwrap_or(0)
                        .clamp(0, u32::MAX as i64) as u32,
                ),
                backoff_duration: r.get("backoffDuration").and_then(Node::as_str).map(str::to_string),
                backoff_factor: r.get("backoffFactor").and_then(Node::as_f64),
                backoff_max_duration: r.get("backoffMaxDuration").and_then(Node::as_str).map(str::to_string),
                span: self.span(&ks),
            });
            let caching = match task.entry("cachingOptions") {
                Some((ks, c)) => Caching::Compiled(
                    c.get("enableCache").and_then(Node::as_bool).unwrap_or(false),
                    self.span(&ks),
                ),
                None => Caching::Compiled(false, self.span(key_span)),
            };
            let mut consumes = Vec::new();
            let mut args = Vec::new();
            for section in ["parameters", "artifacts"] {
                let Some(inputs) = task.at(&["inputs", section]) else {
                    continue;
                };
                for (input, input_span, value) in inputs.entries() {
                    if let Some((p, k)) = task_output(value) {
                        consumes.push(format!("{p}.{k}"));
                    }
                    if matches!(kind, TaskKind::Group(_)) {
                        continue;
                    }
                    args.push(Arg {
                        input: input.clone(),
                        value: self.resolve_value(value, dag, scope, 0),
                        span: self.span(input_span),
                    });
                }
            }
            if let TaskKind::Importer = kind
                && let Some(uri) = comp
                    .and_then(|c| self.executor(c))
                    .and_then(|e| e.at(&["importer", "artifactUri"]))
            {
                let value = match uri.at(&["constant"]) {
                    Some(c) => ArgValue::Constant(scalar_text(c)),
                    None => ArgValue::Other,
                };
                if !args.iter().any(|a| a.input == "uri") {
                    args.push(Arg {
                        input: "uri".into(),
                        value,
                        span: self.span(&uri.span),
                    });
                }
            }
            consumes.sort();
            consumes.dedup();
            let component = match (&kind, comp) {
                (TaskKind::Container | TaskKind::Importer, Some(c)) => {
                    let name = task.at(&["componentRef", "name"]).and_then(Node::as_str).unwrap_or(key);
                    Some(self.read_component(name.strip_prefix("comp-").unwrap_or(name), c))
                }
                (TaskKind::Pipeline(_), Some(c)) => {
                    let name = task.at(&["componentRef", "name"]).and_then(Node::as_str).unwrap_or(key);
                    Some(Component::new(
                        name.strip_prefix("comp-").unwrap_or(name).to_string(),
                        ComponentKind::Pipeline,
                        definitions(self.file, c.get("inputDefinitions")),
                        definitions(self.file, c.get("outputDefinitions")),
                        self.span(&c.span),
                    ))
                }
                _ => None,
            };
            let settings = comp
                .and_then(|c| self.executor(c))
                .map(container_settings)
                .unwrap_or_default();
            let exit_task =
                task.at(&["triggerPolicy", "strategy"]).and_then(Node::as_str) == Some("ALL_UPSTREAM_TASKS_COMPLETED");
            tasks.push(Task {
                key: key.clone(),
                display_name,
                group: group.map(str::to_string),
                kind: kind.clone(),
                span: self.span(key_span),
                dependent_tasks,
                consumes,
                args,
                retry,
                caching,
                component,
                settings,
                exit_task,
            });
            match (&kind, comp) {
                (TaskKind::Group(_), Some(c)) => {
                    let item = task
                        .at(&["parameterIterator", "itemInput"])
                        .or_else(|| task.at(&["artifactIterator", "itemInput"]))
                        .and_then(Node::as_str);
                    let Some(inner) = c.get("dag") else { continue };
                    let mut inner_scope = scope.to_vec();
                    inner_scope.push(Frame::Group { task, item, dag });
                    self.dag(inner, Some(key), &inner_scope, tasks, nested, diags, depth + 1);
                }
                (TaskKind::Pipeline(_), Some(c)) => nested.push((key.clone(), key_span.clone(), c)),
                _ => {}
            }
        }
    }

    /// A task input's value, resolved to a leaf producer, a pipeline
    /// parameter, a constant or a loop item.
    fn resolve_value(&self, value: &'a Node, dag: &'a Node, scope: &[Frame<'a>], depth: usize) -> ArgValue {
        if depth > 64 {
            return ArgValue::Other;
        }
        for field in ["componentInputParameter", "componentInputArtifact"] {
            if let Some(name) = value.get(field).and_then(Node::as_str) {
                return self.resolve_input(name, scope, depth + 1);
            }
        }
        if let Some((p, k)) = task_output(value) {
            return self.resolve_output(dag, p, k, depth + 1);
        }
        if let Some(c) = value.at(&["runtimeValue", "constant"]) {
            return ArgValue::Constant(scalar_text(c));
        }
        ArgValue::Other
    }

    /// An input of the DAG of `scope` by name.
    fn resolve_input(&self, name: &str, scope: &[Frame<'a>], depth: usize) -> ArgValue {
        let Some((frame, outer)) = scope.split_last() else {
            return ArgValue::Other;
        };
        match *frame {
            Frame::Root(comp) => {
                let def = comp
                    .at(&["inputDefinitions", "parameters", name])
                    .or_else(|| comp.at(&["inputDefinitions", "artifacts", name]));
                ArgValue::PipelineParam {
                    name: name.to_string(),
                    default: def.and_then(|d| d.get("defaultValue")).map(scalar_text),
                }
            }
            Frame::Group { task, item, dag } => {
                if item == Some(name) {
                    return ArgValue::LoopItem;
                }
                let given = task
                    .at(&["inputs", "parameters", name])
                    .or_else(|| task.at(&["inputs", "artifacts", name]));
                match given {
                    Some(v) => self.resolve_value(v, dag, outer, depth + 1),
                    // an item's field: `pipelinechannel--loop-item-param-1` of an iterator
                    None if name.contains("loop-item") => ArgValue::LoopItem,
                    None => ArgValue::Other,
                }
            }
        }
    }

    /// An output of task `producer` of `dag`; a group's output is followed
    /// to the task inside it that produces it.
    fn resolve_output(&self, dag: &'a Node, producer: &str, key: &str, depth: usize) -> ArgValue {
        let leaf = ArgValue::Output {
            task: producer.to_string(),
            key: key.to_string(),
        };
        if depth > 64 {
            return leaf;
        }
        let Some(task) = dag.at(&["tasks", producer]) else {
            return leaf;
        };
        let Some(comp) = self.component(task) else {
            return leaf;
        };
        let Some(inner) = comp.get("dag") else {
            return leaf;
        };
        if group_kind(producer, task).is_none() {
            // a nested pipeline is one step: its outputs are its own
            return leaf;
        }
        let selector = inner
            .at(&["outputs", "parameters", key, "valueFromParameter"])
            .or_else(|| {
                inner
                    .at(&["outputs", "parameters", key, "valueFromOneof", "parameterSelectors"])
                    .and_then(|s| s.items().first())
            })
            .or_else(|| {
                inner
                    .at(&["outputs", "artifacts", key, "artifactSelectors"])
                    .and_then(|s| s.items().first())
            });
        let Some(sel) = selector else { return leaf };
        let sub = sel.get("producerSubtask").and_then(Node::as_str);
        let sub_key = sel
            .get("outputParameterKey")
            .or_else(|| sel.get("outputArtifactKey"))
            .and_then(Node::as_str);
        match (sub, sub_key) {
            (Some(s), Some(k)) => self.resolve_output(inner, s, k, depth + 1),
            _ => leaf,
        }
    }

    /// The component `comp-<name>`.
    /// A component, read once however many tasks run it.
    fn read_component(&self, name: &str, comp: &'a Node) -> Component {
        if let Some(c) = self.read.borrow().get(name) {
            return c.clone();
        }
        let c = self.read_component_uncached(name, comp);
        self.read.borrow_mut().insert(name.to_string(), c.clone());
        c
    }

    fn read_component_uncached(&self, name: &str, comp: &'a Node) -> Component {
        let executor = self.executor(comp);
        let mut c = Component::new(
            name.to_string(),
            ComponentKind::Container,
            definitions(self.file, comp.get("inputDefinitions")),
            definitions(self.file, comp.get("outputDefinitions")),
            self.span(&comp.span),
        );
        let Some(e) = executor else { return c };
        if e.get("importer").is_some() {
            c.kind = ComponentKind::Importer;
            return c;
        }
        let Some(container) = e.get("container") else { return c };
        if let Some((_, img)) = container.entry("image") {
            c.image = img.as_str().map(|name| Image {
                name: name.to_string(),
                span: self.span(&img.span),
                implicit: false,
            });
        }
        let command = words(self.file, container.get("command"));
        let args = words(self.file, container.get("args"));
        let launcher = command
            .iter()
            .any(|w| w.text.contains("kfp.dsl.executor_main") || w.text.contains("kfp.components.executor_main"));
        if launcher {
            c.kind = ComponentKind::Python;
            c.function = args
                .iter()
                .position(|a| a.text == "--function_to_execute")
                .and_then(|i| args.get(i + 1))
                .map(|w| w.text.clone());
            c.source = command.last().cloned();
            for w in &command {
                if w.text.contains("pip install") {
                    c.packages.extend(executor_packages(self.file, w));
                }
            }
            read_function_source(&mut c);
        } else {
            c.command = command;
            c.args = args;
        }
        c
    }
}

/// A `taskOutputParameter`/`taskOutputArtifact` input: producer and key.
fn task_output(value: &Node) -> Option<(&str, &str)> {
    [
        ("taskOutputParameter", "outputParameterKey"),
        ("taskOutputArtifact", "outputArtifactKey"),
    ]
    .iter()
    .find_map(|(field, key)| {
        let src = value.get(field)?;
        Some((
            src.get("producerTask").and_then(Node::as_str)?,
            src.get(key).and_then(Node::as_str)?,
        ))
    })
}

/// The group a task of a DAG stands for, by its key (`for-loop-2`,
/// `condition-3`, `condition-branches-4`, `exit-handler-1`) and what it
/// carries.
fn group_kind(key: &str, task: &Node) -> Option<GroupKind> {
    let numbered = |prefix: &str| {
        key.strip_prefix(prefix)
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    let refers = task
        .at(&["componentRef", "name"])
        .and_then(Node::as_str)
        .is_some_and(|r| r == format!("comp-{key}"));
    if !refers {
        return None;
    }
    if numbered("for-loop-") {
        Some(GroupKind::Loop)
    } else if numbered("condition-branches-") {
        Some(GroupKind::ConditionBranches)
    } else if numbered("condition-") {
        Some(GroupKind::Condition)
    } else if numbered("exit-handler-") {
        Some(GroupKind::ExitHandler)
    } else {
        None
    }
}

/// A scalar (or any value) as text: strings as they are, numbers as
/// written.
fn scalar_text(n: &Node) -> String {
    match &n.kind {
        Kind::Scalar { text, .. } => text.clone(),
        Kind::Seq(items) => format!("[{}]", items.iter().map(scalar_text).collect::<Vec<_>>().join(", ")),
        Kind::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, _, v)| format!("{k}: {}", scalar_text(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Kind::Alias => String::new(),
    }
}

/// The words of a `command`/`args` list, each with its span and, when the
/// YAML writes it verbatim, where its text starts.
fn words(file: &SourceFile, list: Option<&Node>) -> Vec<Word> {
    let Some(list) = list else { return Vec::new() };
    list.items()
        .iter()
        .filter_map(|n| {
            let text = n.as_str()?.to_string();
            let raw = file.text.get(n.span.clone()).unwrap_or("");
            let origin = if raw == text {
                Some(n.span.start)
            } else if raw.len() >= 2 && raw.get(1..raw.len() - 1) == Some(text.as_str()) {
                Some(n.span.start + 1)
            } else {
                None
            };
            Some(Word {
                text,
                span: file.span(n.span.clone()),
                origin,
            })
        })
        .collect()
}

/// Inputs or outputs of a component from its `inputDefinitions` /
/// `outputDefinitions`.
fn definitions(file: &SourceFile, defs: Option<&Node>) -> Vec<Io> {
    let mut out = Vec::new();
    let Some(defs) = defs else { return out };
    for (name, span, d) in defs.get("parameters").map(Node::entries).unwrap_or(&[]) {
        let ty = ParamType::from_ir(d.get("parameterType").and_then(Node::as_str).unwrap_or(""));
        out.push(Io {
            name: name.clone(),
            ty: IoType::Parameter(ty),
            default: d.get("defaultValue").map(scalar_text),
            optional: ty == ParamType::TaskFinalStatus
                || d.get("isOptional").and_then(Node::as_bool).unwrap_or(false)
                || d.get("defaultValue").is_some(),
            path_annotation: None,
            span: Some(file.span(span.clone())),
        });
    }
    for (name, span, d) in defs.get("artifacts").map(Node::entries).unwrap_or(&[]) {
        out.push(Io {
            name: name.clone(),
            ty: IoType::Artifact {
                schema: d
                    .at(&["artifactType", "schemaTitle"])
                    .and_then(Node::as_str)
                    .unwrap_or("system.Artifact")
                    .to_string(),
                list: d.get("isArtifactList").and_then(Node::as_bool).unwrap_or(false),
            },
            default: None,
            optional: d.get("isOptional").and_then(Node::as_bool).unwrap_or(false),
            path_annotation: None,
            span: Some(file.span(span.clone())),
        });
    }
    out
}

/// `resources` and `env` of a container, as `set_…` calls would name them.
fn container_settings(executor: &Node) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Some(c) = executor.get("container") else { return out };
    // named as the `set_...` calls that write them
    if let Some(r) = c.get("resources") {
        for (key, name) in [
            ("resourceCpuLimit", "cpu_limit"),
            ("resourceCpuRequest", "cpu_request"),
            ("resourceMemoryLimit", "memory_limit"),
            ("resourceMemoryRequest", "memory_request"),
        ] {
            if let Some(v) = r.get(key) {
                out.push((name.to_string(), scalar_text(v)));
            }
        }
        if let Some(a) = r.get("accelerator") {
            for (key, name) in [
                ("resourceType", "accelerator_type"),
                ("resourceCount", "accelerator_limit"),
            ] {
                if let Some(v) = a.get(key) {
                    out.push((name.to_string(), scalar_text(v)));
                }
            }
        }
    }
    for e in c.get("env").map(Node::items).unwrap_or(&[]) {
        if let (Some(n), Some(v)) = (e.get("name").and_then(Node::as_str), e.get("value")) {
            out.push((format!("env.{n}"), scalar_text(v)));
        }
    }
    out
}

/// The packages a Python function's executor installs: the `pip install`
/// of its launcher script, without the `kfp` install the SDK adds itself.
pub fn executor_packages(file: &SourceFile, word: &Word) -> Vec<Package> {
    let script = shell::parse(&word.text);
    let mut out = Vec::new();
    // map a range of the decoded text to the file: exact where the YAML
    // writes the text verbatim, else by finding the quoted word in it
    let raw_range = word.span.range();
    let raw = file.text.get(raw_range.clone()).unwrap_or("");
    let mut from = 0;
    for c in &script.commands {
        let shell::Invocation::Pip(pip) = &c.invocation else {
            continue;
        };
        let injected = pip.packages.iter().any(|w| w.text.starts_with("kfp=="))
            && pip.packages.iter().any(|w| w.text.starts_with("typing-extensions"));
        if injected {
            continue;
        }
        for w in &pip.packages {
            let Some(req) = packages::classify(&w.text, pip.upgrade) else {
                continue;
            };
            let span = match word.origin {
                Some(o) => file.span(o + w.span.start..o + w.span.end),
                None => match raw[from.min(raw.len())..].find(&w.text) {
                    Some(i) => {
                        let start = raw_range.start + from + i;
                        from += i + w.text.len();
                        file.span(start..start + w.text.len())
                    }
                    None => word.span,
                },
            };
            out.push(req.into_package(span, &packages::Constraints::default()));
        }
    }
    out
}

/// What the IR does not say of a Python function component, read back out
/// of its source (parsed once): v1-style path annotations (`def f(data:
/// InputPath(), ...)`; the IR writes `InputPath()` as a `system.Artifact`,
/// like `Input[Artifact]`) and the literal path the function returns.
fn read_function_source(c: &mut Component) {
    let Some(source) = c.source.as_ref().map(|w| w.text.clone()) else {
        return;
    };
    let Some(function) = &c.function else { return };
    let Some(tree) = crate::python::parse(&source) else {
        return;
    };
    let mut stack = vec![tree.root_node()];
    while let Some(n) = stack.pop() {
        if n.kind() == "function_definition"
            && n.child_by_field_name("name").map(|x| &source[x.byte_range()]) == Some(function.as_str())
        {
            c.returns_path = n
                .child_by_field_name("body")
                .and_then(|b| crate::python::returned_path(&source, b));
            let Some(params) = n.child_by_field_name("parameters") else {
                return;
            };
            let mut cursor = params.walk();
            for p in params.named_children(&mut cursor) {
                let (Some(name), Some(ty)) = (
                    p.child_by_field_name("name").or_else(|| p.named_child(0)),
                    p.child_by_field_name("type"),
                ) else {
                    continue;
                };
                let ann = source[ty.byte_range()].trim();
                let bare = ann.rsplit('.').next().unwrap_or(ann);
                let pname = &source[name.byte_range()];
                if bare.starts_with("InputPath(") || bare.starts_with("OutputPath(") {
                    let key = pname.strip_suffix("_path").unwrap_or(pname);
                    let key = key.strip_suffix("_file").unwrap_or(key);
                    for io in c.inputs.iter_mut().chain(c.outputs.iter_mut()) {
                        if io.name == pname || io.name == key {
                            io.path_annotation = Some(ann.to_string());
                        }
                    }
                }
            }
            return;
        }
        let mut cursor = n.walk();
        stack.extend(n.named_children(&mut cursor));
    }
}

/// A component loaded from YAML by a Python file.
#[derive(Debug, Clone)]
pub enum Loaded {
    Component(Box<Component>),
    /// A compiled pipeline used as a component: its name and interface.
    Pipeline {
        name: String,
        inputs: Vec<Io>,
        outputs: Vec<Io>,
    },
}

/// Read a component YAML: v1 (`name`/`inputs`/`outputs`/`implementation`)
/// or v2 (a compiled single component, or a compiled pipeline used as one).
pub fn read_component(file: &SourceFile) -> Result<Loaded, (Range<usize>, String)> {
    if file.problem.is_some() {
        return Err((0..0, "the component file is not readable text".into()));
    }
    let docs = yaml::parse(&file.text).map_err(|e| (e.at..e.at, format!("YAML syntax error: {}", e.message)))?;
    let doc = docs.first().ok_or((0..0, "the component file is empty".to_string()))?;
    if doc.get("implementation").is_some() {
        return v1_component(file, doc);
    }
    if !is_pipeline_spec(doc) {
        return Err((
            doc.span.clone(),
            "neither a v1 component (`implementation:`) nor a compiled KFP component".into(),
        ));
    }
    let name = doc.at(&["pipelineInfo", "name"]).and_then(Node::as_str).unwrap_or("");
    let key = k8s_name(name);
    let reader = Reader::new(file, doc);
    if let Some(comp) = doc.at(&["components", &format!("comp-{key}")])
        && doc
            .at(&["deploymentSpec", "executors", &format!("exec-{key}")])
            .is_some()
    {
        return Ok(Loaded::Component(Box::new(reader.read_component(&key, comp))));
    }
    let root = doc.get("root").unwrap_or(doc);
    Ok(Loaded::Pipeline {
        name: key,
        inputs: definitions(file, root.get("inputDefinitions")),
        outputs: definitions(file, root.get("outputDefinitions")),
    })
}

/// A v1 `component.yaml`, as kfp 2.x converts it.
fn v1_component(file: &SourceFile, doc: &Node) -> Result<Loaded, (Range<usize>, String)> {
    let name = doc.get("name").and_then(Node::as_str).unwrap_or("");
    let io = |list: Option<&Node>, output: bool| -> Vec<Io> {
        list.map(Node::items)
            .unwrap_or(&[])
            .iter()
            .filter_map(|d| {
                let raw = d.get("name")?.as_str()?;
                let ty = v1_type(d.get("type"));
                let default = (!output).then(|| d.get("default").map(scalar_text)).flatten();
                let status = ty == IoType::Parameter(ParamType::TaskFinalStatus);
                Some(Io {
                    name: sanitize_input_name(raw),
                    ty,
                    optional: status || default.is_some() || d.get("optional").and_then(Node::as_bool).unwrap_or(false),
                    default,
                    path_annotation: None,
                    span: Some(file.span(d.span.clone())),
                })
            })
            .collect()
    };
    let container = doc.at(&["implementation", "container"]);
    let mut c = Component::new(
        k8s_name(name),
        ComponentKind::Container,
        io(doc.get("inputs"), false),
        io(doc.get("outputs"), true),
        file.span(doc.span.clone()),
    );
    if let Some(container) = container {
        if let Some(img) = container.get("image") {
            c.image = img.as_str().map(|n| Image {
                name: n.to_string(),
                span: file.span(img.span.clone()),
                implicit: false,
            });
        }
        c.command = v1_words(file, container.get("command"), &c.outputs);
        c.args = v1_words(file, container.get("args"), &c.outputs);
    } else {
        return Err((
            doc.span.clone(),
            "this v1 component has no `implementation.container`: kfr reads container components only".into(),
        ));
    }
    Ok(Loaded::Component(Box::new(c)))
}

/// The v2 type of a v1 input or output `type:`, as
/// `ComponentSpec.from_v1_component_spec` maps it: a parameter type by
/// name (`String`, `Integer`, `List[str]`...), a `google.X` type as it is,
/// an artifact class by name (any case), anything else `system.Artifact`.
fn v1_type(ty: Option<&Node>) -> IoType {
    let artifact = |schema: &str| IoType::Artifact {
        schema: schema.to_string(),
        list: false,
    };
    let Some(t) = ty.and_then(Node::as_str) else {
        return artifact("system.Artifact");
    };
    let t = t.strip_prefix("typing.").unwrap_or(t);
    let lower = t.to_ascii_lowercase();
    let canonical = if lower.starts_with("list") || lower.starts_with("dict") {
        lower.split('[').next().unwrap_or("")
    } else {
        lower.as_str()
    };
    let param = match canonical {
        _ if t == "PipelineTaskFinalStatus" => ParamType::TaskFinalStatus,
        "string" | "str" | "text" => ParamType::String,
        "integer" | "int" => ParamType::Integer,
        "float" | "double" => ParamType::Double,
        "boolean" | "bool" => ParamType::Boolean,
        "list" | "jsonarray" => ParamType::List,
        "dict" | "jsonobject" => ParamType::Struct,
        _ => {
            let google = t
                .strip_prefix("google.")
                .is_some_and(|r| !r.is_empty() && r.chars().all(|c| c.is_ascii_alphabetic()));
            if google {
                return artifact(t);
            }
            let class = [
                "Artifact",
                "Model",
                "Dataset",
                "Metrics",
                "ClassificationMetrics",
                "SlicedClassificationMetrics",
                "HTML",
                "Markdown",
            ]
            .into_iter()
            .find(|c| c.eq_ignore_ascii_case(t));
            return artifact(
                class
                    .and_then(super::model::artifact_schema)
                    .unwrap_or("system.Artifact"),
            );
        }
    };
    IoType::Parameter(param)
}

/// A v1 command list: strings as they are, placeholders
/// (`{inputValue: x}`, `{outputPath: y}`, `{concat: [...]}`, `{if: ...}`)
/// in their v2 form (`maybe_convert_v1_yaml_placeholder_to_v2_placeholder`).
fn v1_words(file: &SourceFile, list: Option<&Node>, outputs: &[Io]) -> Vec<Word> {
    let Some(list) = list else { return Vec::new() };
    let mut out = Vec::new();
    for n in list.items() {
        let text = v1_placeholder(n, outputs, 0).to_command_line();
        let origin = (file.text.get(n.span.clone()) == Some(text.as_str())).then_some(n.span.start);
        out.push(Word {
            text,
            span: file.span(n.span.clone()),
            origin,
        });
    }
    out
}

fn v1_placeholder(n: &Node, outputs: &[Io], depth: usize) -> Placeholder {
    let entries = match &n.kind {
        Kind::Map(entries) if depth < 16 => entries,
        _ => return Placeholder::Text(scalar_text(n)),
    };
    let name = |v: &Node| sanitize_input_name(v.as_str().unwrap_or(""));
    let items = |v: Option<&Node>| -> Vec<Placeholder> {
        v.map(Node::items)
            .unwrap_or(&[])
            .iter()
            .map(|i| v1_placeholder(i, outputs, depth + 1))
            .collect()
    };
    let branch = |v: Option<&Node>| -> Option<Branch> {
        let v = v.filter(|v| !v.is_null())?;
        Some(match v.kind {
            Kind::Seq(_) => Branch::List(items(Some(v))),
            _ => Branch::One(Box::new(v1_placeholder(v, outputs, depth + 1))),
        })
    };
    let Some((key, _, v)) = entries.first() else {
        return Placeholder::Text(scalar_text(n));
    };
    let text = |t: String| Placeholder::Text(t);
    match key.as_str() {
        "inputValue" => text(format!("{{{{$.inputs.parameters['{}']}}}}", name(v))),
        "inputPath" => text(format!("{{{{$.inputs.artifacts['{}'].path}}}}", name(v))),
        "inputUri" => text(format!("{{{{$.inputs.artifacts['{}'].uri}}}}", name(v))),
        "outputUri" => text(format!("{{{{$.outputs.artifacts['{}'].uri}}}}", name(v))),
        "outputPath" => {
            let out = name(v);
            let parameter = outputs
                .iter()
                .any(|o| o.name == out && matches!(o.ty, IoType::Parameter(_)));
            if parameter {
                text(format!("{{{{$.outputs.parameters['{out}'].output_file}}}}"))
            } else {
                text(format!("{{{{$.outputs.artifacts['{out}'].path}}}}"))
            }
        }
        "executorInput" => text("{{$}}".into()),
        "concat" => Placeholder::Concat(items(Some(v))),
        "ifPresent" => Placeholder::IfPresent {
            input: v.get("inputName").map(name).unwrap_or_default(),
            then: branch(v.get("then")).unwrap_or(Branch::List(Vec::new())),
            otherwise: branch(v.get("else")),
        },
        "if" => Placeholder::IfPresent {
            input: v.at(&["cond", "isPresent"]).map(name).unwrap_or_default(),
            then: branch(v.get("then")).unwrap_or(Branch::List(Vec::new())),
            otherwise: branch(v.get("else")),
        },
        _ => Placeholder::Text(scalar_text(n)),
    }
}

/// An input name as the SDK sanitises it (`training data` → `training_data`):
/// lowercase, each run of other characters one `_`, no `_` at either end
/// (`utils.sanitize_input_name`; `__` written in the name stays).
pub fn sanitize_input_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_run = false;
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' {
            out.push(c);
            in_run = false;
        } else if !in_run {
            out.push('_');
            in_run = true;
        }
    }
    out.trim_matches('_').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_names_and_types_as_the_sdk_converts_them() {
        // kfp 2.17.3: utils.sanitize_input_name and from_v1_component_spec
        assert_eq!(sanitize_input_name("Training data"), "training_data");
        assert_eq!(sanitize_input_name("a__b c!d"), "a__b_c_d");
        assert_eq!(sanitize_input_name("--x--"), "x");
        let ty = |t: &str| {
            let doc = &yaml::parse(&format!("type: {t}")).unwrap()[0];
            v1_type(doc.get("type"))
        };
        let art = |s: &str| IoType::Artifact {
            schema: s.into(),
            list: false,
        };
        assert_eq!(ty("Text"), IoType::Parameter(ParamType::String));
        assert_eq!(ty("'typing.List[str]'"), IoType::Parameter(ParamType::List));
        assert_eq!(ty("JsonObject"), IoType::Parameter(ParamType::Struct));
        assert_eq!(ty("dataset"), art("system.Dataset"));
        assert_eq!(ty("google.VertexDataset"), art("google.VertexDataset"));
        assert_eq!(ty("system.Model"), art("system.Artifact"));
        assert_eq!(ty("CSV"), art("system.Artifact"));
        assert_eq!(v1_type(None), art("system.Artifact"));
    }
}
