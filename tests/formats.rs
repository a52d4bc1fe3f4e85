//! The machine output formats of `kfr lint --format X`, end to end: SARIF
//! and reviewdog's rdjson validated against their official schemas
//! (vendored in `testdata/schemas`, see its README), the XML formats parsed,
//! GitHub workflow commands and GitLab Code Quality checked field by field,
//! and each format's output for the bundled example as a reviewed snapshot.

use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// A draft-04 validator for a vendored schema, with `format` checked too.
/// Every `$ref` in these schemas points into the schema itself, so nothing
/// is fetched.
fn validator(rel: &str) -> jsonschema::Validator {
    let path = format!("{}/testdata/schemas/{rel}", env!("CARGO_MANIFEST_DIR"));
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every schema error, one per line (empty when the instance is valid).
fn schema_errors(v: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    v.iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn vendored_schemas_accept_and_reject() {
    let sarif = validator("sarif-schema-2.1.0.json");
    let good = json!({
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "t"}},
            "results": [{
                "message": {"text": "m"},
                "level": "note",
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": "a%20b/Makefile"},
                    "region": {"startLine": 1, "startColumn": 1}
                }}]
            }]
        }]
    });
    assert_eq!(schema_errors(&sarif, &good), Vec::<String>::new());
    let mut bad = good.clone();
    bad["runs"][0]["results"][0]["level"] = json!("info");
    assert!(!sarif.is_valid(&bad));
    let mut bad = good.clone();
    bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startColumn"] = json!(0);
    assert!(!sarif.is_valid(&bad));
    let mut bad = good;
    bad["version"] = json!("0.1.0");
    assert!(!sarif.is_valid(&bad));

    let diagnostic = validator("reviewdog/Diagnostic.json");
    let d = json!({
        "message": "m",
        "severity": "WARNING",
        "location": {"path": "Makefile", "range": {"start": {"line": 1, "column": 1}}}
    });
    assert_eq!(schema_errors(&diagnostic, &d), Vec::<String>::new());
    let result = validator("reviewdog/DiagnosticResult.json");
    assert_eq!(
        schema_errors(&result, &json!({"diagnostics": [d]})),
        Vec::<String>::new()
    );
    assert!(!diagnostic.is_valid(&json!({"message": "m", "severity": "warning"})));
    assert!(!result.is_valid(&json!({"diagnostics": [{"message": "m", "severity": "warning"}]})));
}

const EXAMPLE: &str = "testdata/examples/retrain";

/// Exit code and stdout of `kfr ARGS` in `dir`, with `GITHUB_STEP_SUMMARY`
/// set to `summary` or unset; stderr must be empty.
fn kfr_in(dir: &Path, args: &[&str], summary: Option<&Path>) -> (Option<i32>, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kfr"));
    cmd.args(args).current_dir(dir).env("NO_COLOR", "1");
    match summary {
        Some(p) => cmd.env("GITHUB_STEP_SUMMARY", p),
        None => cmd.env_remove("GITHUB_STEP_SUMMARY"),
    };
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.is_empty(), "kfr {args:?}: {stderr}");
    (out.status.code(), String::from_utf8(out.stdout).unwrap())
}

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `kfr lint EXAMPLE --format F` from the crate root.
fn example(format: &str) -> String {
    let (code, out) = kfr_in(manifest_dir(), &["lint", EXAMPLE, "--format", format], None);
    assert_eq!(code, Some(1), "{format}");
    out
}

/// The directory of the odd project, relative to its root.
const ODD_DIR: &str = "a, b: 100%";

/// A project (no git, so its root is where kfr runs) whose directory name
/// holds a space, `,`, `:` and `%`, and whose Makefile's targets hold `,`
/// and non-ASCII letters (`é`: 2 bytes, 1 UTF-16 unit; `𝔘`: 4 bytes, 2
/// units); its parse error's message holds `:`, `,` and `%`.
fn odd_project() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join(ODD_DIR);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("Makefile"),
        "data/é𝔘,1.csv: raw.csv\n\tpython featurize.py --out $@\n\nmodel,x.pkl: data/é𝔘,1.csv\n\tpython train.py --data $< --out $@\n\tpip install pandas\n\nbad: x: y\n",
    )
    .unwrap();
    root
}

fn odd(format: &str, summary: Option<&Path>) -> (tempfile::TempDir, String) {
    let p = odd_project();
    let (code, out) = kfr_in(p.path(), &["lint", "--format", format], summary);
    assert_eq!(code, Some(1), "{format}");
    (p, out)
}

