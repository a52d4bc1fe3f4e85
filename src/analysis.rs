//! One run of kfr over a set of files: read them (in parallel, each
//! independently), link the fragments into one graph, run the rules.

use crate::dag::{Dag, Fragment, link};
use crate::diagnostic::Diagnostic;
use crate::discover::Discovered;
use crate::frontend;
use crate::rules::{self, Selection};
use crate::source::SourceDb;
use rayon::prelude::*;
use std::panic::{AssertUnwindSafe, catch_unwind};

pub struct Analysis {
    pub db: SourceDb,
    pub dag: Dag,
    /// Diagnostics from reading the files (KFR000).
    pub parse_diagnostics: Vec<Diagnostic>,
    pub files_checked: usize,
}

/// Read every file and link the results. A file that cannot be read, or
/// whose frontend fails, gives a diagnostic; the others are unaffected.
pub fn analyze(files: &[Discovered], options: &frontend::Options) -> Analysis {
    analyze_in(SourceDb::new(), files, options)
}

/// [`analyze`] reading through `db`: one made with
/// [`SourceDb::with_max_size`] for a configuration's `max-file-size`.
pub fn analyze_in(db: SourceDb, files: &[Discovered], options: &frontend::Options) -> Analysis {
    db.confine_to(project_roots(files));
    let fragments: Vec<Fragment> = files
        .par_iter()
        .map(|f| match db.load_named(&f.path) {
            Ok(file) => {
                catch_unwind(AssertUnwindSafe(|| frontend::lower(&db, &file, f.kind, options))).unwrap_or_else(|_| {
                    let mut frag = Fragment::default();
                    frag.diagnostics.push(
                        Diagnostic::parse_error(file.span(0..0), "kfr failed internally while reading this file")
                            .with_help(
                                "please report this file's construct as a kfr bug; the other files were checked",
                            ),
                    );
                    frag
                })
            }
            Err(e) => {
                let file = db.add_virtual(&f.path, String::new());
                let mut frag = Fragment::default();
                frag.diagnostics.push(Diagnostic::parse_error(
                    file.span(0..0),
                    format!("cannot read the file: {}", crate::source::why_not_read(&e)),
                ));
                frag
            }
        })
        .collect();
    let (dag, parse_diagnostics) = link(fragments);
    Analysis {
        db,
        dag,
        parse_diagnostics,
        files_checked: files.len(),
    }
}

/// The directories the files that pipeline files name (includes,
/// requirements, modules) are read from: for each linted file, the
/// repository it is in (the nearest directory with `.git`), else the
/// current directory when it is below it, else the deepest directory
/// holding every such file (one file named alone: its own directory).
pub fn project_roots(files: &[Discovered]) -> Vec<std::path::PathBuf> {
    use std::path::{Path, PathBuf};
    let cwd = std::env::current_dir().ok().and_then(|d| std::fs::canonicalize(d).ok());
    let mut roots: Vec<PathBuf> = Vec::new();
    let mut loose: Option<PathBuf> = None;
    for f in files {
        let Ok(real) = std::fs::canonicalize(&f.path) else {
            continue;
        };
        let dir = real.parent().unwrap_or(&real);
        let root = crate::discover::enclosing_repository(dir).or_else(|| cwd.as_deref().filter(|c| dir.starts_with(c)));
        match root {
            Some(r) => roots.push(r.to_path_buf()),
            None => {
                loose = Some(match loose.take() {
                    None => dir.to_path_buf(),
                    Some(l) => l
                        .ancestors()
                        .find(|a| dir.starts_with(a))
                        .unwrap_or(Path::new("/"))
                        .to_path_buf(),
                })
            }
        }
    }
    roots.extend(loose);
    roots.sort();
    roots.dedup();
    let all = roots.clone();
    roots.retain(|r| !all.iter().any(|o| o != r && r.starts_with(o)));
    roots
}

