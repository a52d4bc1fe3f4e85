//! The KFP SDK is the oracle for the KFP frontend. For every fixture under
//! `testdata/kfp/`, `compiled/<stem>/<pipeline>.yaml` is what kfp 2.17
//! compiles it to and `expected/<stem>.json` what the comparison needs,
//! read out of that IR by `testdata/kfp/oracle.py` (see the README there):
//! every task of the root DAG and of its group DAGs with its group, kind,
//! `dependentTasks`, consumed outputs, retry count, caching, image and
//! packages, and the errors the SDK raised.
//!
//! kfr must agree twice: reading the Python file without importing it, and
//! reading the compiled YAML. With `KFR_REQUIRE_KFP=1` (the README's test
//! command), the SDK itself is installed into a throwaway virtualenv and
//! re-run over the fixtures, and its answers must equal the committed ones.

#[path = "support/python_venv.rs"]
mod python_venv;

use kfr::diagnostic::Severity;
use kfr::frontend::kfp::{self, model};
use kfr::packages::normalize_name;
use kfr::source::SourceDb;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const FIXTURES: &str = "testdata/kfp";

/// The fixture folder: `testdata/kfp`, or another one prepared the same way
/// by `oracle.py` (`KFR_KFP_FIXTURES=DIR`), to check kfr against a corpus
/// of pipelines not in this repository.
fn root() -> String {
    std::env::var("KFR_KFP_FIXTURES").unwrap_or_else(|_| FIXTURES.to_string())
}

