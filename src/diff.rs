//! Diff mode: what changed since a git revision, as lines and as steps.
//!
//! Lines: `git diff REV` (the working tree against REV, so committed and
//! uncommitted changes alike) plus untracked files. Steps: the pipeline
//! sources at REV are read into a temporary directory (`git archive`) and
//! linked into a graph of their own; a step whose meaning differs (its
//! command, retries, inputs, outputs, image, packages, schedule, the steps
//! it hands files to, what runs it) is changed, wherever the edit was, in
//! the aspects that differ. A finding is reported when its line changed or
//! a step it is about changed in what its rule reads: a retry removed from
//! a Jenkins stage matters to the make target it runs.

use crate::analysis::Analysis;
use crate::dag::render::mermaid_str;
use crate::dag::{Dag, EdgeKind};
use crate::diagnostic::Diagnostic;
use crate::source::SourceDb;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// What changed since a revision.
pub struct Changes {
    /// Changed lines (1-based) per repository-relative path.
    lines: HashMap<String, BTreeSet<usize>>,
    /// Files new since the revision (untracked or added): every line counts.
    whole: HashSet<String>,
    /// Current steps (indices) added or changed since the revision.
    pub changed: BTreeSet<usize>,
    /// What changed of each changed step.
    /// What changed of each changed step, by step id (what findings name).
    changed_in: HashMap<String, Vec<Aspect>>,
    /// Each current file's repository-relative path.
    repo_paths: HashMap<crate::source::FileId, String>,
    pub added: BTreeSet<usize>,
    /// Steps of the revision that are gone: (key, pipeline label, step name).
    pub removed: Vec<(String, String, String)>,
    /// Edges (from key, to key, kind label) added and removed.
    pub added_edges: BTreeSet<(String, String, String)>,
    pub removed_edges: BTreeSet<(String, String, String)>,
    /// Each current step's key.
    keys: Vec<String>,
}

