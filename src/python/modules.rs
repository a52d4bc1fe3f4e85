//! Modules of the user's own repository that a pipeline file imports
//! (`from common.defaults import DEFAULT_ARGS`). Airflow puts the DAGs folder
//! on `sys.path`, so DAG files share constants through such modules. kfr
//! evaluates a local module once (no Airflow host: nothing it builds counts)
//! and keeps its module-level *data* — strings, numbers, lists, dicts, and
//! the source text of opaque values like `timedelta(minutes=5)` — which the
//! importing file then sees as if written there. Functions and classes of the
//! module are known by name only: calling one is reported by the host.

use super::eval::{Host, Interp, Limits};
use super::value::Value;
use crate::source::SourceDb;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A module-level value that can leave the interpreter that made it.
#[derive(Debug, Clone, PartialEq)]
pub enum Const {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Const>),
    Tuple(Vec<Const>),
    Dict(Vec<(Const, Const)>),
    Opaque(String),
}

impl Const {
    pub fn from_value(v: &Value, depth: usize) -> Option<Const> {
        if depth > 16 {
            return None;
        }
        Some(match v {
            Value::None => Const::None,
            Value::Bool(b) => Const::Bool(*b),
            Value::Int(i) => Const::Int(*i),
            Value::Float(f) => Const::Float(*f),
            Value::Str(s) if !s.partial => Const::Str(s.text.clone()),
            Value::List(l) => Const::List(
                l.borrow()
                    .iter()
                    .map(|x| Const::from_value(x, depth + 1))
                    .collect::<Option<_>>()?,
            ),
            Value::Tuple(t) => Const::Tuple(
                t.iter()
                    .map(|x| Const::from_value(x, depth + 1))
                    .collect::<Option<_>>()?,
            ),
            Value::Dict(d) => Const::Dict(
                d.borrow()
                    .items
                    .iter()
                    .map(|(k, v)| Some((Const::from_value(k, depth + 1)?, Const::from_value(v, depth + 1)?)))
                    .collect::<Option<_>>()?,
            ),
            Value::Opaque(t) => Const::Opaque(t.to_string()),
            _ => return None,
        })
    }

    pub fn to_value<'t>(&self) -> Value<'t> {
        match self {
            Const::None => Value::None,
            Const::Bool(b) => Value::Bool(*b),
            Const::Int(i) => Value::Int(*i),
            Const::Float(f) => Value::Float(*f),
            Const::Str(s) => Value::str(s.clone()),
            Const::List(l) => Value::list(l.iter().map(Const::to_value).collect()),
            Const::Tuple(t) => Value::Tuple(std::rc::Rc::new(t.iter().map(Const::to_value).collect())),
            Const::Dict(d) => Value::dict(d.iter().map(|(k, v)| (k.to_value(), v.to_value())).collect()),
            Const::Opaque(t) => Value::Opaque(t.as_str().into()),
        }
    }
}

/// What kfr knows of a local module.
#[derive(Debug, Default)]
pub struct LocalModule {
    /// The module's file, as shown to users.
    pub file: String,
    pub consts: HashMap<String, Const>,
    /// Functions and classes defined at module level.
    pub callables: HashSet<String>,
}

/// Local modules already evaluated in this run, by file.
#[derive(Debug, Default)]
pub struct ModuleCache {
    modules: Mutex<HashMap<PathBuf, Option<Arc<LocalModule>>>>,
}

struct Quiet;
impl<'t> Host<'t> for Quiet {}

const MAX_IMPORT_DEPTH: usize = 4;

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

/// Evaluate the local modules a file imports (recursively, bounded) and
/// return them by module name as the file spells it.
pub fn resolve_imports(
    db: &SourceDb,
    cache: &ModuleCache,
    from_dir: &Path,
    modules: &[(String, usize)],
    depth: usize,
) -> HashMap<String, Arc<LocalModule>> {
    let mut out = HashMap::new();
    if depth > MAX_IMPORT_DEPTH {
        return out;
    }
    for (name, level) in modules {
        let top = name.split('.').next().unwrap_or("");
        if *level == 0 && (top == "airflow" || is_well_known(top)) {
            continue;
        }
        let Some(path) = find_module(from_dir, name, *level) else {
            continue;
        };
        if let Some(m) = load(db, cache, &path, depth) {
            out.insert(format!("{}{name}", ".".repeat(*level)), m);
        }
    }
    out
}

fn load(db: &SourceDb, cache: &ModuleCache, path: &Path, depth: usize) -> Option<Arc<LocalModule>> {
    let key = std::fs::canonicalize(path).ok()?;
    if let Some(m) = cache.modules.lock().ok()?.get(&key) {
        return m.clone();
    }
    // mark as in progress, so an import cycle ends here
    cache.modules.lock().ok()?.insert(key.clone(), None);
    let file = db.load(path).ok()?;
    let result = (|| {
        if file.problem.is_some() {
            return None;
        }
        let tree = super::parse(&file.text)?;
        if tree.root_node().has_error() {
            return None;
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        let imports = super::imported_module_levels(&tree, &file.text);
        let nested = resolve_imports(db, cache, dir, &imports, depth + 1);
        let mut it = Interp::new(
            &file.text,
            path.display().to_string(),
            Quiet,
            Limits {
                fuel: 200_000,
                ..Limits::default()
            },
        );
        it.local_modules = nested;
        it.run_module(tree.root_node());
        let mut m = LocalModule {
            file: file.name.clone(),
            ..Default::default()
        };
        for (name, v) in it.module.entries() {
            match &v {
                Value::Func(_) | Value::Class(_) => {
                    m.callables.insert(name);
                }
                v => {
                    if let Some(c) = Const::from_value(v, 0) {
                        m.consts.insert(name, c);
                    }
                }
            }
        }
        Some(Arc::new(m))
    })();
    cache.modules.lock().ok()?.insert(key, result.clone());
    result
}

/// Standard-library and common third-party top-level names, never looked
/// for on disk.
fn is_well_known(top: &str) -> bool {
    matches!(
        top,
        "os" | "sys"
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
    )
}
