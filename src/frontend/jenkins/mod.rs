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
    if let Some(d) = crate::frontend::text_problem(file, "a Jenkinsfile") {
        let fatal = !matches!(file.problem, Some(crate::source::TextProblem::InvalidUtf8 { .. }));
        frag.diagnostics.push(d);
        if fatal {
            return frag;
        }
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
