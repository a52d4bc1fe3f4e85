//! The unified pipeline model: pipelines, the steps inside them, and the
//! edges saying why one step follows another. Every frontend lowers its
//! source into a [`Fragment`] of this model; [`link`] joins the fragments of
//! all files into one [`Dag`].

mod link;
mod query;
pub mod render;

pub use link::link;
pub use query::Closure;

use crate::source::{FileId, Span};
use std::path::PathBuf;

/// Most dependencies between steps one pipeline source may declare. Groups
/// of steps that each wait for every step of the group before cost the
/// product of their sizes (a stage after a Jenkins `parallel`, Airflow's
/// `cross_downstream`, KFP's `.after(*group)`): 600 bytes of Python or 2 KB
/// of Groovy made millions. Real pipelines stay far below (10,000 steps in
/// a row need 10,000; 100 parallel steps after 100 need 10,000). A frontend
/// reports the dependency that would pass the limit and reads none after it.
pub const MAX_DEPENDENCIES: usize = 250_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PipelineKind {
    Make,
    Jenkins,
    Cron,
    Airflow,
    Kfp,
}

impl PipelineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PipelineKind::Make => "make",
            PipelineKind::Jenkins => "jenkins",
            PipelineKind::Cron => "cron",
            PipelineKind::Airflow => "airflow",
            PipelineKind::Kfp => "kfp",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StepKind {
    /// A make target.
    Target,
    /// An orchestrator task (an Airflow task).
    Task,
    /// A Jenkins pipeline stage (or the steps of a scripted pipeline
    /// outside any stage).
    Stage,
    /// A Jenkins job without stages (a freestyle project's build steps).
    Job,
    /// A crontab entry's command.
    Command,
}

impl StepKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Target => "target",
            StepKind::Task => "task",
            StepKind::Stage => "stage",
            StepKind::Job => "job",
            StepKind::Command => "command",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EdgeKind {
    /// Pure ordering: a phony or order-only prerequisite, `.after()`.
    Order,
    /// A file path handed from one step to the next.
    File,
    /// A typed artifact handed over (KFP `Output[Dataset]` → `Input[Dataset]`).
    Artifact,
    /// The source step runs the target step (`make -C dir train`, a cron line).
    Invokes,
    /// A value handed over (a KFP output parameter: a number, a string).
    Parameter,
}

impl EdgeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Order => "order",
            EdgeKind::File => "file",
            EdgeKind::Artifact => "artifact",
            EdgeKind::Invokes => "invokes",
            EdgeKind::Parameter => "parameter",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Schedule {
    /// As written (a Jenkins spec may hold several lines).
    pub text: String,
    pub span: Span,
    /// The cron dialect the text is in, when it is a cron expression kfr
    /// checks (KFR006); None for other schedules (Airflow presets).
    pub dialect: Option<crate::cron::Dialect>,
    /// `text` is at `span.start` byte for byte (a literal without escapes),
    /// so a field can be highlighted exactly.
    pub exact: bool,
    /// The Jenkins job's full name, which `H` is hashed from, when known.
    pub job: Option<String>,
}

