//! Configuration: `kfr.toml` (or `.kfr.toml`), or `[tool.kfr]` in
//! `pyproject.toml`, found from the linted path upward; or one file named
//! with `--config`. Every key is checked: an unknown key, a rule kfr does
//! not have, a bad glob or severity is an error with file, line and column.
//!
//! ```toml
//! select = ["KFR001", "unpinned-package"]
//! ignore = ["KFR007"]
//! exclude = ["legacy/**", "scratch"]
//! max-file-size = 16777216   # bytes; larger files get KFR000 and are not read
//!
//! [per-file-ignores]
//! "dags/experimental/*.py" = ["KFR001"]
//!
//! [severity]
//! KFR003 = "error"
//!
//! [migrate]
//! image = "registry.example.com/ml/train:1.4.2@sha256:..."
//! retries = 2
//! ```

use crate::diagnostic::Severity;
use crate::rules::{self, Selection};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The largest `max-file-size` accepted: kfr holds each file's text in
/// memory, and spans are 32-bit.
const MAX_FILE_SIZE_CEILING: i64 = 1 << 30;

/// The file names looked for in each directory, in order.
pub const FILE_NAMES: &[&str] = &["kfr.toml", ".kfr.toml", "pyproject.toml"];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    #[serde(default)]
    select: Vec<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    per_file_ignores: toml::map::Map<String, toml::Value>,
    #[serde(default)]
    severity: toml::map::Map<String, toml::Value>,
    #[serde(default)]
    migrate: Option<RawMigrate>,
    max_file_size: Option<Spanned<i64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMigrate {
    image: Option<Spanned<String>>,
    retries: Option<Spanned<i64>>,
}

/// `pyproject.toml`: only `[tool.kfr]` is read; the rest belongs to others.
#[derive(Debug, Deserialize)]
struct Pyproject {
    #[serde(default)]
    tool: Option<Tool>,
}

#[derive(Debug, Deserialize)]
struct Tool {
    kfr: Option<Raw>,
}

/// A configuration, checked.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it was read from.
    pub path: PathBuf,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    /// Globs relative to the config file's directory.
    pub exclude: Vec<String>,
    pub per_file_ignores: Vec<(String, Vec<&'static str>)>,
    pub severity: Vec<(&'static str, Severity)>,
    pub migrate_image: Option<String>,
    pub migrate_retries: Option<u32>,
    /// Files larger than this many bytes are not read (default
    /// [`crate::source::MAX_FILE_SIZE`]).
    pub max_file_size: Option<u64>,
}

impl Config {
    /// The directory paths in the config are relative to.
    pub fn base(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// The rule selection: the command line's `select` replaces the
    /// config's, its `ignore` adds to it.
    pub fn selection(&self, cli_select: &[String], cli_ignore: &[String]) -> Result<Selection, String> {
        let select = if cli_select.is_empty() {
            &self.select
        } else {
            cli_select
        };
        let ignore: Vec<String> = self.ignore.iter().chain(cli_ignore).cloned().collect();
        let mut sel = Selection::new(select, &ignore)?;
        for (glob, codes) in &self.per_file_ignores {
            let m = compile_glob(glob).map_err(|e| format!("{}: {e}", self.path.display()))?;
            sel.ignore_in(self.base(), m, codes.iter().copied().collect::<BTreeSet<_>>());
        }
        for (id, s) in &self.severity {
            sel.set_severity(id, *s);
        }
        Ok(sel)
    }
}

fn compile_glob(glob: &str) -> Result<globset::GlobMatcher, String> {
    let g = glob.trim_end_matches('/');
    // a bare name matches at any depth, as in `exclude`
    let pattern = if g.contains('/') {
        g.to_string()
    } else {
        format!("{{{g},**/{g}}}")
    };
    globset::GlobBuilder::new(&pattern)
        .literal_separator(true)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| format!("invalid glob `{glob}`: {e}"))
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before[before.rfind('\n').map_or(0, |i| i + 1)..].chars().count() + 1;
    (line, col)
}

fn at(path: &Path, text: &str, span: Option<Range<usize>>, message: &str) -> String {
    match span {
        Some(r) => {
            let (l, c) = line_col(text, r.start);
            format!("{}:{l}:{c}: {message}", path.display())
        }
        None => format!("{}: {message}", path.display()),
    }
}

/// Read and check one config file. `Ok(None)` for a pyproject.toml
/// without `[tool.kfr]`.
pub fn read(path: &Path) -> Result<Option<Config>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let is_pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
    let raw = if is_pyproject {
        let p: Pyproject = toml::from_str(&text).map_err(|e| at(path, &text, e.span(), e.message()))?;
        match p.tool.and_then(|t| t.kfr) {
            Some(r) => r,
            None => return Ok(None),
        }
    } else {
        toml::from_str::<Raw>(&text).map_err(|e| at(path, &text, e.span(), e.message()))?
    };
    check(path, &text, raw).map(Some)
}

