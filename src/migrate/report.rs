//! MIGRATION.md: what each legacy step became, every handoff and the type
//! chosen for it, the parameters, the schedule, the packages left
//! unpinned, and everything not carried over, each with where it is.

use super::plan::Plan;
use crate::dag::Dag;
use crate::source::{SourceDb, Span};
use std::fmt::Write;

/// `file:line` of a span.
pub fn location(db: &SourceDb, span: Span) -> String {
    let file = db.get(span.file);
    let (line, _) = file.line_col(span.start as usize);
    format!("{}:{line}", file.name)
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn migration_md(db: &SourceDb, dag: &Dag, plan: &Plan, files: &[String]) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "# Migration of {} to Kubeflow Pipelines\n", plan.title);
    let _ = writeln!(
        w,
        "Written by `kfr migrate` ({}). The KFP pipeline is `{}`: {} components, {} tasks.\n",
        super::spec::SDK_VERSION,
        plan.name,
        plan.components.len(),
        plan.components.len()
    );
    let _ = writeln!(w, "| file | what |\n|---|---|");
    for f in files {
        let what = if f == "pipeline.yaml" {
            "the pipeline spec (KFP IR): upload it, or `kfp.Client().create_run_from_pipeline_package`"
        } else if f == "pipeline.py" {
            "the same pipeline as SDK code: `python pipeline.py` compiles it; keep and edit this one"
        } else if f == "MIGRATION.md" {
            "this report"
        } else {
            "one component spec: `kfp.components.load_component_from_file`"
        };
        let _ = writeln!(w, "| `{f}` | {what} |");
    }

    let _ = writeln!(w, "\n## Steps\n");
    let _ = writeln!(w, "| legacy step | where | became |\n|---|---|---|");
    for f in &plan.fates {
        let s = &dag.steps[f.step];
        let became = match &f.became {
            Ok(c) => format!("component `{}`", plan.components[*c].name),
            Err(why) => format!("no component: {why}"),
        };
        let _ = writeln!(
            w,
            "| {} `{}` | {} | {} |",
            s.kind.as_str(),
            cell(&s.name),
            location(db, s.span),
            cell(&became)
        );
    }

    let _ = writeln!(w, "\n## Components\n");
    for c in &plan.components {
        let _ = writeln!(w, "### `{}`\n", c.name);
        let _ = writeln!(w, "- from: {}", c.description);
        let kind = match (&c.body, c.step_has_callable) {
            (super::plan::Body::Container { .. }, _) => {
                "a container component: the legacy command, its files and values wired in"
            }
            (super::plan::Body::Python { .. }, true) => "a Python component: the legacy function",
            (super::plan::Body::Python { .. }, false) => "a Python component that runs the legacy script",
        };
        let _ = writeln!(w, "- kind: {kind}");
        let _ = writeln!(w, "- image: `{}` ({})", c.image, c.image_from);
        if !c.deps.is_empty() {
            let deps: Vec<String> = c
                .deps
                .iter()
                .map(|d| format!("`{}`", plan.components[*d].name))
                .collect();
            let _ = writeln!(w, "- runs after: {}", deps.join(", "));
        }
        if c.retry.count > 0 {
            let _ = writeln!(
                w,
                "- retries: {}, backoff {}s doubling up to {}s ({})",
                c.retry.count, c.retry.backoff_secs, c.retry.max_secs, c.retry.why
            );
        } else {
            let _ = writeln!(w, "- retries: none ({})", c.retry.why);
        }
        let _ = writeln!(w, "- caching: {}", c.cache_why);
        if !c.packages.is_empty() {
            let pk: Vec<String> = c.packages.iter().map(|p| format!("`{}`", p.spec)).collect();
            let _ = writeln!(w, "- packages: {}", pk.join(", "));
        }
        for (k, v) in &c.env {
            let _ = writeln!(w, "- environment: `{k}={v}` (set on the task in the pipeline)");
        }
        match &c.body {
            super::plan::Body::Container { script, .. } => {
                let _ = writeln!(w, "\n```sh\n{script}\n```\n");
            }
            super::plan::Body::Python { source, .. } => {
                let _ = writeln!(w, "\n```python\n{}\n```\n", source.trim_end());
            }
        }
    }

    let _ = writeln!(w, "## Handoffs\n");
    let handoffs: Vec<(String, String, String, String, &str)> = plan
        .components
        .iter()
        .flat_map(|c| {
            c.inputs.iter().filter_map(move |a| {
                let (producer, key) = plan.source_of(a)?;
                Some((
                    a.source.as_ref()?.1.clone(),
                    producer.name.clone(),
                    key.to_string(),
                    format!("{}.{}", c.name, a.name),
                    a.ty,
                ))
            })
        })
        .collect();
    if handoffs.is_empty() {
        let _ = writeln!(w, "No step hands a file to another.\n");
    } else {
        let _ = writeln!(
            w,
            "| legacy file | written by | artifact | read as | type |\n|---|---|---|---|---|"
        );
        for (path, from, key, to, ty) in &handoffs {
            let _ = writeln!(w, "| `{}` | `{from}` | `{key}` | `{to}` | `{ty}` |", cell(path));
        }
        let _ = writeln!(w);
    }
    let consumed: std::collections::HashSet<(usize, &str)> = plan
        .components
        .iter()
        .flat_map(|d| {
            d.inputs
                .iter()
                .filter_map(|a| a.source.as_ref().map(|(p, path)| (*p, path.as_str())))
        })
        .collect();
    let finals: Vec<String> = plan
        .components
        .iter()
        .enumerate()
        .flat_map(|(i, c)| {
            let consumed = &consumed;
            c.outputs
                .iter()
                .filter(move |o| !consumed.contains(&(i, o.path.as_str())))
                .map(move |o| format!("| `{}` | `{}.{}` | `{}` |", cell(&o.path), c.name, o.name, o.ty))
        })
        .collect();
    if !finals.is_empty() {
        let _ = writeln!(w, "Results no other step reads, kept as output artifacts:\n");
        let _ = writeln!(w, "| legacy file | artifact | type |\n|---|---|---|");
        for f in finals {
            let _ = writeln!(w, "{f}");
        }
        let _ = writeln!(w);
    }
    let _ = writeln!(
        w,
        "Types are chosen by extension and name: models (`.pkl`, `.joblib`, `.pt`, `model*`), metrics (`metrics*.json`, `*score*`), datasets (tables and data files), HTML and Markdown reports; anything else is a plain `Artifact`.\n"
    );

    let _ = writeln!(w, "## Parameters\n");
    if plan.inputs.is_empty() {
        let _ = writeln!(w, "None: the commands take no values besides files.\n");
    } else {
        let _ = writeln!(w, "| pipeline input | type | default | from |\n|---|---|---|---|");
        let mut feeds: std::collections::HashMap<&str, Vec<String>> = std::collections::HashMap::new();
        for c in &plan.components {
            for p in c.params.iter().filter(|p| p.from_task.is_none()) {
                let at = p.span.map(|s| format!(" at {}", location(db, s))).unwrap_or_default();
                feeds
                    .entry(p.pipeline_input.as_str())
                    .or_default()
                    .push(format!("{} of `{}`{at}", p.origin, c.name));
            }
        }
        for (n, ty, d) in &plan.inputs {
            let from = feeds.get(n.as_str()).cloned().unwrap_or_default();
            let d = d.as_ref().map_or("(required)".to_string(), |d| format!("`{d}`"));
            let _ = writeln!(
                w,
                "| `{n}` | `{}` | {} | {} |",
                ty.python(),
                cell(&d),
                cell(&from.join("; "))
            );
        }
        let _ = writeln!(w);
    }

    let _ = writeln!(w, "## Schedule\n");
    match &plan.schedule {
        None => {
            let _ = writeln!(w, "The legacy pipeline has no schedule: runs start by hand.\n");
        }
        Some(s) => {
            let _ = writeln!(
                w,
                "The legacy schedule is `{}` ({}){}.\n",
                s.legacy.trim(),
                location(db, s.span),
                s.english.as_ref().map(|e| format!(": {e}")).unwrap_or_default()
            );
            match &s.kfp_cron {
                Some(c) => {
                    let _ = writeln!(
                        w,
                        "KFP recurring runs take six fields, seconds first: `{c}`. Create it with\n\n```python\nimport kfp\nkfp.Client().create_recurring_run(\n    experiment_id=EXPERIMENT_ID,\n    job_name=\"{}\",\n    cron_expression=\"{c}\",\n    pipeline_package_path=\"pipeline.yaml\",\n)\n```\n",
                        plan.name
                    );
                }
                None => {
                    let _ = writeln!(
                        w,
                        "It cannot be written as one KFP cron expression: create the recurring run by hand.\n"
                    );
                }
            }
        }
    }

    let _ = writeln!(w, "## Packages\n");
    if !plan.pin_files.is_empty() {
        let files: Vec<String> = plan.pin_files.iter().map(|f| format!("`{f}`")).collect();
        let _ = writeln!(w, "Pins were read from {}.\n", files.join(", "));
    }
    if plan.unpinned.is_empty() {
        let _ = writeln!(w, "Every package a component installs is pinned.\n");
    } else {
        let _ = writeln!(
            w,
            "These stay unpinned: pin them in the project's requirements (or a lock file) and migrate again.\n"
        );
        let _ = writeln!(w, "| component | package | why |\n|---|---|---|");
        for (c, r) in &plan.unpinned {
            let _ = writeln!(
                w,
                "| `{}` | `{}` | {} |",
                plan.components[*c].name,
                r.spec,
                cell(&r.from)
            );
        }
        let _ = writeln!(w);
    }

    let _ = writeln!(w, "## Not carried over\n");
    let mut notes: Vec<(String, String)> = plan
        .left_out
        .iter()
        .map(|n| (n.span.map(|s| location(db, s)).unwrap_or_default(), n.what.clone()))
        .collect();
    notes.sort_by(|a, b| natural(&a.0).cmp(&natural(&b.0)).then(a.1.cmp(&b.1)));
    notes.dedup();
    if notes.is_empty() {
        let _ = writeln!(w, "Nothing: every step, handoff and setting was carried over.");
    } else {
        for (at, what) in notes {
            if at.is_empty() {
                let _ = writeln!(w, "- {what}");
            } else {
                let _ = writeln!(w, "- {at}: {what}");
            }
        }
    }
    out
}

/// Sort key for `file:line`: the file, then the line as a number.
fn natural(loc: &str) -> (String, usize) {
    match loc.rsplit_once(':') {
        Some((f, l)) => (f.to_string(), l.parse().unwrap_or(0)),
        None => (loc.to_string(), 0),
    }
}
