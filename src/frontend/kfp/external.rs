//! What a KFP task reads from outside the pipeline run: a URI or a table
//! it is given, a download its function or command makes. KFP's cache key
//! is the component and its input values; when those stay the same while
//! the data behind a URI or a table changes, a cached task hands on
//! yesterday's result (KFR007).

use super::model::{ArgValue, Component, ComponentKind, Task};
use crate::dag::name_has_word;
use crate::source::{SourceDb, Span};

/// URI schemes of storage and services outside the pipeline.
const SCHEMES: &[&str] = &[
    "gs://",
    "s3://",
    "s3a://",
    "bq://",
    "http://",
    "https://",
    "abfs://",
    "abfss://",
    "az://",
    "wasbs://",
    "hdfs://",
    "jdbc:",
    "postgresql://",
    "postgres://",
    "mysql://",
    "snowflake://",
    "bigquery://",
];

/// Calls in a Python function that read external data.
const READ_CALLS: &[&str] = &[
    "requests.get(",
    "httpx.get(",
    "urlopen(",
    "urlretrieve(",
    "read_gbq(",
    "read_sql(",
    "read_sql_query(",
    "read_sql_table(",
    "bigquery.Client(",
    "download_blob",
    "download_to_filename(",
    "download_as_bytes(",
    "download_as_string(",
    "download_as_text(",
    "download_file(",
    "download_fileobj(",
    ".get_object(",
    "snowflake.connector.connect(",
    "psycopg2.connect(",
    "create_engine(",
    "hf_hub_download(",
    "snapshot_download(",
    "load_dataset(",
    "feast.FeatureStore(",
    "get_historical_features(",
    "get_online_features(",
];

/// Programs a container command reads external data with.
const READ_PROGRAMS: &[&str] = &[
    "curl ",
    "wget ",
    "gsutil cp gs://",
    "aws s3 cp s3://",
    "bq query",
    "bq extract",
];

/// A string that names a remote location (a URI of a storage service).
pub fn is_remote_uri(s: &str) -> bool {
    let s = s.trim();
    !s.contains("{{") && SCHEMES.iter().any(|p| s.len() > p.len() && s.starts_with(p))
}

/// `project.dataset.table` or `dataset.table`: dotted identifiers, the
/// last not a file extension.
pub fn is_table_name(s: &str) -> bool {
    let s = s.trim().trim_matches('`');
    let parts: Vec<&str> = s.split('.').collect();
    if !(2..=3).contains(&parts.len()) || s.contains('/') {
        return false;
    }
    let ident = |p: &&str| {
        !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') && !p.starts_with('-')
    };
    let last = parts[parts.len() - 1].to_ascii_lowercase();
    const EXTENSIONS: &[&str] = &[
        "csv", "parquet", "json", "jsonl", "txt", "pkl", "yaml", "yml", "py", "gz", "zip", "tsv", "avro", "orc", "pt",
        "onnx", "h5", "joblib", "html", "md", "tar", "xml", "db",
    ];
    parts.iter().all(ident)
        && !EXTENSIONS.contains(&last.as_str())
        && parts.iter().any(|p| p.chars().any(|c| c.is_ascii_alphabetic()))
        && !parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()))
}

/// A parameter name that says it is where the task writes, not reads.
fn output_name(input: &str) -> bool {
    name_has_word(
        input,
        &[
            "out",
            "output",
            "outputs",
            "dest",
            "destination",
            "target",
            "export",
            "upload",
            "sink",
            "write",
        ],
    )
}

