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
    resolve_job_triggers(&mut dag);
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
    let mut unresolved = Vec::new();
    for (i, s) in dag.steps.iter().enumerate() {
        for inv in &s.invocations {
            let Some(&p) = by_file.get(&path_key(&inv.makefile)) else {
                unresolved.push((i, inv.span, inv.makefile.clone()));
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
    // only what runs a makefile from another kind of pipeline is worth a note:
    // make's own sub-makes to makefiles that are not linted are common
    for (i, span, makefile) in unresolved {
        if dag.pipelines[dag.steps[i].pipeline].kind == super::PipelineKind::Make {
            continue;
        }
        let shown = crate::source::display_path(&makefile);
        let why = if makefile.is_absolute() {
            "outside the linted files"
        } else {
            "not among the linted files"
        };
        dag.steps[i].notes.push((
            span,
            format!("runs `{shown}`, which is {why}: the targets it runs are not in the graph"),
        ));
    }
}

/// A Jenkins job that starts another (`build job: 'x'`, a downstream
/// project, an `upstream` trigger) becomes an invokes edge to the steps
/// that start the other job's pipeline. Jobs are known by their full name
/// (`ml/train`), their last component, or a Jenkinsfile's name
/// (`deploy.Jenkinsfile`, `Jenkinsfile.deploy`).
fn resolve_job_triggers(dag: &mut Dag) {
    use super::PipelineKind;
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, p) in dag.pipelines.iter().enumerate() {
        if p.kind != PipelineKind::Jenkins {
            continue;
        }
        let mut names = vec![p.name.clone()];
        if let Some(last) = p.name.rsplit('/').next() {
            names.push(last.to_string());
            for suffix in [".Jenkinsfile", ".jenkinsfile", ".groovy"] {
                if let Some(stem) = last.strip_suffix(suffix) {
                    names.push(stem.to_string());
                }
            }
            if let Some(stem) = last.strip_prefix("Jenkinsfile.") {
                names.push(stem.to_string());
            }
        }
        names.sort();
        names.dedup();
        for n in names {
            by_name.entry(n).or_default().push(i);
        }
    }
    let mut entries: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut exits: HashMap<usize, Vec<usize>> = HashMap::new();
    {
        let mut has_in: HashSet<usize> = HashSet::new();
        let mut has_out: HashSet<usize> = HashSet::new();
        for e in &dag.edges {
            if dag.steps[e.from].pipeline == dag.steps[e.to].pipeline {
                has_in.insert(e.to);
                has_out.insert(e.from);
            }
        }
        for (i, s) in dag.steps.iter().enumerate() {
            if !has_in.contains(&i) {
                entries.entry(s.pipeline).or_default().push(i);
            }
            if !has_out.contains(&i) {
                exits.entry(s.pipeline).or_default().push(i);
            }
        }
    }
    let lookup = |name: &str| -> Option<usize> {
        let name = name.trim().trim_start_matches('/');
        by_name.get(name).filter(|v| v.len() == 1).map(|v| v[0])
    };
    let mut new_edges = Vec::new();
    let mut notes = Vec::new();
    for (i, s) in dag.steps.iter().enumerate() {
        for (job, span) in &s.triggers {
            match lookup(job) {
                Some(p) => {
                    for &to in entries.get(&p).into_iter().flatten() {
                        new_edges.push(Edge {
                            from: i,
                            to,
                            kind: EdgeKind::Invokes,
                            path: None,
                            span: Some(*span),
                        });
                    }
                }
                None => notes.push((
                    i,
                    *span,
                    format!("starts job `{job}`, which is not among the linted files"),
                )),
            }
        }
    }
    for (pi, p) in dag.pipelines.iter().enumerate() {
        for (job, span) in &p.triggered_by {
            let Some(up) = lookup(job) else { continue };
            for &from in exits.get(&up).into_iter().flatten() {
                for &to in entries.get(&pi).into_iter().flatten() {
                    if !dag.steps[from].triggers.iter().any(|(j, _)| lookup(j) == Some(pi)) {
                        new_edges.push(Edge {
                            from,
                            to,
                            kind: EdgeKind::Invokes,
                            path: None,
                            span: Some(*span),
                        });
                    }
                }
            }
        }
    }
    for (i, span, note) in notes {
        dag.steps[i].notes.push((span, note));
    }
    dag.edges.extend(new_edges);
}

/// A file one step writes and another reads becomes a file edge, unless
/// one already says so.
///
/// A step reads the copy written by its nearest writers upstream (as a
/// compiler's reaching definitions): in `A writes x; B reads x; C writes x;
/// D reads x`, B reads A's copy and D reads C's, never B from C or D from A.
/// A step with no writer upstream reads a copy written outside its run
/// order (another pipeline, a target it does not depend on): it is linked
/// to every writer that does not run after it.
fn connect_file_handoffs(dag: &mut Dag) {
    let mut producers: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, s) in dag.steps.iter().enumerate() {
        if !s.has_command() {
            continue;
        }
        for o in &s.outputs {
            let ps = producers.entry(o.key.as_str()).or_default();
            if ps.last() != Some(&i) {
                ps.push(i);
            }
        }
    }
    let existing: HashSet<(usize, usize)> = dag
        .edges
        .iter()
        .filter(|e| matches!(e.kind, EdgeKind::File | EdgeKind::Artifact | EdgeKind::Parameter))
        .map(|e| (e.from, e.to))
        .collect();
    let order = RunOrder::new(dag);
    let mut upstream: HashMap<&str, Nearest> = HashMap::new();
    // (reader, which of its inputs, writer)
    let mut found: Vec<(usize, usize, usize)> = Vec::new();
    // reads with no writer upstream, by file
    let mut unordered: BTreeMap<&str, Vec<(usize, usize)>> = BTreeMap::new();
    for (to, s) in dag.steps.iter().enumerate() {
        for (k, input) in s.inputs.iter().enumerate() {
            let key = input.key.as_str();
            let Some(ps) = producers.get(key) else {
                continue;
            };
            if s.outputs.iter().any(|o| o.key == input.key) {
                continue;
            }
            let near = upstream.entry(key).or_insert_with(|| Nearest::new(ps)).of(&order, to);
            if near.is_empty() {
                unordered.entry(key).or_default().push((to, k));
            } else {
                found.extend(near.into_iter().map(|from| (to, k, from)));
            }
        }
    }
    let mut walk = Walk::new(dag.steps.len());
    for (key, reads) in unordered {
        found.extend(order.not_after(&producers[key], &reads, &mut walk));
    }
    found.sort_unstable();
    found.dedup();
    let mut new_edges = Vec::new();
    for (to, k, from) in found {
        if !existing.contains(&(from, to)) {
            let input = &dag.steps[to].inputs[k];
            new_edges.push(Edge {
                from,
                to,
                kind: EdgeKind::File,
                path: Some(input.path.clone()),
                span: input.span,
            });
        }
    }
    dag.edges.extend(new_edges);
}

