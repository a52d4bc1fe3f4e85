use super::*;

/// (1-based first line, 1-based last line or 0 for file level, codes as resolved)
fn summary(text: &str, syntax: Syntax) -> Vec<(usize, usize, Vec<Option<&'static str>>)> {
    let p = parse(text, syntax);
    assert!(p.malformed.is_empty(), "{:?}", p.malformed);
    p.directives
        .iter()
        .map(|d| {
            let (first, last) = match d.scope {
                Scope::Line { first, last, .. } => (first + 1, last + 1),
                Scope::File => (d.line + 1, 0),
            };
            (first, last, d.codes.iter().map(|c| c.rule).collect())
        })
        .collect()
}

const R1: Option<&str> = Some("KFR001");
const R3: Option<&str> = Some("KFR003");

#[test]
fn python_trailing_own_line_and_stacked() {
    let src = "import os  # kfr: ignore[KFR001] reason\n\
               # kfr: ignore[KFR003]\n\
               # kfr: ignore[missing-retry]\n\
               task = op()\n\
               s = \"# kfr: ignore[KFR001]\"\n\
               doc = '''\n# kfr: ignore[KFR001]\n'''\n";
    assert_eq!(
        summary(src, Syntax::Python),
        [(1, 1, vec![R1]), (2, 4, vec![R3]), (3, 4, vec![R1])]
    );
}

#[test]
fn codes_by_id_or_name_in_any_case_and_separator() {
    let p = parse(
        "x = 1  # KFR: Ignore[kfr001, unpinned-package KFR123,,]\n",
        Syntax::Python,
    );
    let d = &p.directives[0];
    let texts: Vec<&str> = d.codes.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, ["kfr001", "unpinned-package", "KFR123"]);
    assert_eq!(d.codes.iter().map(|c| c.rule).collect::<Vec<_>>(), [R1, R3, None]);
    let src = "x = 1  # KFR: Ignore[kfr001, unpinned-package KFR123,,]\n";
    assert_eq!(&src[d.codes[2].range.clone()], "KFR123");
    assert_eq!(d.reason, None);
}

#[test]
fn reason_may_hold_brackets_and_odd_text() {
    let src = "a: b  # kfr: ignore[KFR003] see [JIRA-12] for why ]]  \n";
    let d = &parse(src, Syntax::Yaml).directives[0];
    assert_eq!(d.reason.as_deref(), Some("see [JIRA-12] for why ]]"));
    assert_eq!(&src[d.range.clone()], "kfr: ignore[KFR003]");
    // a file read with its Latin-1 bytes replaced, and CRLF line ends
    let src = "caf\u{FFFD} = 1\r\npandas  # kfr: ignore[KFR003] d\u{e9}j\u{e0} \u{FFFD}pingl\u{e9}\r\n# kfr: file-ignore[KFR001]\r\n";
    let p = parse(src, Syntax::Hash);
    assert_eq!(p.directives.len(), 2);
    assert_eq!(p.directives[0].line, 1);
    assert_eq!(
        p.directives[0].reason.as_deref(),
        Some("d\u{e9}j\u{e0} \u{FFFD}pingl\u{e9}")
    );
    assert_eq!(p.directives[1].scope, Scope::File);
    assert_eq!(p.directives[1].reason, None);
}

#[test]
fn crlf_own_line_applies_to_the_next_line() {
    let src = "# kfr: ignore[KFR003] pinned by the image\r\npandas\r\n";
    assert_eq!(summary(src, Syntax::Hash), [(1, 2, vec![R3])]);
    // an own-line comment on the last line stands above nothing
    assert_eq!(
        summary("pandas\n# kfr: ignore[KFR003]\n", Syntax::Hash),
        [(2, 2, vec![R3])]
    );
}

#[test]
fn make_escapes_values_and_define_bodies() {
    let src = "A = x\\# kfr: ignore[KFR001]\n\
               B := $(shell echo '# kfr: ignore[KFR001]')\n\
               define SCRIPT\n# kfr: ignore[KFR001]\nendef\n\
               train: data # kfr: ignore[KFR001] nothing retries make\n\
               \techo '# kfr: ignore[KFR003]'\n\
               \tpip install x # kfr: ignore[KFR003] a shell comment\n";
    assert_eq!(summary(src, Syntax::Make), [(6, 6, vec![R1]), (8, 8, vec![R3])]);
}

#[test]
fn groovy_strings_are_not_comments() {
    let src = "sh 'echo // kfr: ignore[KFR001]'\n\
               sh \"\"\"\n// kfr: ignore[KFR001]\n\"\"\"\n\
               def r = ~/\\/\\/ kfr: ignore[KFR001]/\n\
               sh 'make train' // kfr: ignore[KFR001] retried by the job\n\
               /* kfr: ignore[KFR003]\n   pinned elsewhere */\n\
               sh 'pip install x'\n\
               /*\n * kfr: file-ignore[KFR004] images come from the platform\n */\n";
    assert_eq!(
        summary(src, Syntax::Groovy),
        [(6, 6, vec![R1]), (7, 9, vec![R3]), (11, 0, vec![Some("KFR004")])]
    );
}

#[test]
fn xml_comments_and_embedded_scripts() {
    let src = "<project>\n<!-- kfr: ignore[KFR001] retried by Naginator -->\n<builders>\n\
               <command>pip install a # kfr: ignore[KFR003]\necho &quot;# kfr: ignore[KFR003]&quot;\n</command>\n\
               <description># kfr: ignore[KFR003]</description>\n\
               <script>sh &apos;x&apos; // kfr: ignore[KFR001] in the pipeline\n</script>\n</builders></project>\n";
    let got = summary(src, Syntax::Xml);
    assert_eq!(got, [(2, 3, vec![R1]), (4, 4, vec![R3]), (8, 8, vec![R1])]);
    let p = parse(src, Syntax::Xml);
    assert_eq!(p.directives[0].reason.as_deref(), Some("retried by Naginator"));
}

