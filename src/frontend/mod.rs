//! Frontends: one per kind of pipeline source, each turning one file into a
//! [`Fragment`] of the unified model. A frontend never panics on bad input;
//! what it cannot read becomes a KFR000 parse-error diagnostic.

pub mod make;

use crate::dag::Fragment;
use crate::source::{SourceDb, SourceFile};
use std::path::Path;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SourceKind {
    Makefile,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Makefile => "makefile",
        }
    }
}

/// What kind of pipeline source a path is, by its name.
pub fn classify(path: &Path) -> Option<SourceKind> {
    let name = path.file_name()?.to_str()?;
    if make::DEFAULT_MAKEFILES.contains(&name) || name.ends_with(".mk") {
        return Some(SourceKind::Makefile);
    }
    None
}

pub fn lower(db: &SourceDb, file: &Arc<SourceFile>, kind: SourceKind) -> Fragment {
    match kind {
        SourceKind::Makefile => make::lower(db, file),
    }
}
