//! KFR003 unpinned-package: a package installed without one exact version.
//! One diagnostic per package, at its own span (the command argument, or
//! the line of the requirements file).

use super::Context;
use crate::diagnostic::Diagnostic;
use std::collections::HashSet;

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    for step in &ctx.dag.steps {
        for p in &step.packages {
            if p.pinned || !seen.insert((p.span, p.name.clone())) {
                continue;
            }
            let problem = p.problem.as_deref().unwrap_or("no exact version");
            let vcs = p.spec.as_deref().is_some_and(|s| s.contains('+') && s.contains("://"));
            let help = if vcs {
                "pin a commit: end the URL with `@<commit sha>`, so every run installs the same code".to_string()
            } else {
                format!(
                    "pin an exact version (`{}==X.Y.Z`), or install from a lock file (pip-compile, uv pip compile), so every run installs the same code",
                    p.name
                )
            };
            let mut d = Diagnostic::new(
                "KFR003",
                p.span,
                format!("`{}` is not pinned to one version: {problem}", p.name),
            )
            .with_label("unpinned")
            .about_step(ctx.dag, step, format!("package {}", p.name))
            .with_help(help);
            if let Some(at) = p.installed_at {
                d = d.with_related(at, format!("installed by `{}` here", step.name));
            }
            out.push(d);
        }
    }
}