/// Where a table key's value starts, for messages about it (the map types
/// keep no spans, so the key is found in the text of its table).
fn key_span(text: &str, table: &str, key: &str) -> Option<Range<usize>> {
    let header = text
        .match_indices('[')
        .find(|(i, _)| {
            let rest = &text[*i + 1..];
            let line_start = text[..*i].rfind('\n').map_or(0, |n| n + 1);
            text[line_start..*i].trim().is_empty() && rest.trim_start().starts_with(table) && {
                let after = rest.trim_start()[table.len()..].trim_start();
                after.starts_with(']')
            }
        })
        .map(|(i, _)| i)
        .unwrap_or(0);
    let body = &text[header..];
    for quoted in [format!("\"{key}\""), format!("'{key}'"), key.to_string()] {
        let mut from = 0;
        while let Some(i) = body[from..].find(&quoted) {
            let start = header + from + i;
            let line_start = text[..start].rfind('\n').map_or(0, |n| n + 1);
            let after = text[start + quoted.len()..].trim_start();
            if text[line_start..start].trim().is_empty() && after.starts_with('=') {
                return Some(start..start + quoted.len());
            }
            from += i + quoted.len();
        }
    }
    None
}

fn rule_id(
    path: &Path,
    text: &str,
    selector: &str,
    span: Option<Range<usize>>,
    key: &str,
) -> Result<&'static str, String> {
    rules::lookup(selector).map(|m| m.id).ok_or_else(|| {
        at(
            path,
            text,
            span,
            &format!("{key}: unknown rule `{selector}` (see `kfr rules` for ids and names)"),
        )
    })
}