/// Which step runs before which, from the edges the frontends found (an
/// invoking step starts before the steps it invokes).
struct RunOrder {
    preds: Vec<Vec<usize>>,
    succs: Vec<Vec<usize>>,
    /// A topological rank; `usize::MAX` for a step on a cycle.
    rank: Vec<usize>,
}

impl RunOrder {
    fn new(dag: &Dag) -> Self {
        let n = dag.steps.len();
        let mut preds = vec![Vec::new(); n];
        let mut succs = vec![Vec::new(); n];
        for e in &dag.edges {
            if e.from != e.to && e.from < n && e.to < n {
                preds[e.to].push(e.from);
                succs[e.from].push(e.to);
            }
        }
        for v in preds.iter_mut().chain(succs.iter_mut()) {
            v.sort_unstable();
            v.dedup();
        }
        let mut indegree: Vec<usize> = preds.iter().map(Vec::len).collect();
        let mut rank = vec![usize::MAX; n];
        let mut ready: Vec<usize> = (0..n).filter(|&i| indegree[i] == 0).collect();
        let mut next = 0;
        while let Some(i) = ready.pop() {
            rank[i] = next;
            next += 1;
            for &j in &succs[i] {
                indegree[j] -= 1;
                if indegree[j] == 0 {
                    ready.push(j);
                }
            }
        }
        RunOrder { preds, succs, rank }
    }

