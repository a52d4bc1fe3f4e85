//! Frontends: one per kind of pipeline source, each turning one file into a
//! [`Fragment`] of the unified model. A frontend never panics on bad input;
//! what it cannot read becomes a KFR000 parse-error diagnostic.

pub mod airflow;
pub mod command;
pub mod kfp;
pub mod make;
pub mod python_file;

use crate::dag::Fragment;
use crate::diagnostic::Diagnostic;
use crate::source::{SourceDb, SourceFile, TextProblem};
use std::path::Path;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SourceKind {
    Makefile,
    /// A Python file: read when it imports Airflow or KFP.
    Python,
    /// A YAML file: read when it is a compiled KFP pipeline.
    Yaml,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Makefile => "makefile",
            SourceKind::Python => "python",
            SourceKind::Yaml => "yaml",
        }
    }
}

/// What kind of pipeline source a path is, by its name.
pub fn classify(path: &Path) -> Option<SourceKind> {
    let name = path.file_name()?.to_str()?;
    if make::DEFAULT_MAKEFILES.contains(&name) || name.ends_with(".mk") {
        return Some(SourceKind::Makefile);
    }
    if name.ends_with(".py") {
        return Some(SourceKind::Python);
    }
    if name.ends_with(".yaml") || name.ends_with(".yml") {
        return Some(SourceKind::Yaml);
    }
    None
}

/// What the user tells every frontend.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `NAME=VALUE` overrides, as given to make on its command line.
    pub make_vars: Vec<(String, String)>,
}

pub fn lower(db: &SourceDb, file: &Arc<SourceFile>, kind: SourceKind, options: &Options) -> Fragment {
    match kind {
        SourceKind::Makefile => make::lower(db, file, &options.make_vars),
        SourceKind::Python => {
            // parsed once, read by each frontend whose library it imports
            let mut frag = Fragment::default();
            let libs = [&airflow::LIBRARY, &kfp::LIBRARY];
            if let Some(parsed) = python_file::parse(db, file, &libs, &mut frag.diagnostics) {
                if parsed.imports[0] {
                    frag.append(airflow::lower(db, file, &parsed));
                }
                if parsed.imports[1] {
                    frag.append(kfp::lower_parsed(db, file, &parsed));
                }
            }
            frag
        }
        SourceKind::Yaml => kfp::lower_yaml(db, file),
    }
}

/// The KFR000 error for a file kfr does not read as `what` (`a makefile`,
/// `a Python file that mentions KFP`): binary data, or too large. Text
/// that is not UTF-8 is each frontend's to judge.
pub fn unreadable(file: &SourceFile, problem: &TextProblem, what: &str) -> Option<Diagnostic> {
    Some(match problem {
        TextProblem::Binary { offset } => Diagnostic::parse_error(
            file.span(*offset..*offset + 1),
            format!("binary data (a NUL byte) in {what}: the file was not read"),
        )
        .with_label("first NUL byte")
        .with_help("if this is not a text file, exclude it from linting"),
        TextProblem::TooLarge { size } => Diagnostic::parse_error(
            file.span(0..0),
            format!(
                "file is {:.1} MiB, over kfr's limit of {} MiB: not read",
                *size as f64 / (1024.0 * 1024.0),
                crate::source::MAX_FILE_SIZE / (1024 * 1024)
            ),
        )
        .with_help("exclude generated files from linting"),
        TextProblem::InvalidUtf8 { .. } => return None,
    })
}
