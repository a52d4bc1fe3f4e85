//! The rule registry. Each rule has one page in `rules/` (front matter with
//! id, name, severity and summary; then what it finds, why, how to fix, and
//! bad/good examples that the test suite runs) and one module here with a
//! pure function from the graph to diagnostics.

pub mod docs;
mod kfr001_missing_retry;
mod kfr002_untyped_path_handoff;
mod kfr003_unpinned_package;
mod kfr004_unpinned_image;
mod kfr005_dependency_cycle;
mod kfr006_invalid_schedule;
mod kfr007_kfp_default_caching;
pub(crate) mod kfr900_unused_suppression;

use crate::dag::Dag;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::SourceDb;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::sync::LazyLock;

pub const PARSE_ERROR: &str = "KFR000";
pub const UNUSED_SUPPRESSION: &str = kfr900_unused_suppression::ID;

/// What a rule check sees.
pub struct Context<'a> {
    pub dag: &'a Dag,
    pub db: &'a SourceDb,
}

impl Context<'_> {
    /// Whether a span lies in a compiled pipeline (a YAML file), where the
    /// fix belongs in the Python it was compiled from.
    pub fn in_compiled_yaml(&self, span: crate::source::Span) -> bool {
        crate::frontend::classify(&self.db.get(span.file).path) == Some(crate::frontend::SourceKind::Yaml)
    }
}

type Check = fn(&Context, &mut Vec<Diagnostic>);

struct RuleDef {
    source: &'static str,
    check: Option<Check>,
}

/// Every rule, in id order. KFR000 is reported by the frontends, KFR900
/// by [`crate::suppression::apply`].
const DEFS: &[RuleDef] = &[
    RuleDef {
        source: include_str!("../../rules/KFR000.md"),
        check: None,
    },
    RuleDef {
        source: include_str!("../../rules/KFR001.md"),
        check: Some(kfr001_missing_retry::check),
    },
    RuleDef {
        source: include_str!("../../rules/KFR002.md"),
        check: Some(kfr002_untyped_path_handoff::check),
    },
    RuleDef {
        source: include_str!("../../rules/KFR003.md"),
        check: Some(kfr003_unpinned_package::check),
    },
    RuleDef {
        source: include_str!("../../rules/KFR004.md"),
        check: Some(kfr004_unpinned_image::check),
    },
    RuleDef {
        source: include_str!("../../rules/KFR005.md"),
        check: Some(kfr005_dependency_cycle::check),
    },
    RuleDef {
        source: include_str!("../../rules/KFR006.md"),
        check: Some(kfr006_invalid_schedule::check),
    },
    RuleDef {
        source: include_str!("../../rules/KFR007.md"),
        check: Some(kfr007_kfp_default_caching::check),
    },
    // run after every other rule, on the suppressions in comments
    RuleDef {
        source: include_str!("../../rules/KFR900.md"),
        check: None,
    },
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    id: String,
    name: String,
    severity: String,
    summary: String,
}

/// A rule's metadata and documentation page.
#[derive(Debug)]
pub struct RuleMeta {
    pub id: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    /// The page without its front matter (Markdown).
    pub body: &'static str,
    /// The whole rule file.
    pub source: &'static str,
}

fn parse_meta(source: &'static str) -> Result<RuleMeta, String> {
    let rest = source
        .strip_prefix("---\n")
        .ok_or("rule file must start with `---` front matter")?;
    let end = rest.find("\n---\n").ok_or("front matter is not closed by `---`")?;
    let fm: FrontMatter = serde_yaml::from_str(&rest[..end]).map_err(|e| e.to_string())?;
    let severity = Severity::parse(&fm.severity).ok_or_else(|| format!("unknown severity `{}`", fm.severity))?;
    Ok(RuleMeta {
        id: Box::leak(fm.id.into_boxed_str()),
        name: Box::leak(fm.name.into_boxed_str()),
        severity,
        summary: Box::leak(fm.summary.into_boxed_str()),
        body: rest[end + 5..].trim_start_matches('\n'),
        source,
    })
}

/// Every rule's metadata, parsed once from the embedded rule files.
pub static RULES: LazyLock<Vec<RuleMeta>> = LazyLock::new(|| {
    DEFS.iter()
        .map(|d| parse_meta(d.source).unwrap_or_else(|e| panic!("invalid rule file: {e}")))
        .collect()
});

pub fn all() -> &'static [RuleMeta] {
    &RULES
}

pub fn meta(id: &str) -> Option<&'static RuleMeta> {
    RULES.iter().find(|m| m.id == id)
}

/// Find a rule by id (`KFR001`, any case) or name (`missing-retry`).
pub fn lookup(selector: &str) -> Option<&'static RuleMeta> {
    let s = selector.trim();
    RULES
        .iter()
        .find(|m| m.id.eq_ignore_ascii_case(s) || m.name.eq_ignore_ascii_case(s))
}

