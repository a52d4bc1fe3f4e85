//! A KFP pipeline file, read without importing it: the module body is
//! evaluated with the KFP host, each pipeline the SDK would build is
//! compiled ([`super::compile`]) and turned into the shared model.

use super::compile::{self, Compiled};
use super::host::{self, Channel, ComponentDef, ComponentSource, GroupType, IoDef, Kfp};
use super::model::{
    Arg, ArgValue, Caching, Component, ComponentKind, GroupKind, Image, Io, Pipeline, RetryPolicy, Task, TaskKind, Word,
};
use crate::diagnostic::{Diagnostic, Severity};
use crate::frontend::python_file::{self, Library, Parsed};
use crate::packages;
use crate::python::{Program, Value};
use crate::source::{SourceDb, SourceFile, Span};
use std::sync::Arc;

/// KFP's default `base_image` for `@dsl.component` (kfp 2.17).
pub const DEFAULT_BASE_IMAGE: &str = "python:3.11";

/// What Python imports the file as, for the shared Python checks.
pub const LIBRARY: Library = Library {
    module: "kfp",
    name: "KFP",
    importer: "Python",
    lost: "none of its pipelines compile",
};

/// The pipelines of a parsed Python file that imports `kfp`.
pub fn read(db: &SourceDb, file: &Arc<SourceFile>, parsed: &Parsed, diags: &mut Vec<Diagnostic>) -> Vec<Pipeline> {
    let (tree, program) = (&parsed.tree, &parsed.program);
    let mut host = Kfp::new(db, file.dir().to_path_buf());
    for (start, f) in &program.files {
        if let Some(i) = future_annotations(&f.text) {
            host.future_annotations
                .push((*start..start + f.text.len(), start + i..start + i + FUTURE.len(), false));
        }
    }
    let mut it = python_file::interpreter(db, file, parsed, host);
    it.run_module(tree.root_node());

    let mut out = Vec::new();
    let reader = Reader { it: &it, program };
    for (p, def) in it.host.pipelines.iter().enumerate() {
        if def.failed {
            continue;
        }
        let compiled = compile::compile(&it.host, p);
        if !compiled.errors.is_empty() {
            for e in &compiled.errors {
                diags.push(reader.error(e));
            }
            continue;
        }
        out.push(reader.pipeline(p, &compiled));
    }
    for e in &it.host.errors {
        diags.push(reader.error(e));
    }
    for (range, message, help) in &it.host.problems {
        let mut d =
            Diagnostic::parse_error(program.span(range.clone()), message.clone()).with_severity(Severity::Warning);
        if let Some(h) = help {
            d = d.with_help(h.clone());
        }
        diags.push(d);
    }
    // a loop kfr could not run inside a pipeline changes its tasks; other
    // notes stay notes of the pipeline
    for note in it.notes.iter().filter(|n| n.skipped_loop) {
        let range = &note.range;
        let inside = it.host.pipelines.iter().any(|p| {
            let r = p.func.node.byte_range();
            r.start <= range.start && range.end <= r.end
        });
        if inside {
            diags.push(
                Diagnostic::parse_error(
                    program.span(range.clone()),
                    format!("{}; the tasks it creates may be missing from the graph", note.message),
                )
                .with_severity(Severity::Warning)
                .with_help(
                    "build tasks from literal lists or module constants so they can be read without running the file",
                ),
            );
        }
    }
    if it.exhausted {
        diags.push(python_file::exhausted(program, "pipelines"));
    }
    out
}

const FUTURE: &str = "from __future__ import annotations";

/// Where a file imports `from __future__ import annotations`.
fn future_annotations(text: &str) -> Option<usize> {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with(FUTURE) {
            return Some(at + (line.len() - line.trim_start().len()));
        }
        at += line.len();
    }
    None
}

struct Reader<'a, 't> {
    it: &'a host::It<'t>,
    program: &'a Program,
}

