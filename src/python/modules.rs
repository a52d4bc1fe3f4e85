//! The repository's own modules a pipeline file imports
//! (`from common.tasks import make_ingest`). Airflow puts the DAGs folder on
//! `sys.path`, so DAG files share settings and task factories through such
//! modules. kfr reads them as Python would import them: each is evaluated
//! once, in its own namespace, when it is first imported.
//!
//! The main file and its modules form one [`Program`]: their texts are laid
//! end to end in one buffer and each module is parsed over its own range of
//! it (tree-sitter's included ranges), so every node of every file has one
//! byte offset, and [`Program::locate`] tells which file and where.

use crate::source::{SourceDb, SourceFile, Span};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tree_sitter::{Point, Tree};

/// Most modules followed from one file, and how deep imports are followed.
const MAX_MODULES: usize = 32;
const MAX_DEPTH: usize = 4;

/// A file's directory, the modules it imports (name, level), its depth,
/// and for a module its package (relative imports are taken from it).
type Pending = (PathBuf, Vec<(String, usize)>, usize, Option<String>);

/// One file and the repository modules it imports, transitively.
pub struct Program {
    /// Every source, end to end, each followed by a newline.
    pub text: String,
    /// Each source's file and where its text starts; the main file first.
    pub files: Vec<(usize, Arc<SourceFile>)>,
    /// Module names as imported, with the index of their file in `files`.
    pub modules: Vec<(String, usize)>,
}

impl Program {
    /// The main file and the local modules it imports.
    pub fn build(db: &SourceDb, main: &Arc<SourceFile>, main_tree: &Tree) -> Program {
        let mut program = Program {
            text: format!("{}\n", main.text),
            files: vec![(0, main.clone())],
            modules: Vec::new(),
        };
        let main_key = std::fs::canonicalize(&main.path).ok();
        // (directory of the importing file, its imports, depth)
        let mut queue: Vec<Pending> = vec![(
            main.dir().to_path_buf(),
            super::imported_module_levels(main_tree, &main.text),
            0,
            None,
        )];
        let mut seen: Vec<PathBuf> = main_key.into_iter().collect();
        while let Some((dir, imports, depth, package)) = queue.pop() {
            for (name, level) in imports {
                if program.modules.len() >= MAX_MODULES {
                    continue;
                }
                // a module's relative imports are named from its package, the
                // main file's as written
                let key_of = |n: &str| match (&package, level) {
                    (Some(pkg), 1..) => absolute_module(pkg, level, n),
                    _ => Some(format!("{}{n}", ".".repeat(level))),
                };
                let Some(key) = key_of(&name) else { continue };
                if program.modules.iter().any(|(n, _)| *n == key) || is_library(&name, level) {
                    continue;
                }
                // `import a.b.c` needs a, a.b and a.b.c
                let parts: Vec<&str> = name.split('.').collect();
                for end in 1..=parts.len() {
                    let prefix = parts[..end].join(".");
                    let Some(pkey) = key_of(&prefix) else { continue };
                    if program.modules.iter().any(|(n, _)| *n == pkey) {
                        continue;
                    }
                    let Some(path) = find_module(&dir, &prefix, level) else {
                        continue;
                    };
                    let Ok(canon) = std::fs::canonicalize(&path) else {
                        continue;
                    };
                    if let Some(i) = seen.iter().position(|s| *s == canon) {
                        // the same file under another name
                        if i > 0 {
                            program.modules.push((pkey, i));
                        }
                        continue;
                    }
                    let Ok(file) = db.load(&path) else { continue };
                    if file.problem.is_some() {
                        continue;
                    }
                    let start = program.text.len();
                    program.text.push_str(&file.text);
                    program.text.push('\n');
                    program.files.push((start, file.clone()));
                    seen.push(canon);
                    let index = program.files.len() - 1;
                    let module_package = package_of(&pkey, &path);
                    program.modules.push((pkey, index));
                    if depth < MAX_DEPTH
                        && let Some(tree) = super::parse(&file.text)
                    {
                        let nested = super::imported_module_levels(&tree, &file.text);
                        queue.push((file.dir().to_path_buf(), nested, depth + 1, Some(module_package)));
                    }
                }
            }
        }
        program
    }

