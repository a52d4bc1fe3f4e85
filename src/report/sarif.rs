//! SARIF 2.1.0, as GitHub code scanning reads it: one run, every rule that
//! could report with its documentation, results with repository-relative
//! locations in UTF-16 columns. Nothing depends on the machine or the time,
//! so the same findings give the same bytes.

use super::{Finding, Location, Report, rule_url};
use crate::diagnostic::Severity;
use crate::rules::RuleMeta;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The base every artifact URI is relative to: the project root.
const SRCROOT: &str = "%SRCROOT%";
/// The key of kfr's own line-independent fingerprint.
const FINGERPRINT_KEY: &str = "kfr/v1";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    original_uri_base_ids: BTreeMap<&'static str, BaseId>,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
struct BaseId {
    description: Text,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    help: Help,
    help_uri: String,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: &'static [&'static str],
    precision: &'static str,
    #[serde(rename = "problem.severity")]
    problem_severity: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    locations: [SarifLocation<'a>; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation<'a>>,
    partial_fingerprints: BTreeMap<&'static str, &'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<TextRef<'a>>,
}

#[derive(Serialize)]
struct TextRef<'a> {
    text: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

/// 1-based lines; columns in UTF-16 code units (`columnKind`), the end
/// column being the one after the region.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

pub fn write(w: &mut dyn Write, report: &Report) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, &log(report))?;
    writeln!(w)
}

fn log<'a>(report: &'a Report) -> Log<'a> {
    let rules = listed_rules(report);
    let results = report
        .findings
        .iter()
        .map(|f| result(f, rules.iter().position(|m| m.id == f.code)))
        .collect();
    Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "kfr",
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: env!("CARGO_PKG_REPOSITORY"),
                    rules: rules.iter().map(|m| rule(m)).collect(),
                },
            },
            original_uri_base_ids: BTreeMap::from([(
                SRCROOT,
                BaseId {
                    description: Text {
                        text: "The project root: the git work tree kfr ran in, else its working directory.".into(),
                    },
                },
            )]),
            column_kind: "utf16CodeUnits",
            results,
        }],
    }
}

/// The rules of the run, in id order, plus any rule that reported without
/// being listed (so every result's rule has its documentation).
fn listed_rules(report: &Report) -> Vec<&'static RuleMeta> {
    let mut rules = report.rules.clone();
    for f in &report.findings {
        if !rules.iter().any(|m| m.id == f.code)
            && let Some(m) = crate::rules::meta(f.code)
        {
            rules.push(m);
        }
    }
    rules.sort_by_key(|m| m.id);
    rules.dedup_by_key(|m| m.id);
    rules
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn rule(m: &RuleMeta) -> Rule {
    let url = rule_url(m.id);
    let (tags, precision) = classification(m.id).unwrap_or((&[], "medium"));
    Rule {
        id: m.id,
        name: m.name,
        short_description: Text { text: m.summary.into() },
        full_description: Text {
            text: clip(
                &first_paragraph(section(m.body, "What it finds").unwrap_or(m.body)),
                DESCRIPTION_MAX,
            ),
        },
        help: Help {
            text: help_text(m, &url),
            markdown: format!("{}\n\n[Rule page]({url})\n", m.body.trim_end()),
        },
        help_uri: url,
        default_configuration: Configuration {
            level: level(m.severity),
        },
        properties: RuleProperties {
            tags,
            precision,
            problem_severity: match m.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "recommendation",
            },
        },
    }
}

/// Code scanning's tags (shown as filters) and precision (how often a
/// finding of the rule is right) of each rule.
fn classification(id: &str) -> Option<(&'static [&'static str], &'static str)> {
    Some(match id {
        "KFR000" => (&["correctness"], "very-high"),
        "KFR001" => (&["reliability"], "high"),
        "KFR002" => (&["reproducibility", "maintainability"], "high"),
        "KFR003" => (&["reproducibility", "supply-chain"], "very-high"),
        "KFR004" => (&["reproducibility", "supply-chain"], "very-high"),
        "KFR005" => (&["correctness"], "very-high"),
        "KFR006" => (&["correctness"], "very-high"),
        "KFR007" => (&["reproducibility", "correctness"], "medium"),
        "KFR900" => (&["maintainability"], "very-high"),
        _ => return None,
    })
}

