//! KFR004 unpinned-image: a container image named without a digest, by no
//! tag, `latest`, or a tag that moves (`3.11`, `stable`).

use super::Context;
use crate::diagnostic::Diagnostic;
use std::collections::HashSet;

/// Why an image reference does not pin one image; None when it does (a
/// digest, or a full version, date or commit tag).
pub fn image_problem(image: &str) -> Option<String> {
    let image = image.trim();
    if image.is_empty() || image.contains("{{") || image.contains('$') || image.contains('{') {
        return None;
    }
    if image.contains("@sha256:") || image.contains("@sha512:") {
        return None;
    }
    // KFP's stand-ins for work the backend does itself (kubernetes.CreatePVC)
    if image.starts_with("argostub/") {
        return None;
    }
    // the tag is after the last ':' of the last path component
    let last = image.rsplit('/').next().unwrap_or(image);
    let Some((_, tag)) = last.rsplit_once(':') else {
        return Some("no tag: Docker pulls whatever `latest` is when the task starts".into());
    };
    let lower = tag.to_ascii_lowercase();
    const MOVING: &[&str] = &[
        "latest",
        "stable",
        "main",
        "master",
        "dev",
        "develop",
        "nightly",
        "edge",
        "current",
        "lts",
        "release",
        "prod",
        "production",
        "staging",
        "head",
        "canary",
        "beta",
        "alpha",
        "rc",
        "slim",
        "alpine",
    ];
    if MOVING.contains(&lower.as_str()) {
        return Some(format!("the tag `{tag}` moves to a new image with every push"));
    }
    // a commit sha or a date names one build
    let hexish = tag.len() >= 7 && tag.chars().all(|c| c.is_ascii_hexdigit());
    let digits: String = tag.chars().filter(|c| c.is_ascii_digit()).collect();
    let dated = digits.len() >= 8 && (tag.starts_with("20") || tag.contains("20"));
    if hexish || dated {
        return None;
    }
    // a version: count its numeric components (`3.11-slim` has two)
    let version = lower.trim_start_matches('v');
    let head: String = version
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    if head.is_empty() {
        // a word tag other than the moving ones (`gpu`, `cuda`): not a version
        return Some(format!("the tag `{tag}` names no version, so it can move"));
    }
    let parts = head.split('.').filter(|p| !p.is_empty()).count();
    if parts < 3 {
        return Some(format!(
            "the tag `{tag}` is a floating version: it moves to each new patch release"
        ));
    }
    None
}

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    for step in &ctx.dag.steps {
        let (Some(image), Some(span)) = (&step.image, step.image_span) else {
            continue;
        };
        let Some(problem) = image_problem(image) else { continue };
        if !seen.insert(span) {
            continue;
        }
        if step.image_default {
            out.push(
                Diagnostic::new(
                    "KFR004",
                    span,
                    format!(
                        "component of `{}` sets no `base_image`: KFP runs it on its default `{image}`, a floating tag (the SDK moves its default to `python:3.12` on 1 October 2027)",
                        step.name
                    ),
                )
                .with_label("no base_image")
                .about_step(ctx.dag, step, format!("image {image}"))
                .with_help(
                    "set `base_image=` on `@dsl.component` to an image pinned by digest (`python:3.11.9-slim@sha256:…`), so every run uses the same interpreter and system libraries",
                ),
            );
            continue;
        }
        out.push(
            Diagnostic::new(
                "KFR004",
                span,
                format!("image `{image}` of `{}` is not pinned: {problem}", step.name),
            )
            .with_label("unpinned image")
            .about_step(ctx.dag, step, format!("image {image}"))
            .with_help(
                "pin the image by digest (`name:tag@sha256:…`; `docker buildx imagetools inspect name:tag` prints it), so every run uses the same image",
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::image_problem;

    #[test]
    fn classifies_image_references() {
        for bad in [
            "python",
            "myorg/trainer:latest",
            "python:3.11",
            "python:3.11-slim",
            "gcr.io/proj/img:stable",
            "localhost:5000/trainer",
            "nvidia/cuda:12",
            "org/img:gpu",
        ] {
            assert!(image_problem(bad).is_some(), "{bad}");
        }
        for good in [
            "python:3.11.7",
            "python:3.11.7-slim-bookworm",
            "org/img:v1.4.2",
            "localhost:5000/trainer:1.2.3",
            "org/img@sha256:0123456789abcdef",
            "python:3.11@sha256:abcdef",
            "org/trainer:3f2a9c1",
            "org/trainer:2024-05-01",
            "{{ params.image }}",
        ] {
            assert!(image_problem(good).is_none(), "{good}");
        }
    }
}
