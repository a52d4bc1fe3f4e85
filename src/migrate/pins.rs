//! Which packages a step's Python script needs, and the versions the
//! project pins for them.
//!
//! A script's third-party imports (`import sklearn`) are mapped to the
//! distributions that provide them (`scikit-learn`); the project's
//! requirements files, constraints files and lock files (`uv.lock`,
//! `poetry.lock`, `Pipfile.lock`) say which version each is pinned to.

use crate::dag::Dag;
use crate::packages::{self, normalize_name};
use crate::source::SourceDb;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A requirement for a component.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Requirement {
    /// As pip takes it: `pandas==2.2.2`, `scikit-learn>=1.3`, `torch`.
    pub spec: String,
    pub name: String,
    pub pinned: bool,
    /// Where the pin (or the looser requirement) comes from, or why there
    /// is none.
    pub from: String,
}

/// What the project says about each distribution (by normalised name).
#[derive(Debug, Default)]
pub struct Pins {
    known: BTreeMap<String, Known>,
    /// The files read, for the report.
    pub files: Vec<String>,
}

#[derive(Debug, Clone)]
struct Known {
    name: String,
    spec: Option<String>,
    pinned: bool,
    from: String,
}

const REQUIREMENT_FILES: &[&str] = &[
    "requirements.txt",
    "requirements.in",
    "requirements-prod.txt",
    "requirements-base.txt",
    "requirements-train.txt",
    "requirements.lock",
    "constraints.txt",
    "requirements/base.txt",
    "requirements/prod.txt",
];

