//! The bundled example (`testdata/examples/retrain`): the findings a user sees
//! and the graph other tools read, as reviewed snapshots.

use std::process::Command;

const EXAMPLE: &str = "testdata/examples/retrain";

fn kfr(args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kfr"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    (out.status.code(), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn lint_full_output() {
    let (code, out) = kfr(&["lint", EXAMPLE]);
    assert_eq!(code, Some(1));
    for id in ["KFR001", "KFR002", "KFR003"] {
        assert!(out.contains(&format!("warning[{id}]")), "{id} missing");
    }
    insta::assert_snapshot!(out);
}

#[test]
fn lint_json_output() {
    let (code, out) = kfr(&["lint", EXAMPLE, "--format", "json"]);
    assert_eq!(code, Some(1));
    let (_, concise) = kfr(&["lint", EXAMPLE, "--format", "concise"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    // the same findings as the human formats, in the same order
    let from_json: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{}:{}:{}: {}[{}] {}",
                d["file"].as_str().unwrap(),
                d["line"],
                d["column"],
                d["severity"].as_str().unwrap(),
                d["code"].as_str().unwrap(),
                d["message"].as_str().unwrap()
            )
        })
        .collect();
    let concise_lines: Vec<&str> = concise.lines().filter(|l| l.contains(": warning[")).collect();
    assert_eq!(from_json, concise_lines);
    insta::assert_snapshot!(out);
}

#[test]
fn graph_json() {
    let (code, out) = kfr(&["graph", EXAMPLE]);
    assert_eq!(code, Some(0));
    insta::assert_snapshot!(out);
}

#[test]
fn graph_dot_and_mermaid() {
    let (_, dot) = kfr(&["graph", EXAMPLE, "--format", "dot"]);
    insta::assert_snapshot!("dot", dot);
    let (_, mermaid) = kfr(&["graph", EXAMPLE, "--format", "mermaid"]);
    insta::assert_snapshot!("mermaid", mermaid);
}

#[test]
fn what_produced_the_model() {
    let (code, out) = kfr(&[
        "graph",
        EXAMPLE,
        "--upstream-of",
        "testdata/examples/retrain/models/model.pkl",
    ]);
    assert_eq!(code, Some(0));
    let g: serde_json::Value = serde_json::from_str(&out).unwrap();
    let steps: Vec<&str> = g["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "data/raw/transactions.csv",
            "data/processed/features.parquet",
            "models/model.pkl"
        ]
    );
    // the same question asked with the path as the Makefile names it
    let (_, same) = kfr(&["graph", EXAMPLE, "--upstream-of", "models/model.pkl"]);
    assert_eq!(out, same);
    let (_, down) = kfr(&[
        "graph",
        EXAMPLE,
        "--downstream-of",
        "data/processed/features.parquet",
        "--format",
        "mermaid",
    ]);
    insta::assert_snapshot!("downstream_of_features", down);
}

const AIRFLOW_EXAMPLE: &str = "testdata/examples/airflow-scheduled";

/// An Airflow DAG that runs `make -C ../ml train`: one graph across both,
/// and the make targets inherit the task's retries (no KFR001 on them).
#[test]
fn airflow_example_lint() {
    let (code, out) = kfr(&["lint", AIRFLOW_EXAMPLE, "--format", "concise"]);
    assert_eq!(code, Some(1));
    assert!(
        !out.lines().any(|l| l.contains("Makefile:") && l.contains("[KFR001]")),
        "the make targets inherit retries=3 from build_model"
    );
    insta::assert_snapshot!(out);
}

#[test]
fn airflow_example_graph() {
    let (code, out) = kfr(&["graph", AIRFLOW_EXAMPLE]);
    assert_eq!(code, Some(0));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let invokes = v["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "invokes")
        .count();
    assert_eq!(invokes, 1, "build_model invokes the Makefile's train target");
    for s in v["steps"].as_array().unwrap() {
        if s["kind"] == "target" && s["name"] != "train" {
            assert_eq!(s["retries"], 3, "{} inherits retries=3 from build_model", s["name"]);
        }
    }
    insta::assert_snapshot!(out);
}
