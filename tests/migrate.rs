//! `kfr migrate` end to end: the files it writes for the bundled example
//! (snapshots of every one), the fixtures of `testdata/migrate`, the
//! referential checks of the emitted IR, the output directory's rules
//! (empty or --force, nothing outside it, atomic and deterministic), and,
//! with `KFR_REQUIRE_KFP=1` (the README's test command), the real KFP SDK
//! loading every component, compiling pipeline.py and agreeing with the
//! emitted pipeline spec.

#[path = "support/python_venv.rs"]
mod python_venv;
#[path = "support/run.rs"]
mod run;

use kfr::migrate::validate;
use run::kfr;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const EXAMPLE: &str = "testdata/examples/retrain";

/// Every migrated fixture: the bundled examples and `testdata/migrate/*`.
const FIXTURES: &[&str] = &[
    "testdata/examples/retrain",
    "testdata/examples/jenkins-retrain",
    "testdata/examples/airflow-scheduled",
    "testdata/migrate/make-only",
    "testdata/migrate/make-recursive",
    "testdata/migrate/jenkins-make",
    "testdata/migrate/cron-make",
    "testdata/migrate/airflow-dag",
];

const KFP: &[&str] = &["kfp==2.17.3", "kfp-kubernetes==2.17.3"];

/// Run `kfr migrate SRC --out OUT ARGS`; the files written, by relative path.
fn migrate(src: &str, out: &Path, args: &[&str]) -> BTreeMap<String, String> {
    let out_s = out.to_str().unwrap();
    let mut all = vec!["migrate", src, "--out", out_s];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = kfr(&all);
    assert_eq!(code, Some(0), "kfr {all:?} failed:\n{stdout}\n{stderr}");
    files(out)
}

fn files(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
            out.insert(rel, std::fs::read_to_string(e.path()).unwrap());
        }
    }
    out
}

fn yaml(text: &str) -> Value {
    let docs: Vec<Value> = serde_yaml::Deserializer::from_str(text)
        .map(|d| serde::Deserialize::deserialize(d).unwrap())
        .collect();
    docs.into_iter().next().unwrap()
}

