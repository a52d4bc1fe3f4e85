//! The one diagnostic type every frontend and rule produces and every
//! reporter renders.

use crate::source::Span;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            _ => None,
        }
    }
}

/// A secondary location: "written here by `prepare`".
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

/// What a finding is about, independent of where it sits in a file: the
/// identity that baselines, SARIF `partialFingerprints`, GitLab
/// fingerprints and diff mode use, so a finding keeps it when lines move.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Subject {
    /// The pipeline's name (a makefile's path, a dag_id, a Jenkins job).
    pub pipeline: String,
    /// The step's name, or empty for a finding about a whole pipeline or file.
    pub step: String,
    /// What in the step, rule-specific: a package, a handed-off file, an
    /// image; empty when the step is the whole subject.
    pub key: String,
    /// Ids of every step the finding depends on (the step, the steps it
    /// hands files to, the steps of a cycle): diff mode reports the
    /// finding when any of them changed.
    pub steps: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    /// Rule id, e.g. `KFR001`.
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    /// What to do instead.
    pub help: Option<String>,
    pub span: Span,
    /// Short text under the primary caret in the full format.
    pub label: String,
    pub related: Vec<Related>,
    /// What the finding is about, for rules over the graph; None for
    /// findings about text (parse errors), identified by their line's text.
    pub subject: Option<Subject>,
}

impl Diagnostic {
    pub fn new(code: &'static str, span: Span, message: impl Into<String>) -> Self {
        let severity = crate::rules::meta(code)
            .map(|m| m.severity)
            .unwrap_or(Severity::Warning);
        Diagnostic {
            code,
            severity,
            message: message.into(),
            help: None,
            span,
            label: String::new(),
            related: Vec::new(),
            subject: None,
        }
    }

    /// A KFR000 parse-error diagnostic.
    pub fn parse_error(span: Span, message: impl Into<String>) -> Self {
        Diagnostic::new(crate::rules::PARSE_ERROR, span, message)
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub fn with_related(mut self, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Related {
            span,
            message: message.into(),
        });
        self
    }

    /// The subject of a finding about one step of the graph.
    pub fn about_step(mut self, dag: &crate::dag::Dag, step: &crate::dag::Step, key: impl Into<String>) -> Self {
        self.subject = Some(Subject {
            pipeline: dag.pipeline_of(step).name.clone(),
            step: step.name.clone(),
            key: key.into(),
            steps: vec![step.id.clone()],
        });
        self
    }

    /// Another step the finding depends on (diff mode reports it when that
    /// step changes).
    pub fn also_about(mut self, step: &crate::dag::Step) -> Self {
        if let Some(s) = &mut self.subject
            && !s.steps.contains(&step.id)
        {
            s.steps.push(step.id.clone());
        }
        self
    }

    pub fn with_subject(mut self, subject: Subject) -> Self {
        self.subject = Some(subject);
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
}

/// `2003360` as `2,003,360`, for counts in messages.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
