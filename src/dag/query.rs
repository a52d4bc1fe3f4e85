//! Questions asked of the graph: which steps produced a file, what is
//! upstream or downstream of it, where the cycles are.

use super::{Dag, EdgeKind};
use crate::source::normalize_path;
use petgraph::Direction;
use petgraph::graph::NodeIndex;
use std::collections::BTreeSet;
use std::path::Path;

/// A set of steps (indices into [`Dag::steps`]) selected by a query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Closure {
    pub steps: BTreeSet<usize>,
}

/// What a `--upstream-of` / `--downstream-of` argument matched.
#[derive(Debug, Clone, Default)]
pub struct Anchor {
    /// Steps with this name or id.
    pub steps: Vec<usize>,
    /// Steps writing the file.
    pub producers: Vec<usize>,
    /// Steps reading the file.
    pub consumers: Vec<usize>,
}

impl Anchor {
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty() && self.producers.is_empty() && self.consumers.is_empty()
    }
}

impl Dag {
    /// Resolve a step name, a step id, or a file path (as the pipeline names
    /// it, or as reachable from the current directory).
    pub fn anchor(&self, x: &str) -> Anchor {
        let mut a = Anchor::default();
        for (i, s) in self.steps.iter().enumerate() {
            if s.id == x || s.name == x {
                a.steps.push(i);
            }
        }
        let key = normalize_path(Path::new(x)).to_string_lossy().replace('\\', "/");
        let matches = |p: &super::Port| p.key == key || p.path == x || p.path == key;
        for (i, s) in self.steps.iter().enumerate() {
            if s.outputs.iter().any(matches) {
                a.producers.push(i);
            }
            if s.inputs.iter().any(matches) {
                a.consumers.push(i);
            }
        }
        a
    }

    fn walk(&self, starts: &[usize], dir: Direction) -> BTreeSet<usize> {
        let mut seen: BTreeSet<usize> = starts.iter().copied().collect();
        let mut stack: Vec<usize> = starts.to_vec();
        while let Some(s) = stack.pop() {
            for n in self.graph.neighbors_directed(NodeIndex::new(s), dir) {
                if seen.insert(n.index()) {
                    stack.push(n.index());
                }
            }
        }
        seen
    }

    /// The steps that (transitively) feed `x`: for a file, its producers and
    /// everything upstream of them; for a step, itself and its upstream.
    pub fn upstream_of(&self, x: &Anchor) -> Closure {
        let starts: Vec<usize> = x.steps.iter().chain(&x.producers).copied().collect();
        Closure {
            steps: self.walk(&starts, Direction::Incoming),
        }
    }

    /// The steps that (transitively) depend on `x`: for a file, its
    /// consumers and everything downstream; for a step, itself and its
    /// downstream.
    pub fn downstream_of(&self, x: &Anchor) -> Closure {
        let starts: Vec<usize> = x
            .steps
            .iter()
            .chain(&x.consumers)
            .chain(&x.producers)
            .copied()
            .collect();
        Closure {
            steps: self.walk(&starts, Direction::Outgoing),
        }
    }

    /// Dependency cycles: each is a set of steps that reach each other
    /// through order, file or artifact edges (invocations excluded).
    pub fn cycles(&self) -> Vec<Vec<usize>> {
        let g = self.graph.filter_map(
            |_, n| Some(*n),
            |_, e| (self.edges[*e].kind != EdgeKind::Invokes).then_some(*e),
        );
        // Kosaraju walks with an explicit stack: a chain of 100,000 steps must not
        // overflow the call stack the way a recursive Tarjan does
        let mut out: Vec<Vec<usize>> = petgraph::algo::kosaraju_scc(&g)
            .into_iter()
            .filter(|scc| scc.len() > 1 || g.contains_edge(scc[0], scc[0]))
            .map(|scc| {
                let mut v: Vec<usize> = scc.into_iter().map(|n| n.index()).collect();
                v.sort();
                v
            })
            .collect();
        out.sort();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use crate::source::{FileId, Span};

    fn step(name: &str, outputs: &[&str], inputs: &[&str]) -> Step {
        let port = |p: &&str| Port {
            path: p.to_string(),
            key: p.to_string(),
            span: None,
            ..Default::default()
        };
        let mut s = Step::new("t", 0, name, StepKind::Target, Span::new(FileId(0), 0..0));
        s.command = Some("x".into());
        s.inputs = inputs.iter().map(port).collect();
        s.outputs = outputs.iter().map(port).collect();
        s.effective_retries = Some(0);
        s
    }

    fn dag(edges: &[(usize, usize)]) -> Dag {
        let mut d = Dag {
            steps: vec![
                step("a", &["a.csv"], &["raw.csv"]),
                step("b", &["b.pkl"], &["a.csv"]),
                step("c", &["c.json"], &["b.pkl"]),
                step("d", &[], &[]),
            ],
            edges: edges
                .iter()
                .map(|&(from, to)| Edge {
                    from,
                    to,
                    kind: EdgeKind::File,
                    path: None,
                    span: None,
                })
                .collect(),
            ..Default::default()
        };
        d.rebuild_graph();
        d
    }

    #[test]
    fn closures_follow_edges() {
        let d = dag(&[(0, 1), (1, 2)]);
        let up = d.upstream_of(&d.anchor("b.pkl"));
        assert_eq!(up.steps.into_iter().collect::<Vec<_>>(), vec![0, 1]);
        let down = d.downstream_of(&d.anchor("raw.csv"));
        assert_eq!(down.steps.into_iter().collect::<Vec<_>>(), vec![0, 1, 2]);
        let by_name = d.upstream_of(&d.anchor("c"));
        assert_eq!(by_name.steps.len(), 3);
        assert!(d.anchor("nothing").is_empty());
        assert!(d.cycles().is_empty());
    }

    #[test]
    fn finds_cycles() {
        let d = dag(&[(0, 1), (1, 2), (2, 0), (3, 3)]);
        assert_eq!(d.cycles(), vec![vec![0, 1, 2], vec![3]]);
    }
}
