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

    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
}