impl Schedule {
    /// A schedule that kfr does not read as cron.
    pub fn opaque(text: String, span: Span) -> Schedule {
        Schedule {
            text,
            span,
            dialect: None,
            exact: false,
            job: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Pipeline {
    /// Unique and stable: `make:path/to/Makefile`.
    pub id: String,
    pub kind: PipelineKind,
    pub name: String,
    pub file: FileId,
    pub span: Span,
    pub schedule: Option<Schedule>,
    /// Further schedules checked by KFR006 but not the one shown (a
    /// Jenkins `pollSCM` beside a `cron` trigger, the other branch of a
    /// ternary).
    pub other_schedules: Vec<Schedule>,
    /// The directory relative paths in this pipeline are resolved against.
    pub dir: PathBuf,
    /// Files read as part of this pipeline besides its own (includes).
    pub includes: Vec<FileId>,
    /// The step that runs when the pipeline is started without naming one
    /// (a makefile's default goal).
    pub default_step: Option<String>,
    /// What kfr could not decide statically, with where (`$(shell ...)`,
    /// unresolved includes, overridden recipes).
    pub notes: Vec<(Span, String)>,
    /// Dependencies the tool itself drops because they close a cycle
    /// (GNU make): target, prerequisite, where it is written.
    pub dropped_cycle_edges: Vec<(String, String, Span)>,
    /// Jobs whose completion starts this pipeline (a Jenkins `upstream`
    /// trigger), with where they are named.
    pub triggered_by: Vec<(String, Span)>,
}

/// A retry policy as the source states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Retry {
    /// Nothing sets a retry (make never retries).
    None,
    /// An explicit count of retries (attempts - 1).
    Count { count: u32, span: Span },
    /// Set, but not to a value kfr can read statically.
    Unknown { span: Span },
}

impl Retry {
    /// The number of retries; None when it is not known statically.
    pub fn retries(&self) -> Option<u32> {
        match self {
            Retry::None => Some(0),
            Retry::Count { count, .. } => Some(*count),
            Retry::Unknown { .. } => None,
        }
    }
}

/// A package a step installs.
#[derive(Debug, Clone)]
pub struct Package {
    pub name: String,
    /// The specifier as written (`>=1.2`, `==2.0`, a URL), if any.
    pub spec: Option<String>,
    pub pinned: bool,
    /// Why it is not pinned, in words, when it is not.
    pub problem: Option<String>,
    /// Where the requirement is written (the command or a requirements file line).
    pub span: Span,
    /// For a requirement read from a file: the `-r FILE` that installs it.
    pub installed_at: Option<Span>,
}

/// A named input or output of a step.
#[derive(Debug, Clone, Default)]
pub struct Port {
    /// As the pipeline names it (relative to the pipeline's directory).
    pub path: String,
    /// Resolved path used to match producers with consumers.
    pub key: String,
    pub span: Option<Span>,
    /// The declared type of a typed input or output (a KFP artifact or
    /// parameter); None for a file path.
    pub ty: Option<PortType>,
    /// The type annotation as written, for a typed port (`InputPath()`),
    /// and where.
    pub declared: Option<(String, Span)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortType {
    /// An artifact type: `system.Dataset`, `system.Model`, ...
    Artifact(String),
    /// A parameter type: `STRING`, `NUMBER_INTEGER`, ...
    Parameter(String),
}

/// Whether a step's results may be reused from a cache instead of running it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CachePolicy {
    pub enabled: bool,
    /// Set in the source (`set_caching_options`), not left to the default.
    pub explicit: bool,
    pub span: Option<Span>,
}

/// A step's command runs another pipeline's step (`$(MAKE) -C sub train`).
#[derive(Debug, Clone)]
pub struct Invocation {
    pub span: Span,
    /// Retries of this command when they differ from the step's (a Jenkins
    /// `retry(3) { sh 'make train' }` inside a stage that is not retried).
    pub retry: Option<Retry>,
    /// The makefile invoked, resolved and normalised.
    pub makefile: PathBuf,
    /// Targets named; empty means the default goal.
    pub targets: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Step {
    /// Unique and stable: `<pipeline id>::<name>`.
    pub id: String,
    /// Index into [`Dag::pipelines`] (or the fragment's pipelines).
    pub pipeline: usize,
    pub name: String,
    pub kind: StepKind,
    /// Where the step is named (a make target in its rule line).
    pub span: Span,
    /// The command as it runs, one line per command, or None.
    pub command: Option<String>,
    pub retry: Retry,
    pub packages: Vec<Package>,
    pub image: Option<String>,
    /// Where the image is named.
    pub image_span: Option<Span>,
    /// Delay between retries, as written (`timedelta(minutes=5)`).
    pub retry_delay: Option<String>,
    /// Longest a run may take, as written.
    pub timeout: Option<String>,
    /// Resources and environment the step is given, as written
    /// (`cpu_limit`, `memory_limit`, `accelerator_type`, `env.NAME`).
    pub settings: Vec<(String, String)>,
    pub inputs: Vec<Port>,
    pub outputs: Vec<Port>,
    pub invocations: Vec<Invocation>,
    /// A phony make target (it names no file).
    pub phony: bool,
    /// Things kfr could not decide statically about this step.
    pub notes: Vec<(Span, String)>,
    /// The image is the orchestrator's default, not named in the source
    /// (KFP's `python:3.11` for a component without `base_image`).
    pub image_default: bool,
    /// Result caching, where the orchestrator has it (KFP).
    pub cache: Option<CachePolicy>,
    /// What the step reads from outside the pipeline (a URI, a table, a
    /// download), with where it is named.
    pub external_reads: Vec<(Span, String)>,
    /// Effective retries after linking (inherited from invokers); None when
    /// it cannot be known statically.
    pub effective_retries: Option<u32>,
    /// Runs on a schedule, directly or because a scheduled step invokes it.
    pub scheduled: bool,
    /// The scheduled step this one runs under, when it is not scheduled
    /// itself (the cron line or Jenkins stage that runs a make target).
    pub scheduled_by: Option<usize>,
    /// Other jobs this step starts (a Jenkins `build job: 'x'`, a
    /// downstream project), with where they are named.
    pub triggers: Vec<(String, Span)>,
    /// Every command of the step only reports, tidies or sets up (`echo`,
    /// `ls`, `rm -rf tmp`): a failure loses no work.
    pub housekeeping: bool,
    /// Variables of the pipeline the command uses, with the single-word
    /// value each has (`N_ESTIMATORS` = `300` in a recipe's
    /// `$(N_ESTIMATORS)`): the values a user overrides per run.
    pub variables: Vec<Variable>,
    /// The shell the command runs with, when it is not `/bin/sh` (make's
    /// `SHELL := /bin/bash`, a crontab's `SHELL=`).
    pub shell: Option<String>,
    /// Command lines whose failure the step ignores (make's `-` prefix), as
    /// they appear in `command`.
    pub ignored_failures: Vec<String>,
    /// The caller whose retries a make target inherits (the least retried
    /// step that runs it), when it inherits them.
    pub retried_by: Option<usize>,
    /// The operator or decorator of an orchestrator task
    /// (`BashOperator`, `@task`, `PythonOperator`).
    pub operator: Option<String>,
    /// The Python function a task runs, for a Python task.
    pub callable: Option<Callable>,
}

/// A Python function an orchestrator task runs (an Airflow
/// `python_callable` or `@task` function).
#[derive(Debug, Clone)]
pub struct Callable {
    pub name: String,
    /// The `def` as written (without decorators).
    pub source: String,
    pub span: Span,
    /// What the task passes it, by parameter name.
    pub args: Vec<(String, CallArg)>,
    /// The module's import statements, with the names each binds: a
    /// function that uses them can take them along.
    pub module_imports: Vec<(Vec<String>, String)>,
    /// Other names the module defines (functions, classes, constants).
    pub module_names: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CallArg {
    /// A literal value (as JSON).
    Literal(serde_json::Value),
    /// The return value of another task (by step name).
    Task(String),
    /// Anything else, as written.
    Other(String),
}

/// A pipeline variable a step's command uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    pub name: String,
    /// Its value, expanded: one word.
    pub value: String,
    /// Where the command uses it.
    pub span: Span,
}

impl Step {
    /// A step named `name` in pipeline `pipeline` (with id `<pipeline
    /// id>::<name>`), where nothing else is known yet: no command, no
    /// retry, no ports.
    pub fn new(pipeline_id: &str, pipeline: usize, name: &str, kind: StepKind, span: Span) -> Step {
        Step {
            id: format!("{pipeline_id}::{name}"),
            pipeline,
            name: name.to_string(),
            kind,
            span,
            command: None,
            retry: Retry::None,
            packages: Vec::new(),
            image: None,
            image_span: None,
            image_default: false,
            cache: None,
            external_reads: Vec::new(),
            retry_delay: None,
            timeout: None,
            settings: Vec::new(),
            inputs: Vec::new(),
            outputs: Vec::new(),
            invocations: Vec::new(),
            phony: false,
            notes: Vec::new(),
            effective_retries: None,
            scheduled: false,
            scheduled_by: None,
            triggers: Vec::new(),
            housekeeping: false,
            variables: Vec::new(),
            shell: None,
            ignored_failures: Vec::new(),
            retried_by: None,
            operator: None,
            callable: None,
        }
    }

    pub fn has_command(&self) -> bool {
        self.command.as_deref().is_some_and(|c| !c.trim().is_empty())
    }
}

#[derive(Debug, Clone)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub kind: EdgeKind,
    /// The file handed over (file edges), or the artifact name.
    pub path: Option<String>,
    /// Where the consumer uses it (a prerequisite, a command argument).
    pub span: Option<Span>,
}

/// What one frontend made of one file.
#[derive(Debug, Default)]
pub struct Fragment {
    pub pipelines: Vec<Pipeline>,
    /// `pipeline` indexes into `pipelines` of this fragment.
    pub steps: Vec<Step>,
    /// `from`/`to` index into `steps` of this fragment.
    pub edges: Vec<Edge>,
    pub diagnostics: Vec<crate::diagnostic::Diagnostic>,
}

impl Fragment {
    /// Add another fragment's pipelines, steps, edges and diagnostics.
    pub fn append(&mut self, other: Fragment) {
        let (p_off, s_off) = (self.pipelines.len(), self.steps.len());
        self.pipelines.extend(other.pipelines);
        self.steps.extend(other.steps.into_iter().map(|mut s| {
            s.pipeline += p_off;
            s
        }));
        self.edges.extend(other.edges.into_iter().map(|mut e| {
            e.from += s_off;
            e.to += s_off;
            e
        }));
        self.diagnostics.extend(other.diagnostics);
    }

    /// Remove pipelines (by index) with their steps and the edges that
    /// touch those steps.
    pub fn drop_pipelines(&mut self, drop: &std::collections::HashSet<usize>) {
        let mut pipeline_map = Vec::with_capacity(self.pipelines.len());
        let mut next = 0;
        for i in 0..self.pipelines.len() {
            pipeline_map.push((!drop.contains(&i)).then(|| {
                next += 1;
                next - 1
            }));
        }
        let mut step_map = Vec::with_capacity(self.steps.len());
        let mut kept_steps = Vec::new();
        for mut s in std::mem::take(&mut self.steps) {
            match pipeline_map[s.pipeline] {
                Some(p) => {
                    s.pipeline = p;
                    step_map.push(Some(kept_steps.len()));
                    kept_steps.push(s);
                }
                None => step_map.push(None),
            }
        }
        self.steps = kept_steps;
        self.edges = std::mem::take(&mut self.edges)
            .into_iter()
            .filter_map(|mut e| {
                e.from = step_map[e.from]?;
                e.to = step_map[e.to]?;
                Some(e)
            })
            .collect();
        let mut i = 0;
        self.pipelines.retain(|_| {
            i += 1;
            !drop.contains(&(i - 1))
        });
    }
}

/// The unified graph of every pipeline kfr read.
#[derive(Debug, Default)]
pub struct Dag {
    pub pipelines: Vec<Pipeline>,
    pub steps: Vec<Step>,
    pub edges: Vec<Edge>,
    graph: petgraph::graph::DiGraph<usize, usize>,
}

impl Dag {
    pub fn step_edges_out(&self, step: usize) -> impl Iterator<Item = &Edge> {
        self.graph
            .edges_directed(petgraph::graph::NodeIndex::new(step), petgraph::Direction::Outgoing)
            .map(|e| &self.edges[*e.weight()])
    }

    pub fn step_edges_in(&self, step: usize) -> impl Iterator<Item = &Edge> {
        self.graph
            .edges_directed(petgraph::graph::NodeIndex::new(step), petgraph::Direction::Incoming)
            .map(|e| &self.edges[*e.weight()])
    }

    pub fn pipeline_of(&self, step: &Step) -> &Pipeline {
        &self.pipelines[step.pipeline]
    }
}

/// A marker file that only records that a step ran (`_SUCCESS`,
/// `.split.stamp`, `.venv/.installed`): it orders steps, it hands no data.
pub fn is_stamp(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    matches!(
        name.as_str(),
        "_success" | ".done" | ".ok" | ".installed" | ".built" | ".stamp" | ".sentinel"
    ) || [".stamp", ".done", ".sentinel", ".flag", ".ok"]
        .iter()
        .any(|s| name.ends_with(s))
        || name.starts_with(".stamp")
        || path.to_ascii_lowercase().contains("/.stamps/")
        || path.to_ascii_lowercase().starts_with(".stamps/")
}

/// Whether one of the words of an identifier (split at `_`, `-` and
/// camelCase, lowercased) is one of `words`: `model_path` and `modelPath`
/// have the word `path`.
pub fn name_has_word(name: &str, words: &[&str]) -> bool {
    let mut spaced = String::with_capacity(name.len() + 4);
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_uppercase() && prev_lower {
            spaced.push('_');
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        spaced.extend(c.to_lowercase());
    }
    spaced.split(['_', '-']).any(|w| words.contains(&w))
}

/// A parameter name that says it holds a path (`model_path`, `data_uri`,
/// `outputDir`, `filename`, `input_files`).
pub fn path_name(name: &str) -> bool {
    name_has_word(
        name,
        &[
            "path",
            "paths",
            "file",
            "files",
            "filename",
            "filepath",
            "uri",
            "uris",
            "dir",
            "directory",
            "folder",
        ],
    )
}

/// A string that reads as a file path.
pub fn looks_like_path(s: &str) -> bool {
    let s = s.trim();
    if s.is_empty() || s.contains(char::is_whitespace) || s.contains("{{") {
        return false;
    }
    if s.contains("://") {
        return s.starts_with("file://") || s.starts_with("s3://") || s.starts_with("gs://");
    }
    let base = s.rsplit('/').next().unwrap_or(s);
    (s.contains('/') && base.contains('.')) || (s.starts_with('/') && s.len() > 1) || {
        let ext = base.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        matches!(
            ext,
            "csv"
                | "parquet"
                | "pq"
                | "json"
                | "jsonl"
                | "pkl"
                | "pickle"
                | "joblib"
                | "pt"
                | "pth"
                | "onnx"
                | "h5"
                | "npy"
                | "npz"
                | "feather"
                | "avro"
                | "orc"
                | "tsv"
                | "txt"
                | "zip"
                | "gz"
                | "tar"
                | "ckpt"
                | "safetensors"
                | "bin"
                | "model"
        )
    }
}

/// The artifact type a file most likely holds, by extension and name; used
/// to suggest typed handoffs and by `kfr migrate`.
pub fn artifact_type(path: &str) -> &'static str {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let has = |words: &[&str]| words.iter().any(|w| name.contains(w));
    match ext {
        "pkl" | "pickle" | "joblib" | "pt" | "pth" | "ckpt" | "h5" | "hdf5" | "onnx" | "pb" | "safetensors"
        | "keras" | "tflite" | "mlmodel" | "bst" | "cbm" | "gguf" => return "Model",
        "html" | "htm" => return "HTML",
        "md" | "markdown" => return "Markdown",
        _ => {}
    }
    if has(&["metric", "score", "eval", "report", "accuracy", "auc"])
        && matches!(ext, "json" | "yaml" | "yml" | "csv" | "txt" | "tsv")
    {
        return "Metrics";
    }
    if has(&["model", "weights", "checkpoint"]) {
        return "Model";
    }
    match ext {
        "csv" | "tsv" | "parquet" | "pq" | "feather" | "arrow" | "jsonl" | "ndjson" | "avro" | "orc" | "npy"
        | "npz" | "tfrecord" | "tfrecords" | "xlsx" | "xls" | "db" | "sqlite" | "json" | "txt" | "zip" | "gz"
        | "tar" | "tgz" => "Dataset",
        _ if has(&["data", "dataset", "features", "train", "test", "split"])
            || ["data", "dataset", "features"]
                .iter()
                .any(|w| lower.split('/').any(|c| c == *w)) =>
        {
            "Dataset"
        }
        _ => "Artifact",
    }
}

#[cfg(test)]
mod tests {
    use super::artifact_type;