/// Which rules report, where, and at what severity.
#[derive(Debug, Clone)]
pub struct Selection {
    enabled: BTreeSet<&'static str>,
    /// Rules not reported in files matching a glob (the config's
    /// `per-file-ignores`), globs relative to `base`.
    per_file: Vec<(globset::GlobMatcher, BTreeSet<&'static str>)>,
    base: std::path::PathBuf,
    /// Severity overrides by rule id.
    severity: std::collections::BTreeMap<&'static str, Severity>,
}

impl Selection {
    /// `select` empty means every rule. Unknown selectors are an error that
    /// names them.
    pub fn new(select: &[String], ignore: &[String]) -> Result<Selection, String> {
        let resolve = |list: &[String]| -> Result<Vec<&'static str>, String> {
            list.iter()
                .flat_map(|s| s.split(','))
                .filter(|s| !s.trim().is_empty())
                .map(|s| {
                    lookup(s)
                        .map(|m| m.id)
                        .ok_or_else(|| format!("unknown rule `{}` (see `kfr rules` for ids and names)", s.trim()))
                })
                .collect()
        };
        let selected = resolve(select)?;
        let ignored = resolve(ignore)?;
        let mut enabled: BTreeSet<&'static str> = if selected.is_empty() {
            RULES.iter().map(|m| m.id).collect()
        } else {
            // parse errors, and suppressions that do nothing (judged for
            // the rules selected), are always shown unless ignored explicitly
            selected.into_iter().chain([PARSE_ERROR, UNUSED_SUPPRESSION]).collect()
        };
        for i in ignored {
            enabled.remove(i);
        }
        Ok(Selection {
            enabled,
            per_file: Vec::new(),
            base: std::path::PathBuf::new(),
            severity: Default::default(),
        })
    }

    pub fn all() -> Selection {
        Selection::new(&[], &[]).expect("no selectors")
    }

    pub fn is_enabled(&self, id: &str) -> bool {
        self.enabled.contains(id)
    }

    /// The rule ids enabled, in id order.
    pub fn enabled(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.enabled.iter().copied()
    }

    /// Ignore `rules` in files matching `glob` (relative to `base`, the
    /// directory of the config file that says so).
    pub fn ignore_in(&mut self, base: &std::path::Path, glob: globset::GlobMatcher, rules: BTreeSet<&'static str>) {
        self.base = std::fs::canonicalize(base).unwrap_or_else(|_| base.to_path_buf());
        self.per_file.push((glob, rules));
    }

    pub fn set_severity(&mut self, id: &'static str, severity: Severity) {
        self.severity.insert(id, severity);
    }

    /// Whether rule `id` reports in the file at `path`.
    pub fn is_enabled_in(&self, id: &str, path: &std::path::Path) -> bool {
        if !self.is_enabled(id) {
            return false;
        }
        if self.per_file.is_empty() {
            return true;
        }
        // only a rule some glob ignores needs the file's real path
        if !self.per_file.iter().any(|(_, rules)| rules.contains(id)) {
            return true;
        }
        let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let rel = abs.strip_prefix(&self.base).unwrap_or(path);
        !self
            .per_file
            .iter()
            .any(|(glob, rules)| rules.contains(id) && (glob.is_match(rel) || glob.is_match(path)))
    }

    /// The severity rule `id` reports at: the override, else `default`.
    pub fn severity_of(&self, id: &str, default: Severity) -> Severity {
        self.severity.get(id).copied().unwrap_or(default)
    }
}

/// Run every enabled rule over the graph.
pub fn run(ctx: &Context, selection: &Selection) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (def, meta) in DEFS.iter().zip(RULES.iter()) {
        if let Some(check) = def.check
            && selection.is_enabled(meta.id)
        {
            check(ctx, &mut out);
        }
    }
    out
}

/// Names in a list, `a`, `a` and `b`, `a`, `b` and 2 more.
pub(crate) fn name_list(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        2 => format!("{} and {}", quoted[0], quoted[1]),
        3 => format!("{}, {} and {}", quoted[0], quoted[1], quoted[2]),
        n => format!("{}, {} and {} more", quoted[0], quoted[1], n - 2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_files_parse_and_ids_run_in_order() {
        let ids: Vec<&str> = all().iter().map(|m| m.id).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
        for m in all() {
            assert!(m.id.starts_with("KFR") && m.id.len() == 6, "{}", m.id);
            assert!(m.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{}", m.name);
            assert!(!m.summary.is_empty());
        }
        assert_eq!(lookup("missing-retry").unwrap().id, "KFR001");
        assert_eq!(lookup("kfr003").unwrap().name, "unpinned-package");
    }

    #[test]
    fn selection_by_id_or_name() {
        let s = Selection::new(&["missing-retry".into()], &[]).unwrap();
        assert!(s.is_enabled("KFR001"));
        assert!(s.is_enabled("KFR000"));
        assert!(s.is_enabled("KFR900"));
        assert!(!s.is_enabled("KFR003"));
        let s = Selection::new(&["KFR001".into()], &["KFR900".into()]).unwrap();
        assert!(!s.is_enabled("KFR900"));
        let s = Selection::new(&[], &["KFR002,unpinned-package".into()]).unwrap();
        assert!(!s.is_enabled("KFR002") && !s.is_enabled("KFR003") && s.is_enabled("KFR001"));
        assert!(Selection::new(&["KFR999".into()], &[]).unwrap_err().contains("KFR999"));
    }

    #[test]
    fn every_rule_file_is_registered() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".md"))
            .collect();
        files.sort();
        let registered: Vec<String> = all().iter().map(|m| format!("{}.md", m.id)).collect();
        assert_eq!(files, registered);
    }
}
