//! Checks a KFP v2 PipelineSpec IR document (`schemaVersion: 2.1.0`) before kfr writes it.
//!
//! These are the referential checks the KFP SDK does not do (its loader embeds a loaded pipeline as an
//! opaque proto): dangling `componentRef` / `executorLabel` / `dependentTasks` / producer references,
//! DAG cycles, required inputs, placeholders naming undeclared I/O, interface typing and header rules.
//! A strict key and value-type check of the main messages stands in for the protobuf parse.
//!
//! Messages read `where: what` and quote values the way Python's `repr` does (`'x'`, `None`, `1.0`),
//! so they line up with the reference validator's output.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt::{Display, Write as _};
use std::sync::LazyLock;

use serde::Deserialize;
use serde_json::{Map, Value};

/// Which kind of output a task input takes.
#[derive(Clone, Copy)]
enum Output {
    Parameter,
    Artifact,
}

/// Problems found in one PipelineSpec document.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// Problems that make the document invalid.
    pub errors: Vec<String>,
    /// Suspicious but accepted constructs.
    pub warnings: Vec<String>,
}

impl Report {
    /// True when there are no errors (warnings are allowed).
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    fn error(&mut self, at: &str, msg: impl Display) {
        self.errors.push(format!("{at}: {msg}"));
    }

    fn warn(&mut self, at: &str, msg: impl Display) {
        self.warnings.push(format!("{at}: {msg}"));
    }
}

/// Check one PipelineSpec (doc 1 of a compiled KFP YAML) given as JSON.
pub fn validate(spec: &Value) -> Report {
    check(spec, None)
}

/// Parse YAML text (1 or 2 documents, `---` separated; comments allowed) and validate the PipelineSpec
/// document (the one with `pipelineInfo`). A YAML syntax error is an error in the report, never a panic.
pub fn validate_yaml(text: &str) -> Report {
    let docs = match parse_docs(text) {
        Ok(docs) => docs,
        Err(msg) => {
            let mut report = Report::default();
            report.error("yaml", msg);
            return report;
        }
    };
    let mut extra = Report::default();
    if docs.is_empty() {
        extra.error("yaml", "no YAML document");
        return extra;
    }
    if docs.len() > 2 {
        extra.error(
            "yaml",
            format!("{} documents; a compiled KFP file holds 1 or 2", docs.len()),
        );
    }
    let spec_at = docs.iter().position(|d| d.get("pipelineInfo").is_some()).unwrap_or(0);
    let platform = docs.iter().enumerate().find(|(i, _)| *i != spec_at).map(|(_, d)| d);
    let mut report = check(&docs[spec_at], platform);
    extra.errors.append(&mut report.errors);
    report.errors = extra.errors;
    report
}

/// The non-empty documents of a YAML stream, as JSON (merge keys applied).
fn parse_docs(text: &str) -> Result<Vec<Value>, String> {
    let mut docs = Vec::new();
    for de in serde_yaml::Deserializer::from_str(text) {
        // The document iterator does not stop after a syntax error, so return on the first one.
        let mut doc = serde_yaml::Value::deserialize(de).map_err(|e| e.to_string())?;
        doc.apply_merge().map_err(|e| e.to_string())?;
        if !doc.is_null() {
            docs.push(yaml_to_json(doc));
        }
    }
    Ok(docs)
}

fn yaml_to_json(v: serde_yaml::Value) -> Value {
    use serde_yaml::Value as Y;
    match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into()
            } else if let Some(u) = n.as_u64() {
                u.into()
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(Value::Null, Value::Number)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(m) => Value::Object(m.into_iter().map(|(k, v)| (yaml_key(k), yaml_to_json(v))).collect()),
        Y::Tagged(t) => yaml_to_json(t.value),
    }
}

fn yaml_key(k: serde_yaml::Value) -> String {
    match yaml_to_json(k) {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------------
// Constants

const NAME_PATTERN: &str = "^[a-z0-9][a-z0-9-]{0,127}$";
const PARAM_TYPES: [&str; 8] = [
    "NUMBER_DOUBLE",
    "NUMBER_INTEGER",
    "STRING",
    "BOOLEAN",
    "LIST",
    "STRUCT",
    "TASK_FINAL_STATUS",
    "TASK_CONFIG",
];
/// Undeclared task inputs the SDK adds itself for dynamic resource fields.
const EXTRA_OK: [&str; 7] = [
    "cpu_limit",
    "cpu_request",
    "memory_limit",
    "memory_request",
    "accelerator_type",
    "accelerator_count",
    "accelerator_limit",
];
const EXECUTOR_KINDS: [&str; 4] = ["container", "importer", "resolver", "customJob"];

const SPEC_KEYS: &[&str] = &[
    "components",
    "deploymentSpec",
    "pipelineInfo",
    "root",
    "schemaVersion",
    "sdkVersion",
    "defaultPipelineRoot",
];
const INFO_KEYS: &[&str] = &["name", "displayName", "description"];
const COMPONENT_KEYS: &[&str] = &[
    "inputDefinitions",
    "outputDefinitions",
    "dag",
    "executorLabel",
    "singlePlatformSpecs",
    "taskConfigPassthroughs",
];
const DEFS_KEYS: &[&str] = &["parameters", "artifacts"];
const DAG_KEYS: &[&str] = &["tasks", "outputs"];
const TASK_KEYS: &[&str] = &[
    "taskInfo",
    "inputs",
    "dependentTasks",
    "cachingOptions",
    "componentRef",
    "triggerPolicy",
    "parameterIterator",
    "artifactIterator",
    "retryPolicy",
    "iteratorPolicy",
];
const NAME_ONLY: &[&str] = &["name"];
const RETRY_KEYS: &[&str] = &[
    "maxRetryCount",
    "backoffDuration",
    "backoffFactor",
    "backoffMaxDuration",
];
const CACHING_KEYS: &[&str] = &["enableCache", "cacheKey"];
const DEPLOYMENT_KEYS: &[&str] = &["executors"];
const CONTAINER_KEYS: &[&str] = &["image", "command", "args", "lifecycle", "resources", "env"];
const PLATFORM_KEYS: &[&str] = &["platforms"];
const SINGLE_PLATFORM_KEYS: &[&str] = &["deploymentSpec", "platform", "config", "pipelineConfig"];

type Obj = Map<String, Value>;

static EMPTY: LazyLock<Obj> = LazyLock::new(Obj::new);

// ---------------------------------------------------------------------------------------------------
// Lenient accessors: a missing, null or wrongly typed value reads as empty (the strict pass reports it).

/// `m[k]`, with JSON null read as absent.
fn get<'a>(m: &'a Obj, k: &str) -> Option<&'a Value> {
    m.get(k).filter(|v| !v.is_null())
}

/// A value as a mapping; anything else reads as `{}`.
fn obj(v: Option<&Value>) -> &Obj {
    v.and_then(Value::as_object).unwrap_or(&EMPTY)
}

fn sub<'a>(m: &'a Obj, k: &str) -> &'a Obj {
    obj(get(m, k))
}

fn list(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// Python truthiness.
fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64() != Some(0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
    }
}

/// Whether `key` is a string naming an entry of `m`.
fn has(m: &Obj, key: Option<&Value>) -> bool {
    key.and_then(Value::as_str).is_some_and(|k| m.contains_key(k))
}

/// `(parameters, artifacts)` of a component's `inputDefinitions` or `outputDefinitions`.
fn iface<'a>(c: &'a Obj, defs: &str) -> (&'a Obj, &'a Obj) {
    let d = sub(c, defs);
    (sub(d, "parameters"), sub(d, "artifacts"))
}

// ---------------------------------------------------------------------------------------------------
// Python-style rendering of values in messages

fn repr(v: &Value) -> String {
    let mut out = String::new();
    repr_into(&mut out, v, 0);
    out
}

fn repr_opt(v: Option<&Value>) -> String {
    v.map_or_else(|| "None".to_string(), repr)
}

/// Python `str()`: strings bare, everything else as `repr`.
fn str_opt(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        other => repr_opt(other),
    }
}

/// `repr`, cut to 100 characters (for proto messages, which may quote a large value).
fn short(v: &Value) -> String {
    let s = repr(v);
    match s.char_indices().nth(100) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s,
    }
}

fn repr_into(out: &mut String, v: &Value, depth: usize) {
    if depth > 64 {
        out.push_str("...");
        return;
    }
    match v {
        Value::Null => out.push_str("None"),
        Value::Bool(true) => out.push_str("True"),
        Value::Bool(false) => out.push_str("False"),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => out.push_str(&i.to_string()),
            (_, Some(u), _) => out.push_str(&u.to_string()),
            (_, _, Some(f)) => out.push_str(&py_float(f)),
            _ => out.push_str(&n.to_string()),
        },
        Value::String(s) => out.push_str(&repr_str(s)),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                repr_into(out, item, depth + 1);
            }
            out.push(']');
        }
        Value::Object(m) => {
            out.push('{');
            for (i, (k, item)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&repr_str(k));
                out.push_str(": ");
                repr_into(out, item, depth + 1);
            }
            out.push('}');
        }
    }
}

