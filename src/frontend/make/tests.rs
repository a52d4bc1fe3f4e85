//! Behaviour of the Makefile reader on constructs where kfr must decide
//! something GNU make never has to (unknown values, broken input), and on
//! spans. Agreement with GNU make itself is tested against `make -pnrR` in
//! `tests/make_oracle.rs`.

use super::{Database, Make, evaluate};
use crate::source::{SourceDb, SourceFile};
use std::path::Path;
use std::sync::Arc;

fn read(text: &str) -> (Arc<SourceFile>, Database, Vec<String>, Vec<String>) {
    let db = Box::leak(Box::new(SourceDb::new()));
    let file = db.add_virtual(Path::new("virtual/Makefile"), text.to_string());
    let (make, database): (Make, Database) = evaluate(db, &file, &[]);
    let diags = make
        .diags
        .iter()
        .map(|d| format!("{}: {}", file.line_col(d.span.start as usize).0, d.message))
        .collect();
    let notes = make.notes.iter().map(|(_, n)| n.clone()).collect();
    (file, database, diags, notes)
}

fn prereqs(db: &Database, target: &str) -> Vec<String> {
    db.get(target)
        .unwrap_or_else(|| panic!("no target {target}"))
        .rules
        .iter()
        .flat_map(|r| r.prereqs.iter().map(|p| p.dep.name.clone()))
        .collect()
}

#[test]
fn shell_results_are_unknown_and_dropped_from_prerequisites() {
    let (_, db, diags, notes) = read("SRC := $(shell find src -name '*.py')\nall: $(SRC) main.py\n\techo $(SRC)\n");
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(prereqs(&db, "all"), vec!["main.py"]);
    assert!(
        notes.iter().any(|n| n.contains("$(shell find src -name '*.py')")),
        "{notes:?}"
    );
}

#[test]
fn undecidable_conditionals_keep_both_branches() {
    let text = "\
ifeq (,$(shell which conda))
HAS_CONDA = False
env: ; python3 -m venv .venv
else
HAS_CONDA = True
env: ; conda env create
endif
ifeq ($(HAS_CONDA),True)
conda-only: ; echo yes
endif
";
    let (_, db, diags, _) = read(text);
    assert!(diags.is_empty(), "{diags:?}");
    assert!(db.get("env").is_some());
    // HAS_CONDA is unknown, so the second conditional is undecidable too
    assert!(db.get("conda-only").is_some());
}

#[test]
fn static_conditionals_are_evaluated() {
    let text = "MODE ?= train\nifeq ($(MODE),train)\na: ; x\nelse ifeq ($(MODE),eval)\nb: ; y\nelse\nc: ; z\nendif\nifdef UNSET\nd: ; w\nendif\n";
    let (_, db, diags, _) = read(text);
    assert!(diags.is_empty(), "{diags:?}");
    assert!(db.get("a").is_some());
    assert!(db.get("b").is_none() && db.get("c").is_none() && db.get("d").is_none());
}

#[test]
fn malformed_lines_are_diagnosed_and_reading_goes_on() {
    let text = "all: model.pkl\n\ntrain data/x.csv\n\nmodel.pkl: data.csv\n\tpython train.py\n";
    let (_, db, diags, _) = read(text);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert!(diags[0].starts_with("3: missing separator"), "{diags:?}");
    assert_eq!(prereqs(&db, "model.pkl"), vec!["data.csv"]);
}

#[test]
fn spaces_instead_of_tab_get_a_hint() {
    let db = Box::leak(Box::new(SourceDb::new()));
    let file = db.add_virtual(Path::new("v/Makefile"), "all:\n        echo hi\n".into());
    let (make, _) = evaluate(db, &file, &[]);
    let d = &make.diags[0];
    assert!(d.message.contains("missing separator"));
    assert!(d.help.as_deref().unwrap().contains("tab"), "{d:?}");
}

#[test]
fn unterminated_constructs() {
    let (_, _, diags, _) = read("define RECIPE\n\techo $(1)\nall: ; echo\n");
    assert_eq!(diags, vec!["1: missing `endef`: this `define` is never closed"]);
    let (_, db, diags, _) = read("ifeq (a,a)\nall: ; echo\n");
    assert_eq!(diags, vec!["1: missing `endif`: this conditional is never closed"]);
    assert!(db.get("all").is_some());
    let (_, _, diags, _) = read("all: ; echo\nendif\nelse\n");
    assert_eq!(
        diags,
        vec![
            "2: extraneous `endif` without a matching `if`",
            "3: extraneous `else` without a matching `if`"
        ]
    );
    let (_, _, diags, _) = read("\techo before any rule\nall: ; echo\n");
    assert_eq!(diags, vec!["1: recipe line outside any rule"]);
    let (_, _, diags, _) = read("X = $(Y\nall: $(X)\n");
    assert!(
        diags.iter().any(|d| d.contains("unterminated variable reference")),
        "{diags:?}"
    );
}