    /// For reads of one file with no writer upstream, `(reader, input,
    /// writer)` for each writer that does not run after the reader. Walks
    /// whichever side is smaller: down from each reader, or up from each
    /// writer; a writer before the reader in the topological order is not
    /// walked for.
    fn not_after(&self, writers: &[usize], reads: &[(usize, usize)], walk: &mut Walk) -> Vec<(usize, usize, usize)> {
        let maybe = |p: usize, to: usize| p != to && self.rank[p] >= self.rank[to];
        let mut readers: Vec<usize> = reads
            .iter()
            .map(|r| r.0)
            .filter(|&to| writers.iter().any(|&p| maybe(p, to)))
            .collect();
        readers.dedup();
        let late: Vec<usize> = writers
            .iter()
            .copied()
            .filter(|&p| reads.iter().any(|&(to, _)| maybe(p, to)))
            .collect();
        // (writer, reader): the writer runs after the reader
        let mut after: HashSet<(usize, usize)> = HashSet::new();
        if readers.len() <= late.len() {
            for &to in &readers {
                walk.reach(to, &self.succs);
                after.extend(late.iter().filter(|&&p| walk.seen(p)).map(|&p| (p, to)));
            }
        } else {
            for &p in &late {
                walk.reach(p, &self.preds);
                after.extend(readers.iter().filter(|&&to| walk.seen(to)).map(|&to| (p, to)));
            }
        }
        reads
            .iter()
            .flat_map(|&(to, k)| {
                let after = &after;
                writers
                    .iter()
                    .filter(move |&&p| p != to && !after.contains(&(p, to)))
                    .map(move |&p| (to, k, p))
            })
            .collect()
    }
}

/// A walk over the steps that marks what it reaches, reused from walk to
/// walk without clearing.
struct Walk {
    stamp: Vec<u32>,
    now: u32,
    stack: Vec<usize>,
}

impl Walk {
    fn new(n: usize) -> Self {
        Walk {
            stamp: vec![0; n],
            now: 0,
            stack: Vec::new(),
        }
    }

    /// Mark every step reachable from `start` over `next` (not `start`
    /// itself, unless a cycle leads back to it).
    fn reach(&mut self, start: usize, next: &[Vec<usize>]) {
        self.now += 1;
        self.stack.push(start);
        while let Some(i) = self.stack.pop() {
            for &j in &next[i] {
                if self.stamp[j] != self.now {
                    self.stamp[j] = self.now;
                    self.stack.push(j);
                }
            }
        }
    }

    fn seen(&self, i: usize) -> bool {
        self.stamp[i] == self.now
    }
}

/// The nearest writers of one file upstream of each step, found once per
/// step and kept.
struct Nearest {
    writers: HashSet<usize>,
    memo: HashMap<usize, Vec<usize>>,
}

impl Nearest {
    fn new(writers: &[usize]) -> Self {
        Nearest {
            writers: writers.iter().copied().collect(),
            memo: HashMap::new(),
        }
    }

    /// The writers with a path to `step` that passes no other writer,
    /// sorted. Walks without recursion (pipelines can be deep); a step on a
    /// cycle sees what was found before the walk came back to it.
    fn of(&mut self, order: &RunOrder, step: usize) -> Vec<usize> {
        if let Some(v) = self.memo.get(&step) {
            return v.clone();
        }
        let mut on_stack: HashSet<usize> = HashSet::new();
        // (step, how many of its predecessors have been looked at)
        let mut stack = vec![(step, 0usize)];
        on_stack.insert(step);
        while let Some(&mut (i, ref mut k)) = stack.last_mut() {
            if let Some(&m) = order.preds[i].get(*k) {
                *k += 1;
                if !self.writers.contains(&m) && !self.memo.contains_key(&m) && on_stack.insert(m) {
                    stack.push((m, 0));
                }
                continue;
            }
            let mut found = Vec::new();
            for &m in &order.preds[i] {
                if self.writers.contains(&m) {
                    found.push(m);
                } else if let Some(v) = self.memo.get(&m) {
                    found.extend_from_slice(v);
                }
            }
            found.sort_unstable();
            found.dedup();
            self.memo.insert(i, found);
            on_stack.remove(&i);
            stack.pop();
        }
        self.memo.get(&step).cloned().unwrap_or_default()
    }
}

