//! The rule reference in `docs/rules/`: one page per rule and an index,
//! rendered from the rule files in `rules/` (the same pages `kfr rule`
//! prints), so the published docs cannot drift from what kfr checks.
//!
//! The pages are committed; a unit test compares them with what this module
//! renders and rewrites them when `KFR_BLESS=1` is set.

use super::RuleMeta;

/// Where the generated pages live, relative to the repository root.
pub const DIR: &str = "docs/rules";

/// The index page's file name in [`DIR`].
pub const INDEX: &str = "README.md";

/// The command that rewrites the generated pages.
pub const REGENERATE: &str = "KFR_BLESS=1 cargo test --lib rules::docs";

/// A rule page's file name in [`DIR`].
pub fn file_name(meta: &RuleMeta) -> String {
    format!("{}.md", meta.id)
}

/// One rule's page: id and name, default severity, summary, the rule file's
/// text, and how to suppress or reconfigure the rule.
pub fn page(meta: &RuleMeta) -> String {
    let id = meta.id;
    format!(
        "<!-- Generated from rules/{id}.md by src/rules/docs.rs: do not edit by hand. Edit rules/{id}.md, then run `{REGENERATE}`. -->\n\n{}",
        content(meta)
    )
}

/// The page without the note that it is generated: what `kfr rule ID`
/// prints.
pub fn content(meta: &RuleMeta) -> String {
    let id = meta.id;
    let mut out = format!("# {id} {}\n\n", meta.name);
    out.push_str(&format!("Default severity: **{}**\n\n", meta.severity.as_str()));
    out.push_str(&format!("{}\n\n", meta.summary));
    out.push_str(meta.body.trim_end());
    out.push_str("\n\n## Suppress or configure\n\n");
    out.push_str(&format!(
        "Suppress one finding with a comment that names the rule and says why, at the end of the line kfr reports or on its own line just above it (see [suppressions](../suppressions.md)):\n\
         \n\
         - Makefiles, Python, crontabs, requirements files and YAML: `# kfr: ignore[{id}] reason`\n\
         - Jenkinsfiles and other Groovy: `// kfr: ignore[{id}] reason`\n\
         - Jenkins `config.xml`: `<!-- kfr: ignore[{id}] reason -->`\n\
         \n\
         `kfr: file-ignore[{id}] reason` anywhere in a file suppresses the rule for the whole file. A suppression that matches no finding is reported by KFR900.\n\
         \n\
         Turn the rule off for the whole repository or some files, or change its severity, in `kfr.toml` (or `[tool.kfr]` in `pyproject.toml`; see [configuration](../configuration.md)):\n\
         \n\
         ```toml\n\
         ignore = [\"{id}\"]\n\
         \n\
         [per-file-ignores]\n\
         \"legacy/**\" = [\"{id}\"]\n\
         \n\
         [severity]\n\
         {id} = \"error\"\n\
         ```\n\
         \n\
         On the command line, `--ignore {id}` (or `--ignore {name}`) leaves it out of one run and `--select {id}` runs only it.\n",
        name = meta.name
    ));
    out
}

/// The index: every rule with its name, default severity, summary and a
/// link to its page.
pub fn index(rules: &[RuleMeta]) -> String {
    let mut out = format!(
        "<!-- Generated from rules/*.md by src/rules/docs.rs: do not edit by hand. Run `{REGENERATE}` after changing a rule file. -->\n\n"
    );
    out.push_str("# Rules\n\n");
    out.push_str("Every rule kfr checks. `kfr rules` prints the same list and `kfr rule ID` prints a rule's page.\n\n");
    out.push_str("| Rule | Name | Default severity | Summary |\n");
    out.push_str("|---|---|---|---|\n");
    for m in rules {
        out.push_str(&format!(
            "| [{}]({}) | `{}` | {} | {} |\n",
            m.id,
            file_name(m),
            m.name,
            m.severity.as_str(),
            m.summary.replace('|', "\\|")
        ));
    }
    out
}

