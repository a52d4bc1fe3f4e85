//! What the KFP compiler makes of a pipeline, as both readers see it: the
//! Python reader ([`super::python`]) by modelling the SDK, the IR reader
//! ([`super::ir`]) by reading a compiled PipelineSpec. One lowering
//! ([`super::lower`]) turns either into the unified graph, so a committed
//! YAML is linted like the Python it was compiled from.

use crate::dag::Package;
use crate::source::Span;

/// One pipeline: the root DAG, with the tasks of its group DAGs (loops,
/// conditions, exit handlers) flattened in, each naming its group.
#[derive(Debug, Clone)]
pub struct Pipeline {
    /// `pipelineInfo.name`, exactly as compiled.
    pub name: String,
    /// Where the pipeline is named (the `name=` argument, the function name,
    /// or `pipelineInfo.name`).
    pub span: Span,
    pub description: Option<String>,
    pub display_name: Option<String>,
    pub tasks: Vec<Task>,
    /// What could not be read statically, with where.
    pub notes: Vec<(Span, String)>,
    /// A sub-DAG embedded in a compiled file: the outer pipeline's name and
    /// the task that runs it.
    pub embedded_in: Option<(String, String)>,
}

impl Pipeline {
    pub fn task(&self, key: &str) -> Option<&Task> {
        self.tasks.iter().find(|t| t.key == key)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupKind {
    Loop,
    Condition,
    ConditionBranches,
    ExitHandler,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskKind {
    /// A container: a Python function component, a container component or
    /// a component loaded from YAML.
    Container,
    Importer,
    /// A pipeline used as a component; the name of the pipeline it runs
    /// when it is known (defined in the same file).
    Pipeline(Option<String>),
    Group(GroupKind),
}

impl TaskKind {
    /// The kind as the oracle names it.
    pub fn as_str(&self) -> &'static str {
        match self {
            TaskKind::Container => "container",
            TaskKind::Importer => "importer",
            TaskKind::Pipeline(_) => "pipeline",
            TaskKind::Group(_) => "group",
        }
    }
}

/// `cachingOptions` of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caching {
    /// Not set in Python: KFP's default (on).
    Default,
    /// `set_caching_options(x)`, with where.
    Explicit(bool, Span),
    /// As compiled (a YAML cannot tell a default from an explicit `True`).
    Compiled(bool, Span),
}

impl Caching {
    pub fn enabled(&self) -> bool {
        match self {
            Caching::Default => true,
            Caching::Explicit(b, _) | Caching::Compiled(b, _) => *b,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// `maxRetryCount`; None when not known statically.
    pub count: Option<u32>,
    pub backoff_duration: Option<String>,
    pub backoff_factor: Option<f64>,
    pub backoff_max_duration: Option<String>,
    pub span: Span,
}

/// Where a task input's value comes from, at the level of leaf tasks.
#[derive(Debug, Clone, PartialEq)]
pub enum ArgValue {
    /// An output of another task (a leaf task: through groups, the task
    /// inside them).
    Output { task: String, key: String },
    /// A pipeline parameter, with its default when it has one.
    PipelineParam { name: String, default: Option<String> },
    /// A literal value, as text.
    Constant(String),
    /// An item of a `ParallelFor`.
    LoopItem,
    /// Not known statically.
    Other,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    /// The component input it is passed to.
    pub input: String,
    pub value: ArgValue,
    /// Where it is passed (the keyword argument, the YAML input entry).
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Task {
    /// The task key, as in `dag.tasks` of the compiled pipeline.
    pub key: String,
    /// `taskInfo.name` (the display name).
    pub display_name: String,
    /// The key of the enclosing group task; None in the root DAG.
    pub group: Option<String>,
    pub kind: TaskKind,
    /// Where the task is created (the component call; the YAML task key).
    pub span: Span,
    /// `dependentTasks`, as the compiler writes them (task or group keys of
    /// the same DAG, sorted).
    pub dependent_tasks: Vec<String>,
    /// The `taskOutputArtifact`/`taskOutputParameter` inputs of the task as
    /// compiled: `producer.outputKey` (a group producer for what comes out
    /// of a loop), sorted and unique.
    pub consumes: Vec<String>,
    /// Every input the task is given, resolved to leaf producers.
    pub args: Vec<Arg>,
    pub retry: Option<RetryPolicy>,
    pub caching: Caching,
    /// The component, for container and importer tasks.
    pub component: Option<Component>,
    /// `set_env_variable`, `set_cpu_limit`, ... as written.
    pub settings: Vec<(String, String)>,
    /// The exit task of an `ExitHandler`.
    pub exit_task: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComponentKind {
    /// `@dsl.component`: a Python function the executor runs.
    Python,
    /// `@dsl.container_component` or a YAML component: a command in an image.
    Container,
    Importer,
    /// A pipeline run as a component: its interface only.
    Pipeline,
}

#[derive(Debug, Clone)]
pub struct Image {
    pub name: String,
    pub span: Span,
    /// No image given: KFP's default base image.
    pub implicit: bool,
}

/// One element of a container's command or args, with where it is
/// written (placeholders substituted, as compiled).
#[derive(Debug, Clone)]
pub struct Word {
    pub text: String,
    pub span: Span,
    /// Where the text starts in the file when it is written there verbatim
    /// (a plain literal), so a position inside it maps back exactly.
    pub origin: Option<usize>,
}

impl Word {
    /// Where `needle` is written in the file, when the word holds it: exact
    /// when the word is verbatim or the file holds the needle as written
    /// (a YAML string folds, but keeps a call's text on one line), else
    /// the whole word.
    pub fn locate(&self, file_text: &str, needle: &str) -> Span {
        if !self.text.contains(needle) {
            return self.span;
        }
        if let Some(o) = self.origin
            && let Some(i) = self.text.find(needle)
        {
            return Span::new(self.span.file, o + i..o + i + needle.len());
        }
        let r = self.span.range();
        match file_text.get(r.clone()).and_then(|raw| raw.find(needle)) {
            Some(i) => Span::new(self.span.file, r.start + i..r.start + i + needle.len()),
            None => self.span,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Component {
    /// The component name as the compiler sanitises it.
    pub name: String,
    pub kind: ComponentKind,
    /// The Python function a `@dsl.component` runs.
    pub function: Option<String>,
    pub image: Option<Image>,
    /// The container command and args of a container component (not the
    /// SDK's launcher of a Python function).
    pub command: Vec<Word>,
    pub args: Vec<Word>,
    /// `packages_to_install`, with their spans.
    pub packages: Vec<Package>,
    pub inputs: Vec<Io>,
    pub outputs: Vec<Io>,
    /// The Python function's source, for what it reads, with where.
    pub source: Option<Word>,
    /// The literal path the Python function returns, when it returns one.
    pub returns_path: Option<String>,
    /// Where the component is defined.
    pub span: Span,
}

impl Component {
    /// A component with its interface and nothing else known yet.
    pub fn new(name: String, kind: ComponentKind, inputs: Vec<Io>, outputs: Vec<Io>, span: Span) -> Component {
        Component {
            name,
            kind,
            function: None,
            image: None,
            command: Vec::new(),
            args: Vec::new(),
            packages: Vec::new(),
            inputs,
            outputs,
            source: None,
            returns_path: None,
            span,
        }
    }

    pub fn output(&self, name: &str) -> Option<&Io> {
        self.outputs.iter().find(|o| o.name == name)
    }
    pub fn input(&self, name: &str) -> Option<&Io> {
        self.inputs.iter().find(|o| o.name == name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    String,
    Integer,
    Double,
    Boolean,
    List,
    Struct,
    TaskFinalStatus,
    Other,
}

impl ParamType {
    /// The IR `parameterType`.
    pub fn ir(self) -> &'static str {
        match self {
            ParamType::String => "STRING",
            ParamType::Integer => "NUMBER_INTEGER",
            ParamType::Double => "NUMBER_DOUBLE",
            ParamType::Boolean => "BOOLEAN",
            ParamType::List => "LIST",
            ParamType::Struct => "STRUCT",
            ParamType::TaskFinalStatus => "TASK_FINAL_STATUS",
            ParamType::Other => "PARAMETER_TYPE_ENUM_UNSPECIFIED",
        }
    }

    /// The Python annotation the SDK maps to this type.
    pub fn python(self) -> &'static str {
        match self {
            ParamType::String => "str",
            ParamType::Integer => "int",
            ParamType::Double => "float",
            ParamType::Boolean => "bool",
            ParamType::List => "list",
            ParamType::Struct => "dict",
            ParamType::TaskFinalStatus => "dsl.PipelineTaskFinalStatus",
            ParamType::Other => "str",
        }
    }

    pub fn from_ir(s: &str) -> ParamType {
        match s {
            "STRING" => ParamType::String,
            "NUMBER_INTEGER" => ParamType::Integer,
            "NUMBER_DOUBLE" => ParamType::Double,
            "BOOLEAN" => ParamType::Boolean,
            "LIST" => ParamType::List,
            "STRUCT" => ParamType::Struct,
            "TASK_FINAL_STATUS" => ParamType::TaskFinalStatus,
            _ => ParamType::Other,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IoType {
    Parameter(ParamType),
    /// `system.Dataset`, ...; a list of artifacts when `list`.
    Artifact {
        schema: String,
        list: bool,
    },
}

impl IoType {
    pub fn is_artifact(&self) -> bool {
        matches!(self, IoType::Artifact { .. })
    }
}

/// An input or output of a component.
#[derive(Debug, Clone)]
pub struct Io {
    pub name: String,
    pub ty: IoType,
    /// The default value, as text.
    pub default: Option<String>,
    pub optional: bool,
    /// `InputPath()`, `OutputPath("CSV")`: the v1-style annotation as
    /// written, when the type is one.
    pub path_annotation: Option<String>,
    pub span: Option<Span>,
}

/// A KFP task key from a component name: lowercase, runs of other
/// characters become `-`, no leading or trailing `-`
/// (`kfp.dsl.utils.maybe_rename_for_k8s`).
pub fn k8s_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        let c = if c.is_ascii_lowercase() || c.is_ascii_digit() {
            c
        } else {
            '-'
        };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    out.trim_matches('-').to_string()
}

/// A component name from a Python function name (`train_model` → `Train
/// model`), before sanitising (`_python_function_name_to_component_name`).
pub fn component_name_of_function(name: &str) -> String {
    let spaced = name.replace('_', " ");
    let words: Vec<&str> = spaced.split(' ').filter(|w| !w.is_empty()).collect();
    let joined = words.join(" ");
    let mut chars = joined.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A valid compiled pipeline name: `^[a-z0-9][a-z0-9-]{0,127}$`.
pub fn valid_pipeline_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && name.len() <= 128
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The IR artifact type of a DSL artifact class name.
pub fn artifact_schema(class: &str) -> Option<&'static str> {
    Some(match class {
        "Artifact" => "system.Artifact",
        "Dataset" => "system.Dataset",
        "Model" => "system.Model",
        "Metrics" => "system.Metrics",
        "ClassificationMetrics" => "system.ClassificationMetrics",
        "SlicedClassificationMetrics" => "system.SlicedClassificationMetrics",
        "HTML" => "system.HTML",
        "Markdown" => "system.Markdown",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_the_sdk_makes_them() {
        assert_eq!(component_name_of_function("train_model"), "Train model");
        assert_eq!(component_name_of_function("__private__fn_"), "Private fn");
        assert_eq!(k8s_name("Train model"), "train-model");
        assert_eq!(k8s_name("My_Pipeline v2!"), "my-pipeline-v2");
        assert_eq!(k8s_name("--a--b--"), "a-b");
        assert_eq!(k8s_name("ÉTL"), "tl");
        assert!(valid_pipeline_name("churn-training"));
        assert!(!valid_pipeline_name(""));
        assert!(!valid_pipeline_name("-x"));
    }
}
