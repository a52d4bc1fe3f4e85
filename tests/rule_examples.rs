//! Every rule page in `rules/` carries bad and good examples; this test runs
//! them. An example is a `### Bad...` or `### Good...` section holding code
//! blocks tagged `file=NAME` (the files of a small project) and one
//! `console` block: `$ kfr ...` followed by the exact output. The test
//! writes the files to a temporary directory, runs that command there and
//! compares the output; a bad example must report its rule and exit 1, a
//! good one must exit 0.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Parser, Tag, TagEnd};
use std::process::Command;

#[derive(Debug, Default)]
struct Example {
    title: String,
    bad: bool,
    files: Vec<(String, String)>,
    command: Option<String>,
    expected: String,
}

fn examples(page: &str) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let mut in_heading = false;
    let mut heading = String::new();
    let mut block: Option<String> = None;
    let mut text = String::new();
    for ev in Parser::new(page) {
        match ev {
            Event::Start(Tag::Heading { level, .. }) => {
                in_heading = level == HeadingLevel::H3;
                heading.clear();
            }
            Event::End(TagEnd::Heading(_)) if in_heading => {
                in_heading = false;
                let h = heading.trim().to_string();
                if h.starts_with("Bad") || h.starts_with("Good") {
                    out.push(Example {
                        bad: h.starts_with("Bad"),
                        title: h,
                        ..Default::default()
                    });
                }
            }
            Event::Text(t) | Event::Code(t) if in_heading => heading.push_str(&t),
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                block = Some(info.to_string());
                text.clear();
            }
            Event::Text(t) if block.is_some() => text.push_str(&t),
            Event::End(TagEnd::CodeBlock) => {
                let info = block.take().unwrap_or_default();
                let Some(ex) = out.last_mut() else { continue };
                if let Some(name) = info.split_whitespace().find_map(|w| w.strip_prefix("file=")) {
                    ex.files.push((name.to_string(), text.clone()));
                } else if info.trim() == "console" {
                    let (cmd, rest) = text.split_once('\n').unwrap_or((&text, ""));
                    ex.command = Some(cmd.trim_start_matches("$ ").to_string());
                    ex.expected = rest.to_string();
                }
            }
            _ => {}
        }
    }
    out
}

#[test]
fn rule_examples_run_as_documented() {
    let mut failures = Vec::new();
    let mut count = 0;
    for meta in kfr::rules::all() {
        let exs = examples(meta.source);
        assert!(
            exs.iter().any(|e| e.bad) && exs.iter().any(|e| !e.bad),
            "{}: needs at least one bad and one good example",
            meta.id
        );
        for ex in exs {
            count += 1;
            let dir = tempfile::tempdir().unwrap();
            for (name, body) in &ex.files {
                let p = dir.path().join(name);
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(&p, body).unwrap();
            }
            let cmd = ex
                .command
                .clone()
                .unwrap_or_else(|| panic!("{} / {}: no console block", meta.id, ex.title));
            let args: Vec<&str> = cmd.split_whitespace().collect();
            assert_eq!(args[0], "kfr", "{}: console block must run kfr", meta.id);
            let output = Command::new(env!("CARGO_BIN_EXE_kfr"))
                .args(&args[1..])
                .current_dir(dir.path())
                .env("NO_COLOR", "1")
                .output()
                .unwrap();
            let stdout = String::from_utf8_lossy(&output.stdout);
            let code = output.status.code();
            let tag = format!("[{}]", meta.id);
            let ok_code = if ex.bad { Some(1) } else { Some(0) };
            if stdout != ex.expected || code != ok_code || ex.bad != stdout.contains(&tag) {
                failures.push(format!(
                    "{} / {} (exit {code:?}, want {ok_code:?})\n--- documented\n{}--- actual\n{stdout}{}",
                    meta.id,
                    ex.title,
                    ex.expected,
                    String::from_utf8_lossy(&output.stderr)
                ));
            }
        }
    }
    assert!(count >= 8, "too few rule examples ({count})");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn kfr_rule_prints_the_page() {
    for meta in kfr::rules::all() {
        for key in [meta.id, meta.name] {
            let out = Command::new(env!("CARGO_BIN_EXE_kfr"))
                .args(["rule", key])
                .output()
                .unwrap();
            assert!(out.status.success());
            let s = String::from_utf8_lossy(&out.stdout);
            assert!(s.starts_with(&format!("# {} {}", meta.id, meta.name)), "{s}");
            assert!(s.contains(meta.body.trim()), "{}", meta.id);
        }
    }
    let out = Command::new(env!("CARGO_BIN_EXE_kfr"))
        .args(["rule", "KFR999"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
