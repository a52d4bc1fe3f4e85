//! Jenkins pipelines, Jenkins jobs and crontabs: the graph and findings of
//! every fixture as reviewed snapshots, and the acceptance checks on the
//! mixed repository `testdata/examples/jenkins-retrain`.

use std::path::Path;

#[path = "support/run.rs"]
mod run;

/// Fixtures with parse problems say so on stderr; only the output is compared.
fn kfr(args: &[&str]) -> (Option<i32>, String) {
    let (code, stdout, _) = run::kfr(args);
    (code, stdout)
}

/// Findings then graph, for one snapshot per fixture.
fn report(path: &str) -> String {
    // the file alone, not the fixture repository around it
    let (code, lint) = kfr(&["lint", path, "--format", "concise", "--no-project"]);
    assert!(matches!(code, Some(0) | Some(1)), "{path}: exit {code:?}\n{lint}");
    let (code, graph) = kfr(&["graph", path]);
    assert_eq!(code, Some(0), "{path}");
    format!("$ kfr lint {path} --format concise\n{lint}\n$ kfr graph {path}\n{graph}")
}

fn files(dir: &str, keep: impl Fn(&Path) -> bool) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file() && keep(e.path()))
        .map(|e| e.path().to_string_lossy().replace('\\', "/"))
        .collect();
    out.sort();
    out
}

fn snapshot_name(path: &str) -> String {
    path.trim_start_matches("testdata/").replace(['/', '.'], "_")
}

#[test]
fn jenkinsfiles() {
    let all = files("testdata/jenkins/pipelines", |p| {
        kfr::frontend::classify(p) == Some(kfr::frontend::SourceKind::Jenkinsfile)
    });
    assert!(all.len() >= 20, "{} Jenkinsfiles", all.len());
    for f in all {
        insta::assert_snapshot!(snapshot_name(&f), report(&f));
    }
}

#[test]
fn malformed_jenkins_files_are_reported_and_still_read() {
    for f in files("testdata/jenkins/malformed", |_| true) {
        let out = report(&f);
        assert!(out.contains("error[KFR000]"), "{f}: no parse error\n{out}");
        insta::assert_snapshot!(snapshot_name(&f), out);
    }
}

#[test]
fn jenkins_job_tree() {
    let jobs = files("testdata/jenkins/jobs", |p| {
        p.file_name().is_some_and(|n| n == "config.xml")
    });
    assert!(jobs.len() >= 7, "{} jobs", jobs.len());
    insta::assert_snapshot!(report("testdata/jenkins/jobs"));
}

#[test]
fn crontabs() {
    let tabs = files("testdata/cron", |p| {
        kfr::frontend::classify(p) == Some(kfr::frontend::SourceKind::Crontab)
    });
    assert!(tabs.len() >= 8, "{} crontabs", tabs.len());
    for f in &tabs {
        insta::assert_snapshot!(snapshot_name(f), report(f));
    }
    // read together with the makefiles they run
    insta::assert_snapshot!(report("testdata/cron"));
}

const MIXED: &str = "testdata/examples/jenkins-retrain";

#[test]
fn mixed_repository_lint() {
    let (code, out) = kfr(&["lint", MIXED, "--format", "concise"]);
    assert_eq!(code, Some(1));
    let lines: Vec<&str> = out.lines().collect();
    let has = |needle: &[&str]| lines.iter().any(|l| needle.iter().all(|n| l.contains(n)));
    // the stage that runs make without retry, with the schedule read out
    assert!(
        has(&[
            "KFR001",
            "stage `Features`",
            "`H 2 * * 1-5`",
            "Monday to Friday",
            "make target `features`"
        ]),
        "{out}"
    );
    // not the stage under retry(3), nor the targets it reaches
    assert!(!has(&["KFR001", "stage `Train`"]), "{out}");
    assert!(!has(&["KFR001", "target `models/model.joblib`"]), "{out}");
    // the make targets reached through the unretried stage
    assert!(
        has(&[
            "Makefile",
            "KFR001",
            "target `data/processed/features.parquet`",
            "run by stage `Features`"
        ]),
        "{out}"
    );
    // the unpinned lines of the requirements file the Setup stage installs
    for p in ["`pandas`", "`xgboost`", "`boto3`"] {
        assert!(has(&["requirements.txt", "KFR003", p]), "{p}\n{out}");
    }
    assert!(!has(&["KFR003", "scikit-learn"]), "{out}");
    // the handoff from the make target to the Jenkins stage
    assert!(
        has(&["Jenkinsfile", "KFR002", "`models/model.joblib`", "`Publish`"]),
        "{out}"
    );
    let (_, full) = kfr(&["lint", MIXED]);
    insta::assert_snapshot!(full);
}

#[test]
fn mixed_repository_graph() {
    let (code, out) = kfr(&["graph", MIXED]);
    assert_eq!(code, Some(0));
    let g: serde_json::Value = serde_json::from_str(&out).unwrap();
    let pipelines = g["pipelines"].as_array().unwrap();
    let jenkins = pipelines.iter().find(|p| p["kind"] == "jenkins").unwrap();
    assert_eq!(jenkins["schedule"], "H 2 * * 1-5");
    assert!(
        pipelines
            .iter()
            .any(|p| p["kind"] == "cron" && p["schedule"] == "30 3 * * *")
    );
    let steps = g["steps"].as_array().unwrap();
    let step = |name: &str| {
        steps
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    assert_eq!(step("Train")["kind"], "stage");
    assert_eq!(
        step("models/model.joblib")["retries"],
        2,
        "retry(3) is 3 attempts: 2 retries"
    );
    assert_eq!(step("data/processed/features.parquet")["retries"], 0);
    let edges = g["edges"].as_array().unwrap();
    let edge = |from: &str, to: &str, kind: &str| {
        edges
            .iter()
            .any(|e| e["kind"] == kind && step_name(steps, &e["from"]) == from && step_name(steps, &e["to"]) == to)
    };
    assert!(edge("Features", "features", "invokes"));
    assert!(edge("Train", "train", "invokes"));
    assert!(edge("Setup", "Features", "order") && edge("Features", "Train", "order"));
    assert!(edge("models/model.joblib", "Publish", "file"));
    insta::assert_snapshot!(out);
}

fn step_name<'a>(steps: &'a [serde_json::Value], id: &serde_json::Value) -> &'a str {
    steps
        .iter()
        .find(|s| &s["id"] == id)
        .and_then(|s| s["name"].as_str())
        .unwrap_or("")
}