impl<'t> Reader<'_, 't> {
    fn span(&self, r: std::ops::Range<usize>) -> Span {
        self.program.span(r)
    }

    fn error(&self, e: &host::SdkError) -> Diagnostic {
        let mut d = Diagnostic::parse_error(
            self.span(e.at.clone()),
            format!("KFP cannot compile this: {}", e.message),
        )
        .with_label("the KFP SDK raises here");
        for (r, m) in &e.related {
            d = d.with_related(self.span(r.clone()), m.clone());
        }
        d.with_help(
            e.help
                .clone()
                .unwrap_or_else(|| "fix this so the SDK can build the pipeline".into()),
        )
    }

    fn host(&self) -> &Kfp<'t> {
        &self.it.host
    }

    fn pipeline(&self, p: usize, compiled: &Compiled) -> Pipeline {
        let h = self.host();
        let def = &h.pipelines[p];
        let mut tasks = Vec::new();
        for &t in &def.tasks {
            tasks.push(self.task(p, t, compiled));
        }
        for &g in &def.groups {
            let grp = &h.groups[g];
            if !grp.entered || grp.name.is_empty() {
                continue;
            }
            let kind = match grp.ty {
                GroupType::Loop => GroupKind::Loop,
                GroupType::If | GroupType::Elif | GroupType::Else => GroupKind::Condition,
                GroupType::Branches => GroupKind::ConditionBranches,
                GroupType::ExitHandler => GroupKind::ExitHandler,
            };
            tasks.push(Task {
                key: grp.name.clone(),
                display_name: grp.display.clone().unwrap_or_else(|| grp.name.clone()),
                group: grp.parent.map(|x| h.groups[x].name.clone()),
                kind: TaskKind::Group(kind),
                span: self.span(grp.node.byte_range()),
                dependent_tasks: sorted(compiled.dependent.get(&grp.name)),
                consumes: sorted(compiled.consumes.get(&grp.name)),
                args: Vec::new(),
                retry: None,
                caching: Caching::Default,
                component: None,
                settings: Vec::new(),
                exit_task: false,
            });
        }
        let func = &def.func;
        let r = func.node.byte_range();
        let notes = self
            .it
            .notes
            .iter()
            .filter(|n| r.start <= n.range.start && n.range.end <= r.end)
            .map(|n| (self.span(n.range.clone()), n.message.clone()))
            .collect();
        Pipeline {
            name: def.name.clone(),
            span: self.span(def.name_node.byte_range()),
            description: def.description.clone(),
            display_name: def.display_name.clone(),
            tasks,
            notes,
            embedded_in: None,
        }
    }

    fn task(&self, p: usize, t: usize, compiled: &Compiled) -> Task {
        let h = self.host();
        let task = &h.tasks[t];
        let comp = &h.components[task.component];
        let callee = task.node.child_by_field_name("function").unwrap_or(task.node);
        let kind = match &comp.source {
            ComponentSource::Importer => TaskKind::Importer,
            ComponentSource::Graph(q) => TaskKind::Pipeline(h.pipelines.get(*q).map(|x| x.name.clone())),
            ComponentSource::LoadedPipeline => TaskKind::Pipeline(None),
            _ => TaskKind::Container,
        };
        let args = task
            .args
            .iter()
            .map(|(input, v, n)| {
                let node = n.map(|n| match n.parent() {
                    Some(par) if par.kind() == "keyword_argument" => par,
                    _ => n,
                });
                Arg {
                    input: input.clone(),
                    value: self.arg_value(p, v),
                    span: self.span(node.unwrap_or(callee).byte_range()),
                }
            })
            .collect();
        let retry = task.retry.as_ref().map(|r| RetryPolicy {
            count: r.count,
            backoff_duration: r.backoff_duration.clone(),
            backoff_factor: r.backoff_factor,
            backoff_max_duration: r.backoff_max_duration.clone(),
            span: self.span(host::method_range(r.node)),
        });
        let caching = match task.caching {
            Some((b, n)) => Caching::Explicit(b, self.span(host::method_range(n))),
            None => Caching::Default,
        };
        let component = match kind {
            TaskKind::Group(_) => None,
            _ => Some(self.component(comp)),
        };
        Task {
            key: task.name.clone(),
            display_name: task.display_name.clone().unwrap_or_else(|| task.name.clone()),
            group: task.group.map(|g| h.groups[g].name.clone()),
            kind,
            span: self.span(callee.byte_range()),
            dependent_tasks: sorted(compiled.dependent.get(&task.name)),
            consumes: sorted(compiled.consumes.get(&task.name)),
            args,
            retry,
            caching,
            component,
            settings: task.settings.clone(),
            exit_task: task.exit_task,
        }
    }

    /// Where an argument's value comes from.
    fn arg_value(&self, p: usize, v: &Value<'t>) -> ArgValue {
        let h = self.host();
        let channel = h.channel_of(v);
        let from_channel = |c: &Channel| -> ArgValue { self.channel_value(p, c, 0) };
        match channel {
            Some(c) => from_channel(&c),
            None => match v {
                // a task, a group, a partial string: nothing a reader can name
                Value::Obj(_) => ArgValue::Other,
                Value::Str(s) if s.partial => ArgValue::Other,
                Value::Str(s) => {
                    // a string that shows a task's output (`f"{task.output}/x"`)
                    // depends on it; one built from a parameter is neither
                    // the parameter nor a constant
                    let mut cs = Vec::new();
                    h.channels_in(v, &mut cs, 0);
                    match cs.first() {
                        Some(c) => match from_channel(c) {
                            out @ ArgValue::Output { .. } => out,
                            _ => ArgValue::Other,
                        },
                        None => ArgValue::Constant(s.text.clone()),
                    }
                }
                v => match v.to_text() {
                    Some(t) => ArgValue::Constant(t),
                    None => ArgValue::Other,
                },
            },
        }
    }

    fn channel_value(&self, p: usize, c: &Channel, depth: usize) -> ArgValue {
        let h = self.host();
        if depth > 8 {
            return ArgValue::Other;
        }
        match c {
            Channel::Param(name) => {
                let default = h.pipelines[p]
                    .params
                    .iter()
                    .find(|i| &i.name == name)
                    .and_then(|i| i.default.as_ref())
                    .and_then(|d| d.to_text());
                ArgValue::PipelineParam {
                    name: name.clone(),
                    default,
                }
            }
            Channel::Output { task, key } => ArgValue::Output {
                task: h.tasks[*task].name.clone(),
                key: key.clone(),
            },
            Channel::LoopItem { .. } => ArgValue::LoopItem,
            Channel::Collected(inner) => self.channel_value(p, inner, depth + 1),
            Channel::OneOf { channels, .. } => match channels.first() {
                Some(c) => self.channel_value(p, c, depth + 1),
                None => ArgValue::Other,
            },
        }
    }

    fn io(&self, io: &IoDef<'t>) -> Io {
        Io {
            name: io.name.clone(),
            ty: io.ty.clone(),
            default: io.default.as_ref().and_then(|d| d.to_text()),
            optional: io.optional,
            path_annotation: io.path_annotation.clone(),
            span: Some(self.span(io.node.byte_range())),
        }
    }

    /// A component as the compiled IR would have it.
    fn component(&self, c: &ComponentDef<'t>) -> Component {
        let mut out = Component::new(
            c.name.clone(),
            ComponentKind::Container,
            c.inputs.iter().map(|i| self.io(i)).collect(),
            c.outputs.iter().map(|i| self.io(i)).collect(),
            self.span(c.node.byte_range()),
        );
        match &c.source {
            ComponentSource::Yaml(m) => return (**m).clone(),
            ComponentSource::Importer => out.kind = ComponentKind::Importer,
            ComponentSource::Python {
                func,
                kwargs,
                deco,
                notebook,
            } => {
                out.kind = ComponentKind::Python;
                out.function = Some(func.name.clone());
                let r = func.node.byte_range();
                let (_, local) = self.program.locate(r.clone());
                out.returns_path = crate::python::returned_path(self.it.src, func.body);
                out.source = Some(Word {
                    text: self.it.text(func.node).to_string(),
                    span: self.span(r),
                    origin: Some(local.start),
                });
                let image_arg = ["target_image", "base_image"]
                    .iter()
                    .find_map(|k| kwargs.kwarg(k).map(|v| (v, kwargs.kwarg_node(k))));
                out.image = Some(match image_arg {
                    Some((v, n)) => Image {
                        name: v.display(),
                        span: self.span(n.unwrap_or(*deco).byte_range()),
                        implicit: false,
                    },
                    None => Image {
                        name: DEFAULT_BASE_IMAGE.to_string(),
                        span: self.span(deco.byte_range()),
                        implicit: true,
                    },
                });
                if *notebook
                    && kwargs
                        .kwarg("packages_to_install")
                        .is_none_or(|v| matches!(v, Value::None))
                {
                    // what notebook_component installs when it is given no packages
                    for p in ["nbclient>=0.10,<1", "ipykernel>=6,<7", "jupyter_client>=7,<9"] {
                        if let Some(req) = packages::classify(p, false) {
                            let mut pkg =
                                req.into_package(self.span(deco.byte_range()), &packages::Constraints::default());
                            pkg.problem = pkg
                                .problem
                                .map(|pr| format!("{pr} (the default packages of `@dsl.notebook_component`)"));
                            out.packages.push(pkg);
                        }
                    }
                }
                if let Some(v) = kwargs.kwarg("packages_to_install") {
                    let whole = kwargs.kwarg_node("packages_to_install").unwrap_or(*deco);
                    for item in v.items().unwrap_or_default() {
                        let Value::Str(s) = &item else { continue };
                        if s.partial {
                            continue;
                        }
                        let span = match s.origin {
                            Some(o) => self.span(o..o + s.text.len()),
                            None => self.span(whole.byte_range()),
                        };
                        if let Some(req) = packages::classify(&s.text, false) {
                            out.packages
                                .push(req.into_package(span, &packages::Constraints::default()));
                        }
                    }
                }
            }
            ComponentSource::Container { spec, .. } => {
                if let Some(spec) = spec {
                    if let Some(v) = spec.get("image", 0) {
                        let n = spec.get_node("image", 0);
                        out.image = Some(Image {
                            name: v.display(),
                            span: self.span(n.unwrap_or(c.node).byte_range()),
                            implicit: false,
                        });
                    }
                    out.command = self.words(spec.get("command", 1), spec.get_node("command", 1).unwrap_or(c.node));
                    out.args = self.words(spec.get("args", 2), spec.get_node("args", 2).unwrap_or(c.node));
                }
            }
            ComponentSource::Builtin(image) => {
                out.image = Some(Image {
                    name: image.to_string(),
                    span: self.span(c.node.byte_range()),
                    implicit: false,
                });
            }
            ComponentSource::Graph(_) | ComponentSource::LoadedPipeline => out.kind = ComponentKind::Pipeline,
        }
        out
    }

    fn words(&self, v: Option<&Value<'t>>, node: tree_sitter::Node<'t>) -> Vec<Word> {
        let Some(v) = v else { return Vec::new() };
        let items = match v {
            Value::Str(_) => vec![v.clone()],
            v => v.items().unwrap_or_default(),
        };
        items
            .iter()
            .map(|i| {
                let (text, origin) = match i {
                    Value::Str(s) => (s.text.clone(), s.origin),
                    Value::Obj(id) => (
                        self.host().get(*id).and_then(|o| o.command_line()).unwrap_or_default(),
                        None,
                    ),
                    v => (v.to_text().unwrap_or_else(|| v.display()), None),
                };
                let span = match origin {
                    Some(o) => self.span(o..o + text.len()),
                    None => self.span(node.byte_range()),
                };
                // an origin in a module's text is still an offset of the program
                let origin = origin.map(|o| {
                    let (_, r) = self.program.locate(o..o);
                    r.start
                });
                Word { text, span, origin }
            })
            .collect()
    }
}

