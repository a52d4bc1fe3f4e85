//! What a KFP task reads from outside the pipeline run: a URI or a table
//! it is given, a download its function or command makes. KFP's cache key
//! is the component and its input values; when those stay the same while
//! the data behind a URI or a table changes, a cached task hands on
//! yesterday's result (KFR007).

use super::model::{ArgValue, Component, ComponentKind, Pipeline, Task};
use crate::source::Span;

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

/// A parameter name that says it names a table or a query.
fn table_name(input: &str) -> bool {
    let lower = input.to_ascii_lowercase();
    lower
        .split(['_', '-'])
        .any(|w| matches!(w, "table" | "tables" | "query" | "sql" | "bq" | "source"))
}

/// What task `t` of pipeline `p` reads from outside, with where.
pub fn reads(_p: &Pipeline, t: &Task, c: &Component) -> Vec<(Span, String)> {
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
        if is_remote_uri(value) {
            out.push((arg.span, shown(&format!("the URI `{}`", clip(value)))));
        } else if table_name(&arg.input) && is_table_name(value) {
            out.push((arg.span, shown(&format!("the table `{}`", clip(value)))));
        }
    }
    match c.kind {
        ComponentKind::Python => {
            if let Some(src) = &c.source
                && let Some(call) = READ_CALLS.iter().find(|k| src.contains(*k))
            {
                out.push((
                    c.span,
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
        ComponentKind::Importer => {}
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
    }
}