/// A Makefile chain of `n` targets: `n - 1` KFR001 and `n - 1` KFR002
/// warnings.
fn chain_project(n: usize) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let mut make = String::from("s0.csv:\n\tpython fetch.py --out $@\n");
    for i in 1..n {
        make.push_str(&format!(
            "\ns{i}.csv: s{}.csv\n\tpython step.py --in $< --out $@\n",
            i - 1
        ));
    }
    std::fs::write(root.path().join("Makefile"), make).unwrap();
    root
}

fn clean_project() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("Makefile"), ".PHONY: hello\nhello:\n\t@echo hello\n").unwrap();
    root
}

/// kfr's own JSON findings, the reference the other formats are held to.
fn json_findings(dir: &Path, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["lint"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let (_, out) = kfr_in(dir, &all, None);
    serde_json::from_str::<Value>(&out).unwrap().as_array().unwrap().clone()
}

#[test]
fn sarif_is_valid_and_the_validator_can_fail() {
    let schema = validator("sarif-schema-2.1.0.json");
    let (_p, odd_out) = odd("sarif", None);
    for out in [example("sarif"), odd_out.clone()] {
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(schema_errors(&schema, &v), Vec::<String>::new(), "{out}");
        assert_eq!(v["$schema"], "https://json.schemastore.org/sarif-2.1.0.json");
        assert_eq!(v["runs"].as_array().unwrap().len(), 1);
        let mut bad = v.clone();
        bad["runs"][0]["results"][0]["level"] = json!("info");
        assert!(!schema.is_valid(&bad));
        let mut bad = v.clone();
        bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startColumn"] = json!(0);
        assert!(!schema.is_valid(&bad));
        assert!(!out.contains(env!("CARGO_MANIFEST_DIR")), "absolute path in SARIF");
        assert!(!out.contains("file://"));
    }
    let v: Value = serde_json::from_str(&odd_out).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    for r in results {
        let uri = &r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
        assert_eq!(uri, "a,%20b%3A%20100%25/Makefile");
    }
    let kfr000 = results.iter().find(|r| r["ruleId"] == "KFR000").unwrap();
    assert_eq!(kfr000["level"], "error");
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules[kfr000["ruleIndex"].as_u64().unwrap() as usize]["id"], "KFR000");
}

/// The same finding's end column in characters (gitlab), UTF-16 units
/// (SARIF) and bytes (rdjson): `data/é𝔘,1.csv` on line 4 of the odd
/// project ends 1 unit and 4 bytes later than it does in characters.
#[test]
fn columns_in_each_formats_unit() {
    let (_p, sarif) = odd("sarif", None);
    let (_q, rdjson) = odd("rdjson", None);
    let (_r, gitlab) = odd("gitlab", None);
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    let rdjson: Value = serde_json::from_str(&rdjson).unwrap();
    let gitlab: Value = serde_json::from_str(&gitlab).unwrap();
    let i = gitlab
        .as_array()
        .unwrap()
        .iter()
        .position(|i| i["check_name"] == "KFR002")
        .unwrap();
    let chars = &gitlab[i]["location"]["positions"];
    let region = &sarif["runs"][0]["results"][i]["locations"][0]["physicalLocation"]["region"];
    let range = &rdjson["diagnostics"][i]["location"]["range"];
    assert_eq!(chars["begin"], json!({"line": 4, "column": 14}));
    assert_eq!(chars["end"], json!({"line": 4, "column": 27}));
    assert_eq!(
        region,
        &json!({"startLine": 4, "startColumn": 14, "endLine": 4, "endColumn": 28})
    );
    assert_eq!(
        range,
        &json!({"start": {"line": 4, "column": 14}, "end": {"line": 4, "column": 31}})
    );
}

#[test]
fn rdjson_and_rdjsonl_are_valid() {
    let result = validator("reviewdog/DiagnosticResult.json");
    let diagnostic = validator("reviewdog/Diagnostic.json");
    let (_p, odd_json) = odd("rdjson", None);
    let (_q, odd_lines) = odd("rdjsonl", None);
    for (json_out, lines) in [(example("rdjson"), example("rdjsonl")), (odd_json, odd_lines)] {
        let v: Value = serde_json::from_str(&json_out).unwrap();
        assert_eq!(schema_errors(&result, &v), Vec::<String>::new(), "{json_out}");
        let mut bad = v.clone();
        bad["diagnostics"][0]["severity"] = json!("warning");
        assert!(!result.is_valid(&bad));
        let diags = v["diagnostics"].as_array().unwrap();
        assert_eq!(lines.lines().count(), diags.len());
        for (line, d) in lines.lines().zip(diags) {
            let l: Value = serde_json::from_str(line).unwrap();
            assert_eq!(schema_errors(&diagnostic, &l), Vec::<String>::new(), "{line}");
            assert_eq!(l["source"]["name"], "kfr");
            assert_eq!(l["message"], d["message"]);
            assert_eq!(l["location"], d["location"]);
        }
    }
}