/// Run the rules and return every diagnostic to report, deduplicated and
/// sorted by file, line, column.
pub fn lint(analysis: &Analysis, selection: &Selection) -> Vec<Diagnostic> {
    let ctx = rules::Context {
        dag: &analysis.dag,
        db: &analysis.db,
    };
    let mut diags: Vec<Diagnostic> = analysis
        .parse_diagnostics
        .iter()
        .filter(|d| selection.is_enabled(d.code))
        .cloned()
        .collect();
    diags.extend(rules::run(&ctx, selection));
    // per-file ignores and severity overrides from the configuration
    diags.retain(|d| selection.is_enabled_in(d.code, &analysis.db.get(d.span.file).path));
    for d in &mut diags {
        d.severity = selection.severity_of(d.code, d.severity);
    }
    // inline `kfr: ignore[...]` comments, and KFR900 about them
    let diags = crate::suppression::apply(diags, &analysis.db, selection);
    let names: Vec<String> = diags
        .iter()
        .map(|d| analysis.db.get(d.span.file).name.clone())
        .collect();
    let mut keyed: Vec<(String, Diagnostic)> = names.into_iter().zip(diags).collect();
    keyed.sort_by(|(na, a), (nb, b)| {
        (na, a.span.start, a.code, &a.message, a.span.end).cmp(&(nb, b.span.start, b.code, &b.message, b.span.end))
    });
    keyed.dedup_by(|(_, a), (_, b)| a.code == b.code && a.span == b.span && a.message == b.message);
    keyed.into_iter().map(|(_, d)| d).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::SourceKind;

    #[test]
    fn the_databases_size_limit_is_applied() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Makefile");
        std::fs::write(&path, "all: model\nmodel:\n\ttouch model\n").unwrap();
        let files = [Discovered {
            path,
            kind: SourceKind::Makefile,
        }];
        let options = frontend::Options::default();
        let small = analyze_in(SourceDb::with_max_size(10), &files, &options);
        let messages: Vec<&str> = small.parse_diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages, ["file is 31 bytes, over the limit of 10 bytes: not read"]);
        assert!(analyze(&files, &options).parse_diagnostics.is_empty());
    }

    #[test]
    fn project_roots_are_repositories_or_what_holds_the_files() {
        let dir = tempfile::tempdir().unwrap();
        let d = std::fs::canonicalize(dir.path()).unwrap();
        for rel in ["repo/.git", "repo/a/b", "loose/x", "loose/y"] {
            std::fs::create_dir_all(d.join(rel)).unwrap();
        }
        let file = |rel: &str| {
            std::fs::write(d.join(rel), "all:\n").unwrap();
            Discovered {
                path: d.join(rel),
                kind: SourceKind::Makefile,
            }
        };
        let files = [
            file("repo/a/b/Makefile"),
            file("repo/Makefile"),
            file("loose/x/Makefile"),
        ];
        // the current directory of the test is not above the temporary one
        assert_eq!(project_roots(&files), [d.join("loose/x"), d.join("repo")]);
        let files = [file("loose/x/Makefile"), file("loose/y/Makefile")];
        assert_eq!(project_roots(&files), [d.join("loose")]);
    }

    #[test]
    fn a_file_deleted_after_discovery_is_a_diagnostic_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Makefile");
        std::fs::write(&path, "all:\n").unwrap();
        let files = [Discovered {
            path: path.clone(),
            kind: SourceKind::Makefile,
        }];
        std::fs::remove_file(&path).unwrap();
        let a = analyze(&files, &frontend::Options::default());
        assert_eq!(a.parse_diagnostics.len(), 1);
        let d = &a.parse_diagnostics[0];
        assert!(d.message.starts_with("cannot read the file: "), "{}", d.message);
        assert_eq!(a.db.get(d.span.file).path, path);
        assert_eq!(a.db.get(d.span.file).line_col(d.span.start as usize), (1, 1));
    }
}