fn check(path: &Path, text: &str, raw: Raw) -> Result<Config, String> {
    let table = if path.file_name().is_some_and(|n| n == "pyproject.toml") {
        "tool.kfr."
    } else {
        ""
    };
    let mut cfg = Config {
        path: path.to_path_buf(),
        ..Default::default()
    };
    for (list, key, out) in [
        (&raw.select, "select", &mut cfg.select),
        (&raw.ignore, "ignore", &mut cfg.ignore),
    ] {
        for s in list {
            rule_id(path, text, s.get_ref(), Some(s.span()), key)?;
            out.push(s.get_ref().clone());
        }
    }
    for g in &raw.exclude {
        compile_glob(g.get_ref()).map_err(|e| at(path, text, Some(g.span()), &format!("exclude: {e}")))?;
        cfg.exclude.push(g.get_ref().clone());
    }
    for (glob, value) in &raw.per_file_ignores {
        let span = key_span(text, &format!("{table}per-file-ignores"), glob);
        compile_glob(glob).map_err(|e| at(path, text, span.clone(), &format!("per-file-ignores: {e}")))?;
        let list = value.as_array().ok_or_else(|| {
            at(
                path,
                text,
                span.clone(),
                &format!("per-file-ignores: `{glob}` must be a list of rules, like [\"KFR001\"]"),
            )
        })?;
        let mut codes = Vec::new();
        for v in list {
            let s = v.as_str().ok_or_else(|| {
                at(
                    path,
                    text,
                    span.clone(),
                    &format!("per-file-ignores: `{glob}`: rules are strings"),
                )
            })?;
            codes.push(rule_id(path, text, s, span.clone(), "per-file-ignores")?);
        }
        cfg.per_file_ignores.push((glob.clone(), codes));
    }
    for (rule, value) in &raw.severity {
        let span = key_span(text, &format!("{table}severity"), rule);
        let id = rule_id(path, text, rule, span.clone(), "severity")?;
        let sev = value.as_str().and_then(Severity::parse).ok_or_else(|| {
            at(
                path,
                text,
                span.clone(),
                &format!(
                    "severity: `{rule}` must be \"error\", \"warning\" or \"info\", not `{}`",
                    value_text(value)
                ),
            )
        })?;
        cfg.severity.push((id, sev));
    }
    if let Some(m) = &raw.max_file_size {
        let n = *m.get_ref();
        if !(1..=MAX_FILE_SIZE_CEILING).contains(&n) {
            return Err(at(
                path,
                text,
                Some(m.span()),
                &format!("max-file-size: {n} is not a size in bytes from 1 to {MAX_FILE_SIZE_CEILING} (1 GiB)"),
            ));
        }
        cfg.max_file_size = Some(n as u64);
    }
    if let Some(m) = raw.migrate {
        if let Some(image) = m.image {
            let i = image.get_ref();
            if i.trim().is_empty() || i.contains(char::is_whitespace) {
                return Err(at(
                    path,
                    text,
                    Some(image.span()),
                    "migrate.image: an image reference (`registry/name:tag@sha256:...`) has no spaces",
                ));
            }
            cfg.migrate_image = Some(i.clone());
        }
        if let Some(r) = m.retries {
            let n = *r.get_ref();
            if !(0..=100).contains(&n) {
                return Err(at(
                    path,
                    text,
                    Some(r.span()),
                    &format!("migrate.retries: {n} is not a retry count from 0 to 100"),
                ));
            }
            cfg.migrate_retries = Some(n as u32);
        }
    }
    Ok(cfg)
}

fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("{s:?}"),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Array(_) => "a list".to_string(),
        toml::Value::Table(_) => "a table".to_string(),
        toml::Value::Datetime(d) => d.to_string(),
    }
}

