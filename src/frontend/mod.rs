//! Frontends: one per kind of pipeline source, each turning one file into a
//! [`Fragment`] of the unified model. A frontend never panics on bad input;
//! what it cannot read becomes a KFR000 parse-error diagnostic.

pub mod airflow;
pub mod command;
pub mod kfp;
pub mod make;
pub mod python_file;

use crate::dag::Fragment;
use crate::source::{SourceDb, SourceFile};
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
