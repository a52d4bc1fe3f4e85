//! Parse + link + lint of a large generated Makefile pipeline.
//!
//! The generated project has one Makefile with `DATASETS` datasets, each going
//! through a pattern rule (raw csv -> interim parquet), a static pattern rule
//! (-> features), rules generated with `$(foreach)`/`$(eval)`/`$(call)`
//! (-> model, -> metrics), an included config, variables of every flavour,
//! conditionals and phony aggregates: over 1,000 targets.
//!
//! Also: where the time of reading Airflow DAG files goes (the fixtures), and
//! the KFP frontend: the fixtures' Python and compiled YAML, and a generated
//! pipeline of `KFP_TASKS` tasks built in loops, in Python and compiled.
//!
//! Run with `cargo bench --bench lint`.

use criterion::{Criterion, criterion_group, criterion_main};
use kfr::analysis::{analyze, lint};
use kfr::discover::{build_excludes, discover};
use kfr::rules::Selection;
use std::fmt::Write as _;
use std::path::Path;

const DATASETS: usize = 300;

fn generate(dir: &Path) -> usize {
    generate_n(dir, DATASETS)
}

fn generate_n(dir: &Path, datasets: usize) -> usize {
    let mut mk = String::new();
    mk.push_str("include config.mk\n\nPYTHON ?= python3\nDATA := data\nSTAGES = interim features models reports\n");
    mk.push_str("DATASETS :=");
    for i in 0..datasets {
        write!(mk, " ds{i:04}").unwrap();
    }
    mk.push_str("\n\nFEATURES := $(patsubst %,$(DATA)/features/%.parquet,$(DATASETS))\n");
    mk.push_str("MODELS := $(addprefix models/,$(addsuffix .pkl,$(DATASETS)))\n");
    mk.push_str("REPORTS := $(DATASETS:%=reports/%.json)\n\n");
    mk.push_str(".PHONY: all setup clean check-raw $(addprefix train-,$(DATASETS))\n\nall: $(REPORTS)\n\ncheck-raw: $(DATASETS:%=$(DATA)/raw/%.csv)\n\n");
    mk.push_str("setup:\n\tpip install -r requirements.txt\n\tpip install pandas scikit-learn==1.4.2\n\n");
    mk.push_str("$(DATA)/interim/%.parquet: $(DATA)/raw/%.csv scripts/prepare.py | $(DATA)/interim\n\t$(PYTHON) scripts/prepare.py --in $< --out $@\n\n");
    mk.push_str("$(FEATURES): $(DATA)/features/%.parquet: $(DATA)/interim/%.parquet scripts/featurize.py\n\t$(PYTHON) scripts/featurize.py --in $< --out $@ --seed $(SEED)\n\n");
    mk.push_str("define MODEL_RULES\nmodels/$(1).pkl: $(DATA)/features/$(1).parquet scripts/train.py\n\t$$(PYTHON) scripts/train.py --data $$< --out $$@ --epochs $(EPOCHS)\n");
    mk.push_str("reports/$(1).json: models/$(1).pkl $(DATA)/features/$(1).parquet\n\t$$(PYTHON) scripts/evaluate.py --model $$< --data $$(word 2,$$^) --metrics $$@\n");
    mk.push_str("train-$(1): models/$(1).pkl\nendef\n\n$(foreach d,$(DATASETS),$(eval $(call MODEL_RULES,$(d))))\n\n");
    mk.push_str("ifeq ($(ENV),prod)\nSEED := 0\nelse\nSEED := 42\nendif\n\n$(DATA)/interim:\n\tmkdir -p $@\n\nclean:\n\trm -rf $(DATA)/interim $(DATA)/features models reports\n");
    std::fs::write(dir.join("Makefile"), mk).unwrap();
    std::fs::write(dir.join("config.mk"), "EPOCHS = 10\nENV ?= dev\n").unwrap();
    std::fs::write(dir.join("requirements.txt"), "pandas==2.2.3\nnumpy>=1.24\n").unwrap();
    std::fs::create_dir_all(dir.join("scripts")).unwrap();
    for s in ["prepare", "featurize", "train", "evaluate"] {
        std::fs::write(dir.join(format!("scripts/{s}.py")), "import sys\n").unwrap();
    }
    datasets * 5
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let approx = generate(dir.path());
    let excludes = build_excludes(&[]).unwrap();
    let paths = vec![dir.path().to_path_buf()];
    let found = discover(&paths, &excludes).unwrap();
    let analysis = analyze(&found.files, &Default::default());
    assert!(analysis.dag.steps.len() >= 1000, "{} steps", analysis.dag.steps.len());
    eprintln!(
        "generated Makefile: ~{approx} rules, {} steps, {} edges",
        analysis.dag.steps.len(),
        analysis.dag.edges.len()
    );
    c.bench_function("lint large Makefile pipeline", |b| {
        b.iter(|| {
            let found = discover(&paths, &excludes).unwrap();
            let analysis = analyze(&found.files, &Default::default());
            lint(&analysis, &Selection::all())
        })
    });
}

/// Where the time of an Airflow file goes: tree-sitter-python's parse alone,
/// and kfr's whole reading of the file (parse, evaluation, shell analysis of
/// the commands, lowering), single-threaded over every fixture.
fn airflow(c: &mut Criterion) {
    let mut files = Vec::new();
    for e in std::fs::read_dir("testdata/airflow").unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "py") && !p.ends_with("oracle.py") {
            files.push(p);
        }
    }
    files.sort();
    let texts: Vec<String> = files.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
    c.bench_function("airflow fixtures: tree-sitter-python parse only", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| kfr::python::parse(t).map_or(0, |t| t.root_node().child_count() as usize))
                .sum::<usize>()
        })
    });
    c.bench_function("airflow fixtures: kfr reads them (parse + evaluate + lower)", |b| {
        b.iter(|| {
            let db = kfr::source::SourceDb::new();
            files
                .iter()
                .map(|p| {
                    let f = db.load(p).unwrap();
                    kfr::frontend::lower(&db, &f, kfr::frontend::SourceKind::Python, &Default::default())
                        .steps
                        .len()
                })
                .sum::<usize>()
        })
    });
}

