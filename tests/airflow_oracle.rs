//! Airflow is the oracle for the Airflow frontend. For every fixture under
//! `testdata/airflow/`, `expected/<stem>.json` holds what Airflow's own
//! DagBag loaded from it (written by `testdata/airflow/oracle.py`, see the
//! README there): the DAG ids, and for each task its id, upstream task ids
//! and effective retries. kfr reads the same file without importing it and
//! must agree on all four. A file Airflow cannot import must give an error
//! diagnostic instead.

use kfr::dag::{EdgeKind, Retry};
use kfr::diagnostic::Severity;
use kfr::frontend::{self, Options, SourceKind};
use kfr::source::SourceDb;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn fixtures() -> Vec<(PathBuf, PathBuf)> {
    let root = Path::new("testdata/airflow");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root).expect("testdata/airflow exists") {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "py") {
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            let expected = root.join("expected").join(format!("{stem}.json"));
            if expected.is_file() {
                out.push((path, expected));
            }
        }
    }
    out.sort();
    out
}

#[derive(Debug, PartialEq, Eq)]
struct Task {
    upstream: BTreeSet<String>,
    retries: Option<u32>,
}

type Dags = BTreeMap<String, BTreeMap<String, Task>>;

fn airflow_answer(json: &Value) -> (Dags, Vec<String>) {
    let mut dags = Dags::new();
    for (dag_id, dag) in json["dags"].as_object().unwrap() {
        let mut tasks = BTreeMap::new();
        for (task_id, t) in dag["tasks"].as_object().unwrap() {
            tasks.insert(
                task_id.clone(),
                Task {
                    upstream: t["upstream"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|u| u.as_str().unwrap().to_string())
                        .collect(),
                    retries: Some(t["retries"].as_u64().unwrap() as u32),
                },
            );
        }
        dags.insert(dag_id.clone(), tasks);
    }
    let errors = json["import_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap_or("").to_string())
        .collect();
    (dags, errors)
}

/// What kfr's Airflow frontend reads from the file.
fn kfr_answer(path: &Path) -> (Dags, Vec<String>) {
    let db = SourceDb::new();
    let file = db.load(path).unwrap();
    let frag = frontend::lower(&db, &file, SourceKind::Python, &Options::default());
    let mut dags = Dags::new();
    for (p, pipeline) in frag.pipelines.iter().enumerate() {
        let mut tasks = BTreeMap::new();
        for (i, s) in frag.steps.iter().enumerate() {
            if s.pipeline != p {
                continue;
            }
            let upstream = frag
                .edges
                .iter()
                .filter(|e| e.to == i && matches!(e.kind, EdgeKind::Order | EdgeKind::File))
                .map(|e| frag.steps[e.from].name.clone())
                .collect();
            let retries = match &s.retry {
                Retry::None => Some(0),
                Retry::Count { count, .. } => Some(*count),
                Retry::Unknown { .. } => None,
            };
            tasks.insert(s.name.clone(), Task { upstream, retries });
        }
        dags.insert(pipeline.name.clone(), tasks);
    }
    let errors = frag
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.message.clone())
        .collect();
    (dags, errors)
}

#[test]
fn there_are_enough_fixtures() {
    assert!(
        fixtures().len() >= 30,
        "at least 30 Airflow fixtures with Airflow's answers"
    );
}

#[test]
fn airflow_fixtures_agree_with_airflow() {
    let mut failures = Vec::new();
    let mut checked = (0, 0, 0);
    for (path, expected) in fixtures() {
        let json: Value = serde_json::from_str(&std::fs::read_to_string(&expected).unwrap()).unwrap();
        let (want, import_errors) = airflow_answer(&json);
        let (got, kfr_errors) = kfr_answer(&path);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !import_errors.is_empty() {
            // Airflow cannot load the file; kfr must say why, with an error
            if kfr_errors.is_empty() {
                // a cycle is reported by KFR005 on the graph, not by the frontend
                let (dag, _) = {
                    let files = vec![kfr::discover::Discovered {
                        path: path.clone(),
                        kind: SourceKind::Python,
                    }];
                    let a = kfr::analysis::analyze(&files, &Options::default());
                    let diags = kfr::analysis::lint(&a, &kfr::rules::Selection::all());
                    (diags, ())
                };
                if !dag.iter().any(|d| d.severity == Severity::Error) {
                    failures.push(format!(
                        "{name}: Airflow reports {import_errors:?}; kfr reports no error"
                    ));
                }
            }
            continue;
        }
        let want_ids: BTreeSet<&String> = want.keys().collect();
        let got_ids: BTreeSet<&String> = got.keys().collect();
        if want_ids != got_ids {
            failures.push(format!("{name}: DAG ids: Airflow {want_ids:?}, kfr {got_ids:?}"));
        }
        for (dag_id, want_tasks) in &want {
            checked.0 += 1;
            let Some(got_tasks) = got.get(dag_id) else { continue };
            let wt: BTreeSet<&String> = want_tasks.keys().collect();
            let gt: BTreeSet<&String> = got_tasks.keys().collect();
            if wt != gt {
                failures.push(format!(
                    "{name} {dag_id}: task ids: only Airflow {:?}, only kfr {:?}",
                    wt.difference(&gt).collect::<Vec<_>>(),
                    gt.difference(&wt).collect::<Vec<_>>()
                ));
            }
            for (task_id, w) in want_tasks {
                checked.1 += 1;
                let Some(g) = got_tasks.get(task_id) else { continue };
                checked.2 += 1;
                if w.upstream != g.upstream {
                    failures.push(format!(
                        "{name} {dag_id}.{task_id}: upstream: Airflow {:?}, kfr {:?}",
                        w.upstream, g.upstream
                    ));
                }
                if w.retries != g.retries {
                    failures.push(format!(
                        "{name} {dag_id}.{task_id}: retries: Airflow {:?}, kfr {:?}",
                        w.retries, g.retries
                    ));
                }
            }
        }
    }
    eprintln!(
        "compared {} DAGs and {} tasks ({} found by kfr) with Airflow's answers",
        checked.0, checked.1, checked.2
    );
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