/// Every element of an XML document with its attributes, unescaped.
fn xml_elements(xml: &str) -> Vec<(String, BTreeMap<String, String>)> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) => {
                let attrs = e
                    .attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        (
                            a.key.as_ref().to_string(),
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .unwrap()
                                .into_owned(),
                        )
                    })
                    .collect();
                out.push((e.name().as_ref().to_string(), attrs));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

fn elements<'a>(all: &'a [(String, BTreeMap<String, String>)], name: &str) -> Vec<&'a BTreeMap<String, String>> {
    all.iter().filter(|(n, _)| n == name).map(|(_, a)| a).collect()
}

#[test]
fn checkstyle_holds_every_finding() {
    let p = odd_project();
    let expected = json_findings(p.path(), &[]);
    for (dir, args, expected) in [
        (
            manifest_dir(),
            vec!["lint", EXAMPLE],
            json_findings(manifest_dir(), &[EXAMPLE]),
        ),
        (p.path(), vec!["lint"], expected),
    ] {
        let (_, out) = kfr_in(dir, &[&args[..], &["--format", "checkstyle"]].concat(), None);
        assert!(out.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
        let all = xml_elements(&out);
        assert_eq!(all[0].0, "checkstyle");
        assert_eq!(all[0].1["version"], "4.3");
        let errors = elements(&all, "error");
        assert_eq!(errors.len(), expected.len());
        for (e, j) in errors.iter().zip(&expected) {
            assert_eq!(e["message"], j["message"].as_str().unwrap());
            assert_eq!(e["source"], j["code"].as_str().unwrap());
            assert_eq!(e["severity"], j["severity"].as_str().unwrap());
            assert_eq!(e["line"], j["line"].to_string());
            assert_eq!(e["column"], j["column"].to_string());
        }
        let mut names: Vec<&str> = elements(&all, "file").iter().map(|f| f["name"].as_str()).collect();
        let count = names.len();
        names.dedup();
        assert_eq!(names.len(), count, "one <file> per file");
    }
    let (_, out) = odd("checkstyle", None);
    let all = xml_elements(&out);
    assert_eq!(elements(&all, "file")[0]["name"], format!("{ODD_DIR}/Makefile"));

    let clean = clean_project();
    let (code, out) = kfr_in(clean.path(), &["lint", "--format", "checkstyle"], None);
    assert_eq!(code, Some(0));
    let all = xml_elements(&out);
    assert_eq!(all.len(), 1, "{out}");
    assert_eq!(all[0].0, "checkstyle");
}

#[test]
fn junit_has_a_suite_per_file_and_a_failure_per_finding() {
    let out = example("junit");
    let all = xml_elements(&out);
    let expected = json_findings(manifest_dir(), &[EXAMPLE]);
    let n = expected.len().to_string();
    assert_eq!(all[0].0, "testsuites");
    assert_eq!(all[0].1["name"], "kfr");
    assert_eq!(all[0].1["tests"], n);
    assert_eq!(all[0].1["failures"], n);
    assert_eq!(all[0].1["errors"], "0");
    let suites = elements(&all, "testsuite");
    assert_eq!(suites.len(), 3);
    let per_suite: usize = suites.iter().map(|s| s["tests"].parse::<usize>().unwrap()).sum();
    assert_eq!(per_suite, expected.len());
    let cases = elements(&all, "testcase");
    let failures = elements(&all, "failure");
    assert_eq!(cases.len(), expected.len());
    assert_eq!(failures.len(), expected.len());
    for ((c, f), j) in cases.iter().zip(&failures).zip(&expected) {
        assert_eq!(c["name"], format!("org.kfr.{}", j["code"].as_str().unwrap()));
        assert_eq!(c["line"], j["line"].to_string());
        assert_eq!(f["message"], j["message"].as_str().unwrap());
    }

    let (_p, out) = odd("junit", None);
    let all = xml_elements(&out);
    assert_eq!(elements(&all, "testsuite")[0]["name"], format!("{ODD_DIR}/Makefile"));
    let odd_json = json_findings(odd_project().path(), &[]);
    for (f, j) in elements(&all, "failure").iter().zip(&odd_json) {
        assert_eq!(f["message"], j["message"].as_str().unwrap());
    }

    let clean = clean_project();
    let (code, out) = kfr_in(clean.path(), &["lint", "--format", "junit"], None);
    assert_eq!(code, Some(0));
    let all = xml_elements(&out);
    assert_eq!(all[0].1["tests"], "1");
    assert_eq!(all[0].1["failures"], "0");
    let cases = elements(&all, "testcase");
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0]["name"], "No errors found");
    assert!(elements(&all, "failure").is_empty());
}