/// Every generated file: (file name in [`DIR`], contents), the index first.
pub fn pages(rules: &[RuleMeta]) -> Vec<(String, String)> {
    std::iter::once((INDEX.to_string(), index(rules)))
        .chain(rules.iter().map(|m| (file_name(m), page(m))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    /// The Markdown files in `dir`, by name.
    fn existing(dir: &Path) -> BTreeSet<String> {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return BTreeSet::new();
        };
        entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".md"))
            .collect()
    }

    /// What is wrong with the generated files in `dir` (stale, missing, or
    /// a page of no rule), compared with `wanted`.
    fn problems(dir: &Path, wanted: &[(String, String)]) -> Vec<String> {
        let names: BTreeSet<String> = wanted.iter().map(|(n, _)| n.clone()).collect();
        let mut problems = Vec::new();
        for (name, body) in wanted {
            match std::fs::read_to_string(dir.join(name)) {
                Ok(on_disk) if on_disk == *body => {}
                Ok(_) => problems.push(format!("{DIR}/{name} is stale")),
                Err(_) => problems.push(format!("{DIR}/{name} is missing")),
            }
        }
        for extra in existing(dir).difference(&names) {
            problems.push(format!("{DIR}/{extra} is the page of no rule in rules/"));
        }
        problems
    }

    /// Write `wanted` into `dir` and remove the Markdown files of no rule.
    fn bless(dir: &Path, wanted: &[(String, String)]) {
        std::fs::create_dir_all(dir).unwrap();
        for (name, body) in wanted {
            std::fs::write(dir.join(name), body).unwrap();
        }
        let names: BTreeSet<String> = wanted.iter().map(|(n, _)| n.clone()).collect();
        for extra in existing(dir).difference(&names) {
            std::fs::remove_file(dir.join(extra)).unwrap();
        }
    }

    #[test]
    fn generated_pages_are_current() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(DIR);
        let wanted = pages(super::super::all());
        if std::env::var_os("KFR_BLESS").is_some_and(|v| v == "1") {
            bless(&dir, &wanted);
            return;
        }
        let problems = problems(&dir, &wanted);
        assert!(
            problems.is_empty(),
            "{}\n\nThe pages in {DIR}/ are generated from rules/*.md (and src/rules/docs.rs). \
             To regenerate them, run from the repository root:\n\n    {REGENERATE}\n\n\
             then commit {DIR}/. A new rule needs its rules/KFRnnn.md listed in DEFS in src/rules/mod.rs first.",
            problems.join("\n")
        );
    }

    #[test]
    fn stale_missing_and_orphan_pages_are_found_and_blessing_fixes_them() {
        let dir = tempfile::tempdir().unwrap();
        let wanted = pages(super::super::all());
        bless(dir.path(), &wanted);
        assert_eq!(problems(dir.path(), &wanted), Vec::<String>::new());

        std::fs::write(dir.path().join("KFR001.md"), "# edited by hand\n").unwrap();
        std::fs::remove_file(dir.path().join("KFR002.md")).unwrap();
        std::fs::write(dir.path().join("KFR999.md"), "# a rule that was removed\n").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not a page\n").unwrap();
        assert_eq!(
            problems(dir.path(), &wanted),
            [
                "docs/rules/KFR001.md is stale",
                "docs/rules/KFR002.md is missing",
                "docs/rules/KFR999.md is the page of no rule in rules/",
            ]
        );

        bless(dir.path(), &wanted);
        assert_eq!(problems(dir.path(), &wanted), Vec::<String>::new());
        assert!(!dir.path().join("KFR999.md").exists());
        assert!(dir.path().join("notes.txt").exists());
    }

    #[test]
    fn a_page_has_the_title_severity_summary_body_and_suppression() {
        let meta = super::super::meta("KFR001").unwrap();
        let page = page(meta);
        assert!(page.starts_with("<!-- Generated from rules/KFR001.md"), "{page}");
        assert!(page.contains("\n# KFR001 missing-retry\n"), "{page}");
        assert!(page.contains("Default severity: **warning**"), "{page}");
        assert!(page.contains(meta.summary));
        assert!(page.contains(meta.body.trim_end()));
        for syntax in [
            "`# kfr: ignore[KFR001] reason`",
            "`// kfr: ignore[KFR001] reason`",
            "`<!-- kfr: ignore[KFR001] reason -->`",
            "ignore = [\"KFR001\"]",
            "[severity]\nKFR001 = \"error\"",
        ] {
            assert!(page.contains(syntax), "missing {syntax}:\n{page}");
        }
    }

    #[test]
    fn the_index_links_every_rule() {
        let rules = super::super::all();
        let index = index(rules);
        for m in rules {
            let row = format!("| [{}]({}.md) | `{}` | {} |", m.id, m.id, m.name, m.severity.as_str());
            assert!(index.contains(&row), "no row `{row}` in:\n{index}");
        }
        assert_eq!(index.lines().filter(|l| l.starts_with("| [KFR")).count(), rules.len());
    }
}
