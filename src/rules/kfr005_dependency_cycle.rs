//! KFR005 dependency-cycle: steps that depend on each other in a circle,
//! in any kind of pipeline. Airflow refuses to load such a DAG, Kubeflow
//! refuses to compile it, and GNU make silently drops one dependency
//! (reported from the make frontend's record of what it dropped).

use super::Context;
use crate::dag::{Dag, EdgeKind, PipelineKind};
use crate::diagnostic::Diagnostic;
use std::collections::HashSet;

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let dag = ctx.dag;
    for scc in dag.cycles() {
        let path = cycle_path(dag, &scc);
        let names: Vec<String> = path.iter().map(|&s| format!("`{}`", dag.steps[s].name)).collect();
        let shown = format!("{} → {}", names.join(" → "), names[0]);
        // point at the dependency that closes the cycle
        let closing = path.last().and_then(|&last| {
            dag.step_edges_out(last)
                .find(|e| e.to == path[0] && e.kind != EdgeKind::Invokes)
                .and_then(|e| e.span)
        });
        let first = &dag.steps[path[0]];
        let span = closing.unwrap_or(first.span);
        let consequence = match dag.pipeline_of(first).kind {
            PipelineKind::Airflow => "Airflow refuses to load this DAG",
            PipelineKind::Kfp => "Kubeflow Pipelines refuses to compile this pipeline",
            PipelineKind::Make => {
                "GNU make drops one of these dependencies and runs the rest in an order you did not write"
            }
            _ => "no order can run these steps",
        };
        let mut d = Diagnostic::new("KFR005", span, format!("dependency cycle: {shown}; {consequence}"))
            .with_label("this dependency closes the cycle")
            .with_help("remove one of these dependencies, or split the step that needs its own output into two steps");
        let mut members: Vec<String> = path.iter().map(|&s| dag.steps[s].name.clone()).collect();
        members.sort();
        d = d.with_subject(crate::diagnostic::Subject {
            pipeline: dag.pipeline_of(first).name.clone(),
            step: String::new(),
            key: format!("cycle {}", members.join(" ")),
            steps: path.iter().map(|&s| dag.steps[s].id.clone()).collect(),
        });
        for &s in &path[..path.len().min(4)] {
            let st = &dag.steps[s];
            if st.span != span {
                d = d.with_related(st.span, format!("`{}` is in the cycle", st.name));
            }
        }
        out.push(d);
    }
    // what GNU make dropped while reading
    let mut seen = HashSet::new();
    for p in &dag.pipelines {
        for (target, dep, span) in &p.dropped_cycle_edges {
            if !seen.insert(*span) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    "KFR005",
                    *span,
                    format!(
                        "dependency cycle: `{target}` depends on `{dep}`, which depends on `{target}`; GNU make drops this prerequisite"
                    ),
                )
                .with_label("GNU make drops this prerequisite")
                .with_help("remove the prerequisite that closes the cycle, so the order make runs is the one written")
                .with_subject(crate::diagnostic::Subject {
                    pipeline: p.name.clone(),
                    step: target.clone(),
                    key: format!("dropped {dep}"),
                    steps: vec![format!("{}::{target}", p.id), format!("{}::{dep}", p.id)],
                }),
            );
        }
    }
}

/// One simple cycle through the strongly connected steps, starting at the
/// first of them.
fn cycle_path(dag: &Dag, scc: &[usize]) -> Vec<usize> {
    let members: HashSet<usize> = scc.iter().copied().collect();
    let start = scc[0];
    let mut stack = vec![(start, vec![start])];
    let mut visited = HashSet::new();
    while let Some((node, path)) = stack.pop() {
        let mut nexts: Vec<usize> = dag
            .step_edges_out(node)
            .filter(|e| e.kind != EdgeKind::Invokes && members.contains(&e.to))
            .map(|e| e.to)
            .collect();
        nexts.sort();
        nexts.dedup();
        for n in nexts.into_iter().rev() {
            if n == start {
                return path;
            }
            if visited.insert(n) {
                let mut p = path.clone();
                p.push(n);
                stack.push((n, p));
            }
        }
    }
    vec![start]
}