impl Pins {
    /// Read the pins of the project: the packages the DAG's steps install,
    /// and the requirements and lock files in `dirs` (and their parents up
    /// to the first that is not below a root).
    pub fn read(db: &SourceDb, dag: &Dag, dirs: &[PathBuf], roots: &[PathBuf]) -> Pins {
        let mut pins = Pins::default();
        for s in &dag.steps {
            for p in &s.packages {
                let file = db.get(p.span.file);
                let (line, _) = file.line_col(p.span.start as usize);
                let spec = p
                    .spec
                    .as_ref()
                    .map(|sp| sp.trim_end_matches(" (from constraints)").to_string());
                pins.add(&p.name, spec, p.pinned, format!("{}:{line}", file.name));
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for dir in dirs {
            for d in dir.ancestors() {
                let within = roots
                    .iter()
                    .any(|r| d.starts_with(r) || r.as_os_str().is_empty() || r == Path::new("."));
                if !within && !d.as_os_str().is_empty() {
                    break;
                }
                if !seen.insert(d.to_path_buf()) {
                    continue;
                }
                pins.read_dir(db, d);
            }
        }
        pins
    }

    fn add(&mut self, name: &str, spec: Option<String>, pinned: bool, from: String) {
        let key = normalize_name(name);
        let better = match self.known.get(&key) {
            None => true,
            Some(k) => pinned && !k.pinned || (k.spec.is_none() && spec.is_some() && pinned == k.pinned),
        };
        if better {
            self.known.insert(
                key,
                Known {
                    name: name.to_string(),
                    spec,
                    pinned,
                    from,
                },
            );
        }
    }

    fn read_dir(&mut self, db: &SourceDb, dir: &Path) {
        let shown = |p: &Path| crate::source::display_path(p);
        for f in REQUIREMENT_FILES {
            let path = dir.join(f);
            if !path.is_file() {
                continue;
            }
            if let Ok(read) = packages::read_requirements(db, &path, &packages::Constraints::default()) {
                self.files.push(shown(&path));
                for p in read.packages {
                    let file = db.get(p.span.file);
                    let (line, _) = file.line_col(p.span.start as usize);
                    self.add(&p.name, p.spec.clone(), p.pinned, format!("{}:{line}", file.name));
                }
            }
        }
        for lock in ["uv.lock", "poetry.lock"] {
            let path = dir.join(lock);
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let Ok(doc) = text.parse::<toml::Table>() else { continue };
            self.files.push(shown(&path));
            for p in doc.get("package").and_then(|v| v.as_array()).into_iter().flatten() {
                let (Some(name), Some(version)) = (
                    p.get("name").and_then(|v| v.as_str()),
                    p.get("version").and_then(|v| v.as_str()),
                ) else {
                    continue;
                };
                self.add(name, Some(format!("=={version}")), true, shown(&path));
            }
        }
        // pyproject.toml: PEP 621 `dependencies` (and optional groups) and
        // Poetry's dependency tables, each a requirement like a requirements
        // file line
        let pyproject = dir.join("pyproject.toml");
        if let Ok(text) = std::fs::read_to_string(&pyproject)
            && let Ok(doc) = text.parse::<toml::Table>()
        {
            let at = shown(&pyproject);
            let mut listed: Vec<String> = Vec::new();
            let project = doc.get("project");
            let strings = |v: Option<&toml::Value>| -> Vec<String> {
                v.and_then(|v| v.as_array())
                    .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
                    .unwrap_or_default()
            };
            listed.extend(strings(project.and_then(|p| p.get("dependencies"))));
            if let Some(groups) = project
                .and_then(|p| p.get("optional-dependencies"))
                .and_then(|g| g.as_table())
            {
                for g in groups.values() {
                    listed.extend(strings(Some(g)));
                }
            }
            let poetry = doc.get("tool").and_then(|t| t.get("poetry"));
            let mut tables: Vec<&toml::Table> = Vec::new();
            tables.extend(poetry.and_then(|p| p.get("dependencies")).and_then(|d| d.as_table()));
            if let Some(groups) = poetry.and_then(|p| p.get("group")).and_then(|g| g.as_table()) {
                for g in groups.values() {
                    tables.extend(g.get("dependencies").and_then(|d| d.as_table()));
                }
            }
            for t in tables {
                for (name, v) in t {
                    if name == "python" {
                        continue;
                    }
                    // `"1.2.3"` is an exact pin in Poetry; `^`, `~`, `*` are ranges
                    let version = v.as_str().or_else(|| v.get("version").and_then(|x| x.as_str()));
                    match version {
                        Some(ver) if ver.chars().next().is_some_and(|c| c.is_ascii_digit()) => {
                            listed.push(format!("{name}=={ver}"))
                        }
                        Some(ver) if ver.starts_with("==") => listed.push(format!("{name}{ver}")),
                        _ => listed.push(name.clone()),
                    }
                }
            }
            if !listed.is_empty() {
                self.files.push(at.clone());
            }
            for req in listed {
                if let Some(r) = packages::classify(&req, false) {
                    self.add(&r.name, r.spec.clone(), r.pinned, at.clone());
                }
            }
        }
        let pipfile = dir.join("Pipfile.lock");
        if let Ok(text) = std::fs::read_to_string(&pipfile)
            && let Ok(doc) = serde_json::from_str::<serde_json::Value>(&text)
        {
            self.files.push(shown(&pipfile));
            for section in ["default", "develop"] {
                for (name, v) in doc.get(section).and_then(|v| v.as_object()).into_iter().flatten() {
                    if let Some(version) = v.get("version").and_then(|v| v.as_str())
                        && version.starts_with("==")
                    {
                        self.add(name, Some(version.to_string()), true, shown(&pipfile));
                    }
                }
            }
        }
    }

    /// The requirement for a distribution: pinned when the project pins
    /// it.
    pub fn requirement(&self, dist: &str) -> Requirement {
        match self.known.get(&normalize_name(dist)) {
            Some(k) => Requirement {
                spec: format!("{}{}", k.name, k.spec.as_deref().unwrap_or("")),
                name: k.name.clone(),
                pinned: k.pinned,
                from: if k.pinned {
                    k.from.clone()
                } else {
                    format!("{} names it without an exact version", k.from)
                },
            },
            None => Requirement {
                spec: dist.to_string(),
                name: dist.to_string(),
                pinned: false,
                from: "no requirements or lock file of the project names it".into(),
            },
        }
    }
}

/// The distributions a Python script needs: its imports that are neither
/// the standard library nor modules of the project (a file or package
/// beside the script or in `project_dirs`).
pub fn script_distributions(db: &SourceDb, script: &Path, project_dirs: &[PathBuf]) -> Option<Vec<String>> {
    let file = db.load(script).ok()?;
    if file.problem.is_some() {
        return None;
    }
    let tree = crate::python::parse(&file.text)?;
    let mut out: Vec<String> = Vec::new();
    let here = script.parent().map(Path::to_path_buf).unwrap_or_default();
    for (module, level) in crate::python::imported_module_levels(&tree, &file.text) {
        if level > 0 {
            continue;
        }
        let top = module.split('.').next().unwrap_or(&module);
        if top.is_empty() || STDLIB.binary_search(&top).is_ok() || top == "__future__" {
            continue;
        }
        let local = std::iter::once(&here).chain(project_dirs).any(|d| {
            d.join(format!("{top}.py")).is_file()
                || d.join(top).join("__init__.py").is_file()
                || d.join("src").join(top).is_dir()
                || d.join(top).is_dir()
        });
        if local {
            continue;
        }
        let dist = distribution(&module);
        if !out.contains(&dist) {
            out.push(dist);
        }
    }
    out.sort();
    Some(out)
}

/// The distribution that provides an import, where its name differs.
pub fn distribution(module: &str) -> String {
    let top = module.split('.').next().unwrap_or(module);
    if top == "google" {
        // google.cloud.storage -> google-cloud-storage
        let parts: Vec<&str> = module.split('.').take(3).collect();
        return parts.join("-");
    }
    let known = MODULE_DISTRIBUTIONS
        .iter()
        .find(|(m, _)| *m == top)
        .map(|(_, d)| d.to_string());
    known.unwrap_or_else(|| top.replace('_', "-"))
}

const MODULE_DISTRIBUTIONS: &[(&str, &str)] = &[
    ("sklearn", "scikit-learn"),
    ("skimage", "scikit-image"),
    ("yaml", "pyyaml"),
    ("cv2", "opencv-python"),
    ("PIL", "pillow"),
    ("bs4", "beautifulsoup4"),
    ("dateutil", "python-dateutil"),
    ("dotenv", "python-dotenv"),
    ("jwt", "pyjwt"),
    ("attr", "attrs"),
    ("Crypto", "pycryptodome"),
    ("OpenSSL", "pyopenssl"),
    ("psycopg2", "psycopg2-binary"),
    ("MySQLdb", "mysqlclient"),
    ("magic", "python-magic"),
    ("docx", "python-docx"),
    ("pptx", "python-pptx"),
    ("serial", "pyserial"),
    ("usb", "pyusb"),
    ("zmq", "pyzmq"),
    ("git", "gitpython"),
    ("jose", "python-jose"),
    ("multipart", "python-multipart"),
    ("pkg_resources", "setuptools"),
    ("setuptools", "setuptools"),
    ("tensorflow_hub", "tensorflow-hub"),
    ("lightgbm", "lightgbm"),
    ("catboost", "catboost"),
    ("faiss", "faiss-cpu"),
    ("sentence_transformers", "sentence-transformers"),
    ("mlflow", "mlflow"),
    ("wandb", "wandb"),
    ("snowflake", "snowflake-connector-python"),
    ("databricks", "databricks-sdk"),
    ("hydra", "hydra-core"),
    ("omegaconf", "omegaconf"),
    ("pyarrow", "pyarrow"),
    ("duckdb", "duckdb"),
    ("polars", "polars"),
];

/// A top-level module of the standard library.
pub fn is_stdlib(module: &str) -> bool {
    module == "__future__" || STDLIB.binary_search(&module).is_ok()
}

/// Top-level modules of the Python 3.11 standard library (sorted, for
/// binary search).
const STDLIB: &[&str] = &[
    "abc",
    "aifc",
    "antigravity",
    "argparse",
    "array",
    "ast",
    "asynchat",
    "asyncio",
    "asyncore",
    "atexit",
    "audioop",
    "base64",
    "bdb",
    "binascii",
    "bisect",
    "builtins",
    "bz2",
    "cProfile",
    "calendar",
    "cgi",
    "cgitb",
    "chunk",
    "cmath",
    "cmd",
    "code",
    "codecs",
    "codeop",
    "collections",
    "colorsys",
    "compileall",
    "concurrent",
    "configparser",
    "contextlib",
    "contextvars",
    "copy",
    "copyreg",
    "crypt",
    "csv",
    "ctypes",
    "curses",
    "dataclasses",
    "datetime",
    "dbm",
    "decimal",
    "difflib",
    "dis",
    "distutils",
    "doctest",
    "email",
    "encodings",
    "ensurepip",
    "enum",
    "errno",
    "faulthandler",
    "fcntl",
    "filecmp",
    "fileinput",
    "fnmatch",
    "fractions",
    "ftplib",
    "functools",
    "gc",
    "genericpath",
    "getopt",
    "getpass",
    "gettext",
    "glob",
    "graphlib",
    "grp",
    "gzip",
    "hashlib",
    "heapq",
    "hmac",
    "html",
    "http",
    "idlelib",
    "imaplib",
    "imghdr",
    "imp",
    "importlib",
    "inspect",
    "io",
    "ipaddress",
    "itertools",
    "json",
    "keyword",
    "lib2to3",
    "linecache",
    "locale",
    "logging",
    "lzma",
    "mailbox",
    "mailcap",
    "marshal",
    "math",
    "mimetypes",
    "mmap",
    "modulefinder",
    "msilib",
    "msvcrt",
    "multiprocessing",
    "netrc",
    "nis",
    "nntplib",
    "nt",
    "ntpath",
    "nturl2path",
    "numbers",
    "opcode",
    "operator",
    "optparse",
    "os",
    "ossaudiodev",
    "pathlib",
    "pdb",
    "pickle",
    "pickletools",
    "pipes",
    "pkgutil",
    "platform",
    "plistlib",
    "poplib",
    "posix",
    "posixpath",
    "pprint",
    "profile",
    "pstats",
    "pty",
    "pwd",
    "py_compile",
    "pyclbr",
    "pydoc",
    "pydoc_data",
    "pyexpat",
    "queue",
    "quopri",
    "random",
    "re",
    "readline",
    "reprlib",
    "resource",
    "rlcompleter",
    "runpy",
    "sched",
    "secrets",
    "select",
    "selectors",
    "shelve",
    "shlex",
    "shutil",
    "signal",
    "site",
    "smtpd",
    "smtplib",
    "sndhdr",
    "socket",
    "socketserver",
    "spwd",
    "sqlite3",
    "sre_compile",
    "sre_constants",
    "sre_parse",
    "ssl",
    "stat",
    "statistics",
    "string",
    "stringprep",
    "struct",
    "subprocess",
    "sunau",
    "symtable",
    "sys",
    "sysconfig",
    "syslog",
    "tabnanny",
    "tarfile",
    "telnetlib",
    "tempfile",
    "termios",
    "textwrap",
    "this",
    "threading",
    "time",
    "timeit",
    "tkinter",
    "token",
    "tokenize",
    "tomllib",
    "trace",
    "traceback",
    "tracemalloc",
    "tty",
    "turtle",
    "turtledemo",
    "types",
    "typing",
    "unicodedata",
    "unittest",
    "urllib",
    "uu",
    "uuid",
    "venv",
    "warnings",
    "wave",
    "weakref",
    "webbrowser",
    "winreg",
    "winsound",
    "wsgiref",
    "xdrlib",
    "xml",
    "xmlrpc",
    "zipapp",
    "zipfile",
    "zipimport",
    "zlib",
    "zoneinfo",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stdlib_is_sorted() {
        assert!(STDLIB.windows(2).all(|w| w[0] < w[1]));
        assert!(STDLIB.binary_search(&"argparse").is_ok());
        assert!(STDLIB.binary_search(&"pandas").is_err());
    }

    #[test]
    fn reads_pins_from_pyproject() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("pyproject.toml"),
            "[project]\nname = \"x\"\ndependencies = [\"pandas==2.2.2\", \"numpy>=1.26\"]\n\
             [tool.poetry.dependencies]\npython = \"^3.11\"\nscikit-learn = \"1.5.1\"\ntorch = \"^2.3\"\n",
        )
        .unwrap();
        let db = SourceDb::new();
        let mut pins = Pins::default();
        pins.read_dir(&db, dir.path());
        assert_eq!(pins.requirement("pandas").spec, "pandas==2.2.2");
        assert!(pins.requirement("pandas").pinned);
        assert!(!pins.requirement("numpy").pinned);
        assert_eq!(pins.requirement("scikit_learn").spec, "scikit-learn==1.5.1");
        assert!(!pins.requirement("torch").pinned);
        assert_eq!(pins.files.len(), 1);
    }

    #[test]
    fn maps_imports_to_distributions() {
        assert_eq!(distribution("sklearn.ensemble"), "scikit-learn");
        assert_eq!(distribution("google.cloud.storage"), "google-cloud-storage");
        assert_eq!(distribution("pandas"), "pandas");
        assert_eq!(distribution("my_lib.io"), "my-lib");
    }
}
