//! KFR007 kfp-default-caching: a KFP task that reads state from outside
//! the pipeline (a URI or a table it is given, a download) while KFP's
//! default caching is left on. KFP's cache key is the component and its
//! input values: when they stay the same and the data behind them changes,
//! the next run reuses the last result.

use super::Context;
use crate::dag::PipelineKind;
use crate::diagnostic::Diagnostic;

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for step in &ctx.dag.steps {
        if ctx.dag.pipeline_of(step).kind != PipelineKind::Kfp || step.external_reads.is_empty() {
            continue;
        }
        let Some(cache) = step.cache else { continue };
        if !cache.enabled || cache.explicit {
            continue;
        }
        let compiled = ctx.in_compiled_yaml(step.span);
        let mut d = Diagnostic::new(
            "KFR007",
            step.span,
            format!(
                "task `{}` reads data from outside the pipeline with KFP's caching on: a run with the same inputs reuses the last result, even after that data changed",
                step.name
            ),
        )
        .with_label(if compiled {
            "compiled with caching on".to_string()
        } else {
            "caching left at KFP's default (on)".to_string()
        })
        .with_help(if compiled {
            "this YAML is compiled: call `.set_caching_options(False)` on the task in the pipeline's Python (or pass a snapshot date or version as an input, so new data changes the cache key) and recompile"
        } else {
            "call `.set_caching_options(False)` on the task, or pass what changes (a snapshot date, a table version) as an input so new data changes the cache key"
        });
        d = d.about_step(ctx.dag, step, "");
        for (span, what) in step.external_reads.iter().take(3) {
            d = d.with_related(*span, what.clone());
        }
        out.push(d);
    }
}