/// Python `repr(str)`: single quotes unless the text has `'` and no `"`.
fn repr_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || (0x7f..=0xa0).contains(&(c as u32)) => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python `repr(float)`: shortest round-trip digits, exponent form outside `1e-4 <= |f| < 1e16`.
fn py_float(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let sign = if f.is_sign_negative() { "-" } else { "" };
    if f == 0.0 {
        return format!("{sign}0.0");
    }
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits = mantissa.replace('.', "");
    if (-4..16).contains(&exp) {
        if exp >= 0 {
            let int_len = exp as usize + 1;
            if digits.len() <= int_len {
                format!("{sign}{digits}{}.0", "0".repeat(int_len - digits.len()))
            } else {
                format!("{sign}{}.{}", &digits[..int_len], &digits[int_len..])
            }
        } else {
            format!("{sign}0.{}{digits}", "0".repeat((-exp - 1) as usize))
        }
    } else {
        let m = if digits.len() == 1 {
            digits
        } else {
            format!("{}.{}", &digits[..1], &digits[1..])
        };
        format!("{sign}{m}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
    }
}

// ---------------------------------------------------------------------------------------------------
// Small matchers

fn name_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let ok = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    !b.is_empty() && b.len() <= 128 && ok(&b[0]) && b[1..].iter().all(|c| ok(c) || *c == b'-')
}

/// `^\d+(\.\d+)?s$`
fn duration_ok(s: &str) -> bool {
    let Some(num) = s.strip_suffix('s') else { return false };
    let (int, frac) = num.split_once('.').unwrap_or((num, "1"));
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit());
    digits(int) && digits(frac)
}

fn int32_ok(v: &Value) -> bool {
    let fits = |i: i64| i32::try_from(i).is_ok();
    match v {
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => fits(i),
            (None, Some(f)) => f.fract() == 0.0 && f.abs() <= f64::from(i32::MAX),
            _ => false,
        },
        Value::String(s) => {
            let digits = s.strip_prefix('-').unwrap_or(s);
            !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit()) && s.parse::<i64>().is_ok_and(fits)
        }
        _ => false,
    }
}

fn double_ok(v: &Value) -> bool {
    match v {
        Value::Number(_) => true,
        Value::String(s) => s.parse::<f64>().is_ok(),
        _ => false,
    }
}

fn maps_ok(v: &Value) -> bool {
    v.as_array().is_some_and(|a| a.iter().all(Value::is_object))
}

fn str_list_ok(v: &Value) -> bool {
    v.as_array().is_some_and(|a| a.iter().all(Value::is_string))
}

/// Whether a `defaultValue` fits its `parameterType`; `None` for types without a rule.
fn default_fits(ptype: &str, v: &Value) -> Option<bool> {
    Some(match ptype {
        "NUMBER_INTEGER" => match v {
            Value::Number(n) => {
                n.as_i64().is_some() || n.as_u64().is_some() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
            }
            _ => false,
        },
        "NUMBER_DOUBLE" => v.is_number(),
        "STRING" => v.is_string(),
        "BOOLEAN" => v.is_boolean(),
        "LIST" => v.is_array(),
        "STRUCT" => v.is_object(),
        _ => return None,
    })
}

/// `(io, kind, name)` for each `{{$.inputs|outputs.parameters|artifacts['name']` in `s`.
fn placeholders(s: &str) -> Vec<(&'static str, &'static str, &str)> {
    let mut found = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find("{{$.") {
        match placeholder_at(&rest[i + 4..]) {
            Some((io, kind, name, len)) => {
                found.push((io, kind, name));
                rest = &rest[i + 4 + len..];
            }
            None => rest = &rest[i + 1..],
        }
    }
    found
}

fn placeholder_at(s: &str) -> Option<(&'static str, &'static str, &str, usize)> {
    let (io, r) = if let Some(r) = s.strip_prefix("inputs.") {
        ("inputs", r)
    } else {
        ("outputs", s.strip_prefix("outputs.")?)
    };
    let (kind, r) = if let Some(r) = r.strip_prefix("parameters['") {
        ("parameters", r)
    } else {
        ("artifacts", r.strip_prefix("artifacts['")?)
    };
    let end = r.find('\'')?;
    let after = r[end + 1..].strip_prefix(']')?;
    if end == 0 {
        return None;
    }
    Some((io, kind, &r[..end], s.len() - after.len()))
}

// ---------------------------------------------------------------------------------------------------
// Strict pass (stands in for the protobuf parse)

fn proto(r: &mut Report, msg: impl Display) {
    r.error("proto", msg);
}

fn join(at: &str, k: &str) -> String {
    if at.is_empty() {
        k.to_string()
    } else {
        format!("{at}.{k}")
    }
}

fn unknown_keys(r: &mut Report, m: &Obj, allowed: &[&str], label: &str) {
    for k in m.keys() {
        if !allowed.contains(&k.as_str()) {
            proto(r, format_args!("unknown field {} in {label}", repr_str(k)));
        }
    }
}

fn as_map<'v>(r: &mut Report, v: &'v Value, path: &str) -> Option<&'v Obj> {
    match v {
        Value::Null => None,
        Value::Object(o) => Some(o),
        other => {
            proto(r, format_args!("{path} must be a mapping, got {}", short(other)));
            None
        }
    }
}

/// The mapping at `m[k]` (path `at.k`), reporting a non-mapping.
fn field_map<'v>(r: &mut Report, m: &'v Obj, k: &str, at: &str) -> Option<&'v Obj> {
    m.get(k).and_then(|v| as_map(r, v, &join(at, k)))
}

/// Reports `m[k]` (path `at.k`) unless it is null or passes `ok`.
fn field_is(r: &mut Report, m: &Obj, k: &str, at: &str, what: &str, ok: impl Fn(&Value) -> bool) {
    if let Some(v) = get(m, k)
        && !ok(v)
    {
        proto(r, format_args!("{} must be {what}, got {}", join(at, k), short(v)));
    }
}

/// A message made of named mappings: reports each entry that is not a mapping and yields the rest.
fn entries<'v>(r: &mut Report, m: Option<&'v Obj>, at: &str) -> Vec<(&'v str, &'v Obj, String)> {
    let mut out = Vec::new();
    for (k, v) in m.into_iter().flatten() {
        let path = join(at, k);
        if let Some(o) = as_map(r, v, &path) {
            out.push((k.as_str(), o, path));
        }
    }
    out
}

fn strict_spec(r: &mut Report, spec: &Obj) {
    unknown_keys(r, spec, SPEC_KEYS, "PipelineSpec");
    for k in ["schemaVersion", "sdkVersion", "defaultPipelineRoot"] {
        field_is(r, spec, k, "", "a string", Value::is_string);
    }
    if let Some(info) = field_map(r, spec, "pipelineInfo", "") {
        unknown_keys(r, info, INFO_KEYS, "pipelineInfo");
        for k in INFO_KEYS {
            field_is(r, info, k, "pipelineInfo", "a string", Value::is_string);
        }
    }
    let comps = field_map(r, spec, "components", "");
    for (_, c, at) in entries(r, comps, "components") {
        strict_component(r, c, &at);
    }
    if let Some(root) = field_map(r, spec, "root", "") {
        strict_component(r, root, "root");
    }
    let Some(dep) = field_map(r, spec, "deploymentSpec", "") else {
        return;
    };
    unknown_keys(r, dep, DEPLOYMENT_KEYS, "deploymentSpec");
    let execs = field_map(r, dep, "executors", "deploymentSpec");
    for (_, ex, at) in entries(r, execs, "deploymentSpec.executors") {
        unknown_keys(r, ex, &EXECUTOR_KINDS, &at);
        let Some(ctr) = field_map(r, ex, "container", &at) else {
            continue;
        };
        let at = join(&at, "container");
        unknown_keys(r, ctr, CONTAINER_KEYS, &at);
        field_is(r, ctr, "image", &at, "a string", Value::is_string);
        field_is(r, ctr, "command", &at, "a list of strings", str_list_ok);
        field_is(r, ctr, "args", &at, "a list of strings", str_list_ok);
        field_is(r, ctr, "env", &at, "a list", Value::is_array);
        field_map(r, ctr, "lifecycle", &at);
        field_map(r, ctr, "resources", &at);
    }
}

fn strict_component(r: &mut Report, c: &Obj, at: &str) {
    unknown_keys(r, c, COMPONENT_KEYS, at);
    field_is(r, c, "executorLabel", at, "a string", Value::is_string);
    for defs in ["inputDefinitions", "outputDefinitions"] {
        let Some(d) = field_map(r, c, defs, at) else { continue };
        let dat = join(at, defs);
        unknown_keys(r, d, DEFS_KEYS, &dat);
        for kind in DEFS_KEYS {
            let m = field_map(r, d, kind, &dat);
            for (_, spec, sat) in entries(r, m, &join(&dat, kind)) {
                for flag in ["isOptional", "isArtifactList"] {
                    field_is(r, spec, flag, &sat, "a bool", Value::is_boolean);
                }
                field_map(r, spec, "artifactType", &sat);
            }
        }
    }
    let Some(dag) = field_map(r, c, "dag", at) else { return };
    let dat = join(at, "dag");
    unknown_keys(r, dag, DAG_KEYS, &dat);
    if let Some(outs) = field_map(r, dag, "outputs", &dat) {
        let oat = join(&dat, "outputs");
        unknown_keys(r, outs, DEFS_KEYS, &oat);
        let params = field_map(r, outs, "parameters", &oat);
        for (_, o, pat) in entries(r, params, &join(&oat, "parameters")) {
            field_map(r, o, "valueFromParameter", &pat);
            if let Some(oneof) = field_map(r, o, "valueFromOneof", &pat) {
                field_is(
                    r,
                    oneof,
                    "parameterSelectors",
                    &join(&pat, "valueFromOneof"),
                    "a list of mappings",
                    maps_ok,
                );
            }
        }
        let artifacts = field_map(r, outs, "artifacts", &oat);
        for (_, o, aat) in entries(r, artifacts, &join(&oat, "artifacts")) {
            field_is(r, o, "artifactSelectors", &aat, "a list of mappings", maps_ok);
        }
    }
    let tasks = field_map(r, dag, "tasks", &dat);
    for (_, t, tat) in entries(r, tasks, &join(&dat, "tasks")) {
        strict_task(r, t, &tat);
    }
}