/// The text of a `## heading` section of a rule page, without its heading.
fn section<'a>(body: &'a str, heading: &str) -> Option<&'a str> {
    let marker = format!("## {heading}\n");
    let start = if body.starts_with(&marker) {
        marker.len()
    } else {
        body.find(&format!("\n{marker}"))? + marker.len() + 1
    };
    let rest = &body[start..];
    let end = rest.find("\n## ").map_or(rest.len(), |e| e + 1);
    Some(rest[..end].trim())
}

/// The first paragraph, its lines joined by spaces; when it ends with a
/// colon, the block it introduces (a list) follows, without list markers.
fn first_paragraph(text: &str) -> String {
    let mut out = String::new();
    for block in text.trim_start().split("\n\n") {
        for line in block.lines() {
            let line = line.trim();
            let line = line
                .strip_prefix("- ")
                .or_else(|| line.strip_prefix("* "))
                .unwrap_or(line);
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(line);
        }
        if !out.ends_with(':') {
            break;
        }
    }
    out
}

/// GitHub's limit for a rule's short and full description, in characters.
const DESCRIPTION_MAX: usize = 1024;

/// The longest run of whole sentences from the start that fits in `max`
/// characters; when not even the first sentence fits, its first words and
/// an ellipsis.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut fit = None;
    for (i, _) in text.match_indices(". ") {
        let end = i + 1;
        if text[..end].chars().count() > max {
            break;
        }
        if text[end + 1..].starts_with(|c: char| c.is_uppercase()) {
            fit = Some(end);
        }
    }
    if let Some(end) = fit {
        return text[..end].to_string();
    }
    let mut out = String::new();
    for word in text.split(' ') {
        if out.chars().count() + word.chars().count() + 2 > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out.push('…');
    out
}

/// The plain-text help: what the rule finds, why it matters and how to
/// fix it (the examples stay in the Markdown), then the rule page.
fn help_text(m: &RuleMeta, url: &str) -> String {
    let mut out = String::new();
    for heading in ["What it finds", "Why it matters", "How to fix"] {
        if let Some(text) = section(m.body, heading) {
            out.push_str(&format!("{heading}\n\n{text}\n\n"));
        }
    }
    out.push_str(&format!("Rule page: {url}"));
    out
}

fn result<'a>(f: &'a Finding, rule_index: Option<usize>) -> SarifResult<'a> {
    SarifResult {
        rule_id: f.code,
        rule_index,
        level: level(f.severity),
        message: Text {
            text: f.message.to_string(),
        },
        locations: [location(&f.location, None, None)],
        related_locations: f
            .related
            .iter()
            .enumerate()
            .map(|(i, (loc, msg))| location(loc, Some(i + 1), Some(msg)))
            .collect(),
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, f.fingerprint.as_str())]),
    }
}

fn location<'a>(loc: &Location, id: Option<usize>, message: Option<&'a str>) -> SarifLocation<'a> {
    SarifLocation {
        id,
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: uri_path(&loc.repo_path),
                uri_base_id: SRCROOT,
            },
            region: Region {
                start_line: loc.start.line,
                start_column: loc.start.utf16_column,
                end_line: loc.end.line,
                end_column: loc.end.utf16_column,
            },
        },
        message: message.map(|text| TextRef { text }),
    }
}

