//! `kfr migrate`: a legacy pipeline (a make goal, a Jenkins job, a cron
//! line, an Airflow DAG) with the closure of steps it runs, as Kubeflow
//! Pipelines v2 artifacts: one component spec per step, a pipeline spec
//! wiring them with typed artifacts, retries and caching, a `pipeline.py`
//! that compiles to the same pipeline, and MIGRATION.md saying what was
//! not carried over.
//!
//! [`plan`] decides what becomes what (with `role` for each step and
//! `component` for each component); [`spec`] (through `emit`), `scaffold`
//! and `report` render; [`validate`] checks the rendered IR before `write`
//! puts it on disk.

mod command;
mod component;
mod emit;
mod names;
mod pins;
pub mod plan;
mod python_task;
mod report;
mod role;
mod scaffold;
mod schedule;
mod script_task;
pub mod spec;
pub mod validate;
pub mod write;

use crate::dag::{Dag, EdgeKind, PipelineKind};
use crate::source::SourceDb;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub struct Options {
    pub out: PathBuf,
    pub pipeline: Option<String>,
    pub all: bool,
    pub image: Option<String>,
    pub retries: u32,
    pub force: bool,
    /// The paths given on the command line: pins are looked for up to them.
    pub roots: Vec<PathBuf>,
}

/// A pipeline kfr can migrate: where it starts and the steps it runs.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub pipeline: usize,
    /// KFP pipeline name.
    pub name: String,
    pub title: String,
    /// Where a run starts: a make goal, or every step of the pipeline.
    roots: Vec<usize>,
    /// The steps a run runs (filled in for the candidates considered).
    pub steps: BTreeSet<usize>,
    /// Names `--pipeline` accepts for it.
    aliases: Vec<String>,
}

/// What one migration wrote (or would write).
pub struct Migrated {
    pub name: String,
    pub title: String,
    /// Relative path and contents.
    pub files: Vec<(String, String)>,
    pub components: usize,
    pub left_out: usize,
    pub unpinned: usize,
}

/// The steps a run started at `roots` runs: their prerequisites (file and
/// order edges, upstream) and the steps they invoke.
pub fn closure(dag: &Dag, roots: &[usize]) -> BTreeSet<usize> {
    let mut seen: BTreeSet<usize> = roots.iter().copied().collect();
    let mut stack: Vec<usize> = roots.to_vec();
    while let Some(s) = stack.pop() {
        let next: Vec<usize> = dag
            .step_edges_in(s)
            .filter(|e| e.kind != EdgeKind::Invokes)
            .map(|e| e.from)
            .chain(
                dag.step_edges_out(s)
                    .filter(|e| e.kind == EdgeKind::Invokes)
                    .map(|e| e.to),
            )
            .collect();
        for n in next {
            if seen.insert(n) {
                stack.push(n);
            }
        }
    }
    seen
}

/// The name of the directory a file is in, or its stem.
fn file_label(path: &str) -> String {
    let p = Path::new(path);
    let stem = p
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let generic = [
        "Makefile",
        "makefile",
        "GNUmakefile",
        "Jenkinsfile",
        "crontab",
        "config",
    ];
    if generic.contains(&stem.as_str()) || stem.is_empty() {
        let dir = p
            .parent()
            .and_then(|d| d.file_name())
            .map(|d| d.to_string_lossy().to_string())
            .or_else(|| {
                std::env::current_dir()
                    .ok()
                    .and_then(|d| d.file_name().map(|n| n.to_string_lossy().to_string()))
            });
        return dir.unwrap_or(stem);
    }
    stem
}

/// Goals that are a makefile's tooling, not its pipeline.
const TOOLING_GOALS: &[&str] = &[
    "help",
    "usage",
    "list",
    "targets",
    "info",
    "lint",
    "format",
    "fmt",
    "check",
    "test",
    "tests",
    "clean",
    "distclean",
    "install",
    "setup",
    "venv",
    "env",
    "deps",
    "requirements",
    "init",
    "docs",
    "serve",
    "shell",
    "print-%",
    "debug",
];