fn strict_task(r: &mut Report, t: &Obj, at: &str) {
    unknown_keys(r, t, TASK_KEYS, at);
    for k in ["taskInfo", "componentRef"] {
        if let Some(m) = field_map(r, t, k, at) {
            let kat = join(at, k);
            unknown_keys(r, m, NAME_ONLY, &kat);
            field_is(r, m, "name", &kat, "a string", Value::is_string);
        }
    }
    if let Some(inputs) = field_map(r, t, "inputs", at) {
        let iat = join(at, "inputs");
        unknown_keys(r, inputs, DEFS_KEYS, &iat);
        for kind in DEFS_KEYS {
            let m = field_map(r, inputs, kind, &iat);
            for (_, src, sat) in entries(r, m, &join(&iat, kind)) {
                for k in [
                    "taskOutputParameter",
                    "taskOutputArtifact",
                    "taskFinalStatus",
                    "runtimeValue",
                ] {
                    field_map(r, src, k, &sat);
                }
                for k in ["componentInputParameter", "componentInputArtifact"] {
                    field_is(r, src, k, &sat, "a string", Value::is_string);
                }
            }
        }
    }
    field_is(r, t, "dependentTasks", at, "a list of strings", str_list_ok);
    for k in ["triggerPolicy", "iteratorPolicy"] {
        field_map(r, t, k, at);
    }
    for k in ["parameterIterator", "artifactIterator"] {
        if let Some(it) = field_map(r, t, k, at) {
            let kat = join(at, k);
            field_is(r, it, "itemInput", &kat, "a string", Value::is_string);
            field_map(r, it, "items", &kat);
        }
    }
    if get(t, "parameterIterator").is_some() && get(t, "artifactIterator").is_some() {
        proto(
            r,
            format_args!("{at}: parameterIterator and artifactIterator are one oneof; set only one"),
        );
    }
    if let Some(co) = field_map(r, t, "cachingOptions", at) {
        let cat = join(at, "cachingOptions");
        unknown_keys(r, co, CACHING_KEYS, &cat);
        field_is(r, co, "enableCache", &cat, "a bool", Value::is_boolean);
        field_is(r, co, "cacheKey", &cat, "a string", Value::is_string);
    }
    if let Some(rp) = field_map(r, t, "retryPolicy", at) {
        let rat = join(at, "retryPolicy");
        unknown_keys(r, rp, RETRY_KEYS, &rat);
        field_is(r, rp, "maxRetryCount", &rat, "an int32", int32_ok);
        field_is(r, rp, "backoffFactor", &rat, "a number", double_ok);
        for k in ["backoffDuration", "backoffMaxDuration"] {
            field_is(r, rp, k, &rat, "a duration string like '30s'", |v| {
                v.as_str().is_some_and(duration_ok)
            });
        }
    }
}