/// The configuration for a run: `explicit` (`--config`), else the first
/// config file found from the first path upward; None when there is none.
pub fn find(explicit: Option<&Path>, paths: &[PathBuf]) -> Result<Option<Config>, String> {
    if let Some(p) = explicit {
        return match read(p)? {
            Some(c) => Ok(Some(c)),
            None => Err(format!("{}: has no [tool.kfr] table", p.display())),
        };
    }
    let start = paths.first().cloned().unwrap_or_else(|| PathBuf::from("."));
    let start = std::fs::canonicalize(&start).unwrap_or(start);
    let dir = if start.is_dir() {
        start
    } else {
        start.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    for d in dir.ancestors() {
        for name in FILE_NAMES {
            let f = d.join(name);
            if f.is_file()
                && let Some(c) = read(&f)?
            {
                return Ok(Some(c));
            }
        }
        // the configuration of a project does not reach past its repository
        if d.join(".git").exists() {
            break;
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(name: &str, text: &str) -> Result<Option<Config>, String> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        read(&p).map_err(|e| e.replace(&p.display().to_string(), name))
    }

    #[test]
    fn reads_every_key() {
        let c = parse(
            "kfr.toml",
            "select = [\"KFR001\", \"unpinned-package\"]\nignore = [\"KFR007\"]\nexclude = [\"legacy/**\"]\nmax-file-size = 1000\n\n[per-file-ignores]\n\"dags/*.py\" = [\"missing-retry\"]\n\n[severity]\nKFR003 = \"error\"\n\n[migrate]\nimage = \"r/x:1@sha256:ab\"\nretries = 2\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(c.select, ["KFR001", "unpinned-package"]);
        assert_eq!(c.per_file_ignores, [("dags/*.py".to_string(), vec!["KFR001"])]);
        assert_eq!(c.severity, [("KFR003", Severity::Error)]);
        assert_eq!(c.migrate_retries, Some(2));
        assert_eq!(c.max_file_size, Some(1000));
        let sel = c.selection(&[], &[]).unwrap();
        assert!(sel.is_enabled("KFR003") && !sel.is_enabled("KFR002"));
        assert_eq!(sel.severity_of("KFR003", Severity::Warning), Severity::Error);
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let e = parse("kfr.toml", "select = [\"KFR001\"]\nselct = []\n").unwrap_err();
        assert!(e.starts_with("kfr.toml:2:1: unknown field `selct`"), "{e}");
        let e = parse("kfr.toml", "ignore = [\"KFR001\", \"KFR999\"]\n").unwrap_err();
        assert_eq!(
            e,
            "kfr.toml:1:21: ignore: unknown rule `KFR999` (see `kfr rules` for ids and names)"
        );
        let e = parse("kfr.toml", "\n[severity]\nKFR001 = \"fatal\"\n").unwrap_err();
        assert!(e.starts_with("kfr.toml:3:1: severity: `KFR001` must be"), "{e}");
        let e = parse("kfr.toml", "[per-file-ignores]\n\"a/*.py\" = [\"nope\"]\n").unwrap_err();
        assert!(
            e.starts_with("kfr.toml:2:1: per-file-ignores: unknown rule `nope`"),
            "{e}"
        );
        let e = parse("kfr.toml", "[migrate]\nretries = -1\n").unwrap_err();
        assert!(e.starts_with("kfr.toml:2:11: migrate.retries"), "{e}");
        let e = parse("kfr.toml", "select = \"KFR001\"\n").unwrap_err();
        assert!(e.starts_with("kfr.toml:1:10: "), "{e}");
        let e = parse("kfr.toml", "exclude = [\"a/[\"]\n").unwrap_err();
        assert!(e.starts_with("kfr.toml:1:12: exclude: invalid glob"), "{e}");
        for bad in ["0", "-5", "2147483648"] {
            let e = parse("kfr.toml", &format!("ignore = []\nmax-file-size = {bad}\n")).unwrap_err();
            assert!(e.starts_with("kfr.toml:2:17: max-file-size: "), "{e}");
        }
        let e = parse("kfr.toml", "max-file-size = \"8M\"\n").unwrap_err();
        assert!(e.starts_with("kfr.toml:1:17: "), "{e}");
        let e = parse("kfr.toml", "select = [\n").unwrap_err();
        assert!(e.starts_with("kfr.toml:"), "{e}");
    }

    #[test]
    fn pyproject_tool_kfr_only() {
        assert!(
            parse(
                "pyproject.toml",
                "[project]\nname = \"x\"\n[tool.ruff]\nline-length = 100\n"
            )
            .unwrap()
            .is_none()
        );
        let c = parse(
            "pyproject.toml",
            "[project]\nname = \"x\"\n[tool.kfr]\nignore = [\"KFR002\"]\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(c.ignore, ["KFR002"]);
        assert_eq!(c.max_file_size, None);
        let c = parse("pyproject.toml", "[tool.kfr]\nmax-file-size = 4096\n")
            .unwrap()
            .unwrap();
        assert_eq!(c.max_file_size, Some(4096));
        let e = parse(
            "pyproject.toml",
            "[tool.kfr]\nignore = []\n\n[tool.kfr.severity]\nKFR001 = 3\n",
        )
        .unwrap_err();
        assert!(e.starts_with("pyproject.toml:5:1: severity"), "{e}");
        let e = parse("pyproject.toml", "[tool.kfr]\nignores = []\n").unwrap_err();
        assert!(e.starts_with("pyproject.toml:2:1: unknown field `ignores`"), "{e}");
    }

    #[test]
    fn found_upward_and_not_past_the_repository() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("repo/.git")).unwrap();
        std::fs::create_dir_all(root.join("repo/dags/sub")).unwrap();
        std::fs::write(root.join("kfr.toml"), "ignore = [\"KFR001\"]\n").unwrap();
        assert!(find(None, &[root.join("repo/dags/sub")]).unwrap().is_none());
        std::fs::write(root.join("repo/pyproject.toml"), "[tool.kfr]\nignore = [\"KFR003\"]\n").unwrap();
        let c = find(None, &[root.join("repo/dags/sub")]).unwrap().unwrap();
        assert_eq!(c.ignore, ["KFR003"]);
    }
}
