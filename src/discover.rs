//! Finding pipeline sources: walking directories (skipping VCS metadata,
//! build output, dependencies, virtualenvs and excluded globs) and taking
//! explicit files as given.

use crate::frontend::{SourceKind, classify};
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::path::{Path, PathBuf};

/// Directory names never walked into.
const SKIP_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "target",
    "node_modules",
    "__pycache__",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "site-packages",
    ".eggs",
];

#[derive(Debug, Clone)]
pub struct Discovered {
    pub path: PathBuf,
    pub kind: SourceKind,
}

#[derive(Debug)]
pub struct Discovery {
    pub files: Vec<Discovered>,
    /// Explicit file arguments that are no pipeline source kfr reads.
    pub unrecognised: Vec<PathBuf>,
    /// What a walk passed over that a user may have expected to be read,
    /// and why: a directory it could not read, a symlink with a pipeline
    /// file's name (symlinks are not followed: they may lead out of the
    /// tree, or round in a loop).
    pub skipped: Vec<(PathBuf, String)>,
}

pub fn build_excludes(globs: &[String]) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        let g = g.trim_end_matches('/');
        b.add(Glob::new(g).map_err(|e| format!("invalid exclude glob `{g}`: {e}"))?);
        if !g.contains('/') {
            // a bare name also matches at any depth
            b.add(Glob::new(&format!("**/{g}")).map_err(|e| e.to_string())?);
        }
    }
    b.build().map_err(|e| e.to_string())
}

fn is_virtualenv(dir: &Path) -> bool {
    dir.join("pyvenv.cfg").is_file()
}

/// What not to read: `--exclude` globs (relative to each walked
/// directory) and a config file's `exclude` (relative to its directory).
#[derive(Debug, Clone, Default)]
pub struct Excludes {
    pub cli: GlobSet,
    pub config: Option<(PathBuf, GlobSet)>,
    /// Apply them to files named explicitly too (`--force-exclude`, for
    /// pre-commit, which names every staged file).
    pub force: bool,
}

impl Excludes {
    /// Whether `path` (found under the walked directory `root`, or named
    /// explicitly when `root` is None) is excluded.
    /// `root` is the walked directory as given and canonicalised (once per
    /// walk: the walk follows no symlink, so a path below it is the
    /// canonical root joined with the rest).
    pub fn excludes(&self, root: Option<(&Path, &Path)>, path: &Path) -> bool {
        // a walk tests each directory on the way down; a file named
        // explicitly is excluded by a glob matching any of its directories
        let matches = |set: &GlobSet, rel: &Path| {
            if root.is_some() {
                set.is_match(rel)
            } else {
                rel.ancestors().any(|a| !a.as_os_str().is_empty() && set.is_match(a))
            }
        };
        let rel = root.and_then(|(r, _)| path.strip_prefix(r).ok()).unwrap_or(path);
        if matches(&self.cli, rel) {
            return true;
        }
        if let Some((base, set)) = &self.config {
            let abs = match root {
                Some((_, canonical)) => canonical.join(rel),
                None => std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()),
            };
            if let Ok(r) = abs.strip_prefix(base)
                && matches(set, r)
            {
                return true;
            }
        }
        false
    }
}

/// The nearest directory at or above `dir` holding `.git`: the git work
/// tree a path belongs to.
pub fn enclosing_repository(dir: &Path) -> Option<&Path> {
    dir.ancestors().find(|d| d.join(".git").exists())
}

/// Walk the given paths. Errors name a path that does not exist.
pub fn discover(paths: &[PathBuf], excludes: &GlobSet) -> Result<Discovery, String> {
    discover_with(
        paths,
        &Excludes {
            cli: excludes.clone(),
            ..Default::default()
        },
    )
}

/// [`discover`] with excludes from the command line and a config file.
pub fn discover_with(paths: &[PathBuf], excludes: &Excludes) -> Result<Discovery, String> {
    let mut files = Vec::new();
    let mut unrecognised = Vec::new();
    let mut skipped = Vec::new();
    for root in paths {
        let meta = std::fs::metadata(root).map_err(|e| format!("{}: {e}", root.display()))?;
        if meta.is_file() {
            if excludes.force && excludes.excludes(None, root) {
                continue;
            }
            match classify(root) {
                Some(kind) => files.push(Discovered {
                    path: root.clone(),
                    kind,
                }),
                None => unrecognised.push(root.clone()),
            }
            continue;
        }
        let canonical_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.clone());
        let walker = walkdir::WalkDir::new(root)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                if e.depth() == 0 {
                    return true;
                }
                if excludes.excludes(Some((root, &canonical_root)), e.path()) {
                    return false;
                }
                if e.file_type().is_dir() {
                    let name = e.file_name().to_string_lossy();
                    return !SKIP_DIRS.contains(&name.as_ref()) && !is_virtualenv(e.path());
                }
                true
            });
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let path = e.path().unwrap_or(root).to_path_buf();
                    let why = e
                        .io_error()
                        .map_or_else(|| e.to_string(), |io| format!("cannot read: {io}"));
                    skipped.push((path, why));
                    continue;
                }
            };
            if entry.path_is_symlink() {
                if classify(entry.path()).is_some() {
                    skipped.push((entry.path().to_path_buf(), "a symlink: not followed".to_string()));
                }
                continue;
            }
            if !entry.file_type().is_file() {
                continue;
            }
            if let Some(kind) = classify(entry.path()) {
                files.push(Discovered {
                    path: crate::source::normalize_path(entry.path()),
                    kind,
                });
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|a, b| a.path == b.path);
    Ok(Discovery {
        files,
        unrecognised,
        skipped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn symlinks_and_unreadable_directories_are_named_not_walked() {
        use std::os::unix::fs::{PermissionsExt, symlink};
        let dir = tempfile::tempdir().unwrap();
        let (root, outside) = (dir.path().join("root"), dir.path().join("outside"));
        std::fs::create_dir_all(root.join("locked")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("Makefile"), "all:\n").unwrap();
        std::fs::write(root.join("locked/Makefile"), "all:\n").unwrap();
        std::fs::write(root.join("Makefile"), "all:\n").unwrap();
        symlink(outside.join("Makefile"), root.join("GNUmakefile")).unwrap();
        symlink(&outside, root.join("out")).unwrap();
        symlink(".", root.join("self")).unwrap();
        symlink("notes.txt", root.join("readme")).unwrap();
        let locked = root.join("locked");
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
        let root_reads_all = std::fs::read_dir(&locked).is_ok();
        let d = discover(std::slice::from_ref(&root), &GlobSet::empty()).unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
        let files: Vec<&Path> = d.files.iter().map(|f| f.path.as_path()).collect();
        let mut expected = vec![root.join("Makefile")];
        if root_reads_all {
            expected.push(root.join("locked/Makefile"));
        }
        assert_eq!(files, expected);
        let skipped: Vec<(&Path, &str)> = d.skipped.iter().map(|(p, w)| (p.as_path(), w.as_str())).collect();
        let link = root.join("GNUmakefile");
        assert!(
            skipped.contains(&(link.as_path(), "a symlink: not followed")),
            "{skipped:?}"
        );
        if !root_reads_all {
            assert!(
                skipped
                    .iter()
                    .any(|(p, w)| *p == locked && w.starts_with("cannot read: ")),
                "{skipped:?}"
            );
        }
        // directory symlinks and links without a pipeline name are not news
        assert_eq!(skipped.len(), if root_reads_all { 1 } else { 2 }, "{skipped:?}");
    }
}