fn sorted(set: Option<&std::collections::BTreeSet<String>>) -> Vec<String> {
    set.map(|s| s.iter().cloned().collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// `groups` groups of `width` tasks, each task `.after()` every task of the group before.
    fn read_groups(groups: usize, width: usize) -> (Vec<Pipeline>, Vec<Diagnostic>) {
        let text = format!(
            "from kfp import dsl

@dsl.component(base_image='python:3.11')
def step(i: int) -> int:
    return i

@dsl.pipeline(name='wide')
def wide():
    previous = []
    for g in range({groups}):
        group = []
        for i in range({width}):
            t = step(i=i)
            if previous:
                t.after(*previous)
            group.append(t)
        previous = group
"
        );
        let db = SourceDb::new();
        let file = db.add_virtual(Path::new("pipeline.py"), text);
        let mut diags = Vec::new();
        let parsed = python_file::parse(&db, &file, &[&LIBRARY], &mut diags).expect("a KFP file");
        let pipelines = read(&db, &file, &parsed, &mut diags);
        (pipelines, diags)
    }

    fn dependencies(p: &Pipeline) -> usize {
        p.tasks.iter().map(|t| t.dependent_tasks.len()).sum()
    }

    #[test]
    fn groups_waiting_for_each_other_below_the_limit_keep_every_dependency() {
        let (pipelines, diags) = read_groups(3, 200);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(pipelines[0].tasks.len(), 600);
        assert_eq!(dependencies(&pipelines[0]), 2 * 200 * 200);
    }

    #[test]
    fn after_dependencies_past_the_limit_are_reported_once_and_not_read() {
        let (pipelines, diags) = read_groups(8, 600);
        assert_eq!(pipelines[0].tasks.len(), 4_800);
        assert!(dependencies(&pipelines[0]) <= 250_000);
        let limit: Vec<_> = diags
            .iter()
            .filter(|d| d.message.contains("`.after()` dependencies"))
            .collect();
        assert_eq!(limit.len(), 1, "{diags:?}");
        assert_eq!(
            limit[0].message,
            "more than 250,000 `.after()` dependencies in this file: the ones made here and after are not read"
        );
        assert_eq!(limit[0].severity, Severity::Warning);
    }
}
