//! The GNU Makefile frontend.
//!
//! GNU make decides what a line *is* only after expanding part of it (a rule's
//! target list is expanded before the colon is looked for, `$(eval)` creates
//! rules, conditionals pick which lines exist at all), so a syntax tree alone
//! cannot say what the targets and prerequisites are. This frontend is
//! therefore a reader that follows GNU make 4.3's own reading algorithm
//! (logical lines, conditionals, directives, assignments, rules), with the
//! expansion engine and the built-in functions, then builds the rule
//! database (merged rules, static pattern rules, implicit rule search) that
//! `make -pnrR` prints. The test suite compares the two on every fixture.

mod database;
mod expand;
mod lower;
mod read;
pub(crate) mod text;

pub use database::{Database, Entry, EntryRule, Prereq};
pub use lower::lower;

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, SourceDb, SourceFile, Span};
use read::{AssignOp, Cond};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use text::Mapped;

/// File names that make reads by default, in its order of preference.
pub const DEFAULT_MAKEFILES: &[&str] = &["GNUmakefile", "makefile", "Makefile"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Default,
    Automatic,
    File,
    CommandLine,
    Override,
}

#[derive(Debug, Clone)]
pub struct Var {
    pub value: String,
    pub recursive: bool,
    pub origin: Origin,
    /// Assigned in a branch whose condition kfr could not decide.
    pub uncertain: bool,
}

impl Var {
    pub fn simple(value: String, origin: Origin) -> Var {
        Var {
            value,
            recursive: false,
            origin,
            uncertain: false,
        }
    }