/// Retries and schedules flow from a step to what it invokes, and from an
/// invoked step to the steps it needs in its own pipeline.
///
/// A schedule flows over every invocation: a make target run from a
/// scheduled Jenkins stage runs on that schedule, and so does a job that a
/// scheduled job starts. A retry flows only into make targets: the
/// invoker re-runs the `make` when it fails, and with it the targets. A job
/// started by another is not retried by the other's retry, and a KFP task
/// that runs a nested pipeline passes nothing on (the KFP backend retries
/// container tasks, not the tasks of a pipeline run as a component).
///
/// A target run from several places is as retried as its least retried
/// caller: one run from cron and from a `retry(3)` stage is not retried
/// when cron runs it.
fn inherit(dag: &mut Dag) {
    use super::PipelineKind;
    for s in &mut dag.steps {
        s.effective_retries = s.retry.retries();
        s.scheduled = dag.pipelines[s.pipeline].schedule.is_some();
        s.scheduled_by = None;
        s.retried_by = None;
    }
    // (from, to, the invoking command's own retry)
    let invokes: Vec<(usize, usize, Option<Option<u32>>)> = dag
        .edges
        .iter()
        .filter(|e| e.kind == EdgeKind::Invokes && dag.pipelines[dag.steps[e.from].pipeline].kind != PipelineKind::Kfp)
        .map(|e| {
            let own = dag.steps[e.from]
                .invocations
                .iter()
                .find(|inv| Some(inv.span) == e.span)
                .and_then(|inv| inv.retry.as_ref())
                .map(Retry::retries);
            (e.from, e.to, own)
        })
        .collect();
    // the closure each invocation reaches, computed once
    let reach: Vec<Vec<usize>> = invokes
        .iter()
        .map(|&(_, to, _)| {
            let mut t = dag.upstream_within_pipeline(to);
            t.push(to);
            t
        })
        .collect();
    // retries: the least over the callers, iterated for chains of calls
    let mut invoked_retry: HashMap<usize, Option<u32>> = HashMap::new();
    // an invocation's retries: its own, else its caller's (as inherited so far)
    let caller_retry = |invoked_retry: &HashMap<usize, Option<u32>>, from: usize, own: Option<Option<u32>>| match own {
        Some(r) => r,
        None => invoked_retry
            .get(&from)
            .copied()
            .unwrap_or(dag.steps[from].effective_retries),
    };
    for _ in 0..dag.steps.len().min(64) {
        let mut next: HashMap<usize, Option<u32>> = HashMap::new();
        for (k, &(from, _, own)) in invokes.iter().enumerate() {
            let caller = caller_retry(&invoked_retry, from, own);
            for &t in &reach[k] {
                if dag.pipelines[dag.steps[t].pipeline].kind != PipelineKind::Make {
                    continue;
                }
                let e = next.entry(t).or_insert(caller);
                *e = match (*e, caller) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (Some(a), None) | (None, Some(a)) => Some(a),
                    (None, None) => None,
                };
            }
        }
        if next == invoked_retry {
            break;
        }
        invoked_retry = next;
    }
    // which caller gave each target its retries (the first of the least)
    let mut given_by: HashMap<usize, usize> = HashMap::new();
    for (k, &(from, _, own)) in invokes.iter().enumerate() {
        let caller = caller_retry(&invoked_retry, from, own);
        for &t in &reach[k] {
            if invoked_retry.get(&t) == Some(&caller) {
                given_by.entry(t).or_insert(from);
            }
        }
    }
    for (t, r) in invoked_retry {
        if dag.steps[t].retry == Retry::None {
            dag.steps[t].effective_retries = r;
            dag.steps[t].retried_by = given_by.get(&t).copied();
        }
    }
    for _ in 0..dag.steps.len().min(64) {
        let mut changed = false;
        for (k, &(from, _, _)) in invokes.iter().enumerate() {
            if !dag.steps[from].scheduled {
                continue;
            }
            let origin = dag.steps[from].scheduled_by.unwrap_or(from);
            for &t in &reach[k] {
                let s = &mut dag.steps[t];
                if !s.scheduled {
                    s.scheduled = true;
                    s.scheduled_by = Some(origin);
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

    fn port(path: &str) -> crate::dag::Port {
        crate::dag::Port {
            path: path.into(),
            key: path.into(),
            span: None,
            ty: None,
            declared: None,
        }
    }

    /// A fragment of steps that each write (`w:`) or read (`r:`) one file,
    /// in pipeline `pipe`, with order edges between them.
    fn handoffs(pipe: &str, steps: &[&str], order: &[(usize, usize)]) -> Fragment {
        Fragment {
            pipelines: vec![pipeline(pipe, false)],
            steps: steps
                .iter()
                .map(|s| {
                    let (how, name) = s.split_once(':').unwrap();
                    let mut st = step(name, Retry::None, None);
                    let file = port("data/x.csv");
                    if how == "w" {
                        st.outputs.push(file);
                    } else {
                        st.inputs.push(file);
                    }
                    st
                })
                .collect(),
            edges: order
                .iter()
                .map(|&(from, to)| Edge {
                    from,
                    to,
                    kind: EdgeKind::Order,
                    path: None,
                    span: None,
                })
                .collect(),
            ..Default::default()
        }
    }

    fn file_edges(dag: &Dag) -> Vec<(String, String)> {
        let mut v: Vec<_> = dag
            .edges
            .iter()
            .filter(|e| e.kind == EdgeKind::File)
            .map(|e| (dag.steps[e.from].name.clone(), dag.steps[e.to].name.clone()))
            .collect();
        v.sort();
        v
    }

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn a_reader_is_linked_to_its_nearest_writers_upstream() {
        // a -> b -> c -> d, in order: b reads a's copy, d reads c's
        let (dag, _) = link(vec![handoffs(
            "p.mk",
            &["w:a", "r:b", "w:c", "r:d"],
            &[(0, 1), (1, 2), (2, 3)],
        )]);
        assert_eq!(file_edges(&dag), pairs(&[("a", "b"), ("c", "d")]));
        // two writers in parallel, then a reader after both, then another
        let (dag, _) = link(vec![handoffs(
            "p.mk",
            &["w:a", "w:b", "r:c", "r:d"],
            &[(0, 2), (1, 2), (2, 3)],
        )]);
        assert_eq!(
            file_edges(&dag),
            pairs(&[("a", "c"), ("a", "d"), ("b", "c"), ("b", "d")])
        );
    }

    #[test]
    fn a_reader_with_no_writer_upstream_is_linked_to_writers_not_after_it() {
        // r reads before w writes; `other` writes it in another pipeline,
        // `side` in this one, unordered with r
        let here = handoffs("p.mk", &["r:r", "w:w", "w:side"], &[(0, 1)]);
        let other = handoffs("q.mk", &["w:other"], &[]);
        let (dag, _) = link(vec![here, other]);
        assert_eq!(file_edges(&dag), pairs(&[("other", "r"), ("side", "r")]));
        // more readers than writers: walked up from the writer. r1 and r2
        // run before w, r3 is unordered with it
        let (dag, _) = link(vec![handoffs(
            "p.mk",
            &["r:r1", "r:r2", "r:r3", "w:w"],
            &[(0, 3), (1, 3)],
        )]);
        assert_eq!(file_edges(&dag), pairs(&[("w", "r3")]));
    }

    #[test]
    fn handoffs_on_a_cycle_and_down_a_deep_chain_end() {
        // a cycle of order edges: a writes, b and c read
        let (dag, _) = link(vec![handoffs(
            "p.mk",
            &["w:a", "r:b", "r:c"],
            &[(0, 1), (1, 2), (2, 0)],
        )]);
        assert_eq!(file_edges(&dag), pairs(&[("a", "b"), ("a", "c")]));
        // 100,000 steps in a row, written at the top, read at the bottom:
        // no recursion to overflow the stack
        let n = 100_000;
        let names: Vec<String> = (0..n)
            .map(|i| match i {
                0 => "w:top".to_string(),
                i if i == n - 1 => "r:bottom".to_string(),
                i => format!("x:s{i}"),
            })
            .collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut frag = handoffs("p.mk", &names, &(0..n - 1).map(|i| (i, i + 1)).collect::<Vec<_>>());
        for s in &mut frag.steps[1..n - 1] {
            s.inputs.clear();
        }
        let (dag, _) = link(vec![frag]);
        assert_eq!(file_edges(&dag), pairs(&[("top", "bottom")]));
    }
}