/// A `/`-separated relative path as a relative URI reference: every byte
/// but the unreserved characters of RFC 3986 (letters, digits, `-._~`), the
/// sub-delimiters that are plain data in a path (`!$&'()*+,;=`), `@` and the
/// `/` separators is percent-encoded, UTF-8 byte by byte. `:` is encoded too,
/// so a first segment like `c:` is never read as a scheme.
pub(crate) fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=@/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_count_utf16_units_and_uris_are_encoded() {
        let db = super::super::fixture::db();
        let diags = super::super::fixture::diagnostics(&db);
        let report = super::super::fixture::report(&db, &diags);
        let mut out = Vec::new();
        write(&mut out, &report).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let run = &v["runs"][0];
        assert_eq!(run["columnKind"], "utf16CodeUnits");
        let r = &run["results"][0];
        let phys = &r["locations"][0]["physicalLocation"];
        assert_eq!(phys["artifactLocation"]["uri"], "a,%20b%3A%20100%25/%C3%A9.mk");
        assert_eq!(phys["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert_eq!(
            phys["region"],
            serde_json::json!({"startLine": 2, "startColumn": 5, "endLine": 2, "endColumn": 11})
        );
        assert_eq!(
            r["relatedLocations"][0]["message"]["text"],
            "needed by `all`, here: 1,2"
        );
        assert_eq!(r["relatedLocations"][0]["physicalLocation"]["region"]["startColumn"], 6);
        assert_eq!(r["level"], "warning");
        assert_eq!(run["results"][1]["level"], "error");
        assert_eq!(run["results"][2]["level"], "note");
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        for r in run["results"].as_array().unwrap() {
            let i = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[i]["id"], r["ruleId"]);
        }
        assert_eq!(
            r["partialFingerprints"]["kfr/v1"],
            report.findings[0].fingerprint.as_str()
        );
    }

    #[test]
    fn paths_are_percent_encoded() {
        assert_eq!(uri_path("testdata/Makefile"), "testdata/Makefile");
        assert_eq!(uri_path("a, b: 100%/Makefile"), "a,%20b%3A%20100%25/Makefile");
        assert_eq!(uri_path("x#y?z"), "x%23y%3Fz");
        assert_eq!(uri_path("café/𝔘.mk"), "caf%C3%A9/%F0%9D%94%98.mk");
        assert_eq!(uri_path("c:/x"), "c%3A/x");
        assert_eq!(uri_path("a\\b[1]"), "a%5Cb%5B1%5D");
    }

    #[test]
    fn sections_of_a_rule_page() {
        let body = "## What it finds\n\nA step\nwith no retry.\n\nMore.\n\n## Why it matters\n\nWork is lost.\n\n## How to fix\n\nRetry.\n";
        assert_eq!(section(body, "What it finds"), Some("A step\nwith no retry.\n\nMore."));
        assert_eq!(section(body, "Why it matters"), Some("Work is lost."));
        assert_eq!(section(body, "How to fix"), Some("Retry."));
        assert_eq!(section(body, "Example"), None);
        assert_eq!(
            first_paragraph(section(body, "What it finds").unwrap()),
            "A step with no retry."
        );
        assert_eq!(
            first_paragraph("Finds:\n\n- one;\n- two\n  lines.\n\nMore."),
            "Finds: one; two lines."
        );
    }

    #[test]
    fn long_descriptions_keep_whole_sentences() {
        assert_eq!(clip("One. Two.", 20), "One. Two.");
        assert_eq!(
            clip("First one. Second (e.g. this) one. Third.", 36),
            "First one. Second (e.g. this) one."
        );
        assert_eq!(clip("First one. Second one.", 15), "First one.");
        assert_eq!(clip("A very long sentence", 12), "A very long…");
        let long = "word ".repeat(300);
        assert!(clip(long.trim(), DESCRIPTION_MAX).chars().count() <= DESCRIPTION_MAX);
    }

    #[test]
    fn every_rule_is_classified_and_documented() {
        for m in crate::rules::all() {
            assert!(classification(m.id).is_some(), "{}: no tags or precision", m.id);
            let r = rule(m);
            assert!(!r.full_description.text.is_empty(), "{}", m.id);
            assert!(!r.full_description.text.contains('\n'), "{}", m.id);
            assert!(r.full_description.text.chars().count() <= DESCRIPTION_MAX, "{}", m.id);
            assert!(r.short_description.text.chars().count() <= DESCRIPTION_MAX, "{}", m.id);
            assert!(r.full_description.text.ends_with('.'), "{}: cut mid-sentence", m.id);
            for h in ["What it finds", "Why it matters", "How to fix"] {
                assert!(r.help.text.contains(h), "{}: help lacks {h}", m.id);
            }
            assert!(!r.help.text.contains("## Example"), "{}", m.id);
            assert!(r.help.markdown.contains("## Example"), "{}", m.id);
        }
    }
}