/// The goal that runs a makefile's pipeline: its default goal, unless that
/// is tooling (`.DEFAULT_GOAL := help`); then `all`, else the top-level
/// target that runs the most steps. With the reason, when it is not the
/// default goal.
fn main_goal(dag: &Dag, pipeline: usize, steps: &[usize]) -> (Option<usize>, String) {
    let p = &dag.pipelines[pipeline];
    let by_name = |n: &str| steps.iter().copied().find(|&s| dag.steps[s].name == n);
    let tooling = |s: usize| TOOLING_GOALS.contains(&dag.steps[s].name.as_str());
    let default = p.default_step.as_deref().and_then(by_name);
    match default {
        Some(d) if !tooling(d) => return (Some(d), String::new()),
        None if steps.is_empty() => return (None, String::new()),
        _ => {}
    }
    let why = |d: Option<usize>| match d {
        Some(d) => format!(
            " (its default goal `{}` is tooling, not the pipeline)",
            dag.steps[d].name
        ),
        None => String::new(),
    };
    if let Some(all) = by_name("all") {
        return (Some(all), why(default));
    }
    // top-level targets: no other target of the makefile needs them
    let needed: BTreeSet<usize> = steps
        .iter()
        .copied()
        .filter(|&s| {
            dag.step_edges_out(s)
                .any(|e| e.kind != EdgeKind::Invokes && dag.steps[e.to].pipeline == pipeline)
        })
        .collect();
    let best = steps
        .iter()
        .copied()
        .filter(|&s| !needed.contains(&s) && !tooling(s))
        .max_by(|&a, &b| closure(dag, &[a]).len().cmp(&closure(dag, &[b]).len()).then(b.cmp(&a)));
    match best {
        Some(b) => (Some(b), why(default)),
        None => (default, String::new()),
    }
}

/// Every pipeline that can be migrated, and where a run of it starts (the
/// steps it runs are computed by [`select`] for the ones it considers: a
/// makefile has a candidate per target).
pub fn candidates(db: &SourceDb, dag: &Dag) -> Vec<Candidate> {
    let mut out = Vec::new();
    for (pi, p) in dag.pipelines.iter().enumerate() {
        let steps: Vec<usize> = dag
            .steps
            .iter()
            .enumerate()
            .filter(|(_, s)| s.pipeline == pi)
            .map(|(i, _)| i)
            .collect();
        let file = db.get(p.file).name.clone();
        match p.kind {
            PipelineKind::Kfp => continue,
            PipelineKind::Make => {
                let label = file_label(&file);
                let (main, why) = main_goal(dag, pi, &steps);
                for &s in &steps {
                    let step = &dag.steps[s];
                    let is_default = main == Some(s);
                    let name = if is_default {
                        names::kfp_name(&label)
                    } else {
                        names::kfp_name(&format!("{label}-{}", step.name))
                    };
                    let mut aliases = vec![
                        step.name.clone(),
                        step.id.clone(),
                        format!("{file}:{}", step.name),
                        name.clone(),
                    ];
                    if is_default {
                        aliases.extend([p.id.clone(), p.name.clone(), file.clone(), label.clone()]);
                    }
                    let note = if is_default { why.clone() } else { String::new() };
                    out.push(Candidate {
                        pipeline: pi,
                        name,
                        title: format!("make goal `{}` of `{file}`{note}", step.name),
                        roots: vec![s],
                        steps: BTreeSet::new(),
                        aliases,
                    });
                }
            }
            kind => {
                let (name, title) = match kind {
                    PipelineKind::Airflow => (names::kfp_name(&p.name), format!("Airflow DAG `{}` (`{file}`)", p.name)),
                    PipelineKind::Jenkins => {
                        let shown = if p.name.contains('/') && p.name.ends_with("Jenkinsfile") {
                            file_label(&file)
                        } else {
                            p.name.clone()
                        };
                        (names::kfp_name(&shown), format!("Jenkins pipeline `{}`", p.name))
                    }
                    _ => {
                        let label = steps.first().map(|s| dag.steps[*s].name.clone()).unwrap_or_default();
                        let line = p.name.rsplit(':').next().unwrap_or("");
                        // `python scripts/report.py` is `report`, `make evaluate` is `evaluate`
                        let last = label.split_whitespace().last().unwrap_or("");
                        let short = Path::new(last)
                            .file_stem()
                            .map(|s| s.to_string_lossy().to_string())
                            .unwrap_or_default();
                        (
                            names::kfp_name(&format!("{}-{short}", file_label(&file))),
                            format!("cron entry `{file}:{line}` (`{label}`)"),
                        )
                    }
                };
                let mut aliases = vec![p.id.clone(), p.name.clone(), name.clone(), file.clone()];
                if kind == PipelineKind::Cron
                    && let Some(line) = p.name.rsplit(':').next()
                {
                    // `crontab:12`, by the file's name and the entry's line
                    let base = Path::new(&file)
                        .file_name()
                        .map(|f| f.to_string_lossy().to_string())
                        .unwrap_or_default();
                    aliases.push(format!("{base}:{line}"));
                }
                out.push(Candidate {
                    pipeline: pi,
                    aliases,
                    name,
                    title,
                    roots: steps,
                    steps: BTreeSet::new(),
                });
            }
        }
    }
    out
}