#[test]
fn crontab_trailing_comment_needs_a_blank_before_it() {
    let src = "# kfr: ignore[KFR006]\n\
               61 * * * * run.sh\n\
               0 3 * * * train.sh --tag a#kfr:ignore[KFR001]\n\
               0 4 * * * train.sh # kfr: ignore[KFR001] retried by the script\n\
               0 5 * * * mail ops % # kfr: ignore[KFR001] mail body\n\
               MAILTO=ops # kfr: ignore[KFR001]\n";
    assert_eq!(
        summary(src, Syntax::Crontab),
        [(1, 2, vec![Some("KFR006")]), (4, 4, vec![R1])]
    );
}

#[test]
fn a_directive_after_another_tools_comment() {
    let src = "import pandas  # noqa: F401  # kfr: ignore[KFR003]\n# see kfr: the docs\n";
    assert_eq!(summary(src, Syntax::Python), [(1, 1, vec![R3])]);
    let src = "x  # kfr: ignore[KFR001] # kfr: file-ignore[KFR003] both\n";
    let p = parse(src, Syntax::Hash);
    assert_eq!(p.directives.len(), 2);
    assert_eq!(p.directives[0].reason, None);
    assert_eq!(p.directives[1].scope, Scope::File);
    assert_eq!(p.directives[1].reason.as_deref(), Some("both"));
}

#[test]
fn malformed_directives() {
    let cases: &[(&str, Problem, &str)] = &[
        ("x # kfr: ignore\n", Problem::NoBrackets, "kfr: ignore"),
        ("x # kfr: ignore KFR001\n", Problem::NoBrackets, "kfr: ignore"),
        (
            "x # kfr: file-ignore[ ]\n",
            Problem::EmptyBrackets,
            "kfr: file-ignore[ ]",
        ),
        ("x # kfr: ignore[KFR001\ny\n", Problem::Unclosed, "kfr: ignore[KFR001"),
        (
            "x # kfr: noqa[KFR001]\n",
            Problem::UnknownDirective("noqa".into()),
            "kfr: noqa",
        ),
        ("x # kfr:\n", Problem::UnknownDirective(String::new()), "kfr:"),
    ];
    for (src, problem, text) in cases {
        let p = parse(src, Syntax::Hash);
        assert!(p.directives.is_empty(), "{src:?}");
        assert_eq!(p.malformed.len(), 1, "{src:?}");
        assert_eq!(&p.malformed[0].problem, problem, "{src:?}");
        assert_eq!(&src[p.malformed[0].range.clone()], *text, "{src:?}");
    }
    assert!(parse("x # kfr: file-ignore\n", Syntax::Hash).malformed[0].file_level);
}

#[test]
fn files_without_the_marker_are_not_lexed() {
    assert!(!mentions_kfr("pandas\n# ignore[KFR001]\n"));
    assert!(mentions_kfr("# KFR: ignore[x]"));
    assert_eq!(parse("# ignore[KFR001]\n", Syntax::Hash), Parsed::default());
}

#[test]
fn syntax_by_file_name() {
    for (name, syntax) in [
        ("Makefile", Syntax::Make),
        ("ml/rules.mk", Syntax::Make),
        ("dags/a.py", Syntax::Python),
        ("pipeline.yaml", Syntax::Yaml),
        ("Jenkinsfile", Syntax::Groovy),
        ("vars/deploy.groovy", Syntax::Groovy),
        ("jobs/train/config.xml", Syntax::Xml),
        ("crontab", Syntax::Crontab),
        ("etc/cron.d/ml", Syntax::Crontab),
        ("requirements.txt", Syntax::Hash),
        ("constraints.txt", Syntax::Hash),
        ("scripts/run.sh", Syntax::Shell),
    ] {
        assert_eq!(syntax_of(Path::new(name)), syntax, "{name}");
    }
}

#[test]
fn bad_input_never_panics() {
    let inputs = [
        "kfr:",
        "#kfr:",
        "# kfr: ignore[",
        "# kfr: ignore[\u{e9}\u{FFFD}]",
        "<!-- kfr: ignore[KFR001]",
        "/* kfr: ignore[KFR001]",
        "\"\"\"# kfr: ignore[KFR001]",
        "<script>// kfr: ignore[KFR001]",
        "<command># kfr: ignore[KFR001]</command",
        "a: |\n# kfr: ignore[KFR001]",
        "\t# kfr: ignore[KFR001] \\",
        "x\r\n\r\n# kfr: ignore[KFR001]\r",
        "$/ kfr: /$ // kfr: ignore[KFR001]",
    ];
    for text in inputs {
        for syntax in [
            Syntax::Python,
            Syntax::Make,
            Syntax::Crontab,
            Syntax::Groovy,
            Syntax::Xml,
            Syntax::Yaml,
            Syntax::Shell,
            Syntax::Hash,
        ] {
            let _ = parse(text, syntax);
        }
    }
}

#[test]
fn a_tall_stack_of_suppressions_applies_to_the_line_below_it() {
    let mut src = "# kfr: ignore[KFR001]\n".repeat(5000);
    src.push_str("task\n");
    let p = parse(&src, Syntax::Hash);
    assert_eq!(p.directives.len(), 5000);
    assert!(
        p.directives
            .iter()
            .all(|d| matches!(d.scope, Scope::Line { last: 5000, .. }))
    );
}
