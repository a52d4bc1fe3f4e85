//! The machine output formats of `kfr lint --format X`, end to end: SARIF
//! and reviewdog's rdjson validated against their official schemas
//! (vendored in `testdata/schemas`, see its README), the XML formats parsed,
//! GitHub workflow commands and GitLab Code Quality checked field by field,
//! and each format's output for the bundled example as a reviewed snapshot.

use serde_json::{Value, json};

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