/// A location that names one snapshot: a date, a version or a step in its
/// path (`.../2024-06-01/...`, `dt=20240601`, `v3`, `step-42000`), so the
/// cache key changes when the snapshot does.
pub fn names_snapshot(uri: &str) -> bool {
    let lower = uri.to_ascii_lowercase();
    let b = lower.as_bytes();
    let digits_at = |i: usize, n: usize| i + n <= b.len() && b[i..i + n].iter().all(u8::is_ascii_digit);
    for i in 0..b.len() {
        // a year followed by a month: 2024-06, 2024/06, 202406
        if digits_at(i, 4) && (b[i] == b'1' || b[i] == b'2') && (i == 0 || !b[i - 1].is_ascii_digit()) {
            let j = i + 4;
            if digits_at(j, 2) || (j < b.len() && matches!(b[j], b'-' | b'/' | b'_') && digits_at(j + 1, 2)) {
                return true;
            }
        }
    }
    lower
        .split(['/', '_', '-', '.', '=', '@'])
        .collect::<Vec<_>>()
        .windows(2)
        .any(|w| {
            matches!(w[0], "step" | "version" | "rev" | "snapshot" | "checkpoint" | "ckpt")
                && w[1].bytes().all(|c| c.is_ascii_digit())
                && !w[1].is_empty()
        })
        || lower
            .split(['/', '_', '-', '.', '=', '@'])
            .any(|w| w.len() >= 2 && w.starts_with('v') && w[1..].bytes().all(|c| c.is_ascii_digit()))
}

/// A parameter name that says it names a table or a query.
fn table_name(input: &str) -> bool {
    name_has_word(input, &["table", "tables", "query", "sql", "bq", "source"])
}

/// What task `t` reads from outside, with where.
pub fn reads(db: &SourceDb, t: &Task, c: &Component) -> Vec<(Span, String)> {
    let mut out = Vec::new();
    for arg in &t.args {
        let (value, from_param) = match &arg.value {
            ArgValue::Constant(v) => (v.as_str(), None),
            ArgValue::PipelineParam { name, default: Some(v) } => (v.as_str(), Some(name.as_str())),
            _ => continue,
        };
        let shown = |what: &str| match from_param {
            Some(p) => format!("`{}` is the pipeline parameter `{p}`, by default {what}", arg.input),
            None => format!("`{}` is {what}", arg.input),
        };
        if output_name(&arg.input) || names_snapshot(value) {
            continue;
        }
        if is_remote_uri(value) {
            out.push((arg.span, shown(&format!("the URI `{}`", clip(value)))));
        } else if table_name(&arg.input) && is_table_name(value) {
            out.push((arg.span, shown(&format!("the table `{}`", clip(value)))));
        }
    }
    match c.kind {
        ComponentKind::Python => {
            if let Some(src) = &c.source
                && let Some(call) = READ_CALLS.iter().find(|k| src.text.contains(*k))
            {
                let text = &db.get(src.span.file).text;
                out.push((
                    src.locate(text, call.trim_end_matches('(')),
                    format!(
                        "`{}` calls `{}`",
                        c.function.as_deref().unwrap_or(&c.name),
                        call.trim_end_matches('(').trim_start_matches('.')
                    ),
                ));
            }
        }
        ComponentKind::Container => {
            for w in c.command.iter().chain(c.args.iter()) {
                if let Some(p) = READ_PROGRAMS.iter().find(|p| w.text.contains(*p) || w.text == p.trim()) {
                    out.push((w.span, format!("its command runs `{}`", p.trim())));
                    break;
                }
            }
        }
        ComponentKind::Importer | ComponentKind::Pipeline => {}
    }
    out
}

fn clip(s: &str) -> String {
    crate::python::clip_text(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_locations_and_tables() {
        assert!(is_remote_uri("gs://bucket/events/"));
        assert!(is_remote_uri("bq://proj.ds.tbl"));
        assert!(!is_remote_uri("gs://"));
        assert!(!is_remote_uri("data/train.csv"));
        assert!(!is_remote_uri("gs://b/{{$.pipeline_job_name}}"));
        assert!(is_table_name("analytics.events_v2"));
        assert!(is_table_name("acme-prod.marts.orders"));
        assert!(!is_table_name("train.csv"));
        assert!(!is_table_name("1.2.3"));
        assert!(!is_table_name("a/b.c"));
        assert!(!is_table_name("single"));
        for snap in [
            "gs://b/ckpt/step-42000",
            "s3://j/2024-06/judgments.tsv",
            "gs://b/events/dt=20240601/",
            "gs://b/models/v3/model.pkl",
        ] {
            assert!(names_snapshot(snap), "{snap}");
        }
        for moving in [
            "gs://b/latest/model.pkl",
            "gs://acme-catalog/images/manifest.csv",
            "bq://p.d.t",
        ] {
            assert!(!names_snapshot(moving), "{moving}");
        }
    }
}
