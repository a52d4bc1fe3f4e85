//! KFR001 missing-retry: a step whose failure loses work, with no retry
//! policy of its own or inherited from what runs it.
//!
//! A step loses work when it runs a command and either hands something to
//! another step that runs a command, or belongs to a scheduled pipeline.

use super::{Context, name_list};
use crate::dag::{EdgeKind, PipelineKind};
use crate::diagnostic::Diagnostic;

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let dag = ctx.dag;
    for (i, step) in dag.steps.iter().enumerate() {
        if !step.has_command() || step.effective_retries != Some(0) {
            continue;
        }
        match dag.pipeline_of(step).kind {
            PipelineKind::Airflow => {
                out.push(airflow(step).about_step(dag, step, ""));
                continue;
            }
            PipelineKind::Kfp => {
                out.push(kfp(ctx, step).about_step(dag, step, ""));
                continue;
            }
            // a stage that only echoes or lists files loses nothing
            PipelineKind::Jenkins | PipelineKind::Cron if step.housekeeping => continue,
            _ => {}
        }
        let mut consumers: Vec<String> = Vec::new();
        let mut handed: Vec<String> = Vec::new();
        let mut first_use = None;
        let mut out_edges: Vec<&crate::dag::Edge> = dag.step_edges_out(i).collect();
        out_edges.sort_by_key(|e| (e.to, e.span.map(|s| s.start)));
        for e in out_edges {
            if !matches!(e.kind, EdgeKind::File | EdgeKind::Artifact) || !dag.steps[e.to].has_command() {
                continue;
            }
            let to = &dag.steps[e.to].name;
            if !consumers.contains(to) {
                consumers.push(to.clone());
            }
            if let Some(p) = &e.path
                && !handed.contains(p)
            {
                handed.push(p.clone());
            }
            if first_use.is_none() {
                first_use = e.span.map(|s| (s, to.clone()));
            }
        }
        if consumers.is_empty() && !step.scheduled {
            continue;
        }
        let noun = step_noun(step.kind);
        // a make file target's output is the target itself: no need to name it twice
        // (unless it makes several: then each is named)
        if handed.len() == 1 {
            handed.retain(|p| *p != step.name);
        }
        let schedule = schedule_phrase(ctx, i);
        let invoked: Vec<String> = {
            let mut v: Vec<String> = dag
                .step_edges_out(i)
                .filter(|e| e.kind == EdgeKind::Invokes)
                .map(|e| dag.steps[e.to].name.clone())
                .collect();
            v.sort();
            v.dedup();
            v
        };
        let runs = if invoked.is_empty() {
            String::new()
        } else {
            format!(
                "; it runs {} {}, which {} not retried either",
                if dag.step_edges_out(i).any(|e| e.kind == EdgeKind::Invokes && dag.pipeline_of(&dag.steps[e.to]).kind == PipelineKind::Make) {
                    if invoked.len() == 1 { "make target" } else { "make targets" }
                } else if invoked.len() == 1 {
                    "step"
                } else {
                    "steps"
                },
                name_list(&invoked),
                if invoked.len() == 1 { "is" } else { "are" }
            )
        };
        let message = if consumers.is_empty() {
            format!(
                "{noun} `{}` runs on a schedule{schedule} with no retry{runs}",
                step.name
            )
        } else if step.scheduled {
            format!(
                "{noun} `{}` runs on a schedule{schedule} with no retry, and {} consume{} its output{runs}",
                step.name,
                name_list(&consumers),
                if consumers.len() == 1 { "s" } else { "" },
            )
        } else if handed.is_empty() {
            format!(
                "{noun} `{}` has no retry policy, and {} consume{} its output",
                step.name,
                name_list(&consumers),
                if consumers.len() == 1 { "s" } else { "" },
            )
        } else {
            format!(
                "{noun} `{}` has no retry policy, and {} consume{} its output{} {}",
                step.name,
                name_list(&consumers),
                if consumers.len() == 1 { "s" } else { "" },
                if handed.len() == 1 { "" } else { "s" },
                name_list(&handed)
            )
        };
        let help = match dag.pipeline_of(step).kind {
            PipelineKind::Make => format!(
                "make never retries a failed recipe: retry the invocation where it is scheduled (Jenkins `retry(3) {{ sh 'make {}' }}`), or migrate the step to KFP with `.set_retry(3)` (`kfr migrate`)",
                step.name
            ),
            PipelineKind::Jenkins if step.kind == crate::dag::StepKind::Job => {
                "Jenkins does not retry a failed build: add the Naginator plugin's \"Retry build after failure\" with a delay, or move the job to a pipeline with `retry(3) { ... }` around its steps".to_string()
            }
            PipelineKind::Jenkins => match &step.retry {
                crate::dag::Retry::Count { count: 0, .. } => "`retry(1)` runs the body once: write `retry(3)` for up to 3 attempts".to_string(),
                _ => "wrap the stage's work in `retry(3) { ... }` (or `options { retry(3) }` on the stage), with a `sleep` between attempts for transient outages".to_string(),
            },
            PipelineKind::Cron => "cron never re-runs a failed command: run it under a scheduler that retries (a Jenkins job with `retry(3)`, an Airflow task with `retries`), or wrap it in a retry loop (`for i in 1 2 3; do CMD && break; sleep 60; done`)".to_string(),
            _ => "give the step a retry policy with a backoff".to_string(),
        };
        let mut d = Diagnostic::new("KFR001", step.span, message)
            .with_label("no retry: one transient failure fails the run")
            .with_help(help)
            .about_step(dag, step, "");
        // the finding changes when what runs the step changes its retries
        for caller in [step.retried_by, step.scheduled_by].into_iter().flatten() {
            d = d.also_about(&dag.steps[caller]);
        }
        for e in dag.step_edges_in(i).filter(|e| e.kind == EdgeKind::Invokes) {
            d = d.also_about(&dag.steps[e.from]);
        }
        if let Some((span, to)) = first_use {
            d = d.with_related(span, format!("`{to}` needs it here"));
        }
        out.push(d);
    }
}