fn strict_platform(r: &mut Report, doc: &Value) {
    let Some(p) = as_map(r, doc, "PlatformSpec") else {
        return;
    };
    unknown_keys(r, p, PLATFORM_KEYS, "PlatformSpec");
    let platforms = field_map(r, p, "platforms", "PlatformSpec");
    for (_, sp, at) in entries(r, platforms, "PlatformSpec.platforms") {
        unknown_keys(r, sp, SINGLE_PLATFORM_KEYS, &at);
        if let Some(dep) = field_map(r, sp, "deploymentSpec", &at) {
            let dat = join(&at, "deploymentSpec");
            unknown_keys(r, dep, DEPLOYMENT_KEYS, &dat);
            field_map(r, dep, "executors", &dat);
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// Referential pass

fn check(spec: &Value, platform: Option<&Value>) -> Report {
    let mut report = Report::default();
    let Some(spec) = spec.as_object() else {
        proto(
            &mut report,
            format_args!("PipelineSpec must be a mapping, got {}", short(spec)),
        );
        return report;
    };
    strict_spec(&mut report, spec);
    if let Some(p) = platform {
        strict_platform(&mut report, p);
    }

    let name = get(sub(spec, "pipelineInfo"), "name");
    if !name.and_then(Value::as_str).is_some_and(name_ok) {
        report.error(
            "header",
            format_args!("pipelineInfo.name {} does not match {NAME_PATTERN}", repr_opt(name)),
        );
    }
    let version = get(spec, "schemaVersion");
    if version.and_then(Value::as_str) != Some("2.1.0") {
        report.error("header", format_args!("schemaVersion {} != '2.1.0'", repr_opt(version)));
    }
    if !spec.contains_key("root") {
        report.error("header", "no root");
        return report;
    }

    let mut ck = Checker {
        comps: sub(spec, "components"),
        execs: sub(sub(spec, "deploymentSpec"), "executors"),
        report,
        used_comps: HashSet::new(),
        used_execs: HashSet::new(),
    };
    for (k, c) in ck.comps {
        ck.component(k, obj(Some(c)));
    }
    ck.component("root", sub(spec, "root"));
    ck.executors();
    ck.unused();
    ck.report
}

struct Checker<'a> {
    comps: &'a Obj,
    execs: &'a Obj,
    report: Report,
    used_comps: HashSet<&'a str>,
    used_execs: HashSet<&'a str>,
}

/// The DAG a task sits in.
struct Scope<'a> {
    at: String,
    ckey: &'a str,
    in_p: &'a Obj,
    in_a: &'a Obj,
    tasks: &'a Obj,
}

impl<'a> Checker<'a> {
    fn err(&mut self, at: &str, msg: impl Display) {
        self.report.error(at, msg);
    }

    /// The component a task of `tasks` runs (`{}` when unknown).
    /// A task input fed by another task's output: the producer is a task
    /// of this DAG, among the dependencies (unless `extra`, an input the
    /// SDK adds itself), and has that output.
    #[allow(clippy::too_many_arguments)]
    fn producer(
        &mut self,
        tw: &str,
        tasks: &'a Obj,
        kind: Output,
        prod: Option<&Value>,
        key: Option<&Value>,
        in_deps: impl Fn(&str) -> bool,
        extra: bool,
    ) {
        let (field, noun) = match kind {
            Output::Parameter => ("taskOutputParameter", "parameter"),
            Output::Artifact => ("taskOutputArtifact", "artifact"),
        };
        let Some(p) = prod.and_then(Value::as_str).filter(|p| tasks.contains_key(*p)) else {
            self.err(
                tw,
                format_args!("{field}.producerTask {} not in this DAG", repr_opt(prod)),
            );
            return;
        };
        if !in_deps(p) && !extra {
            self.err(tw, format_args!("producer {} missing from dependentTasks", repr_str(p)));
        }
        let (params, artifacts) = iface(self.component_of(tasks, p), "outputDefinitions");
        let outputs = match kind {
            Output::Parameter => params,
            Output::Artifact => artifacts,
        };
        if !has(outputs, key) {
            self.err(
                tw,
                format_args!("{} has no output {noun} {}", repr_str(p), repr_opt(key)),
            );
        }
    }

    fn component_of(&self, tasks: &'a Obj, task: &str) -> &'a Obj {
        let name = get(sub(obj(tasks.get(task)), "componentRef"), "name");
        obj(name.and_then(Value::as_str).and_then(|n| self.comps.get(n)))
    }

    fn component(&mut self, ckey: &'a str, c: &'a Obj) {
        let at = if ckey == "root" {
            "root".to_string()
        } else {
            format!("components.{ckey}")
        };
        let (has_dag, has_exec) = (c.contains_key("dag"), c.contains_key("executorLabel"));
        if has_dag == has_exec {
            self.err(&at, "must have exactly one of dag / executorLabel");
        }
        if ckey == "root" && !has_dag {
            self.err(&at, "root must be a dag");
        }
        if has_exec {
            let label = c.get("executorLabel");
            if !has(self.execs, label) {
                self.err(
                    &at,
                    format_args!("executorLabel {} not in deploymentSpec.executors", repr_opt(label)),
                );
            }
        }
        self.interface(&at, c);
        if !has_dag {
            return;
        }
        let dag = sub(c, "dag");
        let tasks = sub(dag, "tasks");
        let (in_p, in_a) = iface(c, "inputDefinitions");
        let scope = Scope {
            at,
            ckey,
            in_p,
            in_a,
            tasks,
        };
        for (tname, t) in tasks {
            self.task(&scope, tname, obj(Some(t)));
        }
        self.cycles(&scope.at, tasks);
        self.dag_outputs(&scope.at, c, dag, tasks);
    }

    fn interface(&mut self, at: &str, c: &Obj) {
        for (side, defs) in [("input", "inputDefinitions"), ("output", "outputDefinitions")] {
            let (params, artifacts) = iface(c, defs);
            for (n, p) in params {
                let p = obj(Some(p));
                let pat = format!("{at}.{defs}.parameters.{n}");
                let ptype_v = get(p, "parameterType");
                let ptype = ptype_v.and_then(Value::as_str).filter(|t| PARAM_TYPES.contains(t));
                if ptype.is_none() {
                    self.err(&pat, format_args!("bad/missing parameterType {}", repr_opt(ptype_v)));
                }
                if side != "input" {
                    continue;
                }
                if let (Some(d), Some(t)) = (p.get("defaultValue"), ptype)
                    && default_fits(t, d) == Some(false)
                {
                    self.err(&pat, format_args!("defaultValue {} does not fit {t}", repr(d)));
                }
                if p.get("isOptional") == Some(&Value::Bool(false)) && p.contains_key("defaultValue") {
                    self.err(&pat, "defaultValue with isOptional: false");
                }
            }
            for (n, a) in artifacts {
                let ty = sub(obj(Some(a)), "artifactType");
                let aat = format!("{at}.{defs}.artifacts.{n}");
                let title = get(ty, "schemaTitle");
                if !truthy(title) || !truthy(get(ty, "schemaVersion")) {
                    self.err(&aat, "artifactType needs schemaTitle and schemaVersion");
                } else if !title
                    .and_then(Value::as_str)
                    .is_some_and(|t| matches!(t.split('.').next(), Some("system" | "google")))
                {
                    self.err(
                        &aat,
                        format_args!(
                            "schemaTitle {} not in system./google. namespace (SDK loader rejects)",
                            repr_opt(title)
                        ),
                    );
                }
            }
        }
    }

    fn task(&mut self, s: &Scope<'a>, tname: &str, t: &'a Obj) {
        let tw = format!("{}.dag.tasks.{tname}", s.at);
        let ref_v = get(sub(t, "componentRef"), "name");
        let callee = ref_v
            .and_then(Value::as_str)
            .and_then(|r| self.comps.get_key_value(r))
            .filter(|(_, v)| !v.is_null());
        let callee = match callee {
            Some((key, v)) => {
                self.used_comps.insert(key.as_str());
                obj(Some(v))
            }
            None => {
                self.err(&tw, format_args!("componentRef {} not in components", repr_opt(ref_v)));
                &EMPTY
            }
        };
        let ref_s = str_opt(ref_v);
        if !truthy(get(sub(t, "taskInfo"), "name")) {
            self.report.warn(
                &tw,
                "no taskInfo.name (SDK always emits it; the backend uses it as display name)",
            );
        }
        if callee.contains_key("executorLabel") && !t.contains_key("cachingOptions") {
            self.report.warn(
                &tw,
                "no cachingOptions -> caching disabled (SDK default emits enableCache: true)",
            );
        }
        let deps = list(get(t, "dependentTasks"));
        for d in deps {
            if !has(s.tasks, Some(d)) {
                self.err(&tw, format_args!("dependentTasks: {} not a task in this DAG", repr(d)));
            }
        }
        let in_deps = |p: &str| deps.iter().any(|d| d.as_str() == Some(p));
        let (c_in_p, c_in_a) = iface(callee, "inputDefinitions");
        let inputs = sub(t, "inputs");
        let (params, artifacts) = (sub(inputs, "parameters"), sub(inputs, "artifacts"));

        for (pn, src) in params {
            let src = obj(Some(src));
            let mut extra = false;
            if !callee.is_empty() && !c_in_p.contains_key(pn) {
                // The SDK adds these itself: 'pipelinechannel--*' for values used in f-strings and
                // conditions, cpu_limit/accelerator_count/... for dynamic resources.
                if pn.starts_with("pipelinechannel--") || EXTRA_OK.contains(&pn.as_str()) {
                    extra = true;
                    self.report.warn(
                        &tw,
                        format_args!(
                            "extra (undeclared) input parameter {} (SDK does this for f-strings/conditions/dynamic resources)",
                            repr_str(pn)
                        ),
                    );
                } else {
                    self.err(
                        &tw,
                        format_args!("input parameter {} not declared by {ref_s}", repr_str(pn)),
                    );
                }
            }
            if src.contains_key("taskOutputParameter") {
                let top = sub(src, "taskOutputParameter");
                let (prod, key) = (get(top, "producerTask"), get(top, "outputParameterKey"));
                self.producer(&tw, s.tasks, Output::Parameter, prod, key, in_deps, extra);
            } else if src.contains_key("componentInputParameter") {
                let name = src.get("componentInputParameter");
                if !has(s.in_p, name) {
                    self.err(
                        &tw,
                        format_args!(
                            "componentInputParameter {} not an input parameter of {}",
                            repr_opt(name),
                            s.ckey
                        ),
                    );
                }
            } else if src.contains_key("taskFinalStatus") {
                if !has(s.tasks, get(sub(src, "taskFinalStatus"), "producerTask")) {
                    self.err(&tw, "taskFinalStatus.producerTask not in this DAG");
                }
            } else if !src.contains_key("runtimeValue") {
                self.err(&tw, format_args!("input parameter {} has no source", repr_str(pn)));
            }
        }

        for (an, src) in artifacts {
            let src = obj(Some(src));
            if !callee.is_empty() && !c_in_a.contains_key(an) {
                self.err(
                    &tw,
                    format_args!("input artifact {} not declared by {ref_s}", repr_str(an)),
                );
            }
            if src.contains_key("taskOutputArtifact") {
                let toa = sub(src, "taskOutputArtifact");
                let (prod, key) = (get(toa, "producerTask"), get(toa, "outputArtifactKey"));
                self.producer(&tw, s.tasks, Output::Artifact, prod, key, in_deps, false);
            } else if src.contains_key("componentInputArtifact") {
                let name = src.get("componentInputArtifact");
                if !has(s.in_a, name) {
                    self.err(
                        &tw,
                        format_args!(
                            "componentInputArtifact {} not an input artifact of {}",
                            repr_opt(name),
                            s.ckey
                        ),
                    );
                }
            } else {
                self.err(&tw, format_args!("input artifact {} has no source", repr_str(an)));
            }
        }

        let mut supplied: HashSet<&str> = params.keys().chain(artifacts.keys()).map(String::as_str).collect();
        let pi = get(t, "parameterIterator");
        let it = if truthy(pi) { pi } else { get(t, "artifactIterator") };
        if truthy(it) {
            let it = obj(it);
            let item = get(it, "itemInput");
            if let Some(i) = item.and_then(Value::as_str) {
                supplied.insert(i);
            }
            let items = sub(it, "items");
            let ip = get(items, "inputParameter");
            let src = if truthy(ip) { ip } else { get(items, "inputArtifact") };
            if truthy(src) && !src.and_then(Value::as_str).is_some_and(|n| supplied.contains(n)) {
                self.err(
                    &tw,
                    format_args!("iterator items input {} not among task inputs", repr_opt(src)),
                );
            }
            if !has(c_in_p, item) && !has(c_in_a, item) {
                self.err(
                    &tw,
                    format_args!("iterator itemInput {} not declared by {ref_s}", repr_opt(item)),
                );
            }
        }
        for (n, p) in c_in_p.iter().chain(c_in_a) {
            let p = obj(Some(p));
            if !supplied.contains(n.as_str()) && !truthy(get(p, "isOptional")) && !p.contains_key("defaultValue") {
                self.err(
                    &tw,
                    format_args!("required input {} of {ref_s} not supplied", repr_str(n)),
                );
            }
        }
    }

    /// Depth-first search over `dependentTasks` with an explicit stack (no recursion, so a
    /// 100,000-task chain is fine); reports the DFS path each time it reaches a task on that path.
    fn cycles(&mut self, at: &str, tasks: &'a Obj) {
        const ACTIVE: u8 = 1;
        const DONE: u8 = 2;
        let deps_of = |n: &str| list(get(obj(tasks.get(n)), "dependentTasks"));
        let mut state: HashMap<&str, u8> = HashMap::with_capacity(tasks.len());
        let mut stack: Vec<(&str, &[Value], usize)> = Vec::new();
        let dag_at = format!("{at}.dag");
        for start in tasks.keys() {
            if state.contains_key(start.as_str()) {
                continue;
            }
            state.insert(start, ACTIVE);
            stack.push((start, deps_of(start), 0));
            while let Some(top) = stack.last_mut() {
                let (node, deps, next) = *top;
                let Some(d) = deps.get(next) else {
                    state.insert(node, DONE);
                    stack.pop();
                    continue;
                };
                top.2 += 1;
                let Some((d, _)) = d.as_str().and_then(|d| tasks.get_key_value(d)) else {
                    continue;
                };
                match state.get(d.as_str()) {
                    Some(&DONE) => {}
                    Some(_) => {
                        let mut path: Vec<&str> = stack.iter().map(|(n, _, _)| *n).collect();
                        path.push(d);
                        self.err(&dag_at, format_args!("cycle: {}", path.join(" -> ")));
                    }
                    None => {
                        state.insert(d, ACTIVE);
                        stack.push((d, deps_of(d), 0));
                    }
                }
            }
        }
    }

    fn dag_outputs(&mut self, at: &str, c: &'a Obj, dag: &'a Obj, tasks: &'a Obj) {
        let (out_p, out_a) = iface(c, "outputDefinitions");
        let douts = sub(dag, "outputs");
        let (dout_p, dout_a) = (sub(douts, "parameters"), sub(douts, "artifacts"));
        for (on, o) in dout_p {
            let o = obj(Some(o));
            let oat = format!("{at}.dag.outputs.parameters.{on}");
            let sels: Vec<&Value> = match o.get("valueFromParameter") {
                Some(v) => vec![v],
                None => list(get(sub(o, "valueFromOneof"), "parameterSelectors"))
                    .iter()
                    .collect(),
            };
            if sels.is_empty() {
                self.err(&oat, "needs valueFromParameter or valueFromOneof.parameterSelectors");
            }
            if !out_p.contains_key(on) {
                self.report.warn(&oat, "not declared in outputDefinitions");
            }
            for sel in sels {
                let sel = obj(Some(sel));
                let st = get(sel, "producerSubtask");
                let key = get(sel, "outputParameterKey");
                match st.and_then(Value::as_str).filter(|t| tasks.contains_key(*t)) {
                    None => self.err(&oat, format_args!("producerSubtask {} not in DAG", repr_opt(st))),
                    Some(t) => {
                        if !has(iface(self.component_of(tasks, t), "outputDefinitions").0, key) {
                            self.err(
                                &oat,
                                format_args!("{} has no output parameter {}", repr_str(t), repr_opt(key)),
                            );
                        }
                    }
                }
            }
        }
        for (on, o) in dout_a {
            let o = obj(Some(o));
            let oat = format!("{at}.dag.outputs.artifacts.{on}");
            if !truthy(get(o, "artifactSelectors")) {
                self.err(&oat, "needs non-empty artifactSelectors");
            }
            if !out_a.contains_key(on) {
                self.report.warn(&oat, "not declared in outputDefinitions");
            }
            for sel in list(get(o, "artifactSelectors")) {
                let sel = obj(Some(sel));
                let st = get(sel, "producerSubtask");
                let key = get(sel, "outputArtifactKey");
                match st.and_then(Value::as_str).filter(|t| tasks.contains_key(*t)) {
                    None => self.err(&oat, format_args!("producerSubtask {} not in DAG", repr_opt(st))),
                    Some(t) => {
                        if !has(iface(self.component_of(tasks, t), "outputDefinitions").1, key) {
                            self.err(
                                &oat,
                                format_args!("{} has no output artifact {}", repr_str(t), repr_opt(key)),
                            );
                        }
                    }
                }
            }
        }
        let declared: BTreeSet<&String> = out_p.keys().chain(out_a.keys()).collect();
        for on in declared {
            if !dout_p.contains_key(on) && !dout_a.contains_key(on) {
                self.err(
                    at,
                    format_args!("declared output {} not produced by dag.outputs", repr_str(on)),
                );
            }
        }
    }

    fn executors(&mut self) {
        for (ekey, ex) in self.execs {
            let ex = obj(Some(ex));
            let kinds: Vec<Value> = EXECUTOR_KINDS
                .iter()
                .filter(|k| ex.contains_key(**k))
                .map(|k| Value::from(*k))
                .collect();
            if kinds.len() != 1 {
                let at = format!("deploymentSpec.executors.{ekey}");
                let got = repr(&Value::Array(kinds));
                self.err(
                    &at,
                    format_args!("must have exactly one of container/importer/resolver/customJob, got {got}"),
                );
            }
        }
        for (ckey, c) in self.comps {
            let c = obj(Some(c));
            let Some((label, ex)) = get(c, "executorLabel")
                .and_then(Value::as_str)
                .and_then(|l| self.execs.get_key_value(l))
            else {
                continue;
            };
            if !truthy(Some(ex)) {
                continue;
            }
            self.used_execs.insert(label);
            let Some(ctr) = get(obj(Some(ex)), "container") else {
                continue;
            };
            let ctr = obj(Some(ctr));
            let at = format!("deploymentSpec.executors.{label}");
            if !truthy(get(ctr, "image")) {
                self.err(&at, "empty image");
            }
            let (ip, ia) = iface(c, "inputDefinitions");
            let (op, oa) = iface(c, "outputDefinitions");
            // `ctr.get(k) or []`: a falsy value reads as an empty list.
            let as_list = |k: &str| {
                get(ctr, k)
                    .filter(|v| truthy(Some(v)))
                    .map_or(Some(&[][..]), |v| v.as_array().map(Vec::as_slice))
            };
            let (Some(cmd), Some(args)) = (as_list("command"), as_list("args")) else {
                self.err(&at, "command/args must be lists of strings");
                continue;
            };
            for s in cmd.iter().chain(args) {
                let text = str_opt(Some(s));
                for (io, kind, n) in placeholders(&text) {
                    let decl = match (io, kind) {
                        ("inputs", "parameters") => ip,
                        ("inputs", _) => ia,
                        (_, "parameters") => op,
                        _ => oa,
                    };
                    if !decl.contains_key(n) {
                        self.err(
                            &at,
                            format_args!("placeholder {io}.{kind}[{}] not declared by {ckey}", repr_str(n)),
                        );
                    }
                }
            }
        }
    }

    fn unused(&mut self) {
        for k in self.comps.keys() {
            if !self.used_comps.contains(k.as_str()) {
                self.report
                    .warn(&format!("components.{k}"), "not referenced by any task");
            }
        }
        for k in self.execs.keys() {
            if !self.used_execs.contains(k.as_str()) {
                self.report.warn(
                    &format!("deploymentSpec.executors.{k}"),
                    "not referenced by any component",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// KFP_IR §7a: the smallest practical container component.
    const COMPONENT: &str = r#"# PIPELINE DEFINITION
# Name: say-hello
# Description: Writes a greeting into a Dataset artifact.
components:
  comp-say-hello:
    executorLabel: exec-say-hello
    inputDefinitions:
      parameters:
        name: {parameterType: STRING}
        times: {parameterType: NUMBER_INTEGER, defaultValue: 1, isOptional: true}
    outputDefinitions:
      artifacts:
        greeting: {artifactType: {schemaTitle: system.Dataset, schemaVersion: 0.0.1}}
deploymentSpec:
  executors:
    exec-say-hello:
      container:
        image: alpine:3.19
        command: [sh, -c, 'mkdir -p "$(dirname "$2")" && for i in $(seq "$1"); do echo "hello $0"; done > "$2"']
        args: ["{{$.inputs.parameters['name']}}", "{{$.inputs.parameters['times']}}", "{{$.outputs.artifacts['greeting'].path}}"]
pipelineInfo: {name: say-hello}
root:
  dag:
    outputs:
      artifacts:
        greeting: {artifactSelectors: [{outputArtifactKey: greeting, producerSubtask: say-hello}]}
    tasks:
      say-hello:
        cachingOptions: {enableCache: true}
        componentRef: {name: comp-say-hello}
        inputs:
          parameters:
            name: {componentInputParameter: name}
            times: {componentInputParameter: times}
        taskInfo: {name: say-hello}
  inputDefinitions:
    parameters:
      name: {parameterType: STRING}
      times: {parameterType: NUMBER_INTEGER, defaultValue: 1, isOptional: true}
  outputDefinitions:
    artifacts:
      greeting: {artifactType: {schemaTitle: system.Dataset, schemaVersion: 0.0.1}}
schemaVersion: 2.1.0
sdkVersion: kfp-2.17.0
"#;

    /// KFP_IR §7b: a two-task pipeline (artifact handoff, retry policy, caching off on one task).
    const PIPELINE: &str = r#"# PIPELINE DEFINITION
# Name: two-step
components:
  comp-say-hello:    {executorLabel: exec-say-hello, inputDefinitions: {parameters: {name: {parameterType: STRING}}},
                      outputDefinitions: {artifacts: {greeting: {artifactType: {schemaTitle: system.Dataset, schemaVersion: 0.0.1}}}}}
  comp-count-lines:  {executorLabel: exec-count-lines,
                      inputDefinitions: {artifacts: {text: {artifactType: {schemaTitle: system.Dataset, schemaVersion: 0.0.1}}}},
                      outputDefinitions: {parameters: {n: {parameterType: NUMBER_INTEGER}}}}
deploymentSpec:
  executors:
    exec-say-hello:   {container: {image: alpine:3.19, command: [sh, -c, 'mkdir -p "$(dirname "$1")" && echo "hello $0" > "$1"'],
                                   args: ["{{$.inputs.parameters['name']}}", "{{$.outputs.artifacts['greeting'].path}}"]}}
    exec-count-lines: {container: {image: alpine:3.19, command: [sh, -c, 'mkdir -p "$(dirname "$1")" && wc -l < "$0" > "$1"'],
                                   args: ["{{$.inputs.artifacts['text'].path}}", "{{$.outputs.parameters['n'].output_file}}"]}}
pipelineInfo: {name: two-step}
root:
  dag:
    outputs: {parameters: {n: {valueFromParameter: {outputParameterKey: n, producerSubtask: count-lines}}}}
    tasks:
      say-hello:
        cachingOptions: {enableCache: true}
        componentRef: {name: comp-say-hello}
        inputs: {parameters: {name: {componentInputParameter: name}}}
        retryPolicy: {maxRetryCount: 2, backoffDuration: 30s, backoffFactor: 2.0, backoffMaxDuration: 3600s}
        taskInfo: {name: say-hello}
      count-lines:
        cachingOptions: {}                      # caching disabled
        componentRef: {name: comp-count-lines}
        dependentTasks: [say-hello]
        inputs: {artifacts: {text: {taskOutputArtifact: {outputArtifactKey: greeting, producerTask: say-hello}}}}
        taskInfo: {name: count-lines}
  inputDefinitions: {parameters: {name: {defaultValue: world, isOptional: true, parameterType: STRING}}}
  outputDefinitions: {parameters: {n: {parameterType: NUMBER_INTEGER}}}
schemaVersion: 2.1.0
sdkVersion: kfp-2.17.0
"#;

    fn doc(yaml: &str) -> Value {
        parse_docs(yaml).expect("fixture parses").remove(0)
    }

    /// Validates `yaml` after `edit` changed its PipelineSpec.
    fn mutated(yaml: &str, edit: impl FnOnce(&mut Value)) -> Report {
        let mut spec = doc(yaml);
        edit(&mut spec);
        validate(&spec)
    }

    fn at<'v>(v: &'v mut Value, ptr: &str) -> &'v mut Value {
        v.pointer_mut(ptr).unwrap_or_else(|| panic!("fixture has no {ptr}"))
    }

    /// Inserts or replaces `key` in the mapping at `ptr`.
    fn put(v: &mut Value, ptr: &str, key: &str, new: Value) {
        at(v, ptr)
            .as_object_mut()
            .expect("a mapping")
            .insert(key.to_string(), new);
    }

    fn del(v: &mut Value, ptr: &str, key: &str) {
        at(v, ptr).as_object_mut().expect("a mapping").remove(key);
    }

    fn sorted(mut v: Vec<String>) -> Vec<String> {
        v.sort();
        v
    }

    #[track_caller]
    fn assert_error(r: &Report, msg: &str) {
        assert!(
            r.errors.iter().any(|e| e == msg),
            "missing error {msg:?}\nerrors: {:#?}",
            r.errors
        );
    }

    #[track_caller]
    fn assert_only_error(r: &Report, msg: &str) {
        assert_eq!(r.errors, vec![msg.to_string()], "warnings: {:#?}", r.warnings);
    }

    #[test]
    fn minimal_component_is_valid() {
        let r = validate_yaml(COMPONENT);
        assert_eq!(r, Report::default());
        assert!(r.is_ok());
    }

    #[test]
    fn two_task_pipeline_is_valid() {
        assert_eq!(validate_yaml(PIPELINE), Report::default());
    }

    #[test]
    fn dangling_component_ref() {
        let r = mutated(PIPELINE, |v| {
            *at(v, "/root/dag/tasks/say-hello/componentRef/name") = json!("comp-x")
        });
        assert_error(&r, "root.dag.tasks.say-hello: componentRef 'comp-x' not in components");
        assert!(
            r.warnings
                .contains(&"components.comp-say-hello: not referenced by any task".to_string())
        );
    }

    #[test]
    fn dangling_executor_label() {
        let r = mutated(PIPELINE, |v| {
            *at(v, "/components/comp-count-lines/executorLabel") = json!("exec-nope")
        });
        assert_only_error(
            &r,
            "components.comp-count-lines: executorLabel 'exec-nope' not in deploymentSpec.executors",
        );
        assert!(
            r.warnings
                .contains(&"deploymentSpec.executors.exec-count-lines: not referenced by any component".into())
        );
    }

    #[test]
    fn dangling_dependent_task() {
        let r = mutated(PIPELINE, |v| {
            put(v, "/root/dag/tasks/say-hello", "dependentTasks", json!(["ghost"]))
        });
        assert_only_error(
            &r,
            "root.dag.tasks.say-hello: dependentTasks: 'ghost' not a task in this DAG",
        );
    }

    #[test]
    fn producer_missing_from_dependent_tasks() {
        let r = mutated(PIPELINE, |v| del(v, "/root/dag/tasks/count-lines", "dependentTasks"));
        assert_only_error(
            &r,
            "root.dag.tasks.count-lines: producer 'say-hello' missing from dependentTasks",
        );
    }

    #[test]
    fn producer_not_in_dag() {
        let r = mutated(PIPELINE, |v| {
            *at(
                v,
                "/root/dag/tasks/count-lines/inputs/artifacts/text/taskOutputArtifact/producerTask",
            ) = json!("gone");
        });
        assert_only_error(
            &r,
            "root.dag.tasks.count-lines: taskOutputArtifact.producerTask 'gone' not in this DAG",
        );
    }

    #[test]
    fn missing_output_key() {
        let r = mutated(PIPELINE, |v| {
            *at(
                v,
                "/root/dag/tasks/count-lines/inputs/artifacts/text/taskOutputArtifact/outputArtifactKey",
            ) = json!("greetings");
        });
        assert_only_error(
            &r,
            "root.dag.tasks.count-lines: 'say-hello' has no output artifact 'greetings'",
        );

        let r = mutated(PIPELINE, |v| {
            let src = json!({"taskOutputParameter": {"producerTask": "say-hello", "outputParameterKey": "Output"}});
            put(
                v,
                "/components/comp-count-lines/inputDefinitions",
                "parameters",
                json!({"k": {"parameterType": "STRING"}}),
            );
            put(
                v,
                "/root/dag/tasks/count-lines/inputs",
                "parameters",
                json!({ "k": src }),
            );
        });
        assert_only_error(
            &r,
            "root.dag.tasks.count-lines: 'say-hello' has no output parameter 'Output'",
        );
    }

    #[test]
    fn component_input_parameter_not_declared() {
        let r = mutated(PIPELINE, |v| {
            *at(
                v,
                "/root/dag/tasks/say-hello/inputs/parameters/name/componentInputParameter",
            ) = json!("nmae");
        });
        assert_only_error(
            &r,
            "root.dag.tasks.say-hello: componentInputParameter 'nmae' not an input parameter of root",
        );
    }

    #[test]
    fn undeclared_task_inputs() {
        let r = mutated(PIPELINE, |v| {
            put(
                v,
                "/root/dag/tasks/say-hello/inputs/parameters",
                "lr",
                json!({"runtimeValue": {"constant": 0.1}}),
            );
            let src = json!({"taskOutputArtifact": {"producerTask": "say-hello", "outputArtifactKey": "greeting"}});
            put(v, "/root/dag/tasks/count-lines/inputs/artifacts", "extra", src);
        });
        assert_error(
            &r,
            "root.dag.tasks.say-hello: input parameter 'lr' not declared by comp-say-hello",
        );
        assert_error(
            &r,
            "root.dag.tasks.count-lines: input artifact 'extra' not declared by comp-count-lines",
        );
        assert_eq!(r.errors.len(), 2, "{:#?}", r.errors);
    }

    #[test]
    fn input_without_source() {
        let r = mutated(PIPELINE, |v| {
            *at(v, "/root/dag/tasks/say-hello/inputs/parameters/name") = json!({})
        });
        assert_only_error(&r, "root.dag.tasks.say-hello: input parameter 'name' has no source");
    }

    #[test]
    fn required_input_not_supplied() {
        let r = mutated(PIPELINE, |v| del(v, "/root/dag/tasks/count-lines", "inputs"));
        assert_only_error(
            &r,
            "root.dag.tasks.count-lines: required input 'text' of comp-count-lines not supplied",
        );
    }

    #[test]
    fn cycle_is_caught() {
        let r = mutated(PIPELINE, |v| {
            put(v, "/root/dag/tasks/say-hello", "dependentTasks", json!(["count-lines"]))
        });
        let cycles: Vec<_> = r.errors.iter().filter(|e| e.starts_with("root.dag: cycle: ")).collect();
        assert_eq!(cycles.len(), 1, "{:#?}", r.errors);
        assert!(
            cycles[0] == "root.dag: cycle: count-lines -> say-hello -> count-lines"
                || cycles[0] == "root.dag: cycle: say-hello -> count-lines -> say-hello",
            "{cycles:?}"
        );

        let r = mutated(COMPONENT, |v| {
            put(v, "/root/dag/tasks/say-hello", "dependentTasks", json!(["say-hello"]))
        });
        assert_only_error(&r, "root.dag: cycle: say-hello -> say-hello");
    }

    #[test]
    fn placeholder_names_undeclared_io() {
        let r = mutated(PIPELINE, |v| {
            *at(v, "/deploymentSpec/executors/exec-say-hello/container/args") = json!([
                "{{$.inputs.parameters['nme']}}",
                "--out={{$.outputs.artifacts['greting'].path}}"
            ]);
        });
        assert_error(
            &r,
            "deploymentSpec.executors.exec-say-hello: placeholder inputs.parameters['nme'] not declared by comp-say-hello",
        );
        assert_error(
            &r,
            "deploymentSpec.executors.exec-say-hello: placeholder outputs.artifacts['greting'] not declared by comp-say-hello",
        );
        assert_eq!(r.errors.len(), 2);
    }

    #[test]
    fn placeholders_inside_structured_args_are_checked() {
        let concat = r#"{"Concat": ["--n=", "{{$.inputs.parameters['name']}}", "{{$.inputs.artifacts['text'].uri}}"]}"#;
        let r = mutated(PIPELINE, |v| {
            *at(v, "/deploymentSpec/executors/exec-say-hello/container/args/0") = json!(concat)
        });
        assert_only_error(
            &r,
            "deploymentSpec.executors.exec-say-hello: placeholder inputs.artifacts['text'] not declared by comp-say-hello",
        );
    }

    #[test]
    fn bad_parameter_type() {
        let r = mutated(PIPELINE, |v| {
            *at(
                v,
                "/components/comp-say-hello/inputDefinitions/parameters/name/parameterType",
            ) = json!("STR");
        });
        assert_only_error(
            &r,
            "components.comp-say-hello.inputDefinitions.parameters.name: bad/missing parameterType 'STR'",
        );
        let r = mutated(PIPELINE, |v| {
            del(v, "/root/outputDefinitions/parameters/n", "parameterType")
        });
        assert_only_error(
            &r,
            "root.outputDefinitions.parameters.n: bad/missing parameterType None",
        );
    }

    #[test]
    fn bad_schema_title_namespace() {
        let r = mutated(PIPELINE, |v| {
            *at(
                v,
                "/components/comp-count-lines/inputDefinitions/artifacts/text/artifactType/schemaTitle",
            ) = json!("my.Custom");
        });
        assert_only_error(
            &r,
            "components.comp-count-lines.inputDefinitions.artifacts.text: schemaTitle 'my.Custom' not in system./google. namespace (SDK loader rejects)",
        );
        let r = mutated(PIPELINE, |v| {
            del(
                v,
                "/components/comp-count-lines/inputDefinitions/artifacts/text/artifactType",
                "schemaVersion",
            );
        });
        assert_only_error(
            &r,
            "components.comp-count-lines.inputDefinitions.artifacts.text: artifactType needs schemaTitle and schemaVersion",
        );
    }

    #[test]
    fn default_must_fit_its_type() {
        let times = "/components/comp-say-hello/inputDefinitions/parameters/times";
        let r = mutated(COMPONENT, |v| put(v, times, "defaultValue", json!("abc")));
        assert_only_error(
            &r,
            "components.comp-say-hello.inputDefinitions.parameters.times: defaultValue 'abc' does not fit NUMBER_INTEGER",
        );
        let r = mutated(COMPONENT, |v| put(v, times, "defaultValue", json!(1.5)));
        assert_only_error(
            &r,
            "components.comp-say-hello.inputDefinitions.parameters.times: defaultValue 1.5 does not fit NUMBER_INTEGER",
        );
        // The SDK writes integer defaults as doubles.
        assert!(mutated(COMPONENT, |v| put(v, times, "defaultValue", json!(100.0))).is_ok());
        let r = mutated(PIPELINE, |v| {
            put(v, "/root/inputDefinitions/parameters/name", "defaultValue", json!(true))
        });
        assert_only_error(
            &r,
            "root.inputDefinitions.parameters.name: defaultValue True does not fit STRING",
        );
    }

    #[test]
    fn is_optional_false_with_default() {
        let r = mutated(PIPELINE, |v| {
            put(v, "/root/inputDefinitions/parameters/name", "isOptional", json!(false))
        });
        assert_only_error(
            &r,
            "root.inputDefinitions.parameters.name: defaultValue with isOptional: false",
        );
    }

    #[test]
    fn unknown_keys_are_proto_errors() {
        let r = mutated(PIPELINE, |v| {
            put(v, "", "pipelineSpec", json!({}));
            put(v, "/pipelineInfo", "title", json!("x"));
            put(v, "/components/comp-say-hello", "executor", json!("exec-say-hello"));
            put(v, "/root/dag/tasks/say-hello", "cachingOption", json!({}));
            put(v, "/root/dag/tasks/say-hello/retryPolicy", "maxRetries", json!(3));
            put(v, "/root/dag/tasks/count-lines/cachingOptions", "enable", json!(true));
            put(
                v,
                "/deploymentSpec/executors/exec-say-hello/container",
                "workingDir",
                json!("/tmp"),
            );
            put(v, "/root/dag", "task", json!({}));
        });
        for msg in [
            "proto: unknown field 'pipelineSpec' in PipelineSpec",
            "proto: unknown field 'title' in pipelineInfo",
            "proto: unknown field 'executor' in components.comp-say-hello",
            "proto: unknown field 'cachingOption' in root.dag.tasks.say-hello",
            "proto: unknown field 'maxRetries' in root.dag.tasks.say-hello.retryPolicy",
            "proto: unknown field 'enable' in root.dag.tasks.count-lines.cachingOptions",
            "proto: unknown field 'workingDir' in deploymentSpec.executors.exec-say-hello.container",
            "proto: unknown field 'task' in root.dag",
        ] {
            assert_error(&r, msg);
        }
        assert_eq!(r.errors.len(), 8, "{:#?}", r.errors);
    }

    #[test]
    fn bad_backoff_duration() {
        let retry = "/root/dag/tasks/say-hello/retryPolicy";
        let r = mutated(PIPELINE, |v| put(v, retry, "backoffDuration", json!("30")));
        assert_only_error(
            &r,
            "proto: root.dag.tasks.say-hello.retryPolicy.backoffDuration must be a duration string like '30s', got '30'",
        );
        assert!(mutated(PIPELINE, |v| put(v, retry, "backoffMaxDuration", json!("1.5s"))).is_ok());
        let r = mutated(PIPELINE, |v| put(v, retry, "backoffMaxDuration", json!(3600)));
        assert_eq!(r.errors.len(), 1, "{:#?}", r.errors);
    }

    #[test]
    fn proto_value_types() {
        let task = "/root/dag/tasks/say-hello";
        let r = mutated(PIPELINE, |v| {
            put(v, &format!("{task}/cachingOptions"), "enableCache", json!("yes"))
        });
        assert_only_error(
            &r,
            "proto: root.dag.tasks.say-hello.cachingOptions.enableCache must be a bool, got 'yes'",
        );
        // proto-JSON accepts quoted ints.
        assert!(
            mutated(PIPELINE, |v| put(
                v,
                &format!("{task}/retryPolicy"),
                "maxRetryCount",
                json!("3")
            ))
            .is_ok()
        );
        let r = mutated(PIPELINE, |v| {
            put(v, &format!("{task}/retryPolicy"), "maxRetryCount", json!(1.5))
        });
        assert_only_error(
            &r,
            "proto: root.dag.tasks.say-hello.retryPolicy.maxRetryCount must be an int32, got 1.5",
        );
        let r = mutated(PIPELINE, |v| {
            put(
                v,
                "/deploymentSpec/executors/exec-say-hello/container",
                "command",
                json!("sh"),
            )
        });
        assert_error(
            &r,
            "proto: deploymentSpec.executors.exec-say-hello.container.command must be a list of strings, got 'sh'",
        );
        assert_error(
            &r,
            "deploymentSpec.executors.exec-say-hello: command/args must be lists of strings",
        );
        let r = mutated(PIPELINE, |v| {
            put(
                v,
                "/deploymentSpec/executors/exec-say-hello/container",
                "args",
                json!([1]),
            )
        });
        assert_only_error(
            &r,
            "proto: deploymentSpec.executors.exec-say-hello.container.args must be a list of strings, got [1]",
        );
        let r = mutated(PIPELINE, |v| put(v, task, "dependentTasks", json!("count-lines")));
        assert_only_error(
            &r,
            "proto: root.dag.tasks.say-hello.dependentTasks must be a list of strings, got 'count-lines'",
        );
        let r = mutated(PIPELINE, |v| {
            put(v, "/root/inputDefinitions/parameters/name", "isOptional", json!("true"))
        });
        assert_only_error(
            &r,
            "proto: root.inputDefinitions.parameters.name.isOptional must be a bool, got 'true'",
        );
    }

    #[test]
    fn dag_and_executor_label_both_present() {
        let r = mutated(PIPELINE, |v| {
            put(v, "/components/comp-say-hello", "dag", json!({"tasks": {}}))
        });
        assert_error(
            &r,
            "components.comp-say-hello: must have exactly one of dag / executorLabel",
        );
        // As a DAG, it now also fails to surface its declared output.
        assert_error(
            &r,
            "components.comp-say-hello: declared output 'greeting' not produced by dag.outputs",
        );
        assert_eq!(r.errors.len(), 2);
        let r = mutated(PIPELINE, |v| del(v, "/root", "dag"));
        assert_error(&r, "root: must have exactly one of dag / executorLabel");
        assert_error(&r, "root: root must be a dag");
    }

    #[test]
    fn bad_pipeline_name() {
        let r = mutated(PIPELINE, |v| *at(v, "/pipelineInfo/name") = json!("Two_Step"));
        assert_only_error(
            &r,
            "header: pipelineInfo.name 'Two_Step' does not match ^[a-z0-9][a-z0-9-]{0,127}$",
        );
        let r = mutated(PIPELINE, |v| del(v, "", "pipelineInfo"));
        assert_only_error(
            &r,
            "header: pipelineInfo.name None does not match ^[a-z0-9][a-z0-9-]{0,127}$",
        );
        assert!(mutated(PIPELINE, |v| *at(v, "/pipelineInfo/name") = json!("a".repeat(128))).is_ok());
        assert!(!mutated(PIPELINE, |v| *at(v, "/pipelineInfo/name") = json!("a".repeat(129))).is_ok());
        assert!(!mutated(PIPELINE, |v| *at(v, "/pipelineInfo/name") = json!("-two")).is_ok());
    }

    #[test]
    fn schema_version_must_be_2_1_0() {
        let r = mutated(PIPELINE, |v| *at(v, "/schemaVersion") = json!("2.0.0"));
        assert_only_error(&r, "header: schemaVersion '2.0.0' != '2.1.0'");
        let r = mutated(PIPELINE, |v| del(v, "", "schemaVersion"));
        assert_only_error(&r, "header: schemaVersion None != '2.1.0'");
    }

    #[test]
    fn no_root_stops_early() {
        let r = mutated(PIPELINE, |v| del(v, "", "root"));
        assert_only_error(&r, "header: no root");
        assert!(r.warnings.is_empty());
    }

    #[test]
    fn dag_output_selectors() {
        let r = mutated(PIPELINE, |v| {
            *at(v, "/root/dag/outputs/parameters/n/valueFromParameter/producerSubtask") = json!("nope");
        });
        assert_only_error(&r, "root.dag.outputs.parameters.n: producerSubtask 'nope' not in DAG");
        let r = mutated(PIPELINE, |v| {
            *at(
                v,
                "/root/dag/outputs/parameters/n/valueFromParameter/outputParameterKey",
            ) = json!("m");
        });
        assert_only_error(
            &r,
            "root.dag.outputs.parameters.n: 'count-lines' has no output parameter 'm'",
        );
        let r = mutated(COMPONENT, |v| {
            *at(
                v,
                "/root/dag/outputs/artifacts/greeting/artifactSelectors/0/producerSubtask",
            ) = json!("x");
        });
        assert_only_error(
            &r,
            "root.dag.outputs.artifacts.greeting: producerSubtask 'x' not in DAG",
        );
        let r = mutated(COMPONENT, |v| {
            *at(v, "/root/dag/outputs/artifacts/greeting/artifactSelectors") = json!([])
        });
        assert_only_error(
            &r,
            "root.dag.outputs.artifacts.greeting: needs non-empty artifactSelectors",
        );
        let r = mutated(PIPELINE, |v| del(v, "/root/dag", "outputs"));
        assert_only_error(&r, "root: declared output 'n' not produced by dag.outputs");
        let r = mutated(PIPELINE, |v| del(v, "/root/outputDefinitions/parameters", "n"));
        assert!(r.is_ok());
        assert_eq!(
            r.warnings,
            vec!["root.dag.outputs.parameters.n: not declared in outputDefinitions"]
        );
    }

    #[test]
    fn sdk_extras_are_only_warnings() {
        let r = mutated(PIPELINE, |v| {
            let params = "/root/dag/tasks/say-hello/inputs/parameters";
            put(
                v,
                params,
                "pipelinechannel--name",
                json!({"componentInputParameter": "name"}),
            );
            let src = json!({"taskOutputParameter": {"producerTask": "count-lines", "outputParameterKey": "n"}});
            put(v, params, "cpu_limit", src);
        });
        assert!(r.is_ok(), "{:#?}", r.errors);
        assert_eq!(
            sorted(r.warnings),
            vec![
                "root.dag.tasks.say-hello: extra (undeclared) input parameter 'cpu_limit' (SDK does this for f-strings/conditions/dynamic resources)",
                "root.dag.tasks.say-hello: extra (undeclared) input parameter 'pipelinechannel--name' (SDK does this for f-strings/conditions/dynamic resources)",
            ]
        );
    }

    #[test]
    fn task_warnings() {
        let r = mutated(PIPELINE, |v| {
            del(v, "/root/dag/tasks/say-hello", "taskInfo");
            del(v, "/root/dag/tasks/count-lines", "cachingOptions");
        });
        assert!(r.is_ok());
        assert_eq!(
            sorted(r.warnings),
            vec![
                "root.dag.tasks.count-lines: no cachingOptions -> caching disabled (SDK default emits enableCache: true)",
                "root.dag.tasks.say-hello: no taskInfo.name (SDK always emits it; the backend uses it as display name)",
            ]
        );
    }

    #[test]
    fn executor_kind_and_image() {
        let r = mutated(PIPELINE, |v| {
            put(v, "/deploymentSpec/executors/exec-say-hello", "importer", json!({}));
            *at(v, "/deploymentSpec/executors/exec-count-lines/container/image") = json!("");
        });
        assert_error(
            &r,
            "deploymentSpec.executors.exec-say-hello: must have exactly one of container/importer/resolver/customJob, got ['container', 'importer']",
        );
        assert_error(&r, "deploymentSpec.executors.exec-count-lines: empty image");
        assert_eq!(r.errors.len(), 2);
    }

    #[test]
    fn iterator_and_final_status_inputs() {
        let r = mutated(PIPELINE, |v| {
            let task = "/root/dag/tasks/say-hello";
            put(
                v,
                task,
                "parameterIterator",
                json!({"itemInput": "item", "items": {"inputParameter": "xs"}}),
            );
            put(
                v,
                &format!("{task}/inputs/parameters"),
                "st",
                json!({"taskFinalStatus": {"producerTask": "nope"}}),
            );
        });
        assert_error(
            &r,
            "root.dag.tasks.say-hello: iterator items input 'xs' not among task inputs",
        );
        assert_error(
            &r,
            "root.dag.tasks.say-hello: iterator itemInput 'item' not declared by comp-say-hello",
        );
        assert_error(
            &r,
            "root.dag.tasks.say-hello: input parameter 'st' not declared by comp-say-hello",
        );
        assert_error(
            &r,
            "root.dag.tasks.say-hello: taskFinalStatus.producerTask not in this DAG",
        );
        assert_eq!(r.errors.len(), 4, "{:#?}", r.errors);
    }

    /// `n` tasks where `t{i}` consumes the output of `t{i+1}`, so a DFS from `t0` goes `n` deep.
    fn chain(n: usize) -> Value {
        let artifact = json!({"artifactType": {"schemaTitle": "system.Dataset", "schemaVersion": "0.0.1"}});
        let template = json!({
            "taskInfo": {"name": ""},
            "componentRef": {"name": "comp-step"},
            "cachingOptions": {"enableCache": true},
            "dependentTasks": [""],
            "inputs": {"artifacts": {"text": {"taskOutputArtifact": {"producerTask": "", "outputArtifactKey": "out"}}}},
        });
        let mut tasks = Map::new();
        for i in 0..n {
            let mut t = template.clone();
            t["taskInfo"]["name"] = Value::String(format!("t{i}"));
            if i + 1 < n {
                let next = Value::String(format!("t{}", i + 1));
                t["dependentTasks"][0] = next.clone();
                t["inputs"]["artifacts"]["text"]["taskOutputArtifact"]["producerTask"] = next;
            } else {
                let t = t.as_object_mut().expect("a mapping");
                t.remove("dependentTasks");
                t.remove("inputs");
            }
            tasks.insert(format!("t{i}"), t);
        }
        let mut text = artifact.clone();
        text["isOptional"] = json!(true);
        json!({
            "components": {"comp-step": {
                "executorLabel": "exec-step",
                "inputDefinitions": {"artifacts": {"text": text}},
                "outputDefinitions": {"artifacts": {"out": artifact}},
            }},
            "deploymentSpec": {"executors": {"exec-step": {"container": {
                "image": "alpine:3.19",
                "command": ["sh", "-c", "cat \"$0\" > \"$1\""],
                "args": ["{{$.inputs.artifacts['text'].path}}", "{{$.outputs.artifacts['out'].path}}"],
            }}}},
            "pipelineInfo": {"name": "chain"},
            "root": {"dag": {"tasks": Value::Object(tasks)}},
            "schemaVersion": "2.1.0",
        })
    }

    #[test]
    fn long_chain_does_not_overflow() {
        let n = 100_000;
        let mut spec = chain(n);
        let start = std::time::Instant::now();
        assert_eq!(validate(&spec), Report::default());
        assert!(start.elapsed().as_secs() < 60, "took {:?}", start.elapsed());

        // Close the loop: the last task also waits for the first.
        let last = format!("/root/dag/tasks/t{}", n - 1);
        put(&mut spec, &last, "dependentTasks", json!(["t0"]));
        let r = validate(&spec);
        assert_eq!(r.errors.len(), 1);
        assert!(r.errors[0].starts_with("root.dag: cycle: t0 -> t1 -> t2 -> "));
        assert!(r.errors[0].ends_with(" -> t99998 -> t99999 -> t0"));
    }

    #[test]
    fn invalid_yaml_is_an_error_not_a_panic() {
        for text in [
            "a: [1\n",
            "root: {\n",
            "a: 1\n---\nb: [\n",
            "\t- x: : :\n",
            "a: 1\na: 2\n",
            "- *nope\n",
        ] {
            let r = validate_yaml(text);
            assert_eq!(r.errors.len(), 1, "{text:?}: {r:?}");
            assert!(r.errors[0].starts_with("yaml: "), "{text:?}: {r:?}");
        }
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(validate_yaml(&deep).errors[0].starts_with("yaml: "));
        assert_eq!(
            validate_yaml("# only a comment\n").errors,
            vec!["yaml: no YAML document"]
        );
        assert_eq!(
            validate_yaml("- 1\n- 2\n").errors,
            vec!["proto: PipelineSpec must be a mapping, got [1, 2]"]
        );
    }

    #[test]
    fn second_document_is_the_platform_spec() {
        let platform = "platforms:\n  kubernetes:\n    deploymentSpec:\n      executors:\n        exec-say-hello: {nodeSelector: {labels: {a: b}}}\n";
        assert!(validate_yaml(&format!("{platform}---\n{PIPELINE}")).is_ok());
        assert!(validate_yaml(&format!("{PIPELINE}---\n{platform}")).is_ok());
        let r = validate_yaml(&format!("{PIPELINE}---\nplatform: {{}}\n"));
        assert_only_error(&r, "proto: unknown field 'platform' in PlatformSpec");
        let r = validate_yaml(&format!("{PIPELINE}---\n{platform}---\n{platform}"));
        assert_only_error(&r, "yaml: 3 documents; a compiled KFP file holds 1 or 2");
    }

    #[test]
    fn yaml_merge_keys_are_applied() {
        let text = PIPELINE.replace(
            "      count-lines:\n        cachingOptions: {}",
            "      count-lines:\n        <<: {cachingOptions: {}}",
        );
        assert_ne!(text, PIPELINE);
        assert!(validate_yaml(&text).is_ok());
    }

    #[test]
    fn python_style_rendering() {
        assert_eq!(repr(&json!(null)), "None");
        assert_eq!(
            repr(&json!([true, 1, 100.0, 0.01, 1e-5, 1e16, 123456.789, -2.5])),
            "[True, 1, 100.0, 0.01, 1e-05, 1e+16, 123456.789, -2.5]"
        );
        assert_eq!(
            repr(&json!({"a": "it's", "b": "x\ny"})),
            r#"{'a': "it's", 'b': 'x\ny'}"#
        );
        assert_eq!(repr_str("both ' and \""), r#"'both \' and "'"#);
        assert_eq!(str_opt(Some(&json!("comp-x"))), "comp-x");
    }

    #[test]
    fn placeholder_scanner() {
        let s = "{{$.inputs.parameters['a']}} {{$.outputs.artifacts['b'].path}} {{$}} {{$.inputs.parameters['']}} \
                 {{$.{{$.outputs.parameters['c'].output_file}} {{$.inputs.artifacts['d'}}";
        assert_eq!(
            placeholders(s),
            vec![
                ("inputs", "parameters", "a"),
                ("outputs", "artifacts", "b"),
                ("outputs", "parameters", "c")
            ]
        );
    }

    #[test]
    fn small_matchers() {
        for ok in ["0s", "30s", "1.5s", "3600s"] {
            assert!(duration_ok(ok), "{ok}");
        }
        for bad in ["30", "s", "1.s", ".5s", "-1s", "1m", "1.5.5s"] {
            assert!(!duration_ok(bad), "{bad}");
        }
        assert!(int32_ok(&json!(3)) && int32_ok(&json!("3")) && int32_ok(&json!(3.0)));
        assert!(!int32_ok(&json!("3x")) && !int32_ok(&json!(true)) && !int32_ok(&json!(1u64 << 40)));
    }
}
