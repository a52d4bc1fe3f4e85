//! Frontends: one per kind of pipeline source, each turning one file into a
//! [`Fragment`] of the unified model. A frontend never panics on bad input;
//! what it cannot read becomes a KFR000 parse-error diagnostic.

pub mod airflow;
pub mod command;
pub mod cron;
pub mod jenkins;
pub mod kfp;
pub mod make;
pub mod mapped;
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
    /// A Jenkinsfile (declarative or scripted pipeline, in Groovy).
    Jenkinsfile,
    /// A Jenkins job's `config.xml`: read when it is a job.
    JenkinsXml,
    /// A crontab.
    Crontab,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Makefile => "makefile",
            SourceKind::Python => "python",
            SourceKind::Yaml => "yaml",
            SourceKind::Jenkinsfile => "jenkinsfile",
            SourceKind::JenkinsXml => "jenkins-xml",
            SourceKind::Crontab => "crontab",
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
    if name == "Jenkinsfile"
        || name.starts_with("Jenkinsfile.")
        || name.ends_with(".jenkinsfile")
        || name.ends_with(".Jenkinsfile")
        || (name.ends_with(".groovy")
            && path.parent().is_some_and(|p| {
                p.components()
                    .any(|c| c.as_os_str() == "jenkins" || c.as_os_str() == ".jenkins")
            }))
    {
        return Some(SourceKind::Jenkinsfile);
    }
    if name == "config.xml" {
        return Some(SourceKind::JenkinsXml);
    }
    let in_cron_d = path.parent().and_then(|p| p.file_name()).is_some_and(|n| n == "cron.d");
    if name == "crontab"
        || name.ends_with(".cron")
        || name.ends_with(".crontab")
        // cron reads the files of cron.d whose names are letters, digits, `_` and `-`
        || (in_cron_d && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
    {
        return Some(SourceKind::Crontab);
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
        SourceKind::Crontab => cron::lower(db, file),
        SourceKind::Jenkinsfile => jenkins::lower_jenkinsfile(db, file),
        SourceKind::JenkinsXml => jenkins::xml::lower(db, file),
    }
}

/// Report a file's text problem into `diags`; false when the text was not
/// read at all (binary, too large), so there is nothing to lower.
/// The text to tell what a file is from: its text, or the head of a file
/// too large to read.
pub fn probe_text(file: &SourceFile) -> &str {
    match &file.problem {
        Some(TextProblem::TooLarge { head, .. }) => head,
        _ => &file.text,
    }
}

pub fn readable(file: &SourceFile, what: &str, diags: &mut Vec<Diagnostic>) -> bool {
    let Some(d) = text_problem(file, what) else {
        return true;
    };
    diags.push(d);
    matches!(file.problem, Some(TextProblem::InvalidUtf8 { .. }))
}

/// The KFR000 error for a text file's problem: binary data or too large
/// (not read), or not UTF-8 (read with the bad bytes replaced).
pub fn text_problem(file: &SourceFile, what: &str) -> Option<Diagnostic> {
    let problem = file.problem.as_ref()?;
    match problem {
        TextProblem::InvalidUtf8 { offset } => Some(
            Diagnostic::parse_error(
                file.span(file.char_range_at(*offset)),
                "the file is not valid UTF-8; read with each byte that is not UTF-8 taken as Latin-1",
            )
            .with_label("first byte that is not UTF-8")
            .with_help("re-save the file as UTF-8 so every tool reads the same text"),
        ),
        p => unreadable(file, p, what),
    }
}

/// A byte count, exact and for people: `8388608 bytes (8.0 MiB)`.
fn human_size(n: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if n >= MIB {
        format!("{n} bytes ({:.1} MiB)", n as f64 / MIB as f64)
    } else if n >= 1024 {
        format!("{n} bytes ({:.1} KiB)", n as f64 / 1024.0)
    } else {
        format!("{n} bytes")
    }
}

/// The KFR000 error for a file kfr does not read as `what` (`a makefile`,
/// `a Python file that mentions KFP`): binary data, or too large. Text
/// that is not UTF-8 is each frontend's to judge.
pub fn unreadable(file: &SourceFile, problem: &TextProblem, what: &str) -> Option<Diagnostic> {
    Some(match problem {
        TextProblem::Binary { offset } => Diagnostic::parse_error(
            file.span(file.char_range_at(*offset)),
            format!("binary data (a NUL byte) in {what}: the file was not read"),
        )
        .with_label("first NUL byte")
        .with_help("if this is not a text file, exclude it from linting"),
        TextProblem::TooLarge { size, limit, .. } => Diagnostic::parse_error(
            file.span(0..0),
            format!(
                "file is {}, over the limit of {}: not read",
                human_size(*size),
                human_size(*limit)
            ),
        )
        .with_help("exclude generated files from linting, or raise `max-file-size` in kfr.toml"),
        TextProblem::InvalidUtf8 { .. } => return None,
    })
}