/// An Airflow task runs with the retries Airflow resolves for it: every
/// task with none is reported, where it is defined.
fn airflow(step: &crate::dag::Step) -> Diagnostic {
    let (message, label) = match &step.retry {
        crate::dag::Retry::Count { count: 0, .. } => (
            format!("task `{}` is set to `retries=0`", step.name),
            "retries=0: one transient failure fails the DAG run",
        ),
        _ => (
            format!(
                "task `{}` has no retries: neither it nor its default_args set `retries`",
                step.name
            ),
            "no retries: one transient failure fails the DAG run",
        ),
    };
    let span = match &step.retry {
        crate::dag::Retry::Count { span, .. } => *span,
        _ => step.span,
    };
    Diagnostic::new("KFR001", span, message).with_label(label).with_help(
        "set `\"retries\": 2` and a `\"retry_delay\"` in the DAG's `default_args`, so every task retries; override `retries=` on a task only where a retry is unsafe",
    )
}

/// A KFP task is retried only when `.set_retry()` asks for it: every
/// container task without one is reported, where it is created.
fn kfp(ctx: &Context, step: &crate::dag::Step) -> Diagnostic {
    let compiled = ctx.in_compiled_yaml(step.span);
    let (message, span) = match &step.retry {
        crate::dag::Retry::Count { count: 0, span } => (
            if compiled {
                format!("task `{}` has a retry policy of 0 retries", step.name)
            } else {
                format!("task `{}` is set to 0 retries (`.set_retry(0)`)", step.name)
            },
            *span,
        ),
        _ if compiled => (format!("task `{}` has no `retryPolicy`", step.name), step.span),
        _ => (
            format!(
                "task `{}` has no retry policy: `.set_retry()` is never called on it",
                step.name
            ),
            step.span,
        ),
    };
    let help = if compiled {
        "this YAML is compiled: call `.set_retry(num_retries=3, backoff_duration=\"60s\", backoff_factor=2.0)` on the task in the pipeline's Python and recompile"
    } else {
        "chain `.set_retry(num_retries=3, backoff_duration=\"60s\", backoff_factor=2.0)` on the task; KFP retries only the tasks that ask for it"
    };
    Diagnostic::new("KFR001", span, message)
        .with_label("no retry: one preempted node or transient error fails the pipeline run")
        .with_help(help)
}

fn step_noun(kind: crate::dag::StepKind) -> &'static str {
    use crate::dag::StepKind;
    match kind {
        StepKind::Target => "target",
        StepKind::Stage => "stage",
        StepKind::Job => "job",
        StepKind::Command => "cron job",
        StepKind::Task => "step",
    }
}

/// ` (at 02:00 on Monday to Friday)`, or ` (from stage `Train`, at ...)`
/// for a step run by a scheduled one; empty when unknown.
fn schedule_phrase(ctx: &Context, step: usize) -> String {
    let dag = ctx.dag;
    let s = &dag.steps[step];
    // the caller that leaves it without retries, when that one is scheduled
    let least = s
        .retried_by
        .filter(|&c| dag.steps[c].scheduled)
        .map(|c| dag.steps[c].scheduled_by.unwrap_or(c));
    let (origin, via) = match least.or(s.scheduled_by) {
        Some(o) => (o, true),
        None => (step, false),
    };
    let p = dag.pipeline_of(&dag.steps[origin]);
    let reading = p.schedule.as_ref().and_then(|sc| {
        let d = sc.dialect?;
        let lines: Vec<&str> = crate::cron::lines(&sc.text, d)
            .iter()
            .map(|l| &sc.text[l.range.clone()])
            .collect();
        crate::cron::describe(&sc.text, d, sc.job.as_deref()).map(|r| format!("`{}`: {r}", lines.join("` and `")))
    });
    let mut parts = Vec::new();
    if via {
        let o = &dag.steps[origin];
        let file = &ctx.db.get(o.span.file).name;
        parts.push(format!("run by {} `{}` in {file}", step_noun(o.kind), o.name));
    }
    if let Some(r) = reading {
        parts.push(r);
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}