/// Pick the candidates to migrate.
pub fn select(db: &SourceDb, dag: &Dag, options: &Options) -> Result<Vec<Candidate>, String> {
    let all = candidates(db, dag);
    let with_steps = |mut c: Candidate| {
        c.steps = closure(dag, &c.roots);
        c
    };
    if all.is_empty() {
        return Err(
            "no pipeline to migrate was found (kfr migrates make goals, Jenkins jobs, cron entries and Airflow DAGs)"
                .into(),
        );
    }
    let default_goals: Vec<Candidate> = all
        .iter()
        .filter(|c| {
            let p = &dag.pipelines[c.pipeline];
            p.kind != PipelineKind::Make || c.aliases.contains(&p.id)
        })
        .cloned()
        .map(with_steps)
        .collect();
    if let Some(want) = &options.pipeline {
        let found: Vec<Candidate> = all
            .iter()
            .filter(|c| c.aliases.iter().any(|a| a == want))
            .cloned()
            .map(with_steps)
            .collect();
        return match found.len() {
            0 => {
                let mut names: Vec<String> = default_goals.iter().map(|c| c.name.clone()).collect();
                names.sort();
                names.dedup();
                Err(format!(
                    "no pipeline or make goal is called `{want}`; pipelines found: {}",
                    names.join(", ")
                ))
            }
            1 => Ok(found),
            _ => {
                let titles: Vec<String> = found.iter().map(|c| c.title.clone()).collect();
                Err(format!(
                    "`{want}` names several: {}; name one by file (`FILE:TARGET`) or id",
                    titles.join("; ")
                ))
            }
        };
    }
    if options.all {
        // every pipeline, except a makefile whose default goal another
        // pipeline already runs in full
        let mut picked: Vec<Candidate> = Vec::new();
        for c in &default_goals {
            let covered = dag.pipelines[c.pipeline].kind == PipelineKind::Make
                && default_goals.iter().any(|o| {
                    o.pipeline != c.pipeline
                        && c.steps.is_subset(&o.steps)
                        && dag.pipelines[o.pipeline].kind != PipelineKind::Make
                });
            if !covered {
                picked.push(c.clone());
            }
        }
        let mut taken = names::Unique::default();
        for c in &mut picked {
            c.name = taken.take(&c.name, '-');
        }
        return Ok(picked);
    }
    let best = default_goals
        .iter()
        .max_by(|a, b| a.steps.len().cmp(&b.steps.len()).then(b.pipeline.cmp(&a.pipeline)))
        .cloned()
        .ok_or("no pipeline to migrate was found")?;
    Ok(vec![best])
}