fn tasks(pipeline: &Value) -> BTreeMap<String, Value> {
    pipeline["root"]["dag"]["tasks"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn deps(task: &Value) -> Vec<String> {
    task["dependentTasks"]
        .as_array()
        .map(|a| a.iter().map(|d| d.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

#[test]
fn bundled_example_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("kfp");
    let written = migrate(EXAMPLE, &out, &[]);
    let names: Vec<&str> = written.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "MIGRATION.md",
            "components/download.yaml",
            "components/evaluate.yaml",
            "components/prepare.yaml",
            "components/train.yaml",
            "pipeline.py",
            "pipeline.yaml"
        ]
    );
    for (name, text) in &written {
        insta::assert_snapshot!(format!("retrain__{}", name.replace('/', "__")), text);
    }
}

#[test]
fn bundled_example_pipeline_shape() {
    let dir = tempfile::tempdir().unwrap();
    let written = migrate(EXAMPLE, dir.path(), &[]);
    let p = yaml(&written["pipeline.yaml"]);
    let t = tasks(&p);
    assert_eq!(
        t.keys().collect::<Vec<_>>(),
        ["download", "evaluate", "prepare", "train"]
    );
    assert_eq!(deps(&t["prepare"]), ["download"]);
    assert_eq!(deps(&t["train"]), ["prepare"]);
    assert_eq!(deps(&t["evaluate"]), ["prepare", "train"]);
    // the model is handed over as a typed artifact, not a path
    assert_eq!(
        t["evaluate"]["inputs"]["artifacts"]["model"]["taskOutputArtifact"],
        serde_json::json!({"outputArtifactKey": "model", "producerTask": "train"})
    );
    assert_eq!(
        p["components"]["comp-train"]["outputDefinitions"]["artifacts"]["model"]["artifactType"]["schemaTitle"],
        "system.Model"
    );
    assert_eq!(
        p["components"]["comp-evaluate"]["outputDefinitions"]["artifacts"]["metrics"]["artifactType"]["schemaTitle"],
        "system.Metrics"
    );
    // every task retries (make had none: --retries' default), caching explicit
    for (name, task) in &t {
        assert_eq!(task["retryPolicy"]["maxRetryCount"], 3, "{name}");
        assert_eq!(task["retryPolicy"]["backoffDuration"], "30s", "{name}");
        assert!(task["cachingOptions"].is_object(), "{name}");
    }
    // the download reads the warehouse and today's date: never cached
    assert_eq!(t["download"]["cachingOptions"], serde_json::json!({}));
    assert_eq!(t["train"]["cachingOptions"]["enableCache"], true);
    // the make variables became typed pipeline inputs with their defaults
    let inputs = &p["root"]["inputDefinitions"]["parameters"];
    assert_eq!(inputs["n_estimators"]["parameterType"], "NUMBER_INTEGER");
    assert_eq!(inputs["n_estimators"]["defaultValue"], 300);
    assert_eq!(
        inputs["warehouse_uri"]["defaultValue"],
        "s3://fraud-ml-warehouse/exports/transactions"
    );
    // packages pinned from the requirements files, the rest listed
    let md = &written["MIGRATION.md"];
    assert!(written["pipeline.py"].contains("joblib==1.4.2"));
    assert!(md.contains("| `train` | `scikit-learn>=1.3` |"), "{md}");
    assert!(
        md.contains("Makefile:32: `$(shell date +%Y-%m-%d)` in `data/raw/transactions.csv` was computed by make"),
        "{md}"
    );
}

/// The facts each fixture's migration must show, beyond valid IR.
#[test]
fn fixtures_migrate_to_valid_ir() {
    for src in FIXTURES {
        let dir = tempfile::tempdir().unwrap();
        let written = migrate(src, dir.path(), &[]);
        let mut components = 0;
        for (name, text) in &written {
            if name.ends_with(".yaml") {
                let report = validate::validate_yaml(text);
                assert!(report.is_ok(), "{src}: {name}: {:?}", report.errors);
                components += name.starts_with("components/") as usize;
            }
        }
        let p = yaml(&written["pipeline.yaml"]);
        assert_eq!(tasks(&p).len(), components, "{src}: one component file per task");
        assert!(written["MIGRATION.md"].contains("## Not carried over"), "{src}");
        let stem = src.rsplit('/').next().unwrap();
        if *src == EXAMPLE {
            continue; // every file of it has its own snapshot
        }
        insta::assert_snapshot!(format!("{stem}__pipeline.py"), &written["pipeline.py"]);
        insta::assert_snapshot!(format!("{stem}__MIGRATION.md"), &written["MIGRATION.md"]);
    }
}

#[test]
fn jenkins_and_make_become_one_pipeline() {
    let dir = tempfile::tempdir().unwrap();
    let written = migrate("testdata/examples/jenkins-retrain", dir.path(), &[]);
    let p = yaml(&written["pipeline.yaml"]);
    let t = tasks(&p);
    // the stages that only run make became the make targets they run
    assert_eq!(t.keys().collect::<Vec<_>>(), ["build-features", "publish", "train"]);
    // `retry(3)` around `make train` is two retries of the train target
    assert_eq!(t["train"]["retryPolicy"]["maxRetryCount"], 2);
    assert_eq!(t["build-features"]["retryPolicy"]["maxRetryCount"], 3);
    assert_eq!(
        t["publish"]["inputs"]["artifacts"]["model"]["taskOutputArtifact"]["producerTask"],
        "train"
    );
    let md = &written["MIGRATION.md"];
    assert!(
        md.contains("stage `Setup`") && md.contains("only installs packages"),
        "{md}"
    );
    // H resolved as Jenkins would, seconds first
    assert!(md.contains("cron_expression=\"0 49 2 * * 1-5\""), "{md}");
    // the stage's environment is set on the task
    let env = &p["deploymentSpec"]["executors"]["exec-publish"]["container"]["env"];
    assert_eq!(env[0]["name"], "AWS_DEFAULT_REGION");
}

#[test]
fn airflow_python_callables_become_components() {
    let dir = tempfile::tempdir().unwrap();
    let written = migrate("testdata/migrate/airflow-dag", dir.path(), &[]);
    let py = &written["pipeline.py"];
    assert!(py.contains("@dsl.component(base_image="), "{py}");
    assert!(
        py.contains("def train_model(features_path: str, n_estimators: int = 300"),
        "{py}"
    );
    let p = yaml(&written["pipeline.yaml"]);
    let t = tasks(&p);
    assert!(t.contains_key("build-features") && t.contains_key("train-model"));
    assert!(!t.contains_key("notify"));
    // default_args' retries and retry_delay carry over
    assert_eq!(t["clean"]["retryPolicy"]["maxRetryCount"], 2);
    assert_eq!(t["clean"]["retryPolicy"]["backoffDuration"], "300s");
    assert_eq!(t["extract"]["retryPolicy"]["maxRetryCount"], 5);
    let md = &written["MIGRATION.md"];
    assert!(md.contains("task `notify`") && md.contains("**context"), "{md}");
    assert!(md.contains("0 30 2 * * *"), "{md}");
}

#[test]
fn reruns_are_byte_identical() {
    for src in [
        EXAMPLE,
        "testdata/migrate/airflow-dag",
        "testdata/examples/jenkins-retrain",
    ] {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let first = migrate(src, a.path(), &[]);
        assert_eq!(first, migrate(src, b.path(), &[]), "{src}");
        assert_eq!(first, migrate(src, a.path(), &["--force"]), "{src}");
    }
}

#[test]
fn refuses_a_non_empty_out_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let (code, _, stderr) = kfr(&["migrate", EXAMPLE, "--out", dir.path().to_str().unwrap()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("is not empty") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(files(dir.path()).len(), 1);
    // --force writes beside the user's file and leaves it alone
    migrate(EXAMPLE, dir.path(), &["--force"]);
    assert_eq!(std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(), "mine");
    // a file as --out
    let file = dir.path().join("notes.txt");
    let (code, _, stderr) = kfr(&["migrate", EXAMPLE, "--out", file.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{stderr}");
    // no temporary files left behind
    assert!(files(dir.path()).keys().all(|k| !k.contains(".tmp")));
}

#[test]
fn choosing_the_pipeline() {
    let dir = tempfile::tempdir().unwrap();
    // a make goal: only what `make models/model.pkl` runs
    let written = migrate(EXAMPLE, &dir.path().join("a"), &["--pipeline", "models/model.pkl"]);
    let t = tasks(&yaml(&written["pipeline.yaml"]));
    assert_eq!(t.keys().collect::<Vec<_>>(), ["download", "prepare", "train"]);
    // unknown: exit 2 with the names there are
    let (code, _, stderr) = kfr(&[
        "migrate",
        EXAMPLE,
        "--out",
        dir.path().join("b").to_str().unwrap(),
        "--pipeline",
        "nope",
    ]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("retrain"), "{stderr}");
    assert!(!dir.path().join("b").exists());
    // --all: every pipeline in its own directory, with an index
    let all = migrate("testdata/examples/jenkins-retrain", &dir.path().join("c"), &["--all"]);
    assert!(all.contains_key("MIGRATION.md"));
    assert!(all.contains_key("jenkins-retrain/pipeline.yaml"), "{:?}", all.keys());
    assert!(
        all.keys().any(|k| k.starts_with("jenkins-retrain-evaluate/")),
        "{:?}",
        all.keys()
    );
}

#[test]
fn the_migrated_pipeline_lints_clean_but_for_what_the_report_lists() {
    let dir = tempfile::tempdir().unwrap();
    let image = format!("registry.example.com/fraud/retrain:1.4@sha256:{}", "a".repeat(64));
    migrate(EXAMPLE, dir.path(), &["--image", &image]);
    let (code, stdout, _) = kfr(&["lint", dir.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, Some(1), "{stdout}");
    let diags: Value = serde_json::from_str(&stdout).unwrap();
    let codes: Vec<&str> = diags
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    // only the packages MIGRATION.md lists as unpinned remain
    assert!(!codes.is_empty() && codes.iter().all(|c| *c == "KFR003"), "{codes:?}");
}

#[test]
fn step_names_never_escape_the_output_directory() {
    let src = tempfile::tempdir().unwrap();
    let long = "x".repeat(300);
    let makefile = format!(
        "all: ../../etc/passwd /tmp/abs.csv {long}.csv\n\
         ../../etc/passwd:\n\tpython3 make_passwd.py --out $@\n\
         /tmp/abs.csv: ../../etc/passwd\n\tpython3 abs.py --in $< --out $@\n\
         {long}.csv: /tmp/abs.csv\n\tpython3 long.py --in $< --out $@\n"
    );
    std::fs::write(src.path().join("Makefile"), makefile).unwrap();
    let out = tempfile::tempdir().unwrap();
    let written = migrate(src.path().to_str().unwrap(), out.path(), &[]);
    for name in written.keys() {
        let p = Path::new(name);
        assert!(
            p.components().all(|c| matches!(c, std::path::Component::Normal(_))),
            "{name}"
        );
        assert!(name.len() < 200, "{name}");
    }
    assert!(!Path::new("/tmp/abs.csv.yaml").exists());
    let p = yaml(&written["pipeline.yaml"]);
    assert_eq!(tasks(&p).len(), 3);
    for (name, text) in &written {
        if name.ends_with(".yaml") {
            assert!(validate::validate_yaml(text).is_ok(), "{name}");
        }
    }
}

/// validate_ir's referential checks, on a real emitted pipeline: each
/// mutation the SDK would still load is caught.
#[test]
fn the_validator_catches_what_the_sdk_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let written = migrate(EXAMPLE, dir.path(), &[]);
    let good = yaml(&written["pipeline.yaml"]);
    assert!(validate::validate(&good).is_ok());
    type Mutation = fn(&mut Value);
    let mutations: [(&str, Mutation); 6] = [
        ("dangling producer", |p| {
            p["root"]["dag"]["tasks"]["train"]["inputs"]["artifacts"]["features"]["taskOutputArtifact"]["producerTask"] =
                "nope".into()
        }),
        ("producer not a dependency", |p| {
            p["root"]["dag"]["tasks"]["train"]["dependentTasks"] = serde_json::json!([])
        }),
        ("cycle", |p| {
            p["root"]["dag"]["tasks"]["download"]["dependentTasks"] = serde_json::json!(["evaluate"])
        }),
        ("placeholder of an undeclared input", |p| {
            p["deploymentSpec"]["executors"]["exec-train"]["container"]["args"][0] =
                "{{$.inputs.artifacts['nope'].path}}".into()
        }),
        ("missing output key", |p| {
            p["root"]["dag"]["tasks"]["evaluate"]["inputs"]["artifacts"]["model"]["taskOutputArtifact"]["outputArtifactKey"] =
                "weights".into()
        }),
        ("dangling component", |p| {
            p["root"]["dag"]["tasks"]["train"]["componentRef"]["name"] = "comp-nope".into()
        }),
    ];
    for (what, mutate) in mutations {
        let mut bad = good.clone();
        mutate(&mut bad);
        assert!(!validate::validate(&bad).is_ok(), "{what} not caught");
    }
}

#[test]
fn the_kfp_sdk_agrees() {
    if std::env::var_os("KFR_REQUIRE_KFP").is_none() {
        // plain `cargo test` runs without Python; the README's test command sets it
        return;
    }
    let python = python_venv::python("kfp-venv", KFP).unwrap_or_else(|e| panic!("cannot install the KFP SDK: {e}"));
    let root = tempfile::tempdir().unwrap();
    let mut dirs: Vec<PathBuf> = Vec::new();
    for src in FIXTURES {
        let out = root.path().join(src.rsplit('/').next().unwrap());
        migrate(src, &out, &[]);
        dirs.push(out);
    }
    let out = std::process::Command::new(&python)
        .arg("tests/support/kfp_migrate_check.py")
        .args(&dirs)
        .output()
        .expect("run kfp_migrate_check.py");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "the KFP SDK disagrees:\n{text}");
    assert_eq!(text.matches("ok   ").count(), FIXTURES.len(), "{text}");
}

/// Every pipeline of every fixture directory of the repository (the make,
/// Airflow, Jenkins and cron corpora, not written for migrate) migrates with
/// `--all` to valid IR; with `KFR_REQUIRE_KFP=1` the SDK checks each too.
#[test]
fn the_whole_corpus_migrates() {
    let mut sources: Vec<String> = Vec::new();
    for e in std::fs::read_dir("testdata/make").unwrap() {
        sources.push(e.unwrap().path().to_string_lossy().into_owned());
    }
    sources.sort();
    sources.extend(["testdata/airflow", "testdata/jenkins", "testdata/cron"].map(String::from));
    let root = tempfile::tempdir().unwrap();
    let mut dirs: Vec<PathBuf> = Vec::new();
    for (i, src) in sources.iter().enumerate() {
        let out = root.path().join(format!("m{i}"));
        let written = migrate(src, &out, &["--all"]);
        assert!(
            written.keys().any(|k| k.ends_with("pipeline.yaml")),
            "{src}: nothing migrated"
        );
        for (name, text) in &written {
            if name.ends_with(".yaml") {
                let report = validate::validate_yaml(text);
                assert!(report.is_ok(), "{src}: {name}: {:?}", report.errors);
            }
            if name.ends_with("pipeline.yaml") {
                dirs.push(out.join(name.trim_end_matches("pipeline.yaml")));
            }
        }
    }
    assert!(dirs.len() > 150, "{} migrations", dirs.len());
    if std::env::var_os("KFR_REQUIRE_KFP").is_none() {
        return;
    }
    let python = python_venv::python("kfp-venv", KFP).unwrap_or_else(|e| panic!("cannot install the KFP SDK: {e}"));
    let out = std::process::Command::new(&python)
        .arg("tests/support/kfp_migrate_check.py")
        .args(&dirs)
        .output()
        .expect("run kfp_migrate_check.py");
    let text = String::from_utf8_lossy(&out.stdout);
    let failures: Vec<&str> = text.lines().filter(|l| !l.starts_with("ok")).collect();
    assert!(out.status.success(), "the KFP SDK disagrees:\n{}", failures.join("\n"));
}

#[test]
fn python_operator_arguments_by_position_and_name() {
    let src = tempfile::tempdir().unwrap();
    std::fs::write(
        src.path().join("scoring.py"),
        r#"from datetime import datetime

from airflow import DAG
from airflow.operators.python import PythonOperator


def score(model_path: str, threshold: float = 0.5, batch=64):
    print(model_path, threshold, batch)


with DAG("nightly_scoring", start_date=datetime(2024, 1, 1), schedule="@daily") as dag:
    PythonOperator(task_id="score", python_callable=score, op_args=["/models/m.pkl", 0.7], op_kwargs={"batch": 128})
"#,
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let written = migrate(src.path().to_str().unwrap(), out.path(), &[]);
    let p = yaml(&written["pipeline.yaml"]);
    let inputs = &p["root"]["inputDefinitions"]["parameters"];
    assert_eq!(inputs["model_path"]["defaultValue"], "/models/m.pkl");
    assert_eq!(inputs["threshold"]["defaultValue"], 0.7);
    assert_eq!(inputs["batch"]["defaultValue"], 128);
    assert_eq!(inputs["batch"]["parameterType"], "NUMBER_INTEGER");
    assert!(written["pipeline.py"].contains("def score(model_path: str, threshold: float = 0.5, batch: int = 64):"));
    assert!(written["MIGRATION.md"].contains("`0 0 0 * * *`"));
}

/// PyYAML (YAML 1.1, what the SDK loads with) reads the emitted YAML as
/// the same values: `yes`, dates and times stay strings, scripts keep
/// their bytes.
#[test]
fn pyyaml_reads_the_values_written() {
    if std::env::var_os("KFR_REQUIRE_KFP").is_none() {
        return;
    }
    let python = python_venv::python("kfp-venv", KFP).unwrap_or_else(|e| panic!("cannot install the KFP SDK: {e}"));
    let tricky = serde_json::json!({
        "words": ["yes", "No", "on", "off", "y", "n", "true", "null", "~", "=", "<<"],
        "numbers": ["2024-01-01", "2024-01-01 10:00:00", "1:30", "0x1f", "0o17", "1e3", "007", ".5", "-1", "+2", "1_000", ".inf", "0.0.1"],
        "text": ["-ec", "--executor_input", "{{$}}", "a: b", "a #b", "#x", "ü résumé", " lead", "trail ", "it's", "?x", ":x", "-", "--", "- x", "---", "x:"],
        "scripts": ["\nif true; then\n    echo x\nfi\n", "a\n\n\n", "  indented\n\tx", "x\r\ny", "bell\u{7}"],
        "numbers_typed": [300, 0.05, 2.0, -1e-5, true, null],
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.yaml");
    std::fs::write(
        &path,
        kfr::migrate::spec::to_yaml(&serde_json::json!({"pipelineInfo": {"name": "t"}, "v": tricky})),
    )
    .unwrap();
    let out = std::process::Command::new(&python)
        .args([
            "-c",
            "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))['v']))",
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let back: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(back, tricky);
}