    pub fn recursive(value: String, origin: Origin) -> Var {
        Var {
            value,
            recursive: true,
            origin,
            uncertain: false,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Dep {
    pub name: String,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct RecipeLine {
    /// The line without its recipe prefix, unexpanded.
    pub text: Mapped,
    pub file: FileId,
    /// Set when the line came from `$(eval)`: every span is this one.
    pub synthetic: Option<Span>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    Single,
    DoubleColon,
    Grouped,
}

/// One rule line as read (before merging by target).
#[derive(Debug, Clone)]
pub struct Rule {
    pub targets: Vec<(String, Span)>,
    pub normal: Vec<Dep>,
    pub order_only: Vec<Dep>,
    pub static_pattern: Option<String>,
    pub recipe: Vec<RecipeLine>,
    /// A recipe was given, even an empty one (`target: ;`).
    pub has_recipe: bool,
    pub kind: RuleKind,
    /// A pattern rule (`%.o: %.c`).
    pub pattern: bool,
    pub span: Span,
    /// Prerequisites kept for `.SECONDEXPANSION`.
    pub second_expansion: Option<Mapped>,
    pub uncertain: bool,
}

/// `target: VAR = value` (also pattern-specific `%.o: VAR = value`).
#[derive(Debug, Clone)]
pub struct TargetVar {
    pub target: String,
    pub name: String,
    pub op: AssignOp,
    pub value: String,
    pub uncertain: bool,
}

/// The variables bound for a while, innermost last: `$(foreach)` loop
/// variables, `$(call)` arguments, a rule's automatic and target-specific
/// variables. Make scopes them dynamically, so a name means its innermost
/// binding; `index` finds it at once, however deep a recursive `$(call)` is.
#[derive(Default)]
struct Frames {
    frames: Vec<HashMap<String, Var>>,
    /// For each bound name, the frames that bind it, innermost last.
    index: HashMap<String, Vec<usize>>,
}

impl Frames {
    fn push(&mut self, frame: HashMap<String, Var>) {
        let i = self.frames.len();
        for name in frame.keys() {
            self.index.entry(name.clone()).or_default().push(i);
        }
        self.frames.push(frame);
    }

    fn pop(&mut self) -> Option<HashMap<String, Var>> {
        let frame = self.frames.pop()?;
        for name in frame.keys() {
            if let Some(v) = self.index.get_mut(name) {
                v.pop();
                if v.is_empty() {
                    self.index.remove(name);
                }
            }
        }
        Some(frame)
    }

    fn get(&self, name: &str) -> Option<&Var> {
        let &i = self.index.get(name)?.last()?;
        self.frames[i].get(name)
    }
}

/// The state of reading one makefile (and what it includes).
pub struct Make<'a> {
    source_db: Option<&'a SourceDb>,
    /// The directory make runs in: the makefile's directory.
    pub dir: PathBuf,
    cur_file: FileId,
    synthetic: Option<Span>,
    /// The line being read (diagnostics point here).
    cur: Span,
    pub vars: HashMap<String, Var>,
    frames: Frames,
    pub unknowns: Vec<String>,
    expanding: Vec<String>,
    depth: u32,
    /// Expansions done so far in this file, weighted by their length
    /// (bounded by `budget`).
    work: u64,
    /// The most work this makefile may take: a floor, and more for a
    /// larger file, so that work stays linear in the file's size.
    budget: u64,
    /// The unknown marker that stands for everything past the budget.
    pub(super) over_budget: Option<String>,
    call_args_max: usize,
    eval_depth: u32,
    pub diags: Vec<Diagnostic>,
    /// What could not be decided statically, with where.
    pub notes: Vec<(Span, String)>,
    pub rules: Vec<Rule>,
    pub target_vars: Vec<TargetVar>,
    conds: Vec<Cond>,
    current_rule: Option<usize>,
    /// The last non-recipe line was a broken rule line.
    after_broken_rule: bool,
    recipe_prefix: char,
    phony: Vec<(String, Span)>,
    /// `.SUFFIXES` known for old-fashioned suffix rules (none by default, as with `make -r`).
    suffixes: Vec<String>,
    /// `vpath PATTERN DIRS` directives, in order.
    vpaths: Vec<(String, Vec<String>)>,
    second_expansion: bool,
    pub oneshell: bool,
    /// Files read through include directives.
    pub included: Vec<FileId>,
    include_stack: Vec<FileId>,
    missing_includes: Vec<(String, Span)>,
    /// Required includes that exist nowhere and that no rule makes.
    pub unresolved_includes: usize,
}

impl<'a> Make<'a> {
    fn new(source_db: Option<&'a SourceDb>, file: &SourceFile, dir: &Path, overrides: &[(String, String)]) -> Make<'a> {
        let mut m = Make {
            source_db,
            dir: crate::source::normalize_path(dir),
            cur_file: file.id,
            synthetic: None,
            cur: file.span(0..0),
            vars: HashMap::new(),
            frames: Frames::default(),
            budget: expand::budget_for(file.text.len()),
            unknowns: Vec::new(),
            expanding: Vec::new(),
            depth: 0,
            work: 0,
            over_budget: None,
            call_args_max: 0,
            eval_depth: 0,
            diags: Vec::new(),
            notes: Vec::new(),
            rules: Vec::new(),
            target_vars: Vec::new(),
            conds: Vec::new(),
            current_rule: None,
            after_broken_rule: false,
            recipe_prefix: '\t',
            phony: Vec::new(),
            suffixes: Vec::new(),
            vpaths: Vec::new(),
            second_expansion: false,
            oneshell: false,
            included: Vec::new(),
            include_stack: vec![file.id],
            missing_includes: Vec::new(),
            unresolved_includes: 0,
        };
        let special: &[(&str, &str)] = &[
            ("MAKE", "make"),
            ("MAKE_COMMAND", "make"),
            ("MAKE_VERSION", "4.3"),
            ("SHELL", "/bin/sh"),
            (".SHELLFLAGS", "-c"),
            ("MAKECMDGOALS", ""),
            ("MAKEFLAGS", ""),
            ("MAKELEVEL", "0"),
            ("CURDIR", "\u{E002}"),
        ];
        for (k, v) in special {
            m.vars
                .insert(k.to_string(), Var::simple(v.to_string(), Origin::Default));
        }
        // the most used of make's built-in variables
        let builtin: &[(&str, &str)] = &[
            ("AR", "ar"),
            ("ARFLAGS", "rv"),
            ("AS", "as"),
            ("CC", "cc"),
            ("CXX", "g++"),
            ("CPP", "$(CC) -E"),
            ("LD", "ld"),
            ("RM", "rm -f"),
        ];
        for (k, v) in builtin {
            m.vars
                .insert(k.to_string(), Var::recursive(v.to_string(), Origin::Default));
        }
        for (k, v) in overrides {
            m.vars.insert(k.clone(), Var::recursive(v.clone(), Origin::CommandLine));
        }
        // the makefile as named on make's command line (`-f mk/train.mk`)
        let base = file
            .path
            .strip_prefix(dir)
            .ok()
            .filter(|p| !p.as_os_str().is_empty())
            .or_else(|| file.path.file_name().map(Path::new))
            .map(|n| n.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        m.vars
            .insert("MAKEFILE_LIST".into(), Var::simple(String::new(), Origin::File));
        m.append_makefile_list(&base);
        m
    }
}

/// Read a makefile the way GNU make does and build its rule database.
pub fn evaluate<'a>(db: &'a SourceDb, file: &SourceFile, overrides: &[(String, String)]) -> (Make<'a>, Database) {
    evaluate_in(db, file, file.dir(), overrides)
}

/// Read a makefile as `make -f FILE` run in `dir` reads it.
pub fn evaluate_in<'a>(
    db: &'a SourceDb,
    file: &SourceFile,
    dir: &Path,
    overrides: &[(String, String)],
) -> (Make<'a>, Database) {
    let mut make = Make::new(Some(db), file, dir, overrides);
    make.read_source(&file.text);
    make.finish_includes();
    let database = make.build_database();
    (make, database)
}

/// The targets and prerequisites of a makefile in the form the GNU make
/// oracle test compares (see `tests/make_oracle.rs`).
pub fn database_listing(path: &Path) -> std::io::Result<String> {
    let db = SourceDb::new();
    let file = db.load(path)?;
    let (_, database) = evaluate(&db, &file, &[]);
    Ok(database.listing())
}

#[cfg(test)]
mod tests;
