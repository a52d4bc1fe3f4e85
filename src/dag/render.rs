//! `kfr graph` output: JSON (a public contract, version 1), DOT and Mermaid.

use super::{Dag, EdgeKind};
use crate::source::SourceDb;
use serde::Serialize;
use std::collections::BTreeSet;

#[derive(Serialize)]
pub struct GraphJson {
    pub version: u32,
    pub pipelines: Vec<PipelineJson>,
    pub steps: Vec<StepJson>,
    pub edges: Vec<EdgeJson>,
}

#[derive(Serialize)]
pub struct PipelineJson {
    pub id: String,
    pub kind: &'static str,
    pub name: String,
    pub file: String,
    pub line: usize,
    pub schedule: Option<String>,
}

#[derive(Serialize)]
pub struct PackageJson {
    pub name: String,
    pub spec: Option<String>,
    pub pinned: bool,
}

#[derive(Serialize)]
pub struct StepJson {
    pub id: String,
    pub pipeline: String,
    pub name: String,
    pub kind: &'static str,
    pub file: String,
    pub line: usize,
    pub retries: Option<u32>,
    pub command: Option<String>,
    pub packages: Vec<PackageJson>,
    pub image: Option<String>,
    pub inputs: Vec<String>,
    pub outputs: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_delay: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub settings: std::collections::BTreeMap<String, String>,
}

#[derive(Serialize)]
pub struct EdgeJson {
    pub from: String,
    pub to: String,
    pub kind: &'static str,
    pub path: Option<String>,
}

/// The steps to show: all, or a query's closure.
fn selected(dag: &Dag, only: Option<&BTreeSet<usize>>) -> Vec<usize> {
    match only {
        Some(set) => set.iter().copied().collect(),
        None => (0..dag.steps.len()).collect(),
    }
}

pub fn to_json(dag: &Dag, db: &SourceDb, only: Option<&BTreeSet<usize>>) -> GraphJson {
    let steps = selected(dag, only);
    let in_set: BTreeSet<usize> = steps.iter().copied().collect();
    let pipelines: BTreeSet<usize> = steps.iter().map(|&s| dag.steps[s].pipeline).collect();
    let pipelines = if only.is_none() {
        (0..dag.pipelines.len()).collect()
    } else {
        pipelines
    };
    let pos = |span: crate::source::Span| {
        let f = db.get(span.file);
        (f.name.clone(), f.line_col(span.start as usize).0)
    };
    GraphJson {
        version: 1,
        pipelines: pipelines
            .into_iter()
            .map(|i| {
                let p = &dag.pipelines[i];
                let (file, line) = pos(p.span);
                PipelineJson {
                    id: p.id.clone(),
                    kind: p.kind.as_str(),
                    name: p.name.clone(),
                    file,
                    line,
                    schedule: p.schedule.as_ref().map(|s| s.text.clone()),
                }
            })
            .collect(),
        steps: steps
            .iter()
            .map(|&i| {
                let s = &dag.steps[i];
                let (file, line) = pos(s.span);
                StepJson {
                    id: s.id.clone(),
                    pipeline: dag.pipelines[s.pipeline].id.clone(),
                    name: s.name.clone(),
                    kind: s.kind.as_str(),
                    file,
                    line,
                    retries: s.effective_retries,
                    command: s.command.clone(),
                    packages: s
                        .packages
                        .iter()
                        .map(|p| PackageJson {
                            name: p.name.clone(),
                            spec: p.spec.clone(),
                            pinned: p.pinned,
                        })
                        .collect(),
                    image: s.image.clone(),
                    inputs: s.inputs.iter().map(|p| p.path.clone()).collect(),
                    outputs: s.outputs.iter().map(|p| p.path.clone()).collect(),
                    retry_delay: s.retry_delay.clone(),
                    timeout: s.timeout.clone(),
                    settings: s.settings.iter().cloned().collect(),
                }
            })
            .collect(),
        edges: dag
            .edges
            .iter()
            .filter(|e| in_set.contains(&e.from) && in_set.contains(&e.to))
            .map(|e| EdgeJson {
                from: dag.steps[e.from].id.clone(),
                to: dag.steps[e.to].id.clone(),
                kind: e.kind.as_str(),
                path: e.path.clone(),
            })
            .collect(),
    }
}

