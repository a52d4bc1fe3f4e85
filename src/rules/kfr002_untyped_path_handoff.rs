//! KFR002 untyped-path-handoff: a file written by one step and read by
//! another as a bare path, where a typed artifact would record what was
//! handed over.

use super::Context;
use crate::dag::{Edge, EdgeKind, PipelineKind, PortType, Step, artifact_type, is_stamp};
use crate::diagnostic::Diagnostic;
use crate::source::Span;
use std::collections::HashSet;

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let dag = ctx.dag;
    let mut seen = HashSet::new();
    kfp_path_annotations(ctx, out);
    for e in &dag.edges {
        if e.kind != EdgeKind::File {
            continue;
        }
        let (from, to) = (&dag.steps[e.from], &dag.steps[e.to]);
        if dag.pipeline_of(to).kind == PipelineKind::Kfp {
            if seen.insert((e.from, e.to, e.path.clone().unwrap_or_default())) {
                out.push(
                    kfp_str_path(from, to, e)
                        .about_step(dag, to, format!("{} <- {}", e.path.as_deref().unwrap_or(""), from.name))
                        .also_about(from),
                );
            }
            continue;
        }
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
        .about_step(dag, to, format!("{path} <- {}", from.name))
        .also_about(from)
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

/// A KFP task hands a path to the next in a `str` parameter: the file it
/// names is not an artifact KFP tracks.
fn kfp_str_path(from: &Step, to: &Step, e: &Edge) -> Diagnostic {
    let span = e.span.unwrap_or(to.span);
    let key = e.path.as_deref().unwrap_or("");
    let produced = format!("{}.{key}", from.name);
    let input = to
        .inputs
        .iter()
        .find(|p| p.span == Some(span))
        .map(|p| {
            p.path
                .strip_prefix(&format!("{}.", to.name))
                .unwrap_or(&p.path)
                .to_string()
        })
        .unwrap_or_default();
    let ty = artifact_type(&format!("{key}_{input}"));
    let output = if key == "Output" {
        "the path it returns".to_string()
    } else {
        format!("its `{key}` output")
    };
    let mut d = Diagnostic::new(
        "KFR002",
        span,
        format!(
            "`{}` hands {output} to `{}` as a `str`: a bare path, not a typed artifact",
            from.name, to.name
        ),
    )
    .with_label(if input.is_empty() {
        "a path in a string parameter".to_string()
    } else {
        format!("`{input}` is a path in a string parameter")
    })
    .with_help(format!(
        "write the file to an `Output[{ty}]` in `{}` and read it from an `Input[{ty}]` in `{}`: KFP then stores it, records its lineage, and each run says which {} it used",
        from.name,
        to.name,
        ty.to_ascii_lowercase()
    ));
    if let Some(p) = from.outputs.iter().find(|p| p.path == produced).and_then(|p| p.span)
        && p != span
    {
        let how = if key == "Output" { "returned" } else { "declared" };
        d = d.with_related(p, format!("{how} by `{}` as a `str`", from.name));
    }
    d
}

/// `InputPath()` / `OutputPath()` with no artifact type: KFP records a
/// generic `system.Artifact`.
fn kfp_path_annotations(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let mut seen: HashSet<Span> = HashSet::new();
    for step in &ctx.dag.steps {
        if ctx.dag.pipeline_of(step).kind != PipelineKind::Kfp {
            continue;
        }
        for (port, input) in step
            .inputs
            .iter()
            .map(|p| (p, true))
            .chain(step.outputs.iter().map(|p| (p, false)))
        {
            let Some((declared, span)) = &port.declared else {
                continue;
            };
            let generic = matches!(&port.ty, Some(PortType::Artifact(t)) if t == "system.Artifact");
            if !generic || !(declared.contains("InputPath(") || declared.contains("OutputPath(")) {
                continue;
            }
            let span = *span;
            if !seen.insert(span) {
                continue;
            }
            let name = port.path.strip_prefix(&format!("{}.", step.name)).unwrap_or(&port.path);
            let ty = match artifact_type(name) {
                "Artifact" => {
                    if input {
                        "Dataset"
                    } else {
                        "Artifact"
                    }
                }
                t => t,
            };
            let marker = if input { "Input" } else { "Output" };
            out.push(
                Diagnostic::new(
                    "KFR002",
                    span,
                    format!("`{name}` is declared `{declared}`, a path with no artifact type: KFP records it as a generic `system.Artifact`"),
                )
                .with_label("untyped path")
                .about_step(ctx.dag, step, port.path.clone())
                .with_help(format!(
                    "declare it `{marker}[{ty}]` (or the type it holds: `Dataset`, `Model`, `Metrics`...) and use `{name}.path`, so runs record what kind of artifact was handed over"
                )),
            );
        }
    }
}
