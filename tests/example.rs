//! The bundled example (`testdata/examples/retrain`): the findings a user sees
//! and the graph other tools read, as reviewed snapshots.

#[path = "support/run.rs"]
mod run;

const EXAMPLE: &str = "testdata/examples/retrain";

/// The examples read cleanly: nothing on stderr.
fn kfr(args: &[&str]) -> (Option<i32>, String) {
    let (code, stdout, stderr) = run::kfr(args);
    assert!(stderr.is_empty(), "{stderr}");
    (code, stdout)
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

const KFP_EXAMPLE: &str = "testdata/examples/kfp-churn";

/// A Kubeflow pipeline and the YAML compiled from it (by kfp 2.17.3): the
/// same findings from both, each at its own file and line.
#[test]
fn kfp_example_lint() {
    let (code, out) = kfr(&["lint", KFP_EXAMPLE]);
    assert_eq!(code, Some(1));
    let (_, concise) = kfr(&["lint", KFP_EXAMPLE, "--format", "concise"]);
    let count = |file: &str, rule: &str| {
        concise
            .lines()
            .filter(|l| l.contains(file) && l.contains(&format!("[{rule}]")))
            .count()
    };
    // train has no retry; export-model hands a path to deploy; pyarrow and
    // scikit-learn float; four tasks on python:3.11-slim; load-events reads
    // a table with caching on
    for (rule, n) in [
        ("KFR001", 1),
        ("KFR002", 1),
        ("KFR003", 2),
        ("KFR004", 4),
        ("KFR007", 1),
    ] {
        assert_eq!(count("pipeline.py", rule), n, "{rule} in pipeline.py");
        assert_eq!(count("churn_retrain.yaml", rule), n, "{rule} in churn_retrain.yaml");
    }
    insta::assert_snapshot!(out);
}

#[test]
fn kfp_example_graph() {
    let (code, out) = kfr(&["graph", &format!("{KFP_EXAMPLE}/pipeline.py")]);
    assert_eq!(code, Some(0));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["pipelines"][0]["name"], "churn-retrain");
    assert_eq!(v["pipelines"][0]["kind"], "kfp");
    let kinds: Vec<(String, String, String)> = v["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let name = |k: &str| e[k].as_str().unwrap().rsplit("::").next().unwrap().to_string();
            (name("from"), name("to"), e["kind"].as_str().unwrap().to_string())
        })
        .collect();
    for want in [
        ("load-events", "train", "artifact"),
        ("train", "evaluate", "artifact"),
        ("export-model", "deploy", "file"),
        ("evaluate", "export-model", "order"),
    ] {
        let want = (want.0.to_string(), want.1.to_string(), want.2.to_string());
        assert!(kinds.contains(&want), "{want:?} in {kinds:?}");
    }
    // the compiled YAML gives the same steps and edges
    let (_, yaml) = kfr(&["graph", &format!("{KFP_EXAMPLE}/churn_retrain.yaml")]);
    let y: serde_json::Value = serde_json::from_str(&yaml).unwrap();
    let names = |g: &serde_json::Value| -> Vec<String> {
        g["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_string())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    };
    assert_eq!(names(&v), names(&y));
    assert_eq!(
        v["edges"].as_array().unwrap().len(),
        y["edges"].as_array().unwrap().len()
    );
    insta::assert_snapshot!(out);
    let (_, mermaid) = kfr(&["graph", &format!("{KFP_EXAMPLE}/pipeline.py"), "--format", "mermaid"]);
    insta::assert_snapshot!("kfp_mermaid", mermaid);
}