fn dot_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

pub fn to_dot(dag: &Dag, only: Option<&BTreeSet<usize>>) -> String {
    let steps = selected(dag, only);
    let in_set: BTreeSet<usize> = steps.iter().copied().collect();
    let mut out = String::from("digraph kfr {\n  rankdir=LR;\n  node [shape=box];\n");
    for (pi, p) in dag.pipelines.iter().enumerate() {
        let members: Vec<usize> = steps.iter().copied().filter(|&s| dag.steps[s].pipeline == pi).collect();
        if members.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "  subgraph {} {{\n    label={};\n",
            dot_str(&format!("cluster_{pi}")),
            dot_str(&format!("{}: {}", p.kind.as_str(), p.name))
        ));
        for s in members {
            let st = &dag.steps[s];
            let shape = if st.phony { ", style=rounded" } else { "" };
            out.push_str(&format!(
                "    {} [label={}{shape}];\n",
                dot_str(&st.id),
                dot_str(&st.name)
            ));
        }
        out.push_str("  }\n");
    }
    for e in &dag.edges {
        if !(in_set.contains(&e.from) && in_set.contains(&e.to)) {
            continue;
        }
        let attrs = match e.kind {
            EdgeKind::File => format!("label={}", dot_str(e.path.as_deref().unwrap_or(""))),
            EdgeKind::Artifact => format!("label={}, style=bold", dot_str(e.path.as_deref().unwrap_or(""))),
            EdgeKind::Order => "style=dashed".to_string(),
            EdgeKind::Invokes => "label=\"invokes\", style=dotted".to_string(),
            EdgeKind::Parameter => format!("label={}", dot_str(e.path.as_deref().unwrap_or(""))),
        };
        out.push_str(&format!(
            "  {} -> {} [{attrs}];\n",
            dot_str(&dag.steps[e.from].id),
            dot_str(&dag.steps[e.to].id)
        ));
    }
    out.push_str("}\n");
    out
}

/// Mermaid label text: quotes become `#quot;`, which Mermaid decodes.
/// Text as a quoted Mermaid label: quotes and angle brackets as entity
/// codes (Mermaid renders labels as HTML), line breaks as spaces.
pub(crate) fn mermaid_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub fn to_mermaid(dag: &Dag, only: Option<&BTreeSet<usize>>) -> String {
    let steps = selected(dag, only);
    let in_set: BTreeSet<usize> = steps.iter().copied().collect();
    let mut out = String::from("flowchart LR\n");
    for (pi, p) in dag.pipelines.iter().enumerate() {
        let members: Vec<usize> = steps.iter().copied().filter(|&s| dag.steps[s].pipeline == pi).collect();
        if members.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "  subgraph p{pi}[{}]\n",
            mermaid_str(&format!("{}: {}", p.kind.as_str(), p.name))
        ));
        for s in members {
            let st = &dag.steps[s];
            if st.phony {
                out.push_str(&format!("    s{s}({})\n", mermaid_str(&st.name)));
            } else {
                out.push_str(&format!("    s{s}[{}]\n", mermaid_str(&st.name)));
            }
        }
        out.push_str("  end\n");
    }
    for e in &dag.edges {
        if !(in_set.contains(&e.from) && in_set.contains(&e.to)) {
            continue;
        }
        let (from, to) = (e.from, e.to);
        let line = match e.kind {
            EdgeKind::File => format!("s{from} -->|{}| s{to}", mermaid_str(e.path.as_deref().unwrap_or(""))),
            EdgeKind::Artifact => format!("s{from} ==>|{}| s{to}", mermaid_str(e.path.as_deref().unwrap_or(""))),
            EdgeKind::Order => format!("s{from} -.-> s{to}"),
            EdgeKind::Invokes => format!("s{from} -.->|invokes| s{to}"),
            EdgeKind::Parameter => format!("s{from} -->|{}| s{to}", mermaid_str(e.path.as_deref().unwrap_or(""))),
        };
        out.push_str("  ");
        out.push_str(&line);
        out.push('\n');
    }
    out
}
