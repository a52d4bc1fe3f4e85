//! Jenkins: Jenkinsfiles (declarative and scripted pipelines, in Groovy)
//! and job `config.xml` files (freestyle, matrix and pipeline jobs).

pub mod groovy;
mod lower;
pub mod xml;

use crate::dag::Fragment;
use crate::source::{SourceDb, SourceFile};
use std::sync::Arc;

/// A Jenkinsfile: one pipeline named by its path.
pub fn lower_jenkinsfile(db: &SourceDb, file: &Arc<SourceFile>) -> Fragment {
    let mut frag = Fragment::default();
    if !crate::frontend::readable(file, "a Jenkinsfile", &mut frag.diagnostics) {
        return frag;
    }
    let src = lower::Source {
        file,
        text: &file.text,
        outer: None,
        name: file.name.clone(),
        job: None,
    };
    lower::lower(db, &src, &mut frag);
    frag
}