    /// Parse module `index` (≥ 1) in place: its nodes carry offsets into
    /// [`Program::text`]. None when it does not parse cleanly.
    pub fn parse_module(&self, index: usize) -> Option<Tree> {
        let (start, file) = self.files.get(index)?;
        let end = start + file.text.len();
        let row = self.text[..*start].matches('\n').count();
        let last_line = file.text.rsplit('\n').next().unwrap_or("");
        let end_row = row + file.text.matches('\n').count();
        let range = tree_sitter::Range {
            start_byte: *start,
            end_byte: end,
            start_point: Point { row, column: 0 },
            end_point: Point {
                row: end_row,
                column: last_line.len(),
            },
        };
        let tree = crate::syntax::parse_ranges(|| tree_sitter_python::LANGUAGE.into(), &self.text, &[range])?;
        (!tree.root_node().has_error()).then_some(tree)
    }

    /// The file a byte range of [`Program::text`] belongs to, and the range
    /// within that file.
    pub fn locate(&self, range: std::ops::Range<usize>) -> (&Arc<SourceFile>, std::ops::Range<usize>) {
        let i = self
            .files
            .iter()
            .rposition(|(start, _)| *start <= range.start)
            .unwrap_or(0);
        let (start, file) = &self.files[i];
        let len = file.text.len();
        let s = (range.start - start).min(len);
        let e = range.end.saturating_sub(*start).clamp(s, len);
        (file, s..e)
    }

    /// A span of the file a range belongs to.
    pub fn span(&self, range: std::ops::Range<usize>) -> Span {
        let (file, r) = self.locate(range);
        file.span(r)
    }
}

/// The package a module belongs to, by its key: itself for a package
/// (`__init__.py`), else its parent (`lib.comps` → `lib`; `.common` → ``,
/// the main file's own package).
pub fn package_of(key: &str, path: &Path) -> String {
    if path.file_name().is_some_and(|n| n == "__init__.py") {
        return key.to_string();
    }
    match key.rfind('.') {
        Some(i) => key[..i].to_string(),
        None => String::new(),
    }
}

/// The key of module `name` imported with `level` leading dots from
/// `package` (`steps` + `.make` → `steps.make`); a package named from the
/// main file (`.pkg`, or `` for the main file's own) stays relative. None:
/// the import climbs above the top package.
pub fn absolute_module(package: &str, level: usize, name: &str) -> Option<String> {
    let relative = package.is_empty() || package.starts_with('.');
    let mut parts: Vec<&str> = package.split('.').filter(|p| !p.is_empty()).collect();
    for _ in 1..level {
        parts.pop()?;
    }
    parts.extend(name.split('.').filter(|p| !p.is_empty()));
    let joined = parts.join(".");
    Some(if relative { format!(".{joined}") } else { joined })
}

/// The file a module name refers to, searched as Python would with the
/// importing file's directory and its ancestors on `sys.path` (Airflow adds
/// the DAGs folder). `level` is the number of leading dots of a relative
/// import.
pub fn find_module(from_dir: &Path, module: &str, level: usize) -> Option<PathBuf> {
    let rel: PathBuf = module.split('.').filter(|p| !p.is_empty()).collect();
    if rel.as_os_str().is_empty() {
        return None;
    }
    let candidates = |dir: &Path| {
        let file = dir.join(&rel).with_extension("py");
        let package = dir.join(&rel).join("__init__.py");
        [file, package].into_iter().find(|p| p.is_file())
    };
    if level > 0 {
        let mut dir = from_dir.to_path_buf();
        for _ in 1..level {
            dir = dir.parent()?.to_path_buf();
        }
        return candidates(&dir);
    }
    from_dir.ancestors().take(4).find_map(candidates)
}

/// Airflow, the standard library and common third-party packages: never
/// looked for on disk.
fn is_library(name: &str, level: usize) -> bool {
    if level > 0 {
        return false;
    }
    let top = name.split('.').next().unwrap_or("");
    matches!(
        top,
        "airflow"
            | "os"
            | "sys"
            | "re"
            | "json"
            | "datetime"
            | "pendulum"
            | "pathlib"
            | "typing"
            | "logging"
            | "time"
            | "functools"
            | "itertools"
            | "collections"
            | "textwrap"
            | "inspect"
            | "uuid"
            | "math"
            | "random"
            | "subprocess"
            | "shutil"
            | "tempfile"
            | "glob"
            | "csv"
            | "io"
            | "dataclasses"
            | "enum"
            | "abc"
            | "copy"
            | "hashlib"
            | "base64"
            | "urllib"
            | "requests"
            | "pandas"
            | "numpy"
            | "yaml"
            | "boto3"
            | "google"
            | "kubernetes"
            | "docker"
            | "__future__"
            | "warnings"
            | "contextlib"
            | "string"
            | "kfp"
            | "sqlalchemy"
            | "pydantic"
    )
}