fn git(root: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .env("GIT_PAGER", "cat")
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .map_err(|e| format!("--diff needs git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(out.stdout)
}

/// Changed lines of `git diff --unified=0` output, per new path. A pure
/// deletion marks the lines on both sides of where it was.
pub fn parse_diff(text: &str) -> (HashMap<String, BTreeSet<usize>>, HashSet<String>) {
    let mut lines: HashMap<String, BTreeSet<usize>> = HashMap::new();
    let mut whole = HashSet::new();
    let mut current: Option<String> = None;
    let mut new_file = false;
    for l in text.lines() {
        if l.starts_with("diff --git ") {
            current = None;
            new_file = false;
        } else if l.starts_with("new file mode") {
            new_file = true;
        } else if let Some(p) = l.strip_prefix("+++ ") {
            current = if p == "/dev/null" {
                None
            } else {
                Some(unquote(p.strip_prefix("b/").unwrap_or(p)))
            };
            if new_file && let Some(c) = &current {
                whole.insert(c.clone());
            }
        } else if let (Some(h), Some(path)) = (l.strip_prefix("@@ "), &current) {
            // @@ -a,b +c,d @@
            let Some(plus) = h.split_whitespace().find(|w| w.starts_with('+')) else {
                continue;
            };
            let mut it = plus[1..].split(',');
            let start: usize = it.next().and_then(|s| s.parse().ok()).unwrap_or(0);
            let count: usize = it.next().and_then(|s| s.parse().ok()).unwrap_or(1);
            let set = lines.entry(path.clone()).or_default();
            if count == 0 {
                set.insert(start.max(1));
                set.insert(start + 1);
            } else {
                set.extend(start..start + count);
            }
        }
    }
    (lines, whole)
}

/// git quotes unusual paths C-style (`"a\tb"`); octal escapes are UTF-8 bytes.
fn unquote(p: &str) -> String {
    let Some(inner) = p.strip_prefix('"').and_then(|s| s.strip_suffix('"')) else {
        return p.to_string();
    };
    let inner = inner.strip_prefix("b/").unwrap_or(inner);
    let mut bytes = Vec::new();
    let mut chars = inner.bytes().peekable();
    while let Some(b) = chars.next() {
        if b != b'\\' {
            bytes.push(b);
            continue;
        }
        match chars.next() {
            Some(b'n') => bytes.push(b'\n'),
            Some(b't') => bytes.push(b'\t'),
            Some(d @ b'0'..=b'7') => {
                let mut v = u32::from(d - b'0');
                for _ in 0..2 {
                    if let Some(&n @ b'0'..=b'7') = chars.peek() {
                        v = v * 8 + u32::from(n - b'0');
                        chars.next();
                    }
                }
                bytes.push(v as u8);
            }
            Some(o) => bytes.push(o),
            None => {}
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A step's identity across revisions: its pipeline's kind and file (as
/// named from the current directory, the same in both trees), the
/// pipeline's name where it is not the file, and the step's name.
fn step_keys(dag: &Dag, db: &SourceDb) -> Vec<String> {
    dag.steps
        .iter()
        .map(|s| {
            let p = dag.pipeline_of(s);
            let file = &db.get(p.file).name;
            let name = if p.name == *file { "" } else { p.name.as_str() };
            format!("{}:{file}:{name}::{}", p.kind.as_str(), s.name)
        })
        .collect()
}

fn pipeline_label(dag: &Dag, step: usize) -> String {
    let p = dag.pipeline_of(&dag.steps[step]);
    format!("{}: {}", p.kind.as_str(), p.name)
}

/// The current directory changed for a while, and changed back on drop
/// (reading the old tree from the same relative place as the new one).
struct Cwd(PathBuf);

impl Cwd {
    fn enter(dir: &Path) -> Result<Cwd, String> {
        let back = std::env::current_dir().map_err(|e| format!("--diff: {e}"))?;
        std::env::set_current_dir(dir).map_err(|e| format!("--diff: {}: {e}", dir.display()))?;
        Ok(Cwd(back))
    }
}

impl Drop for Cwd {
    fn drop(&mut self) {
        let _ = std::env::set_current_dir(&self.0);
    }
}

/// What a rule reads of a step. A finding counts as changed when one of
/// the aspects its rule reads changed: a handoff finding does not come
/// back because its producer lost a retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Aspect {
    /// Retries, own and inherited, and what schedules or runs the step.
    Retry,
    /// Command, inputs, outputs, the steps it hands files to.
    Io,
    Packages,
    /// Image and resources.
    Image,
    /// Caching and what the step reads from outside the pipeline.
    Cache,
}

const ASPECTS: [Aspect; 5] = [
    Aspect::Retry,
    Aspect::Io,
    Aspect::Packages,
    Aspect::Image,
    Aspect::Cache,
];

/// The aspects a rule's findings depend on.
fn aspects_of(code: &str) -> &'static [Aspect] {
    match code {
        "KFR001" => &[Aspect::Retry, Aspect::Io],
        "KFR002" => &[Aspect::Io],
        "KFR003" => &[Aspect::Packages],
        "KFR004" => &[Aspect::Image],
        "KFR007" => &[Aspect::Cache, Aspect::Io],
        _ => &ASPECTS,
    }
}

/// Everything about a step that a rule may read, by aspect, without
/// positions: two steps with equal signatures mean the same, wherever
/// their lines are.
fn signature(dag: &Dag, keys: &[String], i: usize) -> [String; 5] {
    let s = &dag.steps[i];
    let p = dag.pipeline_of(s);
    let ports = |ports: &[crate::dag::Port]| -> Vec<String> {
        ports
            .iter()
            .map(|p| format!("{}:{:?}:{:?}", p.key, p.ty, p.declared.as_ref().map(|d| &d.0)))
            .collect()
    };
    let mut edges: Vec<String> = dag
        .step_edges_out(i)
        .map(|e| format!(">{}:{}:{:?}", e.kind.as_str(), keys[e.to], e.path))
        .chain(
            dag.step_edges_in(i)
                .map(|e| format!("<{}:{}:{:?}", e.kind.as_str(), keys[e.from], e.path)),
        )
        .collect();
    edges.sort();
    let who = |x: Option<usize>| x.map(|j| keys[j].clone());
    let retry = format!(
        "{:?}",
        (
            (s.kind.as_str(), &s.command, s.retry.retries(), s.effective_retries),
            (&s.retry_delay, &s.timeout, s.scheduled, s.housekeeping),
            (who(s.scheduled_by), who(s.retried_by)),
            s.invocations
                .iter()
                .map(|v| (&v.makefile, &v.targets, v.retry.as_ref().map(|r| r.retries())))
                .collect::<Vec<_>>(),
            s.triggers.iter().map(|t| &t.0).collect::<Vec<_>>(),
            (
                p.schedule.as_ref().map(|x| &x.text),
                p.other_schedules.iter().map(|x| &x.text).collect::<Vec<_>>()
            ),
        )
    );
    let io = format!(
        "{:?}",
        (
            (s.kind.as_str(), &s.command, s.phony, &s.operator, &s.shell),
            (ports(&s.inputs), ports(&s.outputs)),
            s.variables.iter().map(|v| (&v.name, &v.value)).collect::<Vec<_>>(),
            &s.ignored_failures,
            edges,
        )
    );
    let packages = format!(
        "{:?}",
        (
            &s.command,
            s.packages
                .iter()
                .map(|p| (&p.name, &p.spec, p.pinned))
                .collect::<Vec<_>>()
        )
    );
    let image = format!("{:?}", (&s.image, s.image_default, &s.settings));
    let cache = format!(
        "{:?}",
        (
            s.cache.map(|c| (c.enabled, c.explicit)),
            s.external_reads.iter().map(|r| &r.1).collect::<Vec<_>>()
        )
    );
    [retry, io, packages, image, cache]
}

fn edge_set(dag: &Dag, keys: &[String]) -> BTreeSet<(String, String, String)> {
    dag.edges
        .iter()
        .map(|e| {
            (
                keys[e.from].clone(),
                keys[e.to].clone(),
                match e.kind {
                    EdgeKind::Order | EdgeKind::Invokes => e.kind.as_str().to_string(),
                    _ => format!("{}:{}", e.kind.as_str(), e.path.as_deref().unwrap_or("")),
                },
            )
        })
        .collect()
}

impl Changes {
    /// Compare the working tree with `rev`. `paths` are what the current
    /// analysis read; `load` reads the same paths in the old tree.
    pub fn since(
        rev: &str,
        paths: &[PathBuf],
        current: &Analysis,
        load: impl Fn(&[PathBuf]) -> Result<Analysis, String>,
    ) -> Result<Changes, String> {
        let root = {
            let top = git(Path::new("."), &["rev-parse", "--show-toplevel"])
                .map_err(|e| format!("--diff needs a git repository: {e}"))?;
            let top = PathBuf::from(String::from_utf8_lossy(&top).trim());
            std::fs::canonicalize(&top).unwrap_or(top)
        };
        let commit = git(
            &root,
            &["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")],
        )
        .map_err(|_| format!("--diff: `{rev}` is not a commit of this repository"))?;
        let commit = String::from_utf8_lossy(&commit).trim().to_string();
        let diff = git(
            &root,
            &[
                "diff",
                "--no-color",
                "--no-ext-diff",
                "--no-renames",
                "--unified=0",
                &commit,
                "--",
            ],
        )?;
        let (lines, mut whole) = parse_diff(&String::from_utf8_lossy(&diff));
        let untracked = git(&root, &["ls-files", "--others", "--exclude-standard", "-z"])?;
        for p in untracked.split(|&b| b == 0).filter(|p| !p.is_empty()) {
            whole.insert(String::from_utf8_lossy(p).into_owned());
        }

        // the old tree: the same paths, read from the revision, in a copy of
        // the repository under a directory of the same name, from the same
        // current directory: names come out as they do in the working tree
        let tmp = tempfile::Builder::new()
            .prefix("kfr-diff-")
            .tempdir()
            .map_err(|e| format!("--diff: cannot make a temporary directory: {e}"))?;
        let old_root = tmp
            .path()
            .join(root.file_name().unwrap_or_else(|| std::ffi::OsStr::new("repo")));
        let cwd = std::env::current_dir().map_err(|e| format!("--diff: {e}"))?;
        let cwd_abs = std::fs::canonicalize(&cwd).unwrap_or_else(|_| cwd.clone());
        let cwd_rel = cwd_abs
            .strip_prefix(&root)
            .map_err(|_| "--diff: run kfr inside the git repository".to_string())?
            .to_path_buf();
        let mut old_paths = Vec::new();
        let mut specs = Vec::new();
        for p in paths {
            let abs = std::fs::canonicalize(p).map_err(|e| format!("{}: {e}", p.display()))?;
            let rel = abs
                .strip_prefix(&root)
                .map_err(|_| format!("--diff: {} is outside the git repository", p.display()))?;
            let spec = if rel.as_os_str().is_empty() {
                ".".to_string()
            } else {
                rel.to_string_lossy().replace('\\', "/")
            };
            // a path that did not exist at the revision has no old steps
            if spec == "." || git(&root, &["cat-file", "-e", &format!("{commit}:{spec}")]).is_ok() {
                specs.push(spec);
                old_paths.push(if p.is_absolute() { old_root.join(rel) } else { p.clone() });
            }
        }
        std::fs::create_dir_all(old_root.join(&cwd_rel)).map_err(|e| format!("--diff: {e}"))?;
        let old = if specs.is_empty() {
            None
        } else {
            let tar = tmp.path().join("rev.tar");
            let tar_s = tar.to_string_lossy().to_string();
            let mut args = vec!["archive", "--format=tar", "-o", &tar_s, &commit, "--"];
            args.extend(specs.iter().map(String::as_str));
            git(&root, &args)?;
            let status = Command::new("tar")
                .arg("-xf")
                .arg(&tar)
                .arg("-C")
                .arg(&old_root)
                .status()
                .map_err(|e| format!("--diff needs tar to unpack the revision: {e}"))?;
            if !status.success() {
                return Err(format!("--diff: cannot unpack {rev} ({status})"));
            }
            let _ = std::fs::remove_file(&tar);
            let _back = Cwd::enter(&old_root.join(&cwd_rel))?;
            old_paths.retain(|p| p.exists());
            let a = load(&old_paths)?;
            let k = step_keys(&a.dag, &a.db);
            let sigs: HashMap<String, [String; 5]> = (0..a.dag.steps.len())
                .map(|i| (k[i].clone(), signature(&a.dag, &k, i)))
                .collect();
            let removed_info: Vec<(String, String)> = (0..a.dag.steps.len())
                .map(|i| (pipeline_label(&a.dag, i), a.dag.steps[i].name.clone()))
                .collect();
            let edges = edge_set(&a.dag, &k);
            Some((k, sigs, edges, removed_info))
        };
        let (old_keys, old_sigs, old_edges, old_info) = old.unwrap_or_default();

        let keys = step_keys(&current.dag, &current.db);
        let mut changed = BTreeSet::new();
        let mut added = BTreeSet::new();
        let mut changed_in: HashMap<String, Vec<Aspect>> = HashMap::new();
        for i in 0..current.dag.steps.len() {
            match old_sigs.get(&keys[i]) {
                None => {
                    added.insert(i);
                    changed.insert(i);
                    changed_in.insert(current.dag.steps[i].id.clone(), ASPECTS.to_vec());
                }
                Some(old) => {
                    let new = signature(&current.dag, &keys, i);
                    let differ: Vec<Aspect> = ASPECTS
                        .iter()
                        .zip(old.iter().zip(new.iter()))
                        .filter(|(_, (o, n))| o != n)
                        .map(|(a, _)| *a)
                        .collect();
                    if !differ.is_empty() {
                        changed.insert(i);
                        changed_in.insert(current.dag.steps[i].id.clone(), differ);
                    }
                }
            }
        }
        let now: HashSet<&String> = keys.iter().collect();
        let removed = old_keys
            .iter()
            .enumerate()
            .filter(|(_, k)| !now.contains(k))
            .map(|(i, k)| (k.clone(), old_info[i].0.clone(), old_info[i].1.clone()))
            .collect();
        let new_edges = edge_set(&current.dag, &keys);
        let added_edges = new_edges.difference(&old_edges).cloned().collect();
        let removed_edges = old_edges.difference(&new_edges).cloned().collect();
        Ok(Changes {
            lines,
            whole,
            changed,
            changed_in,
            repo_paths: current
                .db
                .all()
                .iter()
                .map(|f| (f.id, crate::report::repo_relative(&root, f)))
                .collect(),
            added,
            removed,
            added_edges,
            removed_edges,
            keys,
        })
    }

    fn line_changed(&self, repo_path: &str, line: usize) -> bool {
        self.whole.contains(repo_path) || self.lines.get(repo_path).is_some_and(|s| s.contains(&line))
    }

    /// Whether a finding is about what changed: its line, a line of its
    /// step, or a step it is about whose meaning changed.
    pub fn touches(&self, d: &Diagnostic, analysis: &Analysis) -> bool {
        let f = analysis.db.get(d.span.file);
        let Some(repo_path) = self.repo_paths.get(&d.span.file) else {
            return false;
        };
        let first = f.line_index((d.span.start as usize).min(f.text.len())) + 1;
        let last = f.line_index((d.span.end as usize).min(f.text.len())) + 1;
        if (first..=last.max(first)).any(|l| self.line_changed(repo_path, l)) {
            return true;
        }
        let Some(subject) = &d.subject else { return false };
        subject.steps.iter().any(|id| {
            self.changed_in
                .get(id)
                .is_some_and(|what| what.iter().any(|a| aspects_of(d.code).contains(a)))
        })
    }

    /// Key of a current step.
    pub fn key(&self, step: usize) -> &str {
        &self.keys[step]
    }
}

/// The most steps drawn in full; beyond, only the changed neighbourhood.
const FULL_GRAPH_STEPS: usize = 40;

/// The graph at the revision beside the working tree: added steps and
/// edges green, removed ones red and dashed, changed steps amber. A large
/// graph is cut to the changed steps and their neighbours, so the diagram
/// fits in a pull-request comment.
pub fn mermaid(changes: &Changes, dag: &Dag, rev: &str) -> String {
    let n = dag.steps.len();
    let touched: BTreeSet<usize> = changes.changed.clone();
    let mut shown: BTreeSet<usize> = if n <= FULL_GRAPH_STEPS {
        (0..n).collect()
    } else {
        let mut s = touched.clone();
        for e in &dag.edges {
            if touched.contains(&e.from) || touched.contains(&e.to) {
                s.insert(e.from);
                s.insert(e.to);
            }
        }
        s
    };
    // steps at either end of a removed edge are part of the change
    let index: HashMap<&str, usize> = (0..n).map(|i| (changes.key(i), i)).collect();
    for (a, b, _) in &changes.removed_edges {
        for k in [a, b] {
            if let Some(&i) = index.get(k.as_str()) {
                shown.insert(i);
            }
        }
    }
    let mut out = String::from("flowchart LR\n");
    let cut = shown.len() < n;
    out.push_str(&format!(
        "  %% kfr graph --diff {}: {} added, {} changed, {} removed steps; {} added, {} removed edges{}\n",
        rev.replace('\n', " "),
        changes.added.len(),
        changes.changed.len() - changes.added.len(),
        changes.removed.len(),
        changes.added_edges.len(),
        changes.removed_edges.len(),
        if cut {
            format!("; {} unchanged steps not shown", n - shown.len())
        } else {
            String::new()
        }
    ));
    // group by pipeline
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for &s in &shown {
        groups.entry(dag.steps[s].pipeline).or_default().push(s);
    }
    let mut removed_by_pipeline: BTreeMap<&str, Vec<(usize, &str)>> = BTreeMap::new();
    for (i, (_, p, name)) in changes.removed.iter().enumerate() {
        removed_by_pipeline
            .entry(p.as_str())
            .or_default()
            .push((i, name.as_str()));
    }
    let mut sg = 0;
    for (pi, members) in &groups {
        let p = &dag.pipelines[*pi];
        out.push_str(&format!(
            "  subgraph g{sg}[{}]\n",
            mermaid_str(&format!("{}: {}", p.kind.as_str(), p.name))
        ));
        sg += 1;
        for &s in members {
            let st = &dag.steps[s];
            let class = if changes.added.contains(&s) {
                ":::added"
            } else if changes.changed.contains(&s) {
                ":::changed"
            } else {
                ""
            };
            out.push_str(&format!("    s{s}[{}]{class}\n", mermaid_str(&st.name)));
        }
        out.push_str("  end\n");
    }
    if !changes.removed.is_empty() {
        for (p, steps) in &removed_by_pipeline {
            out.push_str(&format!(
                "  subgraph g{sg}[{}]\n",
                mermaid_str(&format!("{p} (at {rev})"))
            ));
            sg += 1;
            for (i, name) in steps {
                out.push_str(&format!("    r{i}[{}]:::removed\n", mermaid_str(name)));
            }
            out.push_str("  end\n");
        }
    }
    let node = |k: &str| -> Option<String> { index.get(k).filter(|i| shown.contains(i)).map(|i| format!("s{i}")) };
    let mut link = 0usize;
    let mut added_links = Vec::new();
    let mut removed_links = Vec::new();
    let edge_label = |kind: &str| -> String {
        match kind.split_once(':') {
            Some((_, path)) if !path.is_empty() => format!("|{}|", mermaid_str(path)),
            _ => String::new(),
        }
    };
    for e in &dag.edges {
        let (a, b) = (changes.key(e.from), changes.key(e.to));
        let (Some(na), Some(nb)) = (node(a), node(b)) else {
            continue;
        };
        let kind = match e.kind {
            EdgeKind::Order | EdgeKind::Invokes => e.kind.as_str().to_string(),
            _ => format!("{}:{}", e.kind.as_str(), e.path.as_deref().unwrap_or("")),
        };
        let is_added = changes
            .added_edges
            .contains(&(a.to_string(), b.to_string(), kind.clone()));
        out.push_str(&format!("  {na} -->{} {nb}\n", edge_label(&kind)));
        if is_added {
            added_links.push(link);
        }
        link += 1;
    }
    // removed edges: between current steps, or to a removed step
    for (a, b, kind) in &changes.removed_edges {
        let end = |k: &str| -> Option<String> {
            node(k).or_else(|| {
                changes
                    .removed
                    .iter()
                    .position(|(key, _, _)| key == k)
                    .map(|i| format!("r{i}"))
            })
        };
        let (Some(na), Some(nb)) = (end(a), end(b)) else {
            continue;
        };
        out.push_str(&format!("  {na} -.->{} {nb}\n", edge_label(kind)));
        removed_links.push(link);
        link += 1;
    }
    out.push_str("  classDef added fill:#d7f5dd,stroke:#1a7f37,color:#0b3d1a\n");
    out.push_str("  classDef changed fill:#fff1c2,stroke:#9a6700,color:#3d2a00\n");
    out.push_str("  classDef removed fill:#ffe0e0,stroke:#cf222e,color:#5c0a0f,stroke-dasharray:4 3\n");
    let list = |v: &[usize]| v.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    if !added_links.is_empty() {
        out.push_str(&format!(
            "  linkStyle {} stroke:#1a7f37,stroke-width:2px\n",
            list(&added_links)
        ));
    }
    if !removed_links.is_empty() {
        out.push_str(&format!(
            "  linkStyle {} stroke:#cf222e,stroke-width:2px\n",
            list(&removed_links)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunks_give_new_lines() {
        let d = "diff --git a/Makefile b/Makefile\nindex 1..2 100644\n--- a/Makefile\n+++ b/Makefile\n@@ -3,0 +4,2 @@ x\n+a\n+b\n@@ -10,2 +12 @@\n-c\n-d\n+e\n@@ -20 +20,0 @@\n-f\ndiff --git a/new.py b/new.py\nnew file mode 100644\n--- /dev/null\n+++ b/new.py\n@@ -0,0 +1 @@\n+x\ndiff --git a/gone b/gone\ndeleted file mode 100644\n--- a/gone\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n";
        let (lines, whole) = parse_diff(d);
        assert_eq!(
            lines["Makefile"].iter().copied().collect::<Vec<_>>(),
            [4, 5, 12, 20, 21]
        );
        assert!(whole.contains("new.py"));
        assert!(!lines.contains_key("gone"));
    }

    #[test]
    fn quoted_paths() {
        assert_eq!(unquote("\"b/caf\\303\\251 dir/Makefile\""), "café dir/Makefile");
        assert_eq!(unquote("plain"), "plain");
    }
}