/// The tasks of the generated KFP pipeline.
const KFP_TASKS: usize = 2000;

/// A KFP pipeline of `KFP_TASKS` tasks: a chain built in a loop over a
/// module-level list, fanned out into `ParallelFor` groups with conditions,
/// the way generated pipelines are written.
fn generated_kfp(n: usize) -> String {
    let mut py = String::from(
        "from kfp import dsl\nfrom kfp.dsl import Dataset, Input, Output\n\nIMAGE = \"python:3.11.9-slim\"\n\n\n",
    );
    py.push_str("@dsl.component(base_image=IMAGE, packages_to_install=[\"pandas==2.2.2\"])\n");
    py.push_str("def step(name: str, rows: Input[Dataset], out: Output[Dataset]) -> int:\n    return 0\n\n\n");
    py.push_str("@dsl.component(base_image=IMAGE)\ndef seed(out: Output[Dataset]):\n    pass\n\n\n");
    write!(py, "STAGES = [f\"stage_{{i}}\" for i in range({})]\n\n\n", n / 4).unwrap();
    py.push_str("@dsl.pipeline(name=\"generated\")\ndef generated(threshold: int = 3):\n");
    py.push_str("    prev = seed().set_retry(2)\n");
    py.push_str("    for s in STAGES:\n");
    py.push_str("        t = step(name=s, rows=prev.outputs[\"out\"]).set_retry(2)\n");
    py.push_str("        with dsl.ParallelFor([1, 2]) as i:\n");
    py.push_str("            step(name=s, rows=t.outputs[\"out\"])\n");
    py.push_str("        with dsl.If(t.outputs[\"Output\"] > threshold):\n");
    py.push_str("            step(name=s, rows=t.outputs[\"out\"]).after(prev)\n");
    py.push_str("        prev = step(name=s, rows=t.outputs[\"out\"])\n");
    py
}

fn kfp(c: &mut Criterion) {
    let read = |kind: kfr::frontend::SourceKind, files: &[std::path::PathBuf]| {
        let db = kfr::source::SourceDb::new();
        files
            .iter()
            .map(|p| {
                let f = db.load(p).unwrap();
                kfr::frontend::lower(&db, &f, kind, &Default::default()).steps.len()
            })
            .sum::<usize>()
    };
    let mut py = Vec::new();
    let mut yaml = Vec::new();
    for e in walkdir::WalkDir::new("testdata/kfp")
        .into_iter()
        .flatten()
        .map(|e| e.into_path())
    {
        match e.extension().and_then(|x| x.to_str()) {
            Some("py") if !e.ends_with("oracle.py") => py.push(e),
            Some("yaml") if e.to_string_lossy().contains("/compiled/") => yaml.push(e),
            _ => {}
        }
    }
    py.sort();
    yaml.sort();
    c.bench_function("kfp fixtures: Python files (parse + evaluate + compile + lower)", |b| {
        b.iter(|| read(kfr::frontend::SourceKind::Python, &py))
    });
    c.bench_function("kfp fixtures: compiled YAML", |b| {
        b.iter(|| read(kfr::frontend::SourceKind::Yaml, &yaml))
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("generated.py");
    std::fs::write(&path, generated_kfp(KFP_TASKS)).unwrap();
    let steps = read(kfr::frontend::SourceKind::Python, std::slice::from_ref(&path));
    assert!(steps >= KFP_TASKS, "{steps} tasks");
    eprintln!("generated KFP pipeline: {steps} tasks");
    c.bench_function("kfp generated pipeline: Python, 2,000 tasks", |b| {
        b.iter(|| read(kfr::frontend::SourceKind::Python, std::slice::from_ref(&path)))
    });
}

/// `kfr migrate` of a generated Makefile of 1,000 targets (200 datasets,
/// each raw -> interim -> features -> model -> report): plan, render and
/// check the IR of 800 components, without writing.
fn migrate(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    generate_n(dir.path(), 200);
    let excludes = build_excludes(&[]).unwrap();
    let paths = vec![dir.path().to_path_buf()];
    let found = discover(&paths, &excludes).unwrap();
    let analysis = analyze(&found.files, &Default::default());
    let options = kfr::migrate::Options {
        out: dir.path().join("kfp"),
        pipeline: None,
        all: false,
        image: None,
        retries: 3,
        force: false,
        roots: paths.clone(),
    };
    let chosen = kfr::migrate::select(&analysis.db, &analysis.dag, &options).unwrap();
    let once = kfr::migrate::migrate_one(&analysis.db, &analysis.dag, &chosen[0], &options, "").unwrap();
    let targets = analysis
        .dag
        .steps
        .iter()
        .filter(|s| s.kind == kfr::dag::StepKind::Target)
        .count();
    eprintln!(
        "generated Makefile: {targets} targets; migrated: {} components, {} files, {} bytes",
        once.components,
        once.files.len(),
        once.files.iter().map(|(_, t)| t.len()).sum::<usize>()
    );
    c.bench_function("migrate a 1,000-target Makefile (plan + render + check)", |b| {
        b.iter(|| kfr::migrate::migrate_one(&analysis.db, &analysis.dag, &chosen[0], &options, "").unwrap())
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench, airflow, kfp, migrate
}
criterion_main!(benches);