#[test]
fn gitlab_fingerprints_are_unique_and_there_is_no_bom() {
    let (_p, odd_out) = odd("gitlab", None);
    let chain = chain_project(12);
    let (_, chain_out) = kfr_in(chain.path(), &["lint", "--format", "gitlab"], None);
    for out in [example("gitlab"), odd_out, chain_out] {
        assert!(out.starts_with('['), "no BOM, an array");
        let issues: Vec<Value> = serde_json::from_str(&out).unwrap();
        assert!(!issues.is_empty());
        let mut prints: Vec<&str> = issues.iter().map(|i| i["fingerprint"].as_str().unwrap()).collect();
        prints.sort();
        prints.dedup();
        assert_eq!(prints.len(), issues.len(), "duplicate fingerprints");
        for i in &issues {
            let code = i["check_name"].as_str().unwrap();
            assert!(i["description"].as_str().unwrap().starts_with(&format!("{code}: ")));
            assert!(["info", "minor", "major"].contains(&i["severity"].as_str().unwrap()));
            assert!(i["location"]["positions"]["begin"]["line"].as_u64().unwrap() >= 1);
        }
    }
    let (_q, odd_out) = odd("gitlab", None);
    let issues: Vec<Value> = serde_json::from_str(&odd_out).unwrap();
    assert_eq!(issues[0]["location"]["path"], format!("{ODD_DIR}/Makefile"));
    let kfr000 = issues.iter().find(|i| i["check_name"] == "KFR000").unwrap();
    assert_eq!(kfr000["severity"], "major");
}

/// A workflow command's kind, properties (still escaped) and data.
fn parse_command(line: &str) -> (&str, BTreeMap<&str, &str>, &str) {
    let rest = line.strip_prefix("::").unwrap();
    let (head, data) = rest.split_once("::").unwrap();
    let (kind, props) = head.split_once(' ').unwrap_or((head, ""));
    let props = props
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap())
        .collect();
    (kind, props, data)
}

#[test]
fn github_commands_are_escaped() {
    let p = odd_project();
    let expected = json_findings(p.path(), &[]);
    let (_, out) = kfr_in(p.path(), &["lint", "--format", "github"], None);
    assert!(!out.contains('\r'));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), expected.len());
    for (line, j) in lines.iter().zip(&expected) {
        let (kind, props, data) = parse_command(line);
        let severity = j["severity"].as_str().unwrap();
        assert_eq!(kind, if severity == "info" { "notice" } else { severity });
        assert_eq!(props["file"], "a%2C b%3A 100%25/Makefile");
        assert_eq!(props["line"], j["line"].to_string());
        let code = j["code"].as_str().unwrap();
        let name = j["name"].as_str().unwrap();
        assert_eq!(props["title"], format!("kfr {code} ({name})"));
        if j["line"] == j["end_line"] {
            assert_eq!(props["col"], j["column"].to_string());
            assert_eq!(props["endColumn"], j["end_column"].to_string());
        } else {
            assert!(!props.contains_key("col"));
        }
        let message = j["message"].as_str().unwrap().replace('%', "%25");
        assert!(data.starts_with(&message), "{data}");
        // lines after the first only as %0A
        assert!(data.contains("%0Ahelp: "));
    }
    let kfr000 = lines.iter().find(|l| l.contains("KFR000")).unwrap();
    assert!(
        kfr000
            .contains("::a second `:` makes this a static pattern rule, but `x` is not one target pattern with `%25`"),
        "{kfr000}"
    );
}

