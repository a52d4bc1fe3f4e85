//! Joining the fragments of every file into one graph: invocations across
//! makefiles, file handoffs found in commands, inherited retries and
//! schedules.

use super::{Dag, Edge, EdgeKind, Fragment, Retry};
use crate::diagnostic::Diagnostic;
use crate::source::FileId;
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Join fragments into one [`Dag`]. Fragments of files that another file
/// includes (a `common.mk`) are dropped: they are part of the including
/// pipeline, read in its context.
pub fn link(mut fragments: Vec<Fragment>) -> (Dag, Vec<Diagnostic>) {
    let included: HashSet<FileId> = fragments
        .iter()
        .flat_map(|f| f.pipelines.iter().flat_map(|p| p.includes.iter().copied()))
        .collect();
    fragments.retain(|f| !f.pipelines.iter().any(|p| included.contains(&p.file)));
    drop_imported_copies(&mut fragments);

    let mut dag = Dag::default();
    let mut diagnostics = Vec::new();
    for f in fragments {
        let p_off = dag.pipelines.len();
        let s_off = dag.steps.len();
        dag.pipelines.extend(f.pipelines);
        for mut s in f.steps {
            s.pipeline += p_off;
            dag.steps.push(s);
        }
        for mut e in f.edges {
            e.from += s_off;
            e.to += s_off;
            dag.edges.push(e);
        }
        diagnostics.extend(f.diagnostics);
    }
    resolve_invocations(&mut dag);
    connect_file_handoffs(&mut dag);
    dag.rebuild_graph();
    inherit(&mut dag);
    (dag, diagnostics)
}

/// A DAG file that imports another DAG file runs it: the DAGs that file
/// defines are read twice, once from each. Keep one copy of each (the one
/// read from the file that defines it), with its steps and edges.
fn drop_imported_copies(fragments: &mut [Fragment]) {
    use super::PipelineKind;
    let key = |p: &super::Pipeline| (p.name.clone(), p.span.file, p.span.start, p.span.end);
    // for each DAG, the fragment that keeps it
    let mut keeper: HashMap<(String, FileId, u32, u32), usize> = HashMap::new();
    for (fi, f) in fragments.iter().enumerate() {
        for p in f.pipelines.iter().filter(|p| p.kind == PipelineKind::Airflow) {
            let home = p.file == p.span.file;
            keeper
                .entry(key(p))
                .and_modify(|k| {
                    if home
                        && fragments[*k]
                            .pipelines
                            .iter()
                            .all(|q| key(q) != key(p) || q.file != q.span.file)
                    {
                        *k = fi;
                    }
                })
                .or_insert(fi);
        }
    }
    for (fi, f) in fragments.iter_mut().enumerate() {
        let drop: HashSet<usize> = f
            .pipelines
            .iter()
            .enumerate()
            .filter(|(_, p)| p.kind == PipelineKind::Airflow && keeper.get(&key(p)) != Some(&fi))
            .map(|(i, _)| i)
            .collect();
        if !drop.is_empty() {
            f.drop_pipelines(&drop);
        }
    }
}

fn path_key(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| crate::source::normalize_path(p))
}

fn resolve_invocations(dag: &mut Dag) {
    // makefile path -> pipeline index
    let mut by_file: HashMap<PathBuf, usize> = HashMap::new();
    for (i, p) in dag.pipelines.iter().enumerate() {
        if p.kind == super::PipelineKind::Make {
            by_file.insert(path_key(Path::new(&p.name)), i);
        }
    }
    let mut by_name: HashMap<(usize, &str), usize> = HashMap::new();
    for (i, s) in dag.steps.iter().enumerate() {
        by_name.insert((s.pipeline, s.name.as_str()), i);
    }
    let mut new_edges = Vec::new();
    for (i, s) in dag.steps.iter().enumerate() {
        for inv in &s.invocations {
            let Some(&p) = by_file.get(&path_key(&inv.makefile)) else {
                continue;
            };
            let targets: Vec<&str> = if inv.targets.is_empty() {
                dag.pipelines[p].default_step.as_deref().into_iter().collect()
            } else {
                inv.targets.iter().map(String::as_str).collect()
            };
            for t in targets {
                if let Some(&to) = by_name.get(&(p, t))
                    && to != i
                {
                    new_edges.push(Edge {
                        from: i,
                        to,
                        kind: EdgeKind::Invokes,
                        path: None,
                        span: Some(inv.span),
                    });
                }
            }
        }
    }
    dag.edges.extend(new_edges);
}

/// A file one step writes and another reads becomes a file edge, unless
/// one already says so.
fn connect_file_handoffs(dag: &mut Dag) {
    let mut producers: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, s) in dag.steps.iter().enumerate() {
        if !s.has_command() {
            continue;
        }
        for o in &s.outputs {
            producers.entry(o.key.as_str()).or_default().push(i);
        }
    }
    let existing: HashSet<(usize, usize)> = dag
        .edges
        .iter()
        .filter(|e| matches!(e.kind, EdgeKind::File | EdgeKind::Artifact | EdgeKind::Parameter))
        .map(|e| (e.from, e.to))
        .collect();
    let mut new_edges = Vec::new();
    for (to, s) in dag.steps.iter().enumerate() {
        for input in &s.inputs {
            let Some(ps) = producers.get(input.key.as_str()) else {
                continue;
            };
            if s.outputs.iter().any(|o| o.key == input.key) {
                continue;
            }
            for &from in ps {
                if from != to && !existing.contains(&(from, to)) {
                    new_edges.push(Edge {
                        from,
                        to,
                        kind: EdgeKind::File,
                        path: Some(input.path.clone()),
                        span: input.span,
                    });
                }
            }
        }
    }
    dag.edges.extend(new_edges);
}

