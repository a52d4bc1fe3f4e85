//! Names in KFP: component and task names (`[a-z0-9-]`, as the SDK
//! sanitises them), Python identifiers for the scaffold, artifact and
//! parameter names derived from file paths and options.

use std::collections::BTreeSet;

/// The SDK's sanitising of a component or pipeline name: lowercase, every
/// run of characters outside `[a-z0-9-]` becomes one `-`, no leading or
/// trailing `-`, at most 100 characters (pipeline names may be 128, task
/// keys get `-2` suffixes). Never empty.
pub fn kfp_name(raw: &str) -> String {
    let mut s = crate::frontend::kfp::model::k8s_name(raw);
    s.truncate(100);
    let s = s.trim_end_matches('-').to_string();
    if s.is_empty() { "step".to_string() } else { s }
}

const PYTHON_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
    "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
    "not", "or", "pass", "raise", "return", "try", "while", "with", "yield", "match", "case", "type",
];

/// Names the scaffold itself uses at module level, which a component
/// function must not shadow.
const RESERVED: &[&str] = &[
    "dsl", "compiler", "Input", "Output", "Dataset", "Model", "Metrics", "HTML", "Markdown", "Artifact", "IMAGE",
    "kfp", "main", "list", "dict", "str", "int", "float", "bool",
];

/// A Python identifier for `raw`: lowercase, `[a-z0-9_]`, not starting with
/// a digit, not a keyword.
pub fn py_ident(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let mut s = out.trim_end_matches('_').to_string();
    s.truncate(60);
    let mut s = s.trim_end_matches('_').to_string();
    if s.is_empty() {
        s = "value".into();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert_str(0, "v_");
    }
    if PYTHON_KEYWORDS.contains(&s.as_str()) || RESERVED.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

/// Hands out names unique within one scope, suffixing `_2`, `_3` (or
/// `-2` for KFP names) on repeats.
#[derive(Debug, Default)]
pub struct Unique {
    taken: BTreeSet<String>,
}

impl Unique {
    pub fn new<'a>(reserved: impl IntoIterator<Item = &'a str>) -> Unique {
        Unique {
            taken: reserved.into_iter().map(str::to_string).collect(),
        }
    }

    pub fn taken(&self, name: &str) -> bool {
        self.taken.contains(name)
    }

    pub fn take(&mut self, base: &str, sep: char) -> String {
        let mut name = base.to_string();
        let mut n = 2;
        while !self.taken.insert(name.clone()) {
            name = format!("{base}{sep}{n}");
            n += 1;
        }
        name
    }
}

/// The artifact name for a file: its stem (`data/processed/features.parquet`
/// gives `features`), or the stem qualified by its directory when `taken`
/// already has the stem.
pub fn artifact_name(path: &str, taken: &mut Unique) -> String {
    let trimmed = path.trim_end_matches('/');
    let file = trimmed.rsplit('/').next().unwrap_or(trimmed);
    let stem = file.split('.').find(|s| !s.is_empty()).unwrap_or(file);
    let base = py_ident(stem);
    if !taken.taken.contains(&base) {
        return taken.take(&base, '_');
    }
    let parent = trimmed.rsplit('/').nth(1).unwrap_or("");
    if !parent.is_empty() {
        let qualified = py_ident(&format!("{parent}_{stem}"));
        if !taken.taken.contains(&qualified) {
            return taken.take(&qualified, '_');
        }
    }
    taken.take(&base, '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kfp_names_follow_the_sdk() {
        assert_eq!(kfp_name("Train Model"), "train-model");
        assert_eq!(kfp_name("data/raw/transactions.csv"), "data-raw-transactions-csv");
        assert_eq!(kfp_name("__init__"), "init");
        assert_eq!(kfp_name("../../etc/passwd"), "etc-passwd");
        assert_eq!(kfp_name("///"), "step");
        assert_eq!(kfp_name(&"x".repeat(300)).len(), 100);
    }

    #[test]
    fn python_identifiers() {
        assert_eq!(py_ident("n-estimators"), "n_estimators");
        assert_eq!(py_ident("2021_data"), "v_2021_data");
        assert_eq!(py_ident("class"), "class_");
        assert_eq!(py_ident("Input"), "input");
        assert_eq!(py_ident("dsl"), "dsl_");
        assert_eq!(py_ident("--"), "value");
    }

    #[test]
    fn artifact_names_stay_unique() {
        let mut u = Unique::default();
        assert_eq!(artifact_name("data/raw/x.csv", &mut u), "x");
        assert_eq!(artifact_name("data/clean/x.csv", &mut u), "clean_x");
        assert_eq!(artifact_name("other/clean/x.csv", &mut u), "x_2");
        assert_eq!(artifact_name("models/bert/", &mut u), "bert");
    }
}
