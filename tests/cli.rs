//! The `kfr` binary end to end: exit codes, output formats, bad input.

use std::path::Path;
use std::process::{Command, Output};

fn kfr(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kfr"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn project(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, body).unwrap();
    }
    dir
}

const PIPELINE: &[u8] = b"data/features.parquet: data/raw.csv\n\tpython featurize.py --in $< --out $@\n\nmodels/model.pkl: data/features.parquet\n\tpython train.py --data $< --out $@\n";

#[test]
fn exit_codes() {
    let clean = project(&[("Makefile", b".PHONY: hello\nhello:\n\t@echo hello\n")]);
    let o = kfr(clean.path(), &["lint"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(stdout(&o), "No problems found (1 file checked).\n");

    let findings = project(&[("Makefile", PIPELINE)]);
    assert_eq!(kfr(findings.path(), &["lint"]).status.code(), Some(1));
    assert_eq!(
        kfr(findings.path(), &["lint", "--ignore", "KFR001,KFR002"])
            .status
            .code(),
        Some(0)
    );

    for bad in [
        &["lint", "--select", "KFR999"][..],
        &["lint", "--format", "xml"],
        &["lint", "no/such/path"],
        &["rule", "no-such-rule"],
        &["graph", "--upstream-of", "nothing.csv"],
        &["frobnicate"],
    ] {
        let o = kfr(findings.path(), bad);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{bad:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(!o.stderr.is_empty(), "{bad:?} explains itself on stderr");
    }
}

#[test]
fn json_findings_follow_the_contract() {
    let dir = project(&[("Makefile", PIPELINE)]);
    let o = kfr(dir.path(), &["lint", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let items = v.as_array().unwrap();
    assert!(!items.is_empty());
    for item in items {
        let keys: Vec<&str> = item.as_object().unwrap().keys().map(String::as_str).collect();
        for k in [
            "code",
            "name",
            "severity",
            "message",
            "help",
            "file",
            "line",
            "column",
            "end_line",
            "end_column",
        ] {
            assert!(keys.contains(&k), "missing {k} in {item}");
        }
        assert!(item["line"].as_u64().unwrap() >= 1 && item["column"].as_u64().unwrap() >= 1);
    }
    let handoff = items.iter().find(|i| i["code"] == "KFR002").unwrap();
    assert_eq!(handoff["name"], "untyped-path-handoff");
    assert_eq!(handoff["file"], "Makefile");
    assert_eq!(
        (handoff["line"].as_u64(), handoff["column"].as_u64()),
        (Some(4), Some(19))
    );
    assert_eq!(handoff["end_column"].as_u64(), Some(40));
}

#[test]
fn select_and_ignore_take_names_or_ids() {
    let dir = project(&[("Makefile", PIPELINE)]);
    let by_name = stdout(&kfr(
        dir.path(),
        &["lint", "--format", "concise", "--select", "untyped-path-handoff"],
    ));
    let by_id = stdout(&kfr(dir.path(), &["lint", "--format", "concise", "--select", "kfr002"]));
    assert_eq!(by_name, by_id);
    assert!(by_name.contains("[KFR002]") && !by_name.contains("[KFR001]"));
}

#[test]
fn bad_files_are_diagnosed_and_the_others_still_linted() {
    let dir = project(&[
        ("broken/Makefile", b"all: x\n\ntrain data.csv\n\tpython train.py\n"),
        ("binary/Makefile", b"all:\n\x00\x01\x02\xff\xfe junk\n"),
        ("latin1/Makefile", b"# caf\xe9\nall:\n\techo \xe9\n"),
        ("define/Makefile", b"define RECIPE\n\techo hi\n"),
        ("missing-include/Makefile", b"include config.mk\nall:\n\techo hi\n"),
        ("good/Makefile", PIPELINE),
    ]);
    let o = kfr(dir.path(), &["lint", "--format", "concise"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    for expected in [
        "binary/Makefile:2:1: error[KFR000] binary data",
        "broken/Makefile:3:1: error[KFR000] missing separator",
        "define/Makefile:1:1: error[KFR000] missing `endef`",
        "latin1/Makefile:1:6: error[KFR000] the file is not valid UTF-8",
        "missing-include/Makefile:1:9: error[KFR000] included file `config.mk` not found",
        "good/Makefile:1:1: warning[KFR001]",
        "good/Makefile:4:19: warning[KFR002]",
    ] {
        assert!(out.contains(expected), "expected `{expected}` in\n{out}");
    }
    assert!(o.stderr.is_empty(), "no panic: {}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn full_format_shows_snippets_and_help() {
    let dir = project(&[("Makefile", PIPELINE)]);
    let out = stdout(&kfr(dir.path(), &["lint", "--select", "KFR002"]));
    assert!(
        out.contains("warning[KFR002]: `data/features.parquet` is handed to `models/model.pkl` as a bare file path"),
        "{out}"
    );
    assert!(out.contains("4 │ models/model.pkl: data/features.parquet"), "{out}");
    assert!(
        out.contains("= help: hand it over as a typed artifact: `Output[Dataset]`"),
        "{out}"
    );
    assert!(!out.contains('\u{1b}'), "no colour when not a terminal");
    let coloured = stdout(&kfr(dir.path(), &["lint", "--select", "KFR002", "--color", "always"]));
    assert!(coloured.contains('\u{1b}'));
}

#[test]
fn graph_queries() {
    let dir = project(&[("Makefile", PIPELINE)]);
    let o = kfr(dir.path(), &["graph", "--upstream-of", "models/model.pkl"]);
    assert_eq!(o.status.code(), Some(0));
    let g: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(g["version"], 1);
    let names: Vec<&str> = g["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["data/features.parquet", "models/model.pkl"]);
    let edge = &g["edges"][0];
    assert_eq!(
        (edge["kind"].as_str(), edge["path"].as_str()),
        (Some("file"), Some("data/features.parquet"))
    );

    let down = kfr(
        dir.path(),
        &["graph", "--downstream-of", "data/raw.csv", "--format", "mermaid"],
    );
    let m = stdout(&down);
    assert!(m.starts_with("flowchart LR\n"), "{m}");
    assert!(m.contains("-->|\"data/features.parquet\"|"), "{m}");
    let only = kfr(
        dir.path(),
        &["graph", "--downstream-of", "models/model.pkl", "--format", "dot"],
    );
    let d = stdout(&only);
    assert!(
        d.contains("\"make:Makefile::models/model.pkl\" [label=\"models/model.pkl\"]"),
        "{d}"
    );
    assert!(!d.contains("label=\"data/features.parquet\"]"), "{d}");
}

#[test]
fn recursive_make_and_make_f_are_invocations() {
    let dir = project(&[
        (
            "Makefile",
            b".PHONY: all train report\nall: train report\ntrain:\n\t$(MAKE) -C ml train EPOCHS=3\nreport:\n\tmake -f reports.mk html\n",
        ),
        (
            "ml/Makefile",
            b".PHONY: train\ntrain: model.pkl\nmodel.pkl: features.csv\n\tpython train.py --data $< --out $@\nfeatures.csv:\n\tpython featurize.py --out $@\n",
        ),
        ("reports.mk", b".PHONY: html\nhtml:\n\tjupyter nbconvert --to html report.ipynb\n"),
    ]);
    let g: serde_json::Value = serde_json::from_slice(&kfr(dir.path(), &["graph"]).stdout).unwrap();
    let invokes: Vec<(String, String)> = g["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "invokes")
        .map(|e| {
            (
                e["from"].as_str().unwrap().to_string(),
                e["to"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        invokes,
        vec![
            (
                "make:Makefile::train".to_string(),
                "make:ml/Makefile::train".to_string()
            ),
            ("make:Makefile::report".to_string(), "make:reports.mk::html".to_string()),
        ]
    );
    // what produced the model, across the two makefiles
    let up = kfr(
        dir.path(),
        &["graph", "--upstream-of", "ml/model.pkl", "--format", "mermaid"],
    );
    let m = stdout(&up);
    assert!(
        m.contains("\"make: ml/Makefile\"") && m.contains("\"features.csv\""),
        "{m}"
    );
}

#[test]
fn discovery_skips_vendored_and_excluded_directories() {
    let dir = project(&[
        ("Makefile", b".PHONY: a\na:\n\t@echo a\n"),
        (".venv/lib/Makefile", b"broken line\n"),
        ("node_modules/pkg/Makefile", b"broken line\n"),
        ("target/debug/x.mk", b"broken line\n"),
        ("env/pyvenv.cfg", b"home = /usr/bin\n"),
        ("env/Makefile", b"broken line\n"),
        ("third_party/lib/Makefile", b"broken line\n"),
        ("notes.txt", b"not a pipeline\n"),
    ]);
    let o = kfr(dir.path(), &["lint", "--exclude", "third_party", "--format", "concise"]);
    assert_eq!(stdout(&o), "No problems found (1 file checked).\n");
    // an explicit file is read even when excluded
    let o = kfr(
        dir.path(),
        &["lint", "--exclude", "third_party", "third_party/lib/Makefile"],
    );
    assert_eq!(o.status.code(), Some(1));
    // an explicit file kfr cannot read as a pipeline is reported on stderr
    let o = kfr(dir.path(), &["lint", "notes.txt"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stderr).contains("notes.txt: not a pipeline source"));
}

#[test]
fn huge_files_are_not_read() {
    let dir = project(&[("good/Makefile", PIPELINE)]);
    let mut big = Vec::with_capacity(9 << 20);
    while big.len() < (9 << 20) {
        big.extend_from_slice(b"data/part.csv: data/raw.csv\n\tcp $< $@\n");
    }
    std::fs::create_dir_all(dir.path().join("big")).unwrap();
    std::fs::write(dir.path().join("big/Makefile"), big).unwrap();
    let out = stdout(&kfr(dir.path(), &["lint", "--format", "concise"]));
    let size = std::fs::metadata(dir.path().join("big/Makefile")).unwrap().len();
    assert!(
        out.contains(&format!(
            "big/Makefile:1:1: error[KFR000] file is {size} bytes (9.0 MiB), over the limit of 8388608 bytes (8.0 MiB)"
        )),
        "{out}"
    );
    assert!(out.contains("good/Makefile:4:19: warning[KFR002]"), "{out}");
}

#[test]
fn rules_table() {
    let dir = project(&[]);
    let out = stdout(&kfr(dir.path(), &["rules"]));
    let first: Vec<&str> = out.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(first, ["ID", "NAME", "SEVERITY", "SUMMARY"]);
    for m in kfr::rules::all() {
        assert!(
            out.lines()
                .any(|l| l.starts_with(m.id) && l.contains(m.name) && l.contains(m.summary))
        );
    }
}

#[test]
fn make_vars_are_command_line_overrides() {
    let dir = project(&[(
        "Makefile",
        b"ENV ?= dev\nifeq ($(ENV),prod)\nMODEL := models/prod.pkl\nelse\nMODEL := models/dev.pkl\nendif\n$(MODEL): data.csv\n\tpython train.py --data $< --out $@\n",
    )]);
    let names = |args: &[&str]| -> Vec<String> {
        let g: serde_json::Value = serde_json::from_slice(&kfr(dir.path(), args).stdout).unwrap();
        g["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&["graph"]), ["models/dev.pkl"]);
    assert_eq!(names(&["graph", "--make-var", "ENV=prod"]), ["models/prod.pkl"]);
    assert_eq!(kfr(dir.path(), &["graph", "--make-var", "oops"]).status.code(), Some(2));
}

#[test]
fn a_makefile_run_with_make_f_from_above_is_read_from_there() {
    let dir = project(&[
        (
            "Makefile",
            b".PHONY: train\ntrain:\n\t$(MAKE) -f mk/train.mk model.pkl\n",
        ),
        (
            "mk/train.mk",
            b"include mk/paths.mk\nmodel.pkl: $(DATA)\n\tpython train.py --data $< --out $@\n",
        ),
        ("mk/paths.mk", b"DATA = data/x.csv\n"),
    ]);
    let o = kfr(dir.path(), &["lint", "--format", "concise"]);
    assert!(!stdout(&o).contains("KFR000"), "{}", stdout(&o));
    let g: serde_json::Value = serde_json::from_slice(&kfr(dir.path(), &["graph"]).stdout).unwrap();
    let model = g["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "model.pkl")
        .unwrap();
    assert_eq!(model["inputs"][0], "data/x.csv");
    assert!(g["edges"].as_array().unwrap().iter().any(|e| e["kind"] == "invokes"
        && e["from"] == "make:Makefile::train"
        && e["to"] == "make:mk/train.mk::model.pkl"));
}

#[test]
fn findings_do_not_depend_on_how_the_path_is_spelled() {
    let dir = project(&[
        (
            "sub/Makefile",
            b"SRC := $(wildcard data/*.csv)\nOUT := $(SRC:data/%.csv=out/%.parquet)\nall: $(OUT)\nout/%.parquet: data/%.csv\n\tpython conv.py --in $< --out $@\nreport.html: $(OUT)\n\tpython report.py $^ > $@\n",
        ),
        ("sub/data/a.csv", b"x\n"),
        ("sub/data/b.csv", b"x\n"),
    ]);
    let run = |args: &[&str]| stdout(&kfr(dir.path(), args));
    let base = run(&["lint", "--format", "concise"]);
    assert!(
        base.contains("sub/Makefile:6:14: warning[KFR002] `out/a.parquet`"),
        "{base}"
    );
    for spelled in ["sub", "./sub", "./sub/", "sub/Makefile", "./sub/./Makefile"] {
        assert_eq!(
            run(&["lint", "--format", "concise", spelled]),
            base,
            "spelled {spelled}"
        );
    }
}