/// Plan and render one candidate; the files are relative to `prefix`.
pub fn migrate_one(
    db: &SourceDb,
    dag: &Dag,
    c: &Candidate,
    options: &Options,
    prefix: &str,
) -> Result<Migrated, String> {
    let settings = plan::Settings {
        image: options.image.as_deref(),
        retries: options.retries,
        roots: &options.roots,
    };
    let plan = plan::plan(db, dag, c.pipeline, &c.name, c.title.clone(), &c.steps, &settings)?;
    // each document is checked and rendered, then dropped
    let mut files: Vec<(String, String)> = Vec::new();
    let mut emit = |path: String, doc: serde_json::Value| -> Result<(), String> {
        // never write IR that the SDK or the backend would reject
        let report = validate::validate(&doc);
        if !report.is_ok() {
            return Err(format!(
                "internal error: the emitted {path} is not valid KFP IR ({}); please report it",
                report.errors.join("; ")
            ));
        }
        files.push((path, spec::to_yaml(&doc)));
        Ok(())
    };
    for comp in &plan.components {
        emit(format!("components/{}.yaml", comp.name), spec::component_document(comp))?;
    }
    emit("pipeline.yaml".to_string(), spec::pipeline_document(&plan))?;
    files.push(("pipeline.py".to_string(), scaffold::pipeline_py(&plan)));
    let mut listed: Vec<String> = files.iter().map(|(p, _)| p.clone()).collect();
    listed.push("MIGRATION.md".into());
    listed.sort();
    files.push((
        "MIGRATION.md".to_string(),
        report::migration_md(db, dag, &plan, &listed),
    ));
    files.sort_by(|a, b| a.0.cmp(&b.0));
    if !prefix.is_empty() {
        for f in &mut files {
            f.0 = format!("{prefix}/{}", f.0);
        }
    }
    Ok(Migrated {
        name: plan.name.clone(),
        title: plan.title.clone(),
        files,
        components: plan.components.len(),
        left_out: plan.left_out.len(),
        unpinned: plan.unpinned.len(),
    })
}

/// Refuse an output directory that is not empty (unless forced).
pub fn check_out(out: &Path, force: bool) -> Result<(), String> {
    write::check_out_dir(out, force)
}

/// Migrate what `options` selects and write it. Nothing is written when
/// the output directory is refused or any migration fails.
pub fn run(db: &SourceDb, dag: &Dag, options: &Options) -> Result<Vec<Migrated>, String> {
    write::check_out_dir(&options.out, options.force)?;
    let chosen = select(db, dag, options)?;
    let several = chosen.len() > 1;
    let mut done = Vec::new();
    let mut failures = Vec::new();
    for c in &chosen {
        let prefix = if several { c.name.clone() } else { String::new() };
        match migrate_one(db, dag, c, options, &prefix) {
            Ok(m) => done.push(m),
            Err(e) if several => failures.push(format!("{}: {e}", c.title)),
            Err(e) => return Err(e),
        }
    }
    if done.is_empty() {
        return Err(failures.join("\n"));
    }
    let mut files: Vec<(String, String)> = done.iter().flat_map(|m| m.files.clone()).collect();
    if several {
        let mut index = String::from("# Migrated pipelines\n\n| pipeline | from | components |\n|---|---|---|\n");
        for m in &done {
            index.push_str(&format!(
                "| [`{}`]({}/MIGRATION.md) | {} | {} |\n",
                m.name, m.name, m.title, m.components
            ));
        }
        if !failures.is_empty() {
            index.push_str("\nNot migrated:\n\n");
            for f in &failures {
                index.push_str(&format!("- {f}\n"));
            }
        }
        files.push(("MIGRATION.md".into(), index));
    }
    write::write_all(&options.out, &files)?;
    for f in &failures {
        eprintln!("kfr: not migrated: {f}");
    }
    Ok(done)
}
