//! The Makefile and Airflow frontends and the shell analysis never panic:
//! every fixture is mutated many times with the characters that matter to
//! make, to the shell and to Python (and some multi-byte text), and each
//! mutant is read end to end.
//! Deterministic (a fixed-seed generator), so a failure reproduces.
//! `KFR_FUZZ_SEED` and `KFR_FUZZ_ROUNDS` explore further; `KFR_FUZZ_TRACE=1`
//! prints each mutant's path before it is read, to find one that hangs.

use kfr::frontend::{Options, SourceKind, lower};
use kfr::source::SourceDb;
use std::path::{Path, PathBuf};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const PIECES: &[&str] = &[
    "$(",
    ")",
    "${",
    "}",
    "$",
    "$$",
    ":",
    "::",
    "&:",
    "=",
    ":=",
    "+=",
    "?=",
    "!=",
    "\\\n",
    "\n",
    "\t",
    " ",
    "#",
    "\\#",
    "%",
    "|",
    ";",
    "'",
    "\"",
    "`",
    "\\",
    "ifeq (a,b)\n",
    "else\n",
    "endif\n",
    "define X\n",
    "endef\n",
    "$(eval ",
    "$(call ",
    "$(foreach v,a b,",
    "$(shell ",
    "$(wildcard *)",
    "include x.mk\n",
    "\r\n",
    "é",
    "日本",
    "\u{E000}",
    "\u{E001}",
    "\u{E002}",
    "\0",
    "-include ",
    ".PHONY: ",
    "%.o: %.c\n\t",
    "$(MAKE) -C ",
];

/// The generator and the rounds per fixture: fixed defaults, or
/// `KFR_FUZZ_SEED` / `KFR_FUZZ_ROUNDS` to explore further when developing.
fn settings(default_seed: u64, default_rounds: usize) -> (Rng, usize) {
    let env = |name: &str| std::env::var(name).ok().and_then(|s| s.parse::<u64>().ok());
    let rounds = env("KFR_FUZZ_ROUNDS").map_or(default_rounds, |r| r as usize);
    (Rng(env("KFR_FUZZ_SEED").unwrap_or(default_seed)), rounds)
}

/// One to six random edits: a piece inserted, or a few characters deleted.
fn mutate(original: &[u8], pieces: &[&str], rng: &mut Rng) -> String {
    let mut text = String::from_utf8_lossy(original).into_owned();
    for _ in 0..1 + rng.below(6) {
        let mut at = rng.below(text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        if rng.below(3) == 0 && at < text.len() {
            let mut end = (at + 1 + rng.below(12)).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            text.replace_range(at..end, "");
        } else {
            text.insert_str(at, pieces[rng.below(pieces.len())]);
        }
    }
    text
}

fn fixtures() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for root in [
        "testdata/make",
        "testdata/examples",
        "testdata/malformed",
        "testdata/airflow",
    ] {
        for e in walk(Path::new(root)) {
            let name = e.file_name().unwrap().to_string_lossy().into_owned();
            // the runaway expansion takes its whole work budget every time
            if e.to_string_lossy().contains("runaway-call") {
                continue;
            }
            if ["Makefile", "makefile", "GNUmakefile"].contains(&name.as_str()) || name.ends_with(".mk") {
                out.push(e);
            }
        }
    }
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn mutated_makefiles_never_panic() {
    let (mut rng, rounds) = settings(0x9E37_79B9_7F4A_7C15, 40);
    let files = fixtures();
    assert!(files.len() >= 15);
    let scratch = tempfile::tempdir().unwrap();
    let mut runs = 0;
    for (i, f) in files.iter().enumerate() {
        let original = std::fs::read(f).unwrap();
        for round in 0..rounds {
            let text = mutate(&original, PIECES, &mut rng);
            let path = scratch.path().join(format!("m{i}-{round}")).join("Makefile");
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &text).unwrap();
            if std::env::var_os("KFR_FUZZ_TRACE").is_some() {
                eprintln!("{}", path.display());
            }
            let db = SourceDb::new();
            let file = db.load(&path).unwrap();
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let frag = lower(&db, &file, SourceKind::Makefile, &Options::default());
                for step in &frag.steps {
                    if let Some(c) = &step.command {
                        let script = kfr::shell::parse(c);
                        for cmd in &script.commands {
                            let _ = kfr::shell::file_uses(cmd, &Default::default());
                        }
                    }
                }
            }));
            assert!(result.is_ok(), "panic on a mutant of {}:\n{text}", f.display());
            runs += 1;
        }
    }
    assert!(runs >= 600);
}