#[test]
fn self_referencing_variables_do_not_loop() {
    let (_, db, diags, _) = read("X = $(X) more\nall: $(X) y\n");
    assert!(diags.iter().any(|d| d.contains("references itself")), "{diags:?}");
    assert_eq!(prereqs(&db, "all"), vec!["more", "y"]);
}

#[test]
fn eval_and_call_generate_rules() {
    let text = "\
DATASETS := iris wine
define PREP
data/$(1).parquet: data/$(1).csv
\tpython prep.py $$< $$@
endef
$(foreach d,$(DATASETS),$(eval $(call PREP,$(d))))
";
    let (_, db, diags, _) = read(text);
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(prereqs(&db, "data/iris.parquet"), vec!["data/iris.csv"]);
    assert_eq!(prereqs(&db, "data/wine.parquet"), vec!["data/wine.csv"]);
}

#[test]
fn prerequisites_from_variables_point_at_the_reference() {
    let text = "DATA = data/raw.csv\nmodel.pkl: $(DATA) train.py\n\tpython train.py\n";
    let (file, db, _, _) = read(text);
    let e = db.get("model.pkl").unwrap();
    let spans: Vec<&str> = e.rules[0]
        .prereqs
        .iter()
        .map(|p| &file.text[p.dep.span.range()])
        .collect();
    assert_eq!(spans, vec!["$(DATA)", "train.py"]);
    assert_eq!(&file.text[e.rules[0].target_span.range()], "model.pkl");
}

#[test]
fn command_line_overrides_win_unless_override() {
    let db = Box::leak(Box::new(SourceDb::new()));
    let file = db.add_virtual(
        Path::new("v/Makefile"),
        "OUT = a\noverride FORCED = x\nFORCED = y\n$(OUT): ; echo\nb$(FORCED): ; echo\n".into(),
    );
    let (_, database) = evaluate(
        db,
        &file,
        &[("OUT".into(), "models".into()), ("FORCED".into(), "z".into())],
    );
    assert!(database.get("models").is_some());
    assert!(database.get("bx").is_some());
}

#[test]
fn missing_include_is_reported_unless_optional_or_generated() {
    let (_, _, diags, _) = read("include config.mk\n-include .env\nsinclude local.mk\nall: ; echo\n");
    assert_eq!(diags, vec!["1: included file `config.mk` not found"]);
    let (_, _, diags, notes) = read("include deps.mk\ndeps.mk: ; ./gen > $@\n");
    assert!(diags.is_empty(), "{diags:?}");
    assert!(notes.iter().any(|n| n.contains("generated by a rule")));
}

#[test]
fn an_equals_sign_after_the_colon_is_explained() {
    let (_, db, diags, _) = read("out/x.parquet: raw/dt=%/events.json\n\tspark-submit job.py\n");
    assert!(db.get("out/x.parquet").is_none());
    assert_eq!(
        diags,
        vec![
            "1: GNU make reads this as setting a variable named `raw/dt` for the target, not as prerequisites",
            "2: recipe line outside any rule"
        ]
    );
}

#[test]
fn oneshell_recipes_keep_the_directory_across_lines() {
    use crate::frontend::make::lower;
    let db = Box::leak(Box::new(SourceDb::new()));
    let text =
        ".ONESHELL:\nout/model.pkl: data.csv\n\tcd out\n\tpython ../train.py --data ../data.csv --out model.pkl\n";
    let file = db.add_virtual(Path::new("p/Makefile"), text.to_string());
    let frag = lower(db, &file, &[]);
    let step = frag.steps.iter().find(|s| s.name == "out/model.pkl").unwrap();
    let outs: Vec<&str> = step.outputs.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(outs, ["out/model.pkl"]);
    let ins: Vec<&str> = step.inputs.iter().map(|p| p.path.as_str()).collect();
    assert!(ins.contains(&"train.py") && ins.contains(&"data.csv"), "{ins:?}");
    assert_eq!(
        step.command.as_deref(),
        Some("cd out\npython ../train.py --data ../data.csv --out model.pkl")
    );
}

#[test]
fn a_chain_of_recursive_variables_deeper_than_the_limit_is_reported_once() {
    // v0 = $(v1), v1 = $(v2), …: each level nests one expansion
    let mut text: String = (0..3000).map(|i| format!("v{i} = $(v{})\n", i + 1)).collect();
    text.push_str("v3000 = x\nall: $(v0)\n\ttrue\n");
    let (_, _, diags, _) = read(&text);
    assert_eq!(
        diags,
        vec!["3002: expansion nested more than 2500 levels deep"],
        "{diags:?}"
    );
}

#[test]
fn names_in_deep_recursion_mean_their_innermost_binding() {
    // `count` recurses 600 calls deep; inside, `$(1)` is the innermost
    // call's argument, `$(g)` the `$(foreach)` variable bound outside every
    // call, and `$(SEP)` the global variable
    let text = "\
SEP := -
count = $(if $(word 600,$(1)),$(g)$(SEP)$(words $(1)),$(call count,$(1) x))
G := $(foreach g,a b,$(call count,x))
all: $(G)
\ttrue
";
    let (_, db, diags, _) = read(text);
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(prereqs(&db, "all"), vec!["a-600", "b-600"]);
}