/// Retries and schedules flow from a step to what it invokes, and from an
/// invoked step to the steps it needs in its own pipeline. A KFP task that
/// runs a nested pipeline passes nothing on: its retry policy applies to
/// that task only (the KFP backend retries container tasks, not the tasks
/// of a pipeline run as a component).
fn inherit(dag: &mut Dag) {
    for s in &mut dag.steps {
        s.effective_retries = match &s.retry {
            Retry::None => Some(0),
            Retry::Count { count, .. } => Some(*count),
            Retry::Unknown { .. } => None,
        };
        s.scheduled = dag.pipelines[s.pipeline].schedule.is_some();
    }
    let invokes: Vec<(usize, usize)> = dag
        .edges
        .iter()
        .filter(|e| {
            e.kind == EdgeKind::Invokes && dag.pipelines[dag.steps[e.from].pipeline].kind != super::PipelineKind::Kfp
        })
        .map(|e| (e.from, e.to))
        .collect();
    for _ in 0..dag.steps.len().min(64) {
        let mut changed = false;
        for &(from, to) in &invokes {
            let r = dag.steps[from].effective_retries;
            let sched = dag.steps[from].scheduled;
            let mut targets = dag.upstream_within_pipeline(to);
            targets.push(to);
            for t in targets {
                let s = &mut dag.steps[t];
                let better = match (s.effective_retries, r) {
                    (Some(a), Some(b)) => b > a,
                    _ => false,
                };
                if better {
                    s.effective_retries = r;
                    changed = true;
                }
                if sched && !s.scheduled {
                    s.scheduled = true;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
}

impl Dag {
    pub(crate) fn rebuild_graph(&mut self) {
        let mut g = DiGraph::with_capacity(self.steps.len(), self.edges.len());
        for i in 0..self.steps.len() {
            g.add_node(i);
        }
        for (i, e) in self.edges.iter().enumerate() {
            g.add_edge(NodeIndex::new(e.from), NodeIndex::new(e.to), i);
        }
        self.graph = g;
    }

    /// Steps of the same pipeline that `step` needs (ordering and data
    /// edges, not invocations).
    fn upstream_within_pipeline(&self, step: usize) -> Vec<usize> {
        let p = self.steps[step].pipeline;
        let mut seen = HashSet::new();
        let mut stack = vec![step];
        let mut out = Vec::new();
        while let Some(s) = stack.pop() {
            for e in self.step_edges_in(s) {
                if e.kind == EdgeKind::Invokes || self.steps[e.from].pipeline != p {
                    continue;
                }
                if seen.insert(e.from) {
                    out.push(e.from);
                    stack.push(e.from);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dag::{Invocation, Pipeline, PipelineKind, Schedule, Step, StepKind};
    use crate::source::Span;

    fn span() -> Span {
        Span::new(FileId(0), 0..0)
    }

    fn pipeline(name: &str, schedule: bool) -> Pipeline {
        Pipeline {
            id: format!("make:{name}"),
            kind: PipelineKind::Make,
            name: name.into(),
            file: FileId(0),
            span: span(),
            schedule: schedule.then(|| Schedule::opaque("0 2 * * *".into(), span())),
            dir: PathBuf::new(),
            includes: vec![],
            default_step: Some("all".into()),
            notes: vec![],
            other_schedules: Vec::new(),
            dropped_cycle_edges: vec![],
            triggered_by: Vec::new(),
        }
    }

    fn step(name: &str, retry: Retry, invokes: Option<(&str, &[&str])>) -> Step {
        let mut s = Step::new("t", 0, name, StepKind::Target, span());
        s.id = name.into();
        s.command = Some("cmd".into());
        s.retry = retry;
        s.phony = true;
        s.invocations = invokes
            .map(|(mk, targets)| Invocation {
                retry: None,
                span: span(),
                makefile: PathBuf::from(mk),
                targets: targets.iter().map(|t| t.to_string()).collect(),
            })
            .into_iter()
            .collect();
        s
    }

    #[test]
    fn retries_and_schedules_flow_to_invoked_steps_and_what_they_need() {
        // a scheduled pipeline whose step retries 3 times and runs `make -f sub.mk train`
        let caller = Fragment {
            pipelines: vec![pipeline("no-such-dir/caller.mk", true)],
            steps: vec![step(
                "nightly",
                Retry::Count { count: 3, span: span() },
                Some(("no-such-dir/sub.mk", &["train"])),
            )],
            ..Default::default()
        };
        let sub = Fragment {
            pipelines: vec![pipeline("no-such-dir/sub.mk", false)],
            steps: vec![
                step("features", Retry::None, None),
                step("train", Retry::None, None),
                step("unrelated", Retry::None, None),
            ],
            edges: vec![Edge {
                from: 0,
                to: 1,
                kind: EdgeKind::File,
                path: Some("features.csv".into()),
                span: None,
            }],
            ..Default::default()
        };
        let (dag, _) = link(vec![caller, sub]);
        let by_name = |n: &str| dag.steps.iter().find(|s| s.name == n).unwrap();
        assert_eq!(by_name("nightly").effective_retries, Some(3));
        assert_eq!(by_name("train").effective_retries, Some(3));
        assert_eq!(by_name("features").effective_retries, Some(3));
        assert_eq!(by_name("unrelated").effective_retries, Some(0));
        assert!(by_name("train").scheduled && by_name("features").scheduled);
        assert!(!by_name("unrelated").scheduled);
        assert_eq!(dag.edges.iter().filter(|e| e.kind == EdgeKind::Invokes).count(), 1);
    }
}