#[test]
fn github_over_the_annotation_limit() {
    // 11 KFR001 and 11 KFR002 warnings
    let p = chain_project(12);
    let expected = json_findings(p.path(), &[]);
    assert_eq!(expected.len(), 22);
    let summary = p.path().join("summary.md");
    std::fs::write(&summary, "## earlier step\n\n").unwrap();
    let (code, out) = kfr_in(p.path(), &["lint", "--format", "github"], Some(&summary));
    assert_eq!(code, Some(1));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 11, "{out}");
    assert!(lines[..10].iter().all(|l| l.starts_with("::warning file=Makefile,")));
    // the first ten in order
    for (l, j) in lines[..10].iter().zip(&expected) {
        assert_eq!(parse_command(l).1["line"], j["line"].to_string());
    }
    let (kind, _, data) = parse_command(lines[10]);
    assert_eq!(kind, "notice");
    assert!(
        data.starts_with("kfr: 12 more findings are not shown as annotations"),
        "{data}"
    );
    assert!(
        data.contains("22 findings in all, the job summary lists all of them"),
        "{data}"
    );

    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.starts_with("## earlier step\n\n## kfr\n\n22 findings in 1 file checked.\n\n"),
        "{md}"
    );
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| Makefile:")).collect();
    assert_eq!(rows.len(), 22);
    for (row, j) in rows.iter().zip(&expected) {
        let cells: Vec<&str> = row.trim_matches('|').split(" | ").map(str::trim).collect();
        assert_eq!(cells[0], format!("Makefile:{}", j["line"]));
        assert_eq!(
            cells[1],
            format!("{} {}", j["code"].as_str().unwrap(), j["name"].as_str().unwrap())
        );
        assert_eq!(cells[2], "warning");
        assert_eq!(cells[3], j["message"].as_str().unwrap());
    }

    // without a summary file the notice points at kfr itself
    let (_, out) = kfr_in(p.path(), &["lint", "--format", "github"], None);
    assert!(
        out.lines()
            .last()
            .unwrap()
            .ends_with("run `kfr lint` to see all of them"),
        "{out}"
    );

    // under the limit: no notice, but still the summary
    let small = chain_project(3);
    let summary = small.path().join("summary.md");
    let (_, out) = kfr_in(small.path(), &["lint", "--format", "github"], Some(&summary));
    assert_eq!(out.lines().count(), 4);
    assert!(!out.contains("::notice"));
    let md = std::fs::read_to_string(&summary).unwrap();
    assert_eq!(md.lines().filter(|l| l.starts_with("| Makefile:")).count(), 4);
}

#[test]
fn github_summary_escapes_cells() {
    let p = odd_project();
    let summary = p.path().join("summary.md");
    kfr_in(p.path(), &["lint", "--format", "github"], Some(&summary));
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.contains(&format!(
            "| {ODD_DIR}/Makefile:8 | KFR000 parse-error | error | a second `:` makes this"
        )),
        "{md}"
    );
}

#[test]
fn snapshots_of_the_example() {
    for format in ["sarif", "rdjson", "rdjsonl", "gitlab", "checkstyle", "junit", "github"] {
        let out = example(format);
        assert_eq!(out, example(format), "{format} is not deterministic");
        insta::assert_snapshot!(format!("example_{format}"), out);
    }
}

/// Every fixture of the repository at once (every rule, parse errors,
/// binary and non-UTF-8 files, non-ASCII text): the machine formats stay
/// valid and agree on the number of findings.
#[test]
fn the_whole_fixture_corpus_in_every_machine_format() {
    let lint = |format: &str| -> String {
        let (code, out) = kfr_in(manifest_dir(), &["lint", "testdata", "--format", format], None);
        assert_eq!(code, Some(1), "{format}");
        out
    };
    let n = serde_json::from_str::<Value>(&lint("json"))
        .unwrap()
        .as_array()
        .unwrap()
        .len();
    assert!(n > 500, "{n} findings");
    let sarif: Value = serde_json::from_str(&lint("sarif")).unwrap();
    assert_eq!(
        schema_errors(&validator("sarif-schema-2.1.0.json"), &sarif),
        Vec::<String>::new()
    );
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), n);
    let rdjson: Value = serde_json::from_str(&lint("rdjson")).unwrap();
    assert_eq!(
        schema_errors(&validator("reviewdog/DiagnosticResult.json"), &rdjson),
        Vec::<String>::new()
    );
    let diagnostic = validator("reviewdog/Diagnostic.json");
    let lines = lint("rdjsonl");
    assert_eq!(lines.lines().count(), n);
    for l in lines.lines() {
        assert_eq!(
            schema_errors(&diagnostic, &serde_json::from_str(l).unwrap()),
            Vec::<String>::new(),
            "{l}"
        );
    }
    let gitlab: Value = serde_json::from_str(&lint("gitlab")).unwrap();
    let prints: std::collections::HashSet<&str> = gitlab
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(prints.len(), n, "gitlab fingerprints are unique");
    assert_eq!(elements(&xml_elements(&lint("checkstyle")), "error").len(), n);
    assert_eq!(elements(&xml_elements(&lint("junit")), "failure").len(), n);
    assert_eq!(lint("json-lines").lines().count(), n);
    // ten errors, ten warnings, the notice that says how many more
    assert_eq!(
        lint("github").lines().filter(|l| l.starts_with("::")).count(),
        10 + 10 + 1
    );
}
