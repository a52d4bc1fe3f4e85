//! Kubeflow Pipelines (KFP v2), read statically: pipeline Python files
//! and compiled pipeline YAML (the PipelineSpec IR).
//!
//! A Python file that imports `kfp` is evaluated by the static
//! interpreter ([`crate::python`]) with a host ([`host`]) that models what
//! the SDK does at import time: components from decorated functions (their
//! interface from the signature, [`signature`]), pipelines built by running
//! the pipeline function with channels, tasks named as `Pipeline.add_task`
//! names them, groups numbered as `tasks_group` numbers them. [`compile`]
//! then derives what the compiler writes (`dependentTasks`, the inputs
//! that cross group boundaries) and what it refuses. A compiled YAML is
//! read by [`ir`] into the same [`model`], and [`lower`] turns either into
//! the unified graph, so both are linted alike.
//!
//! The SDK (kfp 2.17) is the oracle: `testdata/kfp/` holds fixtures, what
//! the SDK compiles them to, and its answers (`tests/kfp_oracle.rs`).

mod compile;
mod external;
mod host;
pub mod ir;
mod lower;
pub mod model;
mod placeholder;
mod python;
mod signature;

use crate::dag::Fragment;
use crate::frontend::python_file::{self, Parsed};
use crate::source::{SourceDb, SourceFile};
use std::sync::Arc;

pub use python::LIBRARY;

/// The graph of a parsed Python file that imports `kfp`.
pub fn lower_parsed(db: &SourceDb, file: &Arc<SourceFile>, parsed: &Parsed) -> Fragment {
    let mut frag = Fragment::default();
    let pipelines = python::read(db, file, parsed, &mut frag.diagnostics);
    lower::lower(db, file, &pipelines, &mut frag);
    frag
}

/// Read a YAML file: a compiled pipeline, or nothing.
pub fn lower_yaml(db: &SourceDb, file: &Arc<SourceFile>) -> Fragment {
    read_yaml(db, file).1
}

/// A compiled pipeline YAML: its pipelines (for tests comparing kfr with
/// the SDK) and their graph, with the diagnostics.
pub fn read_yaml(db: &SourceDb, file: &Arc<SourceFile>) -> (Vec<model::Pipeline>, Fragment) {
    let (pipelines, diagnostics) = ir::read(file);
    let mut frag = Fragment {
        diagnostics,
        ..Fragment::default()
    };
    lower::lower(db, file, &pipelines, &mut frag);
    (pipelines, frag)
}

/// A Python file read as KFP alone: the pipelines as the compiler would
/// see them (for tests comparing kfr with the SDK) and their graph, with
/// the diagnostics.
pub fn read_python(db: &SourceDb, file: &Arc<SourceFile>) -> (Vec<model::Pipeline>, Fragment) {
    let mut frag = Fragment::default();
    let Some(parsed) = python_file::parse(db, file, &[&LIBRARY], &mut frag.diagnostics) else {
        return (Vec::new(), frag);
    };
    let pipelines = python::read(db, file, &parsed, &mut frag.diagnostics);
    lower::lower(db, file, &pipelines, &mut frag);
    (pipelines, frag)
}