const PY_PIECES: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ":",
    ",",
    ".",
    ">>",
    "<<",
    " >> [a, b]",
    "'",
    "\"",
    "f\"{",
    "\"\"\"",
    "\\",
    "\n",
    "    ",
    "\t",
    "#",
    "=",
    "*",
    "**",
    "@task\n",
    "@dag()\n",
    "@task_group\n",
    "with DAG('x') as d:\n    ",
    "with TaskGroup('g'):\n    ",
    "for x in range(100000):\n    ",
    "for x in X:\n    ",
    "while True:\n    ",
    "def f(*a, **k):\n    return f(*a, **k)\nf()\n",
    "globals()[",
    "lambda: ",
    ".partial(",
    ".expand(",
    "chain(",
    "Label('x')",
    "None",
    "10**18",
    "é",
    "日本",
    "\0",
    "\u{E000}",
];

#[test]
fn mutated_dag_files_never_panic() {
    mutants(
        "testdata/airflow",
        "py",
        PY_PIECES,
        SourceKind::Python,
        0xD1B5_4A32_D192_ED03,
        20,
        30,
    );
}

const KFP_PIECES: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    ":",
    ",",
    ".",
    "'",
    "\"",
    "f\"{",
    "\n",
    "    ",
    "#",
    "=",
    "**",
    "@dsl.component\n",
    "@dsl.container_component\n",
    "@dsl.pipeline\n",
    "@dsl.pipeline(name='x')\n",
    "with dsl.ParallelFor([1, 2]) as i:\n    ",
    "with dsl.ParallelFor(items=[{'name': 1}]) as i:\n    ",
    "with dsl.If(x.output == 1):\n    ",
    "with dsl.Elif(x.output == 2):\n    ",
    "with dsl.Else():\n    ",
    "with dsl.ExitHandler(",
    ".after(",
    ".set_retry(",
    ".set_caching_options(",
    ".outputs['",
    ".output",
    "dsl.Collected(",
    "dsl.OneOf(",
    "dsl.importer(",
    "Input[",
    "Output[",
    "InputPath(",
    "OutputPath(",
    "-> NamedTuple('O', [('a', int)])",
    "components.load_component_from_text('name: x\\nimplementation: {container: {image: a}}')",
    "for x in range(100000):\n    ",
    "while True:\n    ",
    "None",
    "é",
    "\0",
];

const YAML_PIECES: &[&str] = &[
    ":",
    ": ",
    "- ",
    "{",
    "}",
    "[",
    "]",
    "'",
    "\"",
    "\n",
    "  ",
    "\t",
    "&a ",
    "*a",
    "!!str ",
    "---\n",
    "#",
    "? ",
    "|\n",
    ">-\n",
    "componentRef:\n  name: comp-x\n",
    "dependentTasks: [for-loop-1]\n",
    "dag:\n  tasks:\n    t: {}\n",
    "producerTask: ",
    "maxRetryCount: -1\n",
    "é",
    "\0",
];

/// Mutants of the fixtures with extension `ext` under `dirs` (separated
/// by `:`), each read end to end, linked and linted.
fn mutants(dirs: &str, ext: &str, pieces: &[&str], kind: SourceKind, seed: u64, rounds: usize, min: usize) {
    let (mut rng, rounds) = settings(seed, rounds);
    let mut files: Vec<PathBuf> = dirs
        .split(':')
        .flat_map(|d| walk(Path::new(d)))
        .filter(|p| p.extension().is_some_and(|e| e == ext) && !p.ends_with("oracle.py"))
        .collect();
    files.sort();
    assert!(files.len() >= min, "{} .{ext} fixtures", files.len());
    let scratch = tempfile::tempdir().unwrap();
    let mut runs = 0;
    for (i, f) in files.iter().enumerate() {
        let original = std::fs::read(f).unwrap();
        for round in 0..rounds {
            let text = mutate(&original, pieces, &mut rng);
            let path = scratch.path().join(format!("m{i}-{round}.{ext}"));
            std::fs::write(&path, &text).unwrap();
            if std::env::var_os("KFR_FUZZ_TRACE").is_some() {
                eprintln!("{}", path.display());
            }
            let db = SourceDb::new();
            let file = db.load(&path).unwrap();
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let frag = lower(&db, &file, kind, &Options::default());
                // and the rules over what was read
                let (dag, _) = kfr::dag::link(vec![frag]);
                kfr::rules::run(
                    &kfr::rules::Context { dag: &dag, db: &db },
                    &kfr::rules::Selection::all(),
                )
            }));
            assert!(result.is_ok(), "panic on a mutant of {}:\n{text}", f.display());
            runs += 1;
        }
    }
    assert!(runs >= 600);
}

const KFP_DIRS: &str = "testdata/kfp:testdata/examples/kfp-churn";

#[test]
fn mutated_kfp_files_never_panic() {
    mutants(
        KFP_DIRS,
        "py",
        KFP_PIECES,
        SourceKind::Python,
        0x5851_F42D_4C95_7F2D,
        16,
        40,
    );
}

#[test]
fn mutated_compiled_pipelines_never_panic() {
    mutants(
        KFP_DIRS,
        "yaml",
        YAML_PIECES,
        SourceKind::Yaml,
        0x2545_F491_4F6C_DD1D,
        12,
        50,
    );
}