fn fixtures() -> Vec<(PathBuf, Value)> {
    let mut out = Vec::new();
    let root = root();
    let root = root.as_str();
    for entry in std::fs::read_dir(root).expect("the fixture folder exists") {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "py") && path.file_name().is_some_and(|n| n != "oracle.py") {
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            let expected = Path::new(root).join("expected").join(format!("{stem}.json"));
            if let Ok(text) = std::fs::read_to_string(&expected) {
                out.push((path, serde_json::from_str(&text).unwrap()));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// What the comparison looks at, for one task.
#[derive(Debug, Clone, PartialEq, Eq)]
struct TaskView {
    group: Option<String>,
    kind: String,
    display_name: String,
    dependent: Vec<String>,
    consumes: Vec<String>,
    retries: Option<u32>,
    caching: Option<bool>,
    image: Option<String>,
    packages: Vec<String>,
    /// The component's inputs and outputs with their IR types.
    inputs: BTreeMap<String, String>,
    outputs: BTreeMap<String, String>,
}

type View = BTreeMap<String, BTreeMap<String, TaskView>>;

/// A requirement's distribution name, as pip reads it.
fn package_name(spec: &str) -> String {
    match kfr::packages::classify(spec, false) {
        Some(r) => normalize_name(&r.name),
        None => spec.to_string(),
    }
}

fn types(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .map(|m| {
            m.iter()
                .map(|(k, t)| (k.clone(), t.as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// An input's or output's type as the IR writes it.
fn ir_type(ty: &model::IoType) -> String {
    match ty {
        model::IoType::Parameter(p) => p.ir().to_string(),
        model::IoType::Artifact { schema, list: true } => format!("{schema}[]"),
        model::IoType::Artifact { schema, .. } => schema.clone(),
    }
}

fn oracle_view(json: &Value) -> View {
    let mut view = View::new();
    for (name, p) in json["pipelines"].as_object().unwrap() {
        let mut tasks = BTreeMap::new();
        for (key, t) in p["tasks"].as_object().unwrap() {
            let strings = |v: &Value| -> Vec<String> {
                v.as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_str().unwrap().to_string())
                    .collect()
            };
            tasks.insert(
                key.clone(),
                TaskView {
                    group: t["group"].as_str().map(str::to_string),
                    kind: t["kind"].as_str().unwrap().to_string(),
                    display_name: t["display_name"].as_str().unwrap_or(key).to_string(),
                    dependent: strings(&t["dependentTasks"]),
                    consumes: strings(&t["consumes"]),
                    retries: t["retries"].as_u64().map(|r| r as u32),
                    caching: t["caching"].as_bool(),
                    image: t["image"].as_str().map(str::to_string),
                    packages: strings(&t["packages"]).iter().map(|s| package_name(s)).collect(),
                    inputs: types(&t["interface"]["inputs"]),
                    outputs: types(&t["interface"]["outputs"]),
                },
            );
        }
        view.insert(name.clone(), tasks);
    }
    view
}

/// kfr's reading: the model for the compiler's view, the lowered steps for
/// images and packages (a container's command is read for its installs).
fn kfr_view(pipelines: &[model::Pipeline], frag: &kfr::dag::Fragment) -> View {
    let mut view = View::new();
    for p in pipelines.iter().filter(|p| p.embedded_in.is_none()) {
        let pi = frag.pipelines.iter().position(|x| x.name == p.name);
        let mut tasks = BTreeMap::new();
        for t in &p.tasks {
            let group = matches!(t.kind, model::TaskKind::Group(_));
            let container = t.kind == model::TaskKind::Container;
            let comp = t.component.as_ref();
            tasks.insert(
                t.key.clone(),
                TaskView {
                    group: t.group.clone(),
                    kind: t.kind.as_str().to_string(),
                    display_name: t.display_name.clone(),
                    dependent: t.dependent_tasks.clone(),
                    consumes: t.consumes.clone(),
                    retries: t.retry.as_ref().map(|r| r.count.unwrap_or(u32::MAX)),
                    caching: (!group).then(|| t.caching.enabled()),
                    image: comp
                        .filter(|_| container)
                        .and_then(|c| c.image.as_ref())
                        .map(|i| i.name.clone()),
                    packages: frag
                        .steps
                        .iter()
                        .find(|s| Some(s.pipeline) == pi && s.name == t.key)
                        .filter(|_| container)
                        .map(|s| s.packages.iter().map(|p| normalize_name(&p.name)).collect())
                        .unwrap_or_default(),
                    inputs: comp
                        .map(|c| c.inputs.iter().map(|i| (i.name.clone(), ir_type(&i.ty))).collect())
                        .unwrap_or_default(),
                    outputs: comp
                        .map(|c| c.outputs.iter().map(|i| (i.name.clone(), ir_type(&i.ty))).collect())
                        .unwrap_or_default(),
                },
            );
        }
        view.insert(p.name.clone(), tasks);
    }
    view
}

/// Differences between two views, as lines.
fn diff(what: &str, expected: &View, got: &View, only_expected: bool) -> Vec<String> {
    let mut out = Vec::new();
    for (name, tasks) in expected {
        let Some(mine) = got.get(name) else {
            out.push(format!(
                "{what}: pipeline `{name}` missing (kfr has {:?})",
                got.keys().collect::<Vec<_>>()
            ));
            continue;
        };
        for (key, t) in tasks {
            match mine.get(key) {
                None => out.push(format!(
                    "{what}: {name}: task `{key}` missing (kfr has {:?})",
                    mine.keys().collect::<Vec<_>>()
                )),
                Some(m) if m != t => out.push(format!("{what}: {name}: task `{key}`:\n  SDK: {t:?}\n  kfr: {m:?}")),
                _ => {}
            }
        }
        for key in mine.keys() {
            if !tasks.contains_key(key) {
                out.push(format!("{what}: {name}: kfr has task `{key}` the SDK does not"));
            }
        }
    }
    if !only_expected {
        for name in got.keys() {
            if !expected.contains_key(name) {
                out.push(format!("{what}: kfr has pipeline `{name}` the SDK does not"));
            }
        }
    }
    out
}

/// Errors the SDK raised that are mistakes in the file, not SDK bugs
/// (`AssertionError`) or what the machine running it lacked (a package, the
/// network).
fn user_errors(json: &Value) -> Vec<(String, usize)> {
    const NOT_THE_FILE: &[&str] = &[
        "AssertionError",
        "ModuleNotFoundError",
        "ImportError",
        "ConnectionError",
    ];
    json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| !NOT_THE_FILE.contains(&e["type"].as_str().unwrap_or("")))
        .map(|e| {
            (
                format!("{}: {}", e["type"].as_str().unwrap(), e["message"].as_str().unwrap()),
                e["line"].as_u64().unwrap_or(0) as usize,
            )
        })
        .collect()
}

/// Every difference, each on its own lines.
fn assert_agree(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn there_are_enough_fixtures() {
    assert!(
        fixtures().len() >= 30 || root() != FIXTURES,
        "at least 30 KFP fixtures with the SDK's answers"
    );
}

#[test]
fn python_fixtures_agree_with_the_sdk() {
    let mut failures = Vec::new();
    let mut counted = (0, 0);
    for (path, json) in fixtures() {
        let db = SourceDb::new();
        let file = db.load(&path).unwrap();
        let (pipelines, frag) = kfp::read_python(&db, &file);
        let diags = &frag.diagnostics;
        let expected = oracle_view(&json);
        let got = kfr_view(&pipelines, &frag);
        let errors = user_errors(&json);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let sdk_failed = !json["errors"].as_array().unwrap().is_empty();
        for d in diff(&name, &expected, &got, sdk_failed) {
            failures.push(d);
        }
        counted.0 += expected.len();
        counted.1 += expected.values().map(|t| t.len()).sum::<usize>();
        // every error the SDK raises is an error of kfr's, at that line
        for (message, line) in &errors {
            let lines = |d: &kfr::diagnostic::Diagnostic| -> Vec<usize> {
                std::iter::once(d.span)
                    .chain(d.related.iter().map(|r| r.span))
                    .map(|s| db.get(s.file).line_col(s.start as usize).0)
                    .collect()
            };
            let found = diags
                .iter()
                .any(|d| d.severity == Severity::Error && lines(d).contains(line));
            if !found {
                let mine: Vec<String> = diags
                    .iter()
                    .map(|d| format!("{:?} {:?}: {}", d.severity, lines(d), d.message))
                    .collect();
                failures.push(format!(
                    "{name}: the SDK raises `{message}` at line {line}; kfr says {mine:#?}"
                ));
            }
        }
        // where the SDK stopped for its environment, kfr's errors cannot be judged
        if !sdk_failed {
            for d in diags.iter().filter(|d| d.severity == Severity::Error) {
                failures.push(format!(
                    "{name}: the SDK compiles this file, kfr reports an error: {} (line {})",
                    d.message,
                    db.get(d.span.file).line_col(d.span.start as usize).0
                ));
            }
        }
    }
    assert_agree(&failures);
    assert!(
        counted.1 > 200 || root() != FIXTURES,
        "compared {} pipelines, {} tasks",
        counted.0,
        counted.1
    );
}

#[test]
fn compiled_yaml_agrees_with_the_sdk() {
    let mut failures = Vec::new();
    let mut files = 0;
    for (path, json) in fixtures() {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let expected = oracle_view(&json);
        for name in expected.keys() {
            let yaml = Path::new(&root())
                .join("compiled")
                .join(&stem)
                .join(format!("{name}.yaml"));
            let db = SourceDb::new();
            let file = db.load(&yaml).unwrap_or_else(|e| panic!("{}: {e}", yaml.display()));
            let (pipelines, frag) = kfp::read_yaml(&db, &file);
            files += 1;
            for d in &frag.diagnostics {
                failures.push(format!("{}: {}", yaml.display(), d.message));
            }
            let one: View = expected
                .iter()
                .filter(|(k, _)| *k == name)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let got = kfr_view(&pipelines, &frag);
            failures.extend(diff(&yaml.display().to_string(), &one, &got, false));
        }
    }
    assert_agree(&failures);
    assert!(files >= 30 || root() != FIXTURES, "compared {files} compiled pipelines");
}

/// The SDK these answers come from; the README's test command runs it.
const KFP: &[&str] = &["kfp==2.17.3", "kfp-kubernetes==2.17.3"];

#[test]
fn the_sdk_still_gives_the_committed_answers() {
    if std::env::var_os("KFR_REQUIRE_KFP").is_none() {
        // plain `cargo test` runs without Python: the committed answers stand
        return;
    }
    let python = python_venv::python("kfp-venv", KFP).unwrap_or_else(|e| panic!("cannot install the KFP SDK: {e}"));
    let out = std::process::Command::new(&python)
        .args(["testdata/kfp/oracle.py", "--check", FIXTURES])
        .output()
        .expect("run oracle.py");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "the KFP SDK disagrees with testdata/kfp/expected:\n{text}"
    );
    assert!(text.contains("agrees"), "{text}");
    // the bundled example's YAML is what the SDK compiles its pipeline to
    let dir = tempfile::tempdir().unwrap();
    let compiled = dir.path().join("churn_retrain.yaml");
    let script = "import importlib.util, sys\n\
        spec = importlib.util.spec_from_file_location('example', sys.argv[1])\n\
        m = importlib.util.module_from_spec(spec)\n\
        spec.loader.exec_module(m)\n\
        from kfp import compiler\n\
        compiler.Compiler().compile(m.churn_retrain, sys.argv[2])\n";
    let out = std::process::Command::new(&python)
        .args(["-W", "ignore", "-c", script, "testdata/examples/kfp-churn/pipeline.py"])
        .arg(&compiled)
        .output()
        .expect("compile the example");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(&compiled).unwrap(),
        std::fs::read_to_string("testdata/examples/kfp-churn/churn_retrain.yaml").unwrap(),
        "testdata/examples/kfp-churn/churn_retrain.yaml is not what the SDK compiles pipeline.py to"
    );
}

/// What a finding is about: its rule and the first name it quotes (an
/// image for KFR004), so a Python file's findings and its compiled YAML's
/// can be compared whatever the wording and the lines.
fn subjects(files: &[PathBuf]) -> std::collections::BTreeSet<(String, String)> {
    use kfr::discover::Discovered;
    use kfr::frontend::{Options, classify};
    let discovered: Vec<Discovered> = files
        .iter()
        .map(|p| Discovered {
            path: p.clone(),
            kind: classify(p).unwrap(),
        })
        .collect();
    let analysis = kfr::analysis::analyze(&discovered, &Options::default());
    let diags = kfr::analysis::lint(&analysis, &kfr::rules::Selection::all());
    diags
        .iter()
        .filter(|d| d.code != "KFR000")
        .map(|d| {
            let quoted: Vec<&str> = d.message.split('`').skip(1).step_by(2).collect();
            let subject = match d.code {
                "KFR004" => quoted
                    .iter()
                    .find(|q| q.contains(':') || q.contains('/'))
                    .or(quoted.first())
                    .copied(),
                _ => quoted.first().copied(),
            };
            (d.code.to_string(), subject.unwrap_or("").to_string())
        })
        .collect()
}

#[test]
fn compiled_yaml_is_linted_like_its_python() {
    let mut failures = Vec::new();
    for (path, json) in fixtures() {
        if !json["errors"].as_array().unwrap().is_empty() {
            continue;
        }
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let yamls: Vec<PathBuf> = json["pipelines"]
            .as_object()
            .unwrap()
            .keys()
            .map(|name| {
                Path::new(&root())
                    .join("compiled")
                    .join(&stem)
                    .join(format!("{name}.yaml"))
            })
            .collect();
        let from_python = subjects(std::slice::from_ref(&path));
        let from_yaml = subjects(&yamls);
        if from_python != from_yaml {
            let only_py: Vec<_> = from_python.difference(&from_yaml).collect();
            let only_yaml: Vec<_> = from_yaml.difference(&from_python).collect();
            failures.push(format!(
                "{}: only from the Python: {only_py:?}; only from the YAML: {only_yaml:?}",
                path.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The command and args of every container component, as kfr reads them
/// from the Python (placeholders substituted as the SDK substitutes them)
/// and from the YAML the SDK compiled.
#[test]
fn container_commands_agree_with_the_sdk() {
    type Commands = BTreeMap<String, (Vec<String>, Vec<String>)>;
    let commands = |pipelines: &[model::Pipeline]| -> Commands {
        let mut out = Commands::new();
        for p in pipelines {
            for t in &p.tasks {
                if let Some(c) = t
                    .component
                    .as_ref()
                    .filter(|c| c.kind == model::ComponentKind::Container)
                {
                    let words = |ws: &[model::Word]| ws.iter().map(|w| w.text.clone()).collect();
                    out.insert(format!("{}/{}", p.name, t.key), (words(&c.command), words(&c.args)));
                }
            }
        }
        out
    };
    let mut failures = Vec::new();
    let mut compared = 0;
    for (path, json) in fixtures() {
        if !json["errors"].as_array().unwrap().is_empty() {
            continue;
        }
        let db = SourceDb::new();
        let file = db.load(&path).unwrap();
        let (pipelines, _) = kfp::read_python(&db, &file);
        let from_python = commands(&pipelines);
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let mut from_yaml = Commands::new();
        for name in json["pipelines"].as_object().unwrap().keys() {
            let yaml = Path::new(&root())
                .join("compiled")
                .join(&stem)
                .join(format!("{name}.yaml"));
            let file = db.load(&yaml).unwrap();
            let (pipelines, _) = kfp::read_yaml(&db, &file);
            let embedded: Vec<model::Pipeline> = pipelines.into_iter().filter(|p| p.embedded_in.is_none()).collect();
            from_yaml.extend(commands(&embedded));
        }
        for (task, yaml) in &from_yaml {
            compared += 1;
            match from_python.get(task) {
                Some(py) if py == yaml => {}
                py => failures.push(format!("{}: {task}:\n  SDK {yaml:?}\n  kfr {py:?}", path.display())),
            }
        }
    }
    assert_agree(&failures);
    assert!(
        compared >= 20 || root() != FIXTURES,
        "compared {compared} container tasks"
    );
}

#[test]
fn pipeline_descriptions_and_display_names_agree_with_the_sdk() {
    let mut failures = Vec::new();
    for (path, json) in fixtures() {
        let db = SourceDb::new();
        let file = db.load(&path).unwrap();
        let (pipelines, _) = kfp::read_python(&db, &file);
        for (name, p) in json["pipelines"].as_object().unwrap() {
            let Some(mine) = pipelines.iter().find(|q| &q.name == name) else {
                continue;
            };
            let want = (p["description"].as_str(), p["display_name"].as_str());
            let got = (mine.description.as_deref(), mine.display_name.as_deref());
            if want != got {
                failures.push(format!("{}: {name}: SDK {want:?}, kfr {got:?}", path.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