#[test]
fn a_value_that_doubles_on_every_line_stops_within_the_budget() {
    // every byte made costs work: 2^20 words of 11 bytes run the budget out
    let mut text = String::from("DAYS := 2024-01-01\n");
    text.push_str(&"DAYS := $(DAYS) $(DAYS)\n".repeat(32));
    text.push_str("backfill: $(addprefix features/,$(DAYS))\n\t@echo done\n");
    let (_, _, diags, _) = read(&text);
    assert_eq!(
        diags,
        vec![
            "21: expansion takes more than 2,003,360 steps (2,000,000 plus 4 for each of the makefile's 840 bytes): the rest of this makefile is not expanded"
        ],
        "{diags:?}"
    );
}

#[test]
fn one_function_call_that_would_make_a_huge_value_is_not_computed() {
    // 2,000 words, each given a 64 KiB prefix: 128 MiB in one `addprefix`
    let text = format!(
        "P := {}\nW := $(shell seq 2000)\nW := {}\nall: $(addprefix $(P),$(W))\n\ttrue\n",
        "p".repeat(64 << 10),
        (0..2000).map(|i| i.to_string()).collect::<Vec<_>>().join(" ")
    );
    let (_, _, diags, _) = read(&text);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert!(diags[0].starts_with("4: an expansion here is 13"), "{diags:?}");
}

#[test]
fn unknowns_nested_200000_deep_render_without_recursion() {
    // a fuzzed makefile built unknown values around unknown values tens of
    // thousands deep, and rendering them for a message overflowed the stack
    let db = Box::leak(Box::new(SourceDb::new()));
    let file = db.add_virtual(Path::new("virtual/Makefile"), String::new());
    let (mut make, _) = evaluate(db, &file, &[]);
    let n = 200_000;
    let mut v = make.unknown("$(shell git rev-parse HEAD)");
    for _ in 0..n {
        v = make.unknown(format!("$(shell echo {v})"));
    }
    let shown = make.render(&v);
    assert!(shown.starts_with("$(shell echo $(shell echo "), "{}", &shown[..40]);
    assert!(shown.ends_with(&format!("$(shell git rev-parse HEAD){}", ")".repeat(n))));
    assert_eq!(
        shown.len(),
        n * "$(shell echo )".len() + "$(shell git rev-parse HEAD)".len()
    );
}

#[test]
fn a_line_made_only_of_shell_output_is_noted_not_a_missing_separator() {
    // make runs `mkdir` while reading and parses what it prints: nothing
    let (_, db, diags, notes) =
        read("$(shell mkdir -p build logs)\nGEN := $(shell ./gen-rules.sh)\n$(GEN)\nall:\n\ttouch build/x\n");
    assert!(diags.is_empty(), "{diags:?}");
    assert!(db.get("all").is_some());
    assert!(
        notes.contains(
            &"this line is only known when make runs (`$(shell mkdir -p build logs)`): it is not read".into()
        ),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("(`$(shell ./gen-rules.sh)`): it is not read")),
        "{notes:?}"
    );
    // without an unknown value it is still an error
    let (_, _, diags, _) = read("EMPTY := nothing\n$(EMPTY)\n");
    assert_eq!(
        diags,
        vec!["2: missing separator: not a rule, an assignment or a directive"]
    );
}

#[test]
fn unknown_values_built_in_a_loop_keep_their_displays_linear() {
    // each `$(shell)` display holds the previous one; copied out in full,
    // 10,000 rounds made 10,000 copies of a string growing to 190 KB
    let text = "\
stamp := $(shell git rev-parse HEAD)
d := 0 1 2 3 4 5 6 7 8 9
n := $(foreach a,$(d),$(foreach b,$(d),$(foreach c,$(d),$(foreach e,$(d),$(a)$(b)$(c)$(e)))))
$(foreach s,$(n),$(eval stamp := $(shell echo $(stamp)-$(s))))
all:
\techo $(stamp) > out.txt
";
    let db = Box::leak(Box::new(SourceDb::new()));
    let file = db.add_virtual(Path::new("virtual/Makefile"), text.to_string());
    let (mut make, _) = evaluate(db, &file, &[]);
    assert!(make.diags.is_empty(), "{:?}", make.diags);
    let held: usize = make.unknowns.iter().map(String::len).sum();
    assert!(held < 10_000 * 64, "{held} bytes of unknown displays");
    let stamp = make.value_of("stamp");
    let shown = make.render(&stamp);
    assert!(shown.starts_with("$(shell echo $(shell echo "), "{}", &shown[..40]);
    assert!(shown.ends_with("-9998)-9999)"), "{}", &shown[shown.len() - 40..]);
    assert_eq!(shown.matches("$(shell echo ").count(), 10_000);
    assert_eq!(shown.matches("$(shell git rev-parse HEAD)").count(), 1);
}
