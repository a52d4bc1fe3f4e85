//! KFR002 untyped-path-handoff: a file written by one step and read by
//! another as a bare path, where a typed artifact would record what was
//! handed over.

use super::Context;
use crate::dag::{EdgeKind, artifact_type, is_stamp};
use crate::diagnostic::Diagnostic;
use std::collections::HashSet;

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let dag = ctx.dag;
    let mut seen = HashSet::new();
    for e in &dag.edges {
        if e.kind != EdgeKind::File {
            continue;
        }
        let (from, to) = (&dag.steps[e.from], &dag.steps[e.to]);
        if !from.has_command() || !to.has_command() {
            continue;
        }
        let Some(path) = &e.path else { continue };
        if is_stamp(path) {
            continue;
        }
        if !seen.insert((e.from, e.to, path.clone())) {
            continue;
        }
        let ty = artifact_type(path);
        let span = e.span.unwrap_or(to.span);
        let message = if from.name == *path {
            format!("`{path}` is handed to `{}` as a bare file path", to.name)
        } else {
            format!(
                "`{path}` is handed from `{}` to `{}` as a bare file path",
                from.name, to.name
            )
        };
        let mut d = Diagnostic::new("KFR002", span, message)
        .with_label(format!("read by `{}`", to.name))
        .with_help(format!(
            "hand it over as a typed artifact: `Output[{ty}]` in `{}` and `Input[{ty}]` in `{}` (`kfr migrate` writes this), so each run records which {} it used",
            from.name,
            to.name,
            ty.to_ascii_lowercase()
        ));
        let written = from
            .outputs
            .iter()
            .find(|p| p.path == *path || to.inputs.iter().any(|i| i.path == *path && i.key == p.key))
            .and_then(|p| p.span)
            .unwrap_or(from.span);
        if written != span {
            d = d.with_related(written, format!("written by `{}`", from.name));
        }
        out.push(d);
    }
}