    #[test]
    fn guesses_artifact_types() {
        assert_eq!(artifact_type("models/model.pkl"), "Model");
        assert_eq!(artifact_type("data/processed/features.parquet"), "Dataset");
        assert_eq!(artifact_type("reports/metrics.json"), "Metrics");
        assert_eq!(artifact_type("reports/report.html"), "HTML");
        assert_eq!(artifact_type("out/model_dir"), "Model");
        assert_eq!(artifact_type("build/thing.bin"), "Artifact");
        assert_eq!(artifact_type("data/raw/transactions.csv"), "Dataset");
        assert_eq!(artifact_type("data/processed"), "Dataset");
    }

    #[test]
    fn names_that_hold_paths() {
        use super::path_name;
        for yes in [
            "model_path",
            "data_uri",
            "outputDir",
            "filename",
            "input_files",
            "gcs-uri",
            "PATH",
            "train_csv_file",
        ] {
            assert!(path_name(yes), "{yes}");
        }
        for no in [
            "xpath_query",
            "profile",
            "location",
            "bucket",
            "epochs",
            "filesystem_type",
        ] {
            assert!(!path_name(no), "{no}");
        }
    }

    #[test]
    fn recognises_stamp_files() {
        use super::is_stamp;
        for p in [
            "features/dt=2024-01-01/_SUCCESS",
            "data/interim/.split.stamp",
            ".venv/.installed",
            ".stamps/load_orders",
            "build/ok.done",
        ] {
            assert!(is_stamp(p), "{p}");
        }
        for p in ["data/raw.csv", "models/model.pkl", "reports/stamp_duty.csv"] {
            assert!(!is_stamp(p), "{p}");
        }
    }
}
