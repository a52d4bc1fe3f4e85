//! Writing the migration: only inside `--out`, never into a non-empty
//! directory unless forced, every file through a temporary file renamed
//! into place.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// Check `out` before anything is written: it is missing, an empty
/// directory, or `force` is set.
pub fn check_out_dir(out: &Path, force: bool) -> Result<(), String> {
    match std::fs::metadata(out) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("cannot use `{}` as the output directory: {e}", out.display())),
        Ok(m) if !m.is_dir() => Err(format!("`{}` exists and is not a directory", out.display())),
        Ok(_) => {
            let non_empty = std::fs::read_dir(out)
                .map_err(|e| format!("cannot read `{}`: {e}", out.display()))?
                .next()
                .is_some();
            if non_empty && !force {
                Err(format!(
                    "`{}` is not empty: choose an empty directory, or pass --force to overwrite the files kfr writes there",
                    out.display()
                ))
            } else {
                Ok(())
            }
        }
    }
}

/// `rel` is a plain relative path that stays inside its base: no `..`,
/// no root, no empty or NUL components.
pub fn is_contained(rel: &str) -> bool {
    let p = Path::new(rel);
    !rel.is_empty()
        && !rel.contains('\0')
        && p.components().all(|c| matches!(c, Component::Normal(_)))
        && rel.split('/').all(|c| !c.is_empty() && c.len() <= 255)
}

/// Write `files` (relative path, contents) below `out`, each atomically.
pub fn write_all(out: &Path, files: &[(String, String)]) -> Result<Vec<PathBuf>, String> {
    for (rel, _) in files {
        if !is_contained(rel) {
            return Err(format!(
                "internal error: refusing to write `{rel}` outside the output directory"
            ));
        }
    }
    use rayon::prelude::*;
    let mut dirs: Vec<PathBuf> = files
        .iter()
        .map(|(rel, _)| out.join(rel).parent().unwrap_or(out).to_path_buf())
        .collect();
    dirs.sort();
    dirs.dedup();
    for dir in &dirs {
        real_dirs_below(out, dir)?;
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
    }
    // each file is independent: written (and synced) in parallel
    files
        .par_iter()
        .map(|(rel, text)| {
            let path = out.join(rel);
            write_atomic(&path, text.as_bytes()).map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
            Ok(path)
        })
        .collect()
}

/// Each directory from `out` (exclusive) down to `dir` that exists is a
/// real directory, not a symbolic link: with `--force` the output directory
/// may hold anything, and a `components` linked to `/etc` must not lead the
/// files there. (A file that is a link is replaced by the rename, not
/// followed.)
fn real_dirs_below(out: &Path, dir: &Path) -> Result<(), String> {
    let Ok(rel) = dir.strip_prefix(out) else {
        return Ok(());
    };
    let mut p = out.to_path_buf();
    for c in rel.components() {
        p.push(c);
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(format!(
                    "`{}` is a symbolic link: kfr writes only into real directories inside the output directory",
                    p.display()
                ));
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    Ok(())
}

/// Write a file through a temporary file beside it and a rename, so a
/// reader sees the old contents or the new, never half of them.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.kfr-{}.tmp", std::process::id()));
    let result = (|| {
        // a new file: never one that exists, nor through a link planted there
        let create = || std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp);
        let mut f = match create() {
            // left by an earlier run that died: removed (a link itself, not what it points to)
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                std::fs::remove_file(&tmp)?;
                create()?
            }
            r => r?,
        };
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_paths() {
        assert!(is_contained("components/train.yaml"));
        assert!(is_contained("retrain/pipeline.yaml"));
        for bad in ["", "../x", "/etc/passwd", "a/../../b", "a\0b", "a//b", "./x"] {
            assert!(!is_contained(bad), "{bad:?}");
        }
    }
}
