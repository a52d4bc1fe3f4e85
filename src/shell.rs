//! Static analysis of shell command lines.
//!
//! Every kfr frontend that meets shell text (Make recipes, Jenkins `sh`
//! steps, crontab commands, Airflow `BashOperator`s) hands it to [`parse`],
//! which lists the simple commands in it, and then asks [`file_uses`] which
//! files each of those commands reads and writes. Nothing is executed. No
//! input makes the module panic: text the grammar cannot make sense of sets
//! [`Script::has_errors`], and the commands are what could be recovered.
//!
//! # Parsing
//!
//! The text is parsed with tree-sitter-bash, with one parser per thread,
//! reused. Every simple command anywhere in the script is reported once, in
//! source order: commands joined by `&&`, `||`, `;`, `|`, `&` or newlines,
//! and those inside subshells, brace groups, `if`, `for`, `while`, `case`
//! and function bodies. `[ … ]`, `[[ … ]]`, `export`, `declare`, `local`
//! and `unset` are reported too (with their tokens as words); bare
//! assignments (`X=1` alone) are not. Commands inside `$(…)`, backticks and
//! `<(…)` are not reported: the word holding them is just not literal.
//! Heredoc bodies are data, not commands. A backslash-newline is whitespace
//! between words and joins the halves of a word it splits.
//!
//! For each command:
//!
//! * [`Word::text`] has quotes removed and escapes resolved. Expansions
//!   (`$VAR`, `${X}`, `$(cmd)`, `` `cmd` ``, `$((…))`) are kept verbatim and
//!   make the word non-literal; so does a leading unquoted `~` (tilde
//!   expansion). Unquoted glob characters (`*`, `?`, `[…]`) keep the word
//!   literal but set [`Word::glob`].
//! * Wrappers are removed from [`SimpleCommand::words`]: `env` (its
//!   `NAME=value` words become assignments, `-C DIR` a working directory),
//!   `time`, `nohup`, `exec`, `nice`, `timeout DURATION`, `sudo`, `stdbuf`,
//!   `command`, `poetry run`, `pipenv run`, `pdm run`, `hatch run`,
//!   `rye run`, `uv run`, and `conda`/`mamba`/`micromamba run -n ENV`.
//! * `export NAME=value` (and `declare -x`) adds the assignment to every
//!   later command of the same shell, as `NAME=value cmd` does to one.
//! * [`SimpleCommand::cwd`] lists the `cd`/`pushd` arguments that ran before
//!   the command in the same shell; `popd` restores the previous list, a
//!   literal absolute directory resets it, and `cd`, `cd -`, `cd ~/x` or
//!   `cd $DIR` add a non-literal word. Subshells, background jobs (`&`),
//!   function bodies and `case` arms do not pass their changes on; `if`,
//!   `for` and `while` bodies do. The grammar groups `cd a && b | c` as
//!   `(cd a && b) | c`, so a `cd` flows on through the rest of a pipeline,
//!   which matches what the shell does for its own grouping
//!   `cd a && (b | c)`.
//! * A redirection written after an and-or list or pipeline belongs to its
//!   last command (the grammar attaches it to the whole list). One written
//!   after a compound command (`( … ) > f`, `for … done < f`) is given to the
//!   last command inside (output) or the first one (input), so that each
//!   redirection is reported once; [`Redirect::cwd`] then records where the
//!   file is opened when the body changed directory.
//! * `sh -c '…'`, `bash -lc "…"`, `bash -euo pipefail -c …` and the like are
//!   replaced by the commands of the string, parsed recursively (a few
//!   levels deep). Their spans point into the outer text when the string
//!   has no escapes; otherwise every span is the span of the whole string.
//!   The outer assignments, working directory and redirections carry over.
//!
//! Python, pip and make invocations are analysed further; see
//! [`Invocation`], [`PythonRun`], [`Arg`], [`PipInstall`] and [`MakeRun`].
//!
//! # File roles
//!
//! [`file_uses`] guesses which words of a command are files it reads or
//! writes. [`FileUse::path`] is relative to the command's own working
//! directory (so a caller joins it onto [`SimpleCommand::cwd`]), and
//! [`FileUse::resolved`] has the `cd`s applied. Each word gets at most one
//! role; the strongest evidence wins:
//!
//! 1. Structure. Redirection targets (`>`, `>>`, `&>`, `>|` write, `<`
//!    reads); the script of a Python or shell interpreter (`python x.py`,
//!    `bash x.sh`, `Rscript x.R`, `spark-submit … x.py`) and a `source`d
//!    file (not a virtualenv's `activate`); pip `-r`/`-c` files and local package paths; `make -f`; `tee`
//!    and `touch` operands (written); the last operand of `cp`, `mv`, `ln`,
//!    `install`, `rsync` and `scp` (written) and the others (read);
//!    `curl -o`, `wget -O` (written) and `curl -T`/`-d @file` (read); the
//!    local operands of `aws s3 cp|mv|sync`, `gsutil cp|mv|rsync`,
//!    `gcloud storage cp|mv|rsync`, `azcopy copy` and `hdfs dfs -put|-get`
//!    (written when the other side is remote, read when the destination is
//!    remote); file operands of readers such as `cat`, `head`, `sort`,
//!    `grep`, `sed`, `awk` and `jq` (`sed -i` and `sort -o` write); `tar`,
//!    `zip` and `unzip` archives; `papermill` input and output notebooks;
//!    `jupyter nbconvert` notebooks and `--output`; `dvc run` / `dvc stage
//!    add` `-d` (read) and `-o`/`-O`/`-m`/`-M`/`--plots` (written).
//! 2. The Make context. A literal word equal to one of
//!    [`FileContext::targets`] is written, one equal to one of
//!    [`FileContext::prerequisites`] is read. Words and list entries are
//!    compared after lexical normalisation (`./` and `..` folded), both as
//!    written and with the `cd`s applied.
//! 3. Option names, for Python scripts and for commands without a rule of
//!    their own (well-known tools with options of their own, such as `git`,
//!    `docker` or `find`, get no guesses). Written: `--out`, `--output`,
//!    `--output-dir`, `--out-dir`, `--outdir`, `--output-path`,
//!    `--output-file`, `--save`, `--save-path`, `--save-to`, `--save-*`,
//!    `--dest`, `--destination`, `--export`, `--export-*`, `--metrics`,
//!    `--metrics-*`, `--report`, `--log`, `--log-file`, `--log-dir`, `-o`,
//!    and long options ending in `-out`/`-output` or starting with
//!    `--out-`/`--output-`. Read: `--in`, `--input`, `--inputs`,
//!    `--input-*`, `--data`, `--data-dir`, `--dataset`, `--train`, `--test`,
//!    `--valid`, `--val`, `--eval` (and `--train-*`, `--test-*`, …),
//!    `--features`, `--config`, `--params`, `--src`, `--source`, `--from`,
//!    `--load`, `-i`, and long options ending in `-in`, `-input`, `-path`,
//!    `-file` or `-dir`. `--model`, `--model-path`, `--model-file`,
//!    `--model-dir`, `--checkpoint` and `--ckpt` are written when the
//!    script or module name contains `train`, `fit` or `tune` (as in
//!    `finetune`) and read otherwise. `--cache-dir`, `--tmp-dir` and
//!    `--work-dir` are neither. Underscores count as dashes; case is
//!    ignored. Positional path-like arguments of a Python script follow the
//!    `script.py INPUT... OUTPUT` convention: with several, the last is
//!    written and the others read; a single one is read.
//!
//! Whatever the rank, only literal words count, and never empty words,
//! words starting with `-`, URLs (`scheme://…`) or `/dev/…` paths. Option
//! name guesses must also look like paths: contain a `/` or end in a file
//! extension (a dot and 1 to 8 ASCII letters or digits, not all digits, so
//! `1.2` and `0.001` do not count); a match with the Make context is enough
//! on its own. Structural operands count whatever their shape (`> out`,
//! `touch done`). `mkdir`, `rm`, `echo`, `test` and similar commands report
//! nothing but their redirections.

use crate::source::normalize_str as normalize_path;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

use tree_sitter::{Node, Tree};

/// Deepest syntax nesting walked; deeper parts are skipped and flagged.
const MAX_DEPTH: usize = 200;
/// Deepest chain of `sh -c '…'` strings parsed recursively.
const MAX_SHELL_NESTING: usize = 8;
/// Most wrappers (`env`, `nohup`, `timeout`, …) removed in front of a command.
const MAX_WRAPPERS: usize = 16;

/// The simple commands of a piece of shell text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Script {
    /// Every simple command, in source order.
    pub commands: Vec<SimpleCommand>,
    /// The text (or a `sh -c` string in it) had syntax errors or nesting too
    /// deep to walk; the commands are what could be recovered.
    pub has_errors: bool,
}

/// One simple command: assignments, argv and redirections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpleCommand {
    /// Byte range in the parsed text (including trailing redirections).
    pub span: Range<usize>,
    /// `FOO=bar` prefixes, `env FOO=bar` words and earlier `export`s.
    pub assignments: Vec<(String, Word)>,
    /// The `cd`/`pushd` directories in effect, oldest first.
    pub cwd: Vec<Word>,
    /// argv with wrappers removed; never empty.
    pub words: Vec<Word>,
    pub redirects: Vec<Redirect>,
    pub invocation: Invocation,
}

impl SimpleCommand {
    /// The program name: the last path component of the first word.
    pub fn program(&self) -> &str {
        self.words.first().map_or("", |w| program_name(&w.text))
    }
}

/// A shell word after quote removal.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Word {
    /// Quotes removed, escapes resolved, expansions kept verbatim.
    pub text: String,
    /// Byte range in the parsed text.
    pub span: Range<usize>,
    /// No expansion of any kind: `text` is what the program receives.
    pub literal: bool,
    /// Unquoted glob characters (`*`, `?`, `[…]`) are present.
    pub glob: bool,
}

impl Word {
    /// The word holds an unquoted glob pattern.
    pub fn has_glob(&self) -> bool {
        self.glob
    }

    /// The text, when the word is literal.
    pub fn literal_text(&self) -> Option<&str> {
        self.literal.then_some(self.text.as_str())
    }

    fn unknown(text: &str, span: Range<usize>) -> Word {
        Word {
            text: text.to_string(),
            span,
            literal: false,
            glob: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RedirectOp {
    /// `<`
    In,
    /// `>`, `>|`, `&>`, and `>&` to a file
    Out,
    /// `>>`, `&>>`
    Append,
    /// Descriptor duplication (`2>&1`), `<>`, heredocs (target: the
    /// delimiter) and herestrings (target: the string).
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    pub op: RedirectOp,
    pub target: Word,
    /// The explicit descriptor, as in `2>`.
    pub fd: Option<u32>,
    /// The working directory the file is opened in, when it is not the
    /// command's own: `(cd sub && make) > build.log` opens `build.log`
    /// before the `cd`.
    pub cwd: Option<Vec<Word>>,
}

/// What a command runs, for the programs kfr looks into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invocation {
    /// `python`, `python3`, `python3.11`, `py`, `pypy3`, any path ending in
    /// one of those (`.venv/bin/python`), and the launchers `torchrun`,
    /// `deepspeed`, `accelerate launch`, `uv run x.py` and `uv run -m mod`.
    Python(PythonRun),
    /// `pip install`, `pip3.x install`, `python -m pip install`,
    /// `uv pip install`.
    Pip(PipInstall),
    /// `make`, `gmake`.
    Make(MakeRun),
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PythonRun {
    /// The interpreter or launcher word.
    pub interpreter: Word,
    pub script: Option<Word>,
    pub module: Option<Word>,
    /// The script's (or module's, or `-c` code's) arguments.
    pub args: Vec<Arg>,
}

/// An argument of a script. `--out X`, `--out=X` and `-o X` give the value
/// word with its option; a flag or a positional has `option: None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    pub word: Word,
    pub option: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PipInstall {
    /// Requirement specifiers as written (quotes removed).
    pub packages: Vec<Word>,
    pub requirements: Vec<Word>,
    pub constraints: Vec<Word>,
    pub editables: Vec<Word>,
    pub upgrade: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MakeRun {
    pub program: Word,
    /// All `-C` directories joined (a later absolute one resets).
    pub directory: Option<Word>,
    /// The first `-f`/`--file`/`--makefile`.
    pub makefile: Option<Word>,
    pub targets: Vec<Word>,
    pub variables: Vec<(String, Word)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Read,
    Write,
}

/// A file a command reads or writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileUse {
    /// The path relative to the command's working directory (its
    /// [`SimpleCommand::cwd`]), lexically normalised: `./x` is `x`.
    pub path: String,
    /// The word it comes from.
    pub span: Range<usize>,
    pub role: Role,
    /// Which rule decided: "redirect", "target", "output option", ….
    pub reason: &'static str,
    /// The path relative to the directory the script started in (or
    /// absolute), with the `cd`s before the command applied; None when one
    /// of them is not literal.
    pub resolved: Option<String>,
    /// The word is a glob pattern.
    pub glob: bool,
}

/// What Make knows about the rule a recipe belongs to.
#[derive(Debug, Clone, Copy, Default)]
pub struct FileContext<'a> {
    pub prerequisites: &'a [String],
    pub targets: &'a [String],
}

// ---------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------

fn parse_tree(text: &str) -> Option<Tree> {
    crate::syntax::parse("bash", || tree_sitter_bash::LANGUAGE.into(), text)
}

/// Parses shell text into its simple commands.
pub fn parse(text: &str) -> Script {
    let mut walker = Walker {
        top: text,
        out: Vec::new(),
        has_errors: false,
        outer_cwd: HashMap::new(),
    };
    walker.run(text, Mapping::Offset(0), &mut Env::default(), 0);
    let mut commands = walker.out;
    commands.sort_by_key(|c| c.span.start);
    Script {
        commands,
        has_errors: walker.has_errors,
    }
}

/// How byte offsets of a (possibly nested) parse map to the top-level text.
#[derive(Debug, Clone)]
enum Mapping {
    Offset(usize),
    Whole(Range<usize>),
}

impl Mapping {
    fn span(&self, r: Range<usize>) -> Range<usize> {
        match self {
            Mapping::Offset(o) => r.start + o..r.end + o,
            Mapping::Whole(w) => w.clone(),
        }
    }
}

/// Shell state that flows from one command to the next.
#[derive(Debug, Clone, Default)]
struct Env {
    cwd: Vec<Word>,
    exported: Vec<(String, Word)>,
    dir_stack: Vec<Vec<Word>>,
}

struct Frame<'s> {
    src: &'s str,
    map: Mapping,
    nesting: usize,
}

impl Frame<'_> {
    fn text(&self, node: Node) -> &str {
        self.src.get(node.byte_range()).unwrap_or("")
    }

    fn span(&self, node: Node) -> Range<usize> {
        self.map.span(node.byte_range())
    }
}

struct Walker<'t> {
    top: &'t str,
    out: Vec<SimpleCommand>,
    has_errors: bool,
    /// For commands that come from a `sh -c` string (by index in `out`):
    /// the working directory of the outer command, where redirections
    /// written after the string are opened.
    outer_cwd: HashMap<usize, Vec<Word>>,
}

fn children<'n>(node: Node<'n>) -> Vec<(Option<&'n str>, Node<'n>)> {
    let mut out = Vec::new();
    let mut cursor = node.walk();
    if cursor.goto_first_child() {
        loop {
            out.push((cursor.field_name(), cursor.node()));
            if !cursor.goto_next_sibling() {
                break;
            }
        }
    }
    out
}

/// The children of a list or pipeline, with nested lists and pipelines
/// spliced in, so that long `a && b && …` chains are walked without
/// recursion.
fn flat_children(node: Node) -> Vec<Node> {
    let mut out = Vec::new();
    let mut stack: Vec<Node> = children(node).into_iter().rev().map(|(_, n)| n).collect();
    while let Some(n) = stack.pop() {
        if matches!(n.kind(), "list" | "pipeline") {
            stack.extend(children(n).into_iter().rev().map(|(_, c)| c));
        } else {
            out.push(n);
        }
    }
    out
}

fn is_statement(kind: &str) -> bool {
    matches!(
        kind,
        "command"
            | "redirected_statement"
            | "declaration_command"
            | "unset_command"
            | "test_command"
            | "subshell"
            | "function_definition"
            | "case_statement"
            | "list"
            | "pipeline"
            | "compound_statement"
            | "if_statement"
            | "elif_clause"
            | "else_clause"
            | "while_statement"
            | "for_statement"
            | "c_style_for_statement"
            | "do_group"
            | "negated_command"
            | "ERROR"
    )
}

fn is_compound(kind: &str) -> bool {
    matches!(
        kind,
        "subshell"
            | "compound_statement"
            | "if_statement"
            | "while_statement"
            | "for_statement"
            | "c_style_for_statement"
            | "case_statement"
    )
}

impl Walker<'_> {
    fn run(&mut self, src: &str, map: Mapping, env: &mut Env, nesting: usize) {
        let Some(tree) = parse_tree(src) else {
            self.has_errors = true;
            return;
        };
        let root = tree.root_node();
        if root.has_error() {
            self.has_errors = true;
        }
        let frame = Frame { src, map, nesting };
        self.statement(&frame, root, env, 0);
    }

    fn statement(&mut self, f: &Frame, node: Node, env: &mut Env, depth: usize) {
        if depth > MAX_DEPTH {
            self.has_errors = true;
            return;
        }
        match node.kind() {
            "command" => self.command(f, node, env, depth),
            "redirected_statement" => self.redirected(f, node, env, depth),
            "declaration_command" | "unset_command" => self.declaration(f, node, env, depth),
            "test_command" => {
                let mut words = Vec::new();
                self.leaves(f, node, depth, &mut words);
                self.push_plain(f.span(node), words, env);
            }
            "subshell" | "function_definition" => {
                let mut inner = env.clone();
                self.sequence(f, node, &mut inner, depth);
            }
            "case_statement" => {
                for (_, item) in children(node) {
                    if item.kind() == "case_item" {
                        let mut inner = env.clone();
                        self.sequence(f, item, &mut inner, depth + 1);
                    }
                }
            }
            _ => self.sequence(f, node, env, depth),
        }
    }

    fn sequence(&mut self, f: &Frame, node: Node, env: &mut Env, depth: usize) {
        // Lists and pipelines nest on the left; splice them flat. Elsewhere
        // a list is kept whole so that a trailing `&` applies to all of it.
        let kids = if matches!(node.kind(), "list" | "pipeline") {
            flat_children(node)
        } else {
            children(node).into_iter().map(|(_, n)| n).collect()
        };
        for (k, child) in kids.iter().enumerate() {
            if !child.is_named() || !is_statement(child.kind()) {
                continue;
            }
            let background = kids.get(k + 1).is_some_and(|n| !n.is_named() && n.kind() == "&");
            if background {
                let mut inner = env.clone();
                self.statement(f, *child, &mut inner, depth + 1);
            } else {
                self.statement(f, *child, env, depth + 1);
            }
        }
    }

    fn command(&mut self, f: &Frame, node: Node, env: &mut Env, depth: usize) {
        let mut assignments = Vec::new();
        let mut words: Vec<Word> = Vec::new();
        let mut r = Redirections::default();
        let mut last_end = None;
        for (field, child) in children(node) {
            match (field, child.kind()) {
                (_, "variable_assignment") => assignments.push(self.assignment(f, child, depth)),
                (_, "file_redirect" | "herestring_redirect" | "heredoc_redirect") => {
                    self.redirect(f, child, depth, &mut r);
                }
                (Some("name" | "argument"), _) => {
                    let w = word(f, child, depth);
                    // `ab\<newline>cd` is one word; the grammar splits it.
                    let joined = last_end
                        .and_then(|end| f.src.get(end..child.start_byte()))
                        .is_some_and(|gap| gap == "\\\n" || gap == "\\\r\n");
                    match words.last_mut() {
                        Some(prev) if joined => {
                            prev.text.push_str(&w.text);
                            prev.span.end = prev.span.end.max(w.span.end);
                            prev.literal &= w.literal;
                            prev.glob |= w.glob;
                        }
                        _ => words.push(w),
                    }
                    last_end = Some(child.end_byte());
                }
                _ => {}
            }
        }
        words.append(&mut r.words);
        words.sort_by_key(|w| w.span.start);
        self.emit(f, f.span(node), assignments, words, r.list, env);
        for node in r.later {
            self.statement(f, node, env, depth + 1);
        }
    }

    fn redirected(&mut self, f: &Frame, node: Node, env: &mut Env, depth: usize) {
        let body = node.child_by_field_name("body");
        let cwd_before = env.cwd.clone();
        let first = self.out.len();
        if let Some(body) = body {
            self.statement(f, body, env, depth + 1);
        }
        let end = self.out.len();
        let mut rs = Redirections::default();
        let mut first_redirect = None;
        for (_, child) in children(node) {
            if matches!(
                child.kind(),
                "file_redirect" | "herestring_redirect" | "heredoc_redirect"
            ) {
                first_redirect.get_or_insert(child.start_byte());
                self.redirect(f, child, depth, &mut rs);
            }
        }
        if end > first {
            let compound = body.is_some_and(|b| is_compound(b.kind()));
            let mut extra = std::mem::take(&mut rs.words);
            if let (Some(body), Some(at)) = (body, first_redirect)
                && body.kind() == "command"
                && end == first + 1
                && self.out[first].span == f.span(body)
            {
                extra.splice(0..0, dropped_words(f, body.end_byte()..at));
            }
            if !extra.is_empty() && !compound && !self.outer_cwd.contains_key(&(end - 1)) {
                let cmd = &mut self.out[end - 1];
                cmd.words.extend(extra);
                cmd.invocation = analyze(&cmd.words, self.top);
            }
            for mut r in rs.list {
                let idx = if compound && r.op == RedirectOp::In {
                    first
                } else {
                    end - 1
                };
                let opened_in = if compound {
                    Some(&cwd_before)
                } else {
                    self.outer_cwd.get(&idx)
                };
                let cmd = &mut self.out[idx];
                match opened_in {
                    Some(dirs) => {
                        if cmd.cwd != *dirs {
                            r.cwd = Some(dirs.clone());
                        }
                        cmd.redirects.push(r);
                    }
                    None => attach(cmd, r),
                }
            }
        }
        for node in rs.later {
            self.statement(f, node, env, depth + 1);
        }
    }

    fn redirect<'n>(&mut self, f: &Frame, node: Node<'n>, depth: usize, out: &mut Redirections<'n>) {
        let kids = children(node);
        let fd = kids
            .iter()
            .find(|(field, _)| *field == Some("descriptor"))
            .and_then(|(_, n)| f.text(*n).parse().ok());
        match node.kind() {
            "file_redirect" => {
                let mut op = "";
                let mut target = None;
                for (field, child) in &kids {
                    if *field == Some("destination") {
                        let w = word(f, *child, depth);
                        if target.is_none() {
                            target = Some(w);
                        } else {
                            out.words.push(w);
                        }
                    } else if !child.is_named() {
                        op = child.kind();
                    }
                }
                let end = node.end_byte();
                let target = target.unwrap_or_else(|| Word {
                    text: String::new(),
                    span: f.map.span(end..end),
                    literal: true,
                    glob: false,
                });
                out.list.push(Redirect {
                    op: redirect_op(op, &target),
                    target,
                    fd,
                    cwd: None,
                });
            }
            "herestring_redirect" => {
                let end = node.end_byte();
                let target = kids
                    .iter()
                    .find(|(field, n)| n.is_named() && *field != Some("descriptor"))
                    .map(|(_, n)| word(f, *n, depth))
                    .unwrap_or_else(|| Word::unknown("", f.map.span(end..end)));
                out.list.push(Redirect {
                    op: RedirectOp::Other,
                    target,
                    fd,
                    cwd: None,
                });
            }
            "heredoc_redirect" => {
                if let Some((_, start)) = kids.iter().find(|(_, n)| n.kind() == "heredoc_start") {
                    let text: String = f
                        .text(*start)
                        .chars()
                        .filter(|c| !matches!(c, '\'' | '"' | '\\'))
                        .collect();
                    out.list.push(Redirect {
                        op: RedirectOp::Other,
                        target: Word {
                            text,
                            span: f.span(*start),
                            literal: true,
                            glob: false,
                        },
                        fd,
                        cwd: None,
                    });
                }
                for (_, child) in kids {
                    match child.kind() {
                        "file_redirect" | "herestring_redirect" => {
                            self.redirect(f, child, depth + 1, out);
                        }
                        kind if is_statement(kind) => out.later.push(child),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }

    fn assignment(&self, f: &Frame, node: Node, depth: usize) -> (String, Word) {
        let name = node
            .child_by_field_name("name")
            .map(|n| f.text(n).to_string())
            .unwrap_or_default();
        let value = match node.child_by_field_name("value") {
            Some(v) => word(f, v, depth),
            None => {
                let end = node.end_byte();
                Word {
                    text: String::new(),
                    span: f.map.span(end..end),
                    literal: true,
                    glob: false,
                }
            }
        };
        (name, value)
    }

    /// `export`, `declare`, `local`, `readonly`, `typeset` and `unset`.
    fn declaration(&mut self, f: &Frame, node: Node, env: &mut Env, depth: usize) {
        let mut words = Vec::new();
        let mut pairs = Vec::new();
        let mut names = Vec::new();
        let mut exported = false;
        for (_, child) in children(node) {
            if !child.is_named() {
                let keyword = child.kind();
                exported |= keyword == "export";
                words.push(Word {
                    text: keyword.to_string(),
                    span: f.span(child),
                    literal: true,
                    glob: false,
                });
                continue;
            }
            match child.kind() {
                "variable_assignment" => {
                    pairs.push(self.assignment(f, child, depth));
                    words.push(word(f, child, depth));
                }
                "comment" => {}
                kind => {
                    let w = word(f, child, depth);
                    let keyword = words.first().map_or("", |k: &Word| k.text.as_str());
                    if matches!(keyword, "declare" | "typeset") && w.text.starts_with('-') && w.text.contains('x') {
                        exported = true;
                    }
                    if kind == "variable_name" || kind == "word" {
                        names.push(w.text.clone());
                    }
                    words.push(w);
                }
            }
        }
        let unset = words.first().is_some_and(|w| w.text == "unset");
        self.push_plain(f.span(node), words, env);
        if unset {
            env.exported.retain(|(name, _)| !names.contains(name));
        }
        if exported {
            for (name, value) in pairs {
                env.exported.retain(|(n, _)| *n != name);
                env.exported.push((name, value));
            }
        }
    }

    fn leaves(&self, f: &Frame, node: Node, depth: usize, out: &mut Vec<Word>) {
        if depth > MAX_DEPTH {
            return;
        }
        let wordlike = matches!(
            node.kind(),
            "word"
                | "string"
                | "raw_string"
                | "ansi_c_string"
                | "translated_string"
                | "concatenation"
                | "simple_expansion"
                | "expansion"
                | "command_substitution"
                | "arithmetic_expansion"
                | "process_substitution"
                | "number"
                | "extglob_pattern"
                | "regex"
                | "test_operator"
                | "variable_name"
        );
        if wordlike || node.child_count() == 0 {
            if !node.kind().is_empty() && node.kind() != "comment" {
                out.push(word(f, node, depth));
            }
            return;
        }
        for (_, child) in children(node) {
            self.leaves(f, child, depth + 1, out);
        }
    }

    /// Reports a builtin-like command that gets no further analysis.
    fn push_plain(&mut self, span: Range<usize>, words: Vec<Word>, env: &Env) {
        if words.is_empty() {
            return;
        }
        self.out.push(SimpleCommand {
            span,
            assignments: env.exported.clone(),
            cwd: env.cwd.clone(),
            words,
            redirects: Vec::new(),
            invocation: Invocation::Other,
        });
    }

    fn emit(
        &mut self,
        f: &Frame,
        span: Range<usize>,
        prefix: Vec<(String, Word)>,
        words: Vec<Word>,
        redirects: Vec<Redirect>,
        env: &mut Env,
    ) {
        if words.is_empty() {
            return;
        }
        let mut assignments = env.exported.clone();
        assignments.extend(prefix);
        let mut cwd = env.cwd.clone();
        let start = strip_wrappers(&words, self.top, &mut assignments, &mut cwd);
        let words = if start > 0 { words[start..].to_vec() } else { words };
        if f.nesting < MAX_SHELL_NESTING
            && let Some(idx) = shell_command_string(&words)
        {
            let inner = words[idx].clone();
            let first = self.out.len();
            let mut inner_env = Env {
                cwd: cwd.clone(),
                exported: assignments.clone(),
                dir_stack: Vec::new(),
            };
            let map = self.inner_mapping(&inner);
            self.run(&inner.text, map, &mut inner_env, f.nesting + 1);
            if self.out.len() > first {
                for k in first..self.out.len() {
                    self.outer_cwd.entry(k).or_insert_with(|| cwd.clone());
                }
                let last_idx = self.out.len() - 1;
                let last = &mut self.out[last_idx];
                for mut r in redirects {
                    if last.cwd != cwd {
                        r.cwd = Some(cwd.clone());
                    }
                    last.redirects.push(r);
                }
                return;
            }
        }
        let invocation = analyze(&words, self.top);
        let cmd = SimpleCommand {
            span,
            assignments,
            cwd,
            words,
            redirects,
            invocation,
        };
        if start == 0 {
            change_directory(&cmd, env);
        }
        self.out.push(cmd);
    }

    /// Where the commands of a `sh -c` string go in the top-level text.
    fn inner_mapping(&self, word: &Word) -> Mapping {
        if let Some(raw) = self.top.get(word.span.clone()) {
            if raw == word.text {
                return Mapping::Offset(word.span.start);
            }
            for q in ['\'', '"'] {
                if raw.len() >= 2
                    && raw.starts_with(q)
                    && raw.ends_with(q)
                    && raw.get(1..raw.len() - 1) == Some(word.text.as_str())
                {
                    return Mapping::Offset(word.span.start + 1);
                }
            }
        }
        Mapping::Whole(word.span.clone())
    }
}

/// The grammar drops plain words between a command and a heredoc
/// (`python - <<EOF`); this recovers them from the gap.
fn dropped_words(f: &Frame, gap: Range<usize>) -> Vec<Word> {
    let Some(text) = f.src.get(gap.clone()) else {
        return Vec::new();
    };
    if text.trim().is_empty()
        || text.chars().any(|c| {
            matches!(
                c,
                ';' | '&' | '|' | '<' | '>' | '(' | ')' | '`' | '$' | '\'' | '"' | '\\'
            )
        })
    {
        return Vec::new();
    }
    let mut words = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                let piece = &text[s..i];
                words.push(Word {
                    text: piece.to_string(),
                    span: f.map.span(gap.start + s..gap.start + i),
                    literal: !piece.starts_with('~'),
                    glob: piece.contains(['*', '?']),
                });
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    words
}

/// What the redirections of a command or statement contribute.
#[derive(Default)]
struct Redirections<'n> {
    list: Vec<Redirect>,
    /// Commands in a heredoc's continuation (`<<EOF | cmd && cmd`).
    later: Vec<Node<'n>>,
    /// Words the grammar put after a redirection target (`> out a b`).
    words: Vec<Word>,
}

fn attach(cmd: &mut SimpleCommand, r: Redirect) {
    if r.target.span.start >= cmd.span.start {
        cmd.span.end = cmd.span.end.max(r.target.span.end);
    }
    cmd.redirects.push(r);
}

fn redirect_op(op: &str, target: &Word) -> RedirectOp {
    match op {
        ">" | ">|" | "&>" => RedirectOp::Out,
        ">>" | "&>>" => RedirectOp::Append,
        "<" => RedirectOp::In,
        ">&" if target.literal && !is_descriptor(&target.text) => RedirectOp::Out,
        _ => RedirectOp::Other,
    }
}

fn is_descriptor(t: &str) -> bool {
    let digits = t.strip_suffix('-').unwrap_or(t);
    t == "-" || (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// Applies `cd`, `pushd` and `popd` to the shell state.
fn change_directory(cmd: &SimpleCommand, env: &mut Env) {
    let Some(first) = cmd.words.first() else {
        return;
    };
    if !first.literal {
        return;
    }
    let operand = cmd
        .words
        .iter()
        .skip(1)
        .find(|w| !(w.text.starts_with('-') && w.text.len() > 1));
    let unknown = |text: &str| Word::unknown(text, cmd.span.clone());
    match first.text.as_str() {
        "cd" => enter_directory(&mut env.cwd, operand, unknown),
        "pushd" => {
            env.dir_stack.push(env.cwd.clone());
            match operand {
                Some(w) if w.text.starts_with('+') => env.cwd.push(unknown(&w.text)),
                None => env.cwd.push(unknown("")),
                _ => enter_directory(&mut env.cwd, operand, unknown),
            }
        }
        "popd" => match env.dir_stack.pop() {
            Some(previous) if operand.is_none() => env.cwd = previous,
            _ => env.cwd.push(unknown("")),
        },
        _ => {}
    }
}

fn enter_directory(cwd: &mut Vec<Word>, operand: Option<&Word>, unknown: impl Fn(&str) -> Word) {
    match operand {
        None => cwd.push(unknown("~")),
        Some(w) if w.text == "-" => cwd.push(unknown("-")),
        Some(w) => push_directory(cwd, w.clone()),
    }
}

fn push_directory(cwd: &mut Vec<Word>, dir: Word) {
    if dir.literal && dir.text.starts_with('/') {
        cwd.clear();
    }
    cwd.push(dir);
}

// ---------------------------------------------------------------------------
// Words
// ---------------------------------------------------------------------------

struct WordBuf {
    text: String,
    literal: bool,
    star: bool,
    bracket: bool,
}

fn word(f: &Frame, node: Node, depth: usize) -> Word {
    let mut buf = WordBuf {
        text: String::new(),
        literal: true,
        star: false,
        bracket: false,
    };
    decode(f, node, &mut buf, depth);
    let glob = buf.star || (buf.bracket && buf.text.contains(']'));
    Word {
        text: buf.text,
        span: f.span(node),
        literal: buf.literal,
        glob,
    }
}

fn decode(f: &Frame, node: Node, buf: &mut WordBuf, depth: usize) {
    let raw = f.text(node);
    if depth > MAX_DEPTH {
        buf.text.push_str(raw);
        buf.literal = false;
        return;
    }
    match node.kind() {
        "raw_string" => buf.text.push_str(strip_quotes(raw, '\'')),
        "string" => decode_double_quoted(f, node, buf, depth),
        "ansi_c_string" => decode_ansi_c(raw, buf),
        "translated_string" => match children(node).into_iter().find(|(_, n)| n.kind() == "string") {
            Some((_, s)) => decode_double_quoted(f, s, buf, depth + 1),
            None => buf.text.push_str(raw),
        },
        "simple_expansion" | "expansion" | "command_substitution" | "arithmetic_expansion" | "process_substitution" => {
            buf.text.push_str(raw);
            buf.literal = false;
        }
        _ if node.child_count() == 0 => decode_unquoted(raw, buf),
        _ => {
            let mut pos = node.start_byte();
            for (_, child) in children(node) {
                if child.start_byte() > pos {
                    decode_unquoted(f.src.get(pos..child.start_byte()).unwrap_or(""), buf);
                }
                decode(f, child, buf, depth + 1);
                pos = pos.max(child.end_byte());
            }
            if pos < node.end_byte() {
                decode_unquoted(f.src.get(pos..node.end_byte()).unwrap_or(""), buf);
            }
        }
    }
}

fn strip_quotes(raw: &str, q: char) -> &str {
    let inner = raw.strip_prefix(q).unwrap_or(raw);
    if raw.starts_with(q) {
        inner.strip_suffix(q).unwrap_or(inner)
    } else {
        inner
    }
}

fn decode_unquoted(s: &str, buf: &mut WordBuf) {
    if buf.text.is_empty() && s.starts_with('~') {
        buf.literal = false;
    }
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('\n') => {}
                Some('\r') if chars.peek() == Some(&'\n') => {
                    chars.next();
                }
                Some(n) => buf.text.push(n),
                None => buf.text.push('\\'),
            },
            '*' | '?' => {
                buf.star = true;
                buf.text.push(c);
            }
            '[' => {
                buf.bracket = true;
                buf.text.push(c);
            }
            _ => buf.text.push(c),
        }
    }
}

fn decode_double_quoted(f: &Frame, node: Node, buf: &mut WordBuf, depth: usize) {
    let raw = f.text(node);
    let start = node.start_byte() + usize::from(raw.starts_with('"'));
    let end = if raw.len() >= 2 && raw.ends_with('"') {
        node.end_byte() - 1
    } else {
        node.end_byte()
    };
    let mut pos = start;
    for (_, child) in children(node) {
        if !child.is_named() {
            continue;
        }
        let (cs, ce) = (child.start_byte().max(pos), child.end_byte().min(end));
        if cs > pos {
            unescape_double(f.src.get(pos..cs).unwrap_or(""), buf);
        }
        if ce <= cs {
            continue;
        }
        match child.kind() {
            "string_content" => unescape_double(f.src.get(cs..ce).unwrap_or(""), buf),
            _ => decode(f, child, buf, depth + 1),
        }
        pos = ce;
    }
    if pos < end {
        unescape_double(f.src.get(pos..end).unwrap_or(""), buf);
    }
}

fn unescape_double(s: &str, buf: &mut WordBuf) {
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            buf.text.push(c);
            continue;
        }
        match chars.peek().copied() {
            Some('$' | '`' | '"' | '\\') => {
                if let Some(n) = chars.next() {
                    buf.text.push(n);
                }
            }
            Some('\n') => {
                chars.next();
            }
            _ => buf.text.push('\\'),
        }
    }
}

fn decode_ansi_c(raw: &str, buf: &mut WordBuf) {
    let inner = raw.strip_prefix('$').unwrap_or(raw);
    let inner = strip_quotes(inner, '\'');
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            buf.text.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
            buf.text.push('\\');
            break;
        };
        let simple = match e {
            'n' => Some('\n'),
            't' => Some('\t'),
            'r' => Some('\r'),
            'a' => Some('\u{7}'),
            'b' => Some('\u{8}'),
            'e' | 'E' => Some('\u{1b}'),
            'f' => Some('\u{c}'),
            'v' => Some('\u{b}'),
            '\\' | '\'' | '"' | '?' => Some(e),
            _ => None,
        };
        if let Some(s) = simple {
            buf.text.push(s);
            continue;
        }
        let (radix, max) = match e {
            'x' => (16, 2),
            'u' => (16, 4),
            'U' => (16, 8),
            '0'..='7' => (8, 2),
            _ => {
                buf.text.push('\\');
                buf.text.push(e);
                continue;
            }
        };
        let mut value = if radix == 8 { e.to_digit(8).unwrap_or(0) } else { 0 };
        let mut taken = 0;
        while taken < max {
            match chars.peek().and_then(|d| d.to_digit(radix)) {
                Some(d) => {
                    value = value.saturating_mul(radix).saturating_add(d);
                    chars.next();
                    taken += 1;
                }
                None => break,
            }
        }
        match char::from_u32(value) {
            Some(ch) if radix == 8 || taken > 0 => buf.text.push(ch),
            _ => {
                buf.text.push('\\');
                buf.text.push(e);
            }
        }
    }
}

/// The part of `w` from byte `at` of its text on, as its own word. Its span
/// is exact when the source spells the part before `at` the way the text
/// does; otherwise it is the span of the whole word. Without the source, the
/// span is exact when the word's span and text have the same length.
fn split_word(w: &Word, at: usize, top: Option<&str>) -> Word {
    let Some(rest) = w.text.get(at..) else {
        return w.clone();
    };
    let head = &w.text[..at];
    let exact = match top {
        Some(top) => top.get(w.span.clone()).is_some_and(|raw| raw.starts_with(head)),
        None => w.span.len() == w.text.len(),
    };
    let span = if exact && w.span.start + at <= w.span.end {
        w.span.start + at..w.span.end
    } else {
        w.span.clone()
    };
    Word {
        text: rest.to_string(),
        span,
        literal: w.literal,
        glob: w.glob && rest.contains(['*', '?', '[']),
    }
}

// ---------------------------------------------------------------------------
// Wrappers and invocations
// ---------------------------------------------------------------------------

/// The last path component, without a `.exe` suffix.
fn program_name(text: &str) -> &str {
    let base = text.rsplit('/').next().unwrap_or(text);
    base.strip_suffix(".exe").unwrap_or(base)
}

fn is_versioned(name: &str, prefix: &str) -> bool {
    match name.strip_prefix(prefix) {
        Some("") => true,
        Some(rest) => {
            let parts: Vec<&str> = rest.split('.').collect();
            parts.len() <= 2
                && parts
                    .iter()
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        }
        None => false,
    }
}

fn is_python(name: &str) -> bool {
    name == "py" || is_versioned(name, "python") || is_versioned(name, "pypy")
}

fn is_pip(name: &str) -> bool {
    is_versioned(name, "pip")
}

fn is_option_text(t: &str) -> bool {
    t.len() > 1 && t.starts_with('-') && !is_number(&t[1..])
}

fn is_number(t: &str) -> bool {
    !t.is_empty()
        && t.bytes().any(|b| b.is_ascii_digit())
        && t.bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'e' || b == b'-')
}

fn is_assignment_word(t: &str) -> Option<usize> {
    let eq = t.find('=')?;
    let name = &t[..eq];
    let mut chars = name.chars();
    let head = chars.next()?;
    (head.is_ascii_alphabetic() || head == '_')
        .then_some(())
        .filter(|_| chars.all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .map(|_| eq)
}

/// Walks options from `i`: `valued` lists the ones taking a value (as
/// `-x V`, `-xV`, `--long V` or `--long=V`). Calls `seen` with each option
/// and its value; returns the index of the first operand.
fn walk_options(
    words: &[Word],
    mut i: usize,
    valued: &[&str],
    top: Option<&str>,
    mut seen: impl FnMut(&str, Option<Word>),
) -> usize {
    while let Some(w) = words.get(i) {
        let t = w.text.as_str();
        if t == "--" {
            return i + 1;
        }
        if !is_option_text(t) {
            return i;
        }
        if t.starts_with("--") {
            if let Some(eq) = t.find('=') {
                seen(&t[..eq], Some(split_word(w, eq + 1, top)));
                i += 1;
            } else if valued.contains(&t) {
                seen(t, words.get(i + 1).cloned());
                i += 2;
            } else {
                seen(t, None);
                i += 1;
            }
            continue;
        }
        let head = t.get(..2).unwrap_or(t);
        if valued.contains(&head) {
            if t.len() > 2 {
                seen(head, Some(split_word(w, 2, top)));
                i += 1;
            } else {
                seen(head, words.get(i + 1).cloned());
                i += 2;
            }
            continue;
        }
        seen(t, None);
        i += 1;
    }
    i
}

/// Removes wrappers in front of a command; returns the index of the real
/// program (0 when there is no wrapper, or nothing after it).
fn strip_wrappers(words: &[Word], top: &str, assignments: &mut Vec<(String, Word)>, cwd: &mut Vec<Word>) -> usize {
    let mut i = 0;
    for _ in 0..MAX_WRAPPERS {
        let mut assigns = Vec::new();
        let mut dirs = Vec::new();
        match unwrap_one(words, i, top, &mut assigns, &mut dirs) {
            Some(j) if j > i && j < words.len() => {
                i = j;
                assignments.extend(assigns);
                for dir in dirs {
                    push_directory(cwd, dir);
                }
            }
            _ => break,
        }
    }
    i
}

const SUDO_VALUED: &[&str] = &[
    "-u",
    "-g",
    "-C",
    "-D",
    "-h",
    "-p",
    "-r",
    "-t",
    "-U",
    "-T",
    "--user",
    "--group",
    "--chdir",
    "--host",
    "--prompt",
    "--role",
    "--type",
    "--other-user",
    "--close-from",
    "--command-timeout",
];
const UV_GLOBAL_VALUED: &[&str] = &[
    "--directory",
    "--project",
    "--cache-dir",
    "--color",
    "--config-file",
    "--python-preference",
    "--allow-insecure-host",
];
const UV_RUN_VALUED: &[&str] = &[
    "--with",
    "--with-requirements",
    "--with-editable",
    "--python",
    "--project",
    "--directory",
    "--extra",
    "--group",
    "--only-group",
    "--no-group",
    "--package",
    "--env-file",
    "--index",
    "--default-index",
    "--index-url",
    "--extra-index-url",
    "--find-links",
    "--index-strategy",
    "--resolution",
    "--prerelease",
    "--refresh-package",
    "--upgrade-package",
    "--reinstall-package",
    "--config-file",
    "--config-setting",
    "--cache-dir",
    "--color",
    "--python-platform",
    "--exclude-newer",
    "--link-mode",
    "--keyring-provider",
    "--no-binary-package",
    "--no-build-package",
    "-p",
    "-f",
    "-P",
    "-C",
    "-w",
];

fn unwrap_one(
    words: &[Word],
    i: usize,
    top: &str,
    assigns: &mut Vec<(String, Word)>,
    dirs: &mut Vec<Word>,
) -> Option<usize> {
    let w = words.get(i)?;
    if !w.literal {
        return None;
    }
    let top = Some(top);
    let next_is = |k: usize, s: &str| words.get(k).is_some_and(|w| w.text == s);
    let noop = |_: &str, _: Option<Word>| {};
    match program_name(&w.text) {
        "env" => {
            let mut j = i + 1;
            loop {
                j = walk_options(
                    words,
                    j,
                    &["-u", "--unset", "-C", "--chdir", "-S", "--split-string"],
                    top,
                    |name, value| {
                        if let (Some(v), "-C" | "--chdir") = (value, name) {
                            dirs.push(v);
                        }
                    },
                );
                match words.get(j) {
                    Some(w) if w.text == "-" => j += 1,
                    Some(w) => match is_assignment_word(&w.text) {
                        Some(eq) => {
                            assigns.push((w.text[..eq].to_string(), split_word(w, eq + 1, top)));
                            j += 1;
                        }
                        None => break,
                    },
                    None => break,
                }
            }
            Some(j)
        }
        "time" => Some(walk_options(
            words,
            i + 1,
            &["-f", "--format", "-o", "--output"],
            top,
            noop,
        )),
        "nohup" => Some(walk_options(words, i + 1, &[], top, noop)),
        "exec" => Some(walk_options(words, i + 1, &["-a"], top, noop)),
        "nice" => Some(walk_options(words, i + 1, &["-n", "--adjustment"], top, noop)),
        "timeout" => {
            let j = walk_options(words, i + 1, &["-s", "--signal", "-k", "--kill-after"], top, noop);
            (j < words.len()).then_some(j + 1)
        }
        "sudo" => {
            let mut j = walk_options(words, i + 1, SUDO_VALUED, top, |name, value| {
                if let (Some(v), "-D" | "--chdir") = (value, name) {
                    dirs.push(v);
                }
            });
            while let Some(w) = words.get(j) {
                let Some(eq) = is_assignment_word(&w.text) else {
                    break;
                };
                assigns.push((w.text[..eq].to_string(), split_word(w, eq + 1, top)));
                j += 1;
            }
            Some(j)
        }
        "stdbuf" => Some(walk_options(
            words,
            i + 1,
            &["-i", "-o", "-e", "--input", "--output", "--error"],
            top,
            noop,
        )),
        "command" => {
            if next_is(i + 1, "-v") || next_is(i + 1, "-V") {
                None
            } else {
                Some(walk_options(words, i + 1, &[], top, noop))
            }
        }
        "poetry" => {
            let j = walk_options(
                words,
                i + 1,
                &["-C", "--directory", "-P", "--project"],
                top,
                |name, value| {
                    if let (Some(v), "-C" | "--directory") = (value, name) {
                        dirs.push(v);
                    }
                },
            );
            next_is(j, "run").then(|| j + 1 + usize::from(next_is(j + 1, "--")))
        }
        "pipenv" | "pdm" | "hatch" | "rye" => {
            next_is(i + 1, "run").then(|| walk_options(words, i + 2, &["-p", "--project", "--venv"], top, noop))
        }
        "conda" | "mamba" | "micromamba" => next_is(i + 1, "run").then(|| {
            walk_options(
                words,
                i + 2,
                &["-n", "--name", "-p", "--prefix", "--cwd", "-r", "--root-prefix"],
                top,
                |name, value| {
                    if let (Some(v), "--cwd") = (value, name) {
                        dirs.push(v);
                    }
                },
            )
        }),
        "uv" => {
            let j = walk_options(words, i + 1, UV_GLOBAL_VALUED, top, |name, value| {
                if let (Some(v), "--directory") = (value, name) {
                    dirs.push(v);
                }
            });
            if !next_is(j, "run") {
                return None;
            }
            match uv_run(words, j + 1, top, dirs) {
                UvRun::Wrapper(k) => Some(k),
                UvRun::Python { .. } => None,
            }
        }
        _ => None,
    }
}

enum UvRun {
    /// `uv run [opts] PROGRAM …`: the program's index.
    Wrapper(usize),
    /// `uv run x.py`, `uv run -m mod`, `uv run --script x`: the index of the
    /// script or module.
    Python { at: usize, module: bool },
}

fn uv_run(words: &[Word], mut i: usize, top: Option<&str>, dirs: &mut Vec<Word>) -> UvRun {
    while let Some(w) = words.get(i) {
        let t = w.text.as_str();
        match t {
            "--" => {
                i += 1;
                break;
            }
            "-m" | "--module" => {
                return UvRun::Python {
                    at: i + 1,
                    module: true,
                };
            }
            "-s" | "--script" | "--gui-script" => {
                return UvRun::Python {
                    at: i + 1,
                    module: false,
                };
            }
            _ => {}
        }
        if !is_option_text(t) {
            break;
        }
        let (name, inline) = match t.find('=') {
            Some(eq) if t.starts_with("--") => (&t[..eq], Some(split_word(w, eq + 1, top))),
            _ => (t, None),
        };
        if inline.is_none() && UV_RUN_VALUED.contains(&name) {
            if name == "--directory"
                && let Some(v) = words.get(i + 1)
            {
                dirs.push(v.clone());
            }
            i += 2;
        } else {
            if let (Some(v), "--directory") = (inline, name) {
                dirs.push(v);
            }
            i += 1;
        }
    }
    match words.get(i) {
        Some(w) if w.text.ends_with(".py") || w.text.ends_with(".pyw") => UvRun::Python { at: i, module: false },
        _ => UvRun::Wrapper(i),
    }
}

/// For `sh -c STRING` and the like, the index of STRING.
fn shell_command_string(words: &[Word]) -> Option<usize> {
    let first = words.first()?;
    if !first.literal
        || !matches!(
            program_name(&first.text),
            "sh" | "bash" | "dash" | "zsh" | "ksh" | "ash" | "mksh"
        )
    {
        return None;
    }
    let mut has_c = false;
    let mut i = 1;
    while let Some(w) = words.get(i) {
        let t = w.text.as_str();
        if t == "--" || t == "-" {
            i += 1;
            break;
        }
        if let Some(long) = t.strip_prefix("--") {
            i += if matches!(long, "rcfile" | "init-file") { 2 } else { 1 };
            continue;
        }
        if (t.starts_with('-') || t.starts_with('+')) && t.len() > 1 {
            let opts = &t[1..];
            has_c |= t.starts_with('-') && opts.contains('c');
            i += if opts.contains(['o', 'O']) { 2 } else { 1 };
            continue;
        }
        break;
    }
    (has_c && i < words.len()).then_some(i)
}

fn analyze(words: &[Word], top: &str) -> Invocation {
    let Some(first) = words.first() else {
        return Invocation::Other;
    };
    let name = program_name(&first.text);
    if is_python(name) {
        return python_invocation(words, top);
    }
    if is_pip(name) {
        return pip_install(&words[1..], top).map_or(Invocation::Other, Invocation::Pip);
    }
    match name {
        "make" | "gmake" => Invocation::Make(make_run(words, top)),
        "uv" => uv_invocation(words, top),
        "torchrun" | "deepspeed" => Invocation::Python(launcher_run(words, 1, top)),
        "accelerate" if words.get(1).is_some_and(|w| w.text == "launch") => {
            Invocation::Python(launcher_run(words, 2, top))
        }
        _ => Invocation::Other,
    }
}

fn python_invocation(words: &[Word], top: &str) -> Invocation {
    let mut run = PythonRun {
        interpreter: words[0].clone(),
        script: None,
        module: None,
        args: Vec::new(),
    };
    let mut i = 1;
    while let Some(w) = words.get(i) {
        let t = w.text.as_str();
        if t == "-" {
            i += 1;
            break;
        }
        if t == "--" {
            run.script = words.get(i + 1).cloned();
            i += 2;
            break;
        }
        if t.starts_with("--") {
            i += if t == "--check-hash-based-pycs" { 2 } else { 1 };
            continue;
        }
        if !(t.starts_with('-') && t.len() > 1) {
            run.script = Some(w.clone());
            i += 1;
            break;
        }
        let mut stop = false;
        let mut skip_next = false;
        for (k, c) in t.char_indices().skip(1) {
            let at = k + c.len_utf8();
            let attached = at < t.len();
            match c {
                'W' | 'X' => {
                    skip_next = !attached;
                    break;
                }
                'm' => {
                    run.module = if attached {
                        Some(split_word(w, at, Some(top)))
                    } else {
                        skip_next = true;
                        words.get(i + 1).cloned()
                    };
                    stop = true;
                    break;
                }
                'c' => {
                    skip_next = !attached;
                    stop = true;
                    break;
                }
                _ => {}
            }
        }
        i += 1 + usize::from(skip_next);
        if stop {
            break;
        }
    }
    let rest = words.get(i..).unwrap_or(&[]);
    if run.module.as_ref().is_some_and(|m| m.text == "pip") {
        return pip_install(rest, top).map_or(Invocation::Other, Invocation::Pip);
    }
    run.args = parse_args(rest, Some(top));
    Invocation::Python(run)
}

const LAUNCHER_FLAGS: &[&str] = &[
    "standalone",
    "no-python",
    "run-path",
    "module",
    "use-env",
    "multi-gpu",
    "cpu",
    "tpu",
    "use-deepspeed",
    "use-fsdp",
    "use-megatron-lm",
    "debug",
    "quiet",
    "no-local-rank",
    "autotuning",
    "elastic-training",
    "bind-cores-to-rank",
    "enable-each-rank-log",
];

/// `torchrun`, `deepspeed`, `accelerate launch`: launcher options, then the
/// script (or, after `-m`/`--module`, the module) and its arguments.
fn launcher_run(words: &[Word], start: usize, top: &str) -> PythonRun {
    let mut run = PythonRun {
        interpreter: words[0].clone(),
        script: None,
        module: None,
        args: Vec::new(),
    };
    let mut module = false;
    let mut i = start;
    while let Some(w) = words.get(i) {
        let t = w.text.as_str();
        if t == "--" {
            i += 1;
            continue;
        }
        if t == "-m" || t == "--module" {
            module = true;
            i += 1;
            continue;
        }
        if is_option_text(t) {
            let name = t.trim_start_matches('-').replace('_', "-");
            let takes_next = !t.contains('=')
                && !LAUNCHER_FLAGS.contains(&name.as_str())
                && words
                    .get(i + 1)
                    .is_some_and(|n| !n.text.starts_with('-') && !n.text.ends_with(".py"));
            i += 1 + usize::from(takes_next);
            continue;
        }
        if module {
            run.module = Some(w.clone());
        } else {
            run.script = Some(w.clone());
        }
        i += 1;
        break;
    }
    run.args = parse_args(words.get(i..).unwrap_or(&[]), Some(top));
    run
}

fn uv_invocation(words: &[Word], top: &str) -> Invocation {
    let j = walk_options(words, 1, UV_GLOBAL_VALUED, Some(top), |_, _| {});
    match words.get(j).map(|w| w.text.as_str()) {
        Some("pip") => pip_install(&words[j + 1..], top).map_or(Invocation::Other, Invocation::Pip),
        Some("run") => match uv_run(words, j + 1, Some(top), &mut Vec::new()) {
            UvRun::Python { at, module } => {
                let target = words.get(at).cloned();
                let (script, module) = if module { (None, target) } else { (target, None) };
                Invocation::Python(PythonRun {
                    interpreter: words[0].clone(),
                    script,
                    module,
                    args: parse_args(words.get(at + 1..).unwrap_or(&[]), Some(top)),
                })
            }
            UvRun::Wrapper(_) => Invocation::Other,
        },
        _ => Invocation::Other,
    }
}

/// Splits script arguments into options with values, flags and positionals.
fn parse_args(words: &[Word], top: Option<&str>) -> Vec<Arg> {
    let mut args = Vec::new();
    let mut after_dashes = false;
    let mut i = 0;
    while let Some(w) = words.get(i) {
        let t = w.text.as_str();
        i += 1;
        if after_dashes || !is_option_text(t) {
            args.push(Arg {
                word: w.clone(),
                option: None,
            });
            continue;
        }
        if t == "--" {
            after_dashes = true;
            args.push(Arg {
                word: w.clone(),
                option: None,
            });
            continue;
        }
        if t.starts_with("--")
            && let Some(eq) = t.find('=')
        {
            args.push(Arg {
                word: split_word(w, eq + 1, top),
                option: Some(t[..eq].to_string()),
            });
            continue;
        }
        match words.get(i) {
            Some(next) if !next.text.starts_with('-') || is_number(&next.text[1..]) => {
                args.push(Arg {
                    word: next.clone(),
                    option: Some(t.to_string()),
                });
                i += 1;
            }
            _ => args.push(Arg {
                word: w.clone(),
                option: None,
            }),
        }
    }
    args
}

const PIP_GLOBAL_VALUED: &[&str] = &[
    "--python",
    "--log",
    "--log-file",
    "--proxy",
    "--retries",
    "--timeout",
    "--exists-action",
    "--trusted-host",
    "--cert",
    "--client-cert",
    "--cache-dir",
    "--src",
    "--use-feature",
    "--use-deprecated",
    "--keyring-provider",
];

const PIP_INSTALL_VALUED: &[&str] = &[
    "index-url",
    "extra-index-url",
    "find-links",
    "target",
    "prefix",
    "root",
    "upgrade-strategy",
    "cache-dir",
    "python-version",
    "platform",
    "implementation",
    "abi",
    "only-binary",
    "no-binary",
    "progress-bar",
    "timeout",
    "retries",
    "trusted-host",
    "src",
    "config-settings",
    "config-setting",
    "report",
    "log",
    "log-file",
    "proxy",
    "cert",
    "client-cert",
    "exists-action",
    "global-option",
    "install-option",
    "use-feature",
    "use-deprecated",
    "keyring-provider",
    "python",
    "index",
    "default-index",
    "index-strategy",
    "resolution",
    "prerelease",
    "link-mode",
    "python-platform",
    "exclude-newer",
    "override",
    "build-constraint",
    "reinstall-package",
    "upgrade-package",
    "no-binary-package",
    "no-build-package",
    "refresh-package",
    "extra",
    "group",
    "config-file",
    "color",
];

/// The arguments after `pip` (or `python -m pip`, `uv pip`); `None` unless
/// the subcommand is `install`.
fn pip_install(words: &[Word], top: &str) -> Option<PipInstall> {
    let top = Some(top);
    let mut i = 0;
    loop {
        let t = words.get(i)?.text.as_str();
        if !is_option_text(t) {
            break;
        }
        i += if !t.contains('=') && PIP_GLOBAL_VALUED.contains(&t) {
            2
        } else {
            1
        };
    }
    if words.get(i)?.text != "install" {
        return None;
    }
    i += 1;
    let mut pip = PipInstall::default();
    let mut after_dashes = false;
    while let Some(w) = words.get(i) {
        let t = w.text.as_str();
        if after_dashes || !is_option_text(t) {
            i += push_package(&mut pip.packages, &words[i..]);
            continue;
        }
        i += 1;
        if t == "--" {
            after_dashes = true;
            continue;
        }
        if let Some(long) = t.strip_prefix("--") {
            let (name, inline) = match long.find('=') {
                Some(eq) => (&long[..eq], Some(split_word(w, eq + 3, top))),
                None => (long, None),
            };
            let list = match name {
                "requirement" => Some(&mut pip.requirements),
                "constraint" => Some(&mut pip.constraints),
                "editable" => Some(&mut pip.editables),
                "upgrade" => {
                    pip.upgrade = true;
                    None
                }
                _ => None,
            };
            let valued =
                matches!(name, "requirement" | "constraint" | "editable") || PIP_INSTALL_VALUED.contains(&name);
            if valued {
                let value = match inline {
                    Some(v) => Some(v),
                    None => {
                        i += 1;
                        words.get(i - 1).cloned()
                    }
                };
                if let (Some(list), Some(v)) = (list, value) {
                    list.push(v);
                }
            }
            continue;
        }
        for (k, c) in t.char_indices().skip(1) {
            if c == 'U' {
                pip.upgrade = true;
                continue;
            }
            if !matches!(c, 'r' | 'c' | 'e' | 'i' | 'f' | 't' | 'C' | 'b' | 'p' | 'P') {
                continue;
            }
            let at = k + c.len_utf8();
            let value = if at < t.len() {
                Some(split_word(w, at, top))
            } else {
                i += 1;
                words.get(i - 1).cloned()
            };
            if let Some(v) = value {
                match c {
                    'r' => pip.requirements.push(v),
                    'c' => pip.constraints.push(v),
                    'e' => pip.editables.push(v),
                    _ => {}
                }
            }
            break;
        }
    }
    Some(pip)
}

/// Pushes one requirement, joining `name @ url` written as three words;
/// returns the number of words used.
fn push_package(packages: &mut Vec<Word>, words: &[Word]) -> usize {
    let first = &words[0];
    if let (Some(at), Some(url)) = (words.get(1), words.get(2))
        && at.text == "@"
    {
        let span = if first.span.start <= url.span.end {
            first.span.start..url.span.end
        } else {
            first.span.clone()
        };
        packages.push(Word {
            text: format!("{} @ {}", first.text, url.text),
            span,
            literal: first.literal && url.literal,
            glob: false,
        });
        return 3;
    }
    packages.push(first.clone());
    1
}

fn is_numeric(t: &str) -> bool {
    !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

fn make_run(words: &[Word], top: &str) -> MakeRun {
    let mut run = MakeRun {
        program: words[0].clone(),
        directory: None,
        makefile: None,
        targets: Vec::new(),
        variables: Vec::new(),
    };
    let top = Some(top);
    let mut dirs: Vec<Word> = Vec::new();
    let mut after_dashes = false;
    let mut i = 1;
    while let Some(w) = words.get(i) {
        let t = w.text.as_str();
        i += 1;
        if !after_dashes && t == "--" {
            after_dashes = true;
            continue;
        }
        if !after_dashes && t.starts_with("--") {
            let (name, inline) = match t.find('=') {
                Some(eq) => (&t[..eq], Some(split_word(w, eq + 1, top))),
                None => (t, None),
            };
            match name {
                "--directory" | "--file" | "--makefile" | "--include-dir" | "--old-file" | "--assume-old"
                | "--new-file" | "--assume-new" | "--what-if" => {
                    let value = inline.or_else(|| {
                        i += 1;
                        words.get(i - 1).cloned()
                    });
                    match (name, value) {
                        ("--directory", Some(v)) => dirs.push(v),
                        ("--file" | "--makefile", Some(v)) => {
                            run.makefile.get_or_insert(v);
                        }
                        _ => {}
                    }
                }
                "--jobs" | "--load-average" | "--max-load"
                    if inline.is_none() && words.get(i).is_some_and(|n| is_numeric(&n.text)) =>
                {
                    i += 1;
                }
                _ => {}
            }
            continue;
        }
        if !after_dashes && t.starts_with('-') && t.len() > 1 {
            for (k, c) in t.char_indices().skip(1) {
                let at = k + c.len_utf8();
                let rest = &t[at..];
                match c {
                    'C' | 'f' | 'I' | 'o' | 'W' => {
                        let value = if rest.is_empty() {
                            i += 1;
                            words.get(i - 1).cloned()
                        } else {
                            Some(split_word(w, at, top))
                        };
                        match (c, value) {
                            ('C', Some(v)) => dirs.push(v),
                            ('f', Some(v)) => {
                                run.makefile.get_or_insert(v);
                            }
                            _ => {}
                        }
                        break;
                    }
                    'j' | 'l' => {
                        if rest.is_empty() {
                            if words.get(i).is_some_and(|n| is_numeric(&n.text)) {
                                i += 1;
                            }
                            break;
                        }
                        if rest.starts_with(|d: char| d.is_ascii_digit()) {
                            break;
                        }
                    }
                    'O' => break,
                    _ => {}
                }
            }
            continue;
        }
        match make_variable(w, top) {
            Some(var) => run.variables.push(var),
            None => run.targets.push(w.clone()),
        }
    }
    run.directory = join_directories(&dirs);
    run
}

fn make_variable(w: &Word, top: Option<&str>) -> Option<(String, Word)> {
    let eq = w.text.find('=')?;
    let name = w.text[..eq].trim_end_matches([':', '+', '?', '!']);
    let valid = !name.is_empty()
        && !name.starts_with('-')
        && !name.contains(|c: char| c.is_whitespace() || matches!(c, ':' | '#' | '=' | '/'));
    valid.then(|| (name.to_string(), split_word(w, eq + 1, top)))
}

fn join_directories(dirs: &[Word]) -> Option<Word> {
    let (first, last) = (dirs.first()?, dirs.last()?);
    let mut text = String::new();
    for d in dirs {
        if d.text.starts_with('/') || text.is_empty() {
            text = d.text.clone();
        } else {
            text = format!("{}/{}", text.trim_end_matches('/'), d.text);
        }
    }
    let span = if first.span.start <= last.span.end {
        first.span.start..last.span.end
    } else {
        last.span.clone()
    };
    Some(Word {
        text,
        span,
        literal: dirs.iter().all(|d| d.literal),
        glob: dirs.iter().any(|d| d.glob),
    })
}

// ---------------------------------------------------------------------------
// File roles
// ---------------------------------------------------------------------------

/// How sure a role is; the highest rank per word wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    Guess,
    Context,
    Structure,
}

struct Candidate {
    word: Word,
    /// The directories the path is relative to, when not the command's `cwd`.
    dirs: Option<Vec<Word>>,
    role: Role,
    reason: &'static str,
    rank: Rank,
}

struct Uses<'c> {
    cmd: &'c SimpleCommand,
    /// Sets: a recipe of `$(OUTPUTS): $(INPUTS)` names each of a thousand
    /// inputs, each looked up among the thousand.
    targets: HashSet<String>,
    prerequisites: HashSet<String>,
    candidates: Vec<Candidate>,
    /// Further words to compare with the Make context.
    noted: Vec<Word>,
}

impl Uses<'_> {
    fn add(&mut self, word: &Word, role: Role, reason: &'static str, rank: Rank) {
        self.candidates.push(Candidate {
            word: word.clone(),
            dirs: None,
            role,
            reason,
            rank,
        });
    }

    fn read(&mut self, word: &Word, reason: &'static str) {
        self.add(word, Role::Read, reason, Rank::Structure);
    }

    fn write(&mut self, word: &Word, reason: &'static str) {
        self.add(word, Role::Write, reason, Rank::Structure);
    }

    fn note(&mut self, word: &Word) {
        self.noted.push(word.clone());
    }

    /// The path relative to the command's working directory, and the path
    /// resolved against all its literal `cd`s (None when one is not literal).
    fn locate(&self, text: &str, dirs: Option<&Vec<Word>>) -> (String, Option<String>) {
        let (resolved, known) = resolve_path(dirs.unwrap_or(&self.cmd.cwd), text);
        let relative = match dirs {
            None => normalize_path(text),
            Some(dirs) => relative_to(&self.cmd.cwd, dirs, text),
        };
        (relative, known.then_some(resolved))
    }

    fn context_role(&self, path: &str, resolved: Option<&str>) -> Option<(Role, &'static str)> {
        let listed = |set: &HashSet<String>| set.contains(path) || resolved.is_some_and(|r| set.contains(r));
        if listed(&self.targets) {
            Some((Role::Write, "target"))
        } else if listed(&self.prerequisites) {
            Some((Role::Read, "prerequisite"))
        } else {
            None
        }
    }

    fn finish(mut self) -> Vec<FileUse> {
        let mut extra = Vec::new();
        let words = self
            .candidates
            .iter()
            .map(|c| (&c.word, c.dirs.as_ref()))
            .chain(self.noted.iter().map(|w| (w, None)));
        for (word, dirs) in words {
            if !word.literal || !is_plain_path(&word.text) {
                continue;
            }
            let (path, resolved) = self.locate(&word.text, dirs);
            let Some((role, reason)) = self.context_role(&path, resolved.as_deref()) else {
                continue;
            };
            extra.push(Candidate {
                word: word.clone(),
                dirs: dirs.cloned(),
                role,
                reason,
                rank: Rank::Context,
            });
        }
        self.candidates.extend(extra);

        // the best ranked candidate of each word, in the order first seen
        let mut best: Vec<Candidate> = Vec::new();
        let mut seen: HashMap<(Range<usize>, String), usize> = HashMap::new();
        for c in std::mem::take(&mut self.candidates) {
            let acceptable = c.word.literal
                && is_plain_path(&c.word.text)
                && (c.rank > Rank::Guess || looks_like_path(&c.word.text));
            if !acceptable {
                continue;
            }
            match seen.entry((c.word.span.clone(), c.word.text.clone())) {
                Entry::Occupied(e) => {
                    let b = &mut best[*e.get()];
                    if b.rank < c.rank {
                        *b = c;
                    }
                }
                Entry::Vacant(e) => {
                    e.insert(best.len());
                    best.push(c);
                }
            }
        }
        let mut uses: Vec<FileUse> = best
            .into_iter()
            .map(|c| {
                let (path, resolved) = self.locate(&c.word.text, c.dirs.as_ref());
                FileUse {
                    path,
                    span: c.word.span,
                    role: c.role,
                    reason: c.reason,
                    resolved,
                    glob: c.word.glob,
                }
            })
            .collect();
        uses.sort_by_key(|u| u.span.start);
        uses
    }
}

/// Decides which words of `cmd` are files it reads or writes; see the module
/// documentation for the rules.
pub fn file_uses(cmd: &SimpleCommand, ctx: &FileContext) -> Vec<FileUse> {
    let normalized = |list: &[String]| {
        list.iter()
            .filter(|p| !p.trim().is_empty())
            .map(|p| normalize_path(p))
            .collect()
    };
    let mut uses = Uses {
        cmd,
        targets: normalized(ctx.targets),
        prerequisites: normalized(ctx.prerequisites),
        candidates: Vec::new(),
        noted: Vec::new(),
    };
    for r in &cmd.redirects {
        let role = match r.op {
            RedirectOp::In => Role::Read,
            RedirectOp::Out | RedirectOp::Append => Role::Write,
            RedirectOp::Other => continue,
        };
        uses.candidates.push(Candidate {
            word: r.target.clone(),
            dirs: r.cwd.clone(),
            role,
            reason: "redirect",
            rank: Rank::Structure,
        });
    }
    let note_words = match &cmd.invocation {
        Invocation::Python(run) => {
            python_uses(&mut uses, run);
            true
        }
        Invocation::Pip(pip) => {
            pip_uses(&mut uses, pip);
            true
        }
        Invocation::Make(make) => {
            uses.note(&make.program);
            if let Some(makefile) = &make.makefile {
                uses.candidates.push(Candidate {
                    word: makefile.clone(),
                    dirs: Some(cmd.cwd.iter().chain(&make.directory).cloned().collect()),
                    role: Role::Read,
                    reason: "makefile",
                    rank: Rank::Structure,
                });
            }
            false
        }
        Invocation::Other => other_uses(&mut uses, &cmd.words),
    };
    if note_words {
        for w in &cmd.words {
            uses.note(w);
        }
    }
    uses.finish()
}

/// Not empty, not an option, not a URL, not a device.
fn is_plain_path(t: &str) -> bool {
    !t.is_empty() && !t.starts_with('-') && !is_url(t) && !t.starts_with("/dev/")
}

/// Contains a `/` or ends in a file extension.
fn looks_like_path(t: &str) -> bool {
    if t.contains('/') {
        return true;
    }
    match t.rsplit_once('.') {
        Some((_, ext)) => {
            (1..=8).contains(&ext.len())
                && ext.bytes().all(|b| b.is_ascii_alphanumeric())
                && !ext.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

fn is_url(t: &str) -> bool {
    t.find("://").is_some_and(|at| {
        at > 0
            && t[..at]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    })
}

/// `host:path` and `user@host:path` operands of `rsync` and `scp`.
fn is_remote_host_path(t: &str) -> bool {
    is_url(t)
        || t.split_once(':')
            .is_some_and(|(host, _)| !host.is_empty() && !host.contains('/'))
}

/// `text`, which is relative to `dirs`, made relative to `cwd` instead,
/// where that can be written down; otherwise `text` itself.
fn relative_to(cwd: &[Word], dirs: &[Word], text: &str) -> String {
    if text.starts_with('/') {
        return normalize_path(text);
    }
    if let Some(extra) = dirs.strip_prefix(cwd)
        && extra.iter().all(|w| w.literal)
    {
        let mut joined: Vec<&str> = Vec::new();
        for w in extra {
            if w.text.starts_with('/') {
                joined.clear();
            }
            joined.push(w.text.as_str());
        }
        joined.push(text);
        return normalize_path(&joined.join("/"));
    }
    if let Some(extra) = cwd.strip_prefix(dirs)
        && extra.iter().all(|w| w.literal && !w.text.starts_with('/'))
    {
        let mut up = 0;
        for w in extra {
            for part in w.text.split('/') {
                match part {
                    "" | "." => {}
                    ".." => return normalize_path(text),
                    _ => up += 1,
                }
            }
        }
        return normalize_path(&format!("{}{text}", "../".repeat(up)));
    }
    normalize_path(text)
}

/// Joins `text` onto the directories; the flag says whether all of them
/// were literal since the last absolute one.
fn resolve_path(dirs: &[Word], text: &str) -> (String, bool) {
    if text.starts_with('/') {
        return (normalize_path(text), true);
    }
    let mut base = String::new();
    let mut known = true;
    for d in dirs {
        if !d.literal {
            known = false;
            base.clear();
        } else if d.text.starts_with('/') {
            known = true;
            base = d.text.clone();
        } else if base.is_empty() {
            base = d.text.clone();
        } else if !d.text.is_empty() {
            base = format!("{}/{}", base.trim_end_matches('/'), d.text);
        }
    }
    if !known {
        return (normalize_path(text), false);
    }
    let joined = if base.is_empty() {
        text.to_string()
    } else {
        format!("{}/{text}", base.trim_end_matches('/'))
    };
    (normalize_path(&joined), true)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OptionRole {
    Read,
    Write,
    Model,
}

/// Classifies a script option by its name.
fn classify_option(option: &str) -> Option<OptionRole> {
    let name = option.to_ascii_lowercase().replace('_', "-");
    match name.as_str() {
        "-o" => return Some(OptionRole::Write),
        "-i" => return Some(OptionRole::Read),
        _ => {}
    }
    let long = name.strip_prefix("--")?;
    if matches!(
        long,
        "model"
            | "model-path"
            | "model-file"
            | "model-dir"
            | "checkpoint"
            | "checkpoint-path"
            | "checkpoint-dir"
            | "ckpt"
            | "ckpt-path"
    ) {
        return Some(OptionRole::Model);
    }
    if matches!(
        long,
        "cache-dir" | "tmp-dir" | "tmpdir" | "temp-dir" | "work-dir" | "workdir" | "working-dir"
    ) {
        return None;
    }
    let output = matches!(
        long,
        "out"
            | "output"
            | "outputs"
            | "output-dir"
            | "out-dir"
            | "outdir"
            | "output-path"
            | "output-file"
            | "save"
            | "save-path"
            | "save-to"
            | "dest"
            | "destination"
            | "export"
            | "metrics"
            | "report"
            | "log"
            | "log-file"
            | "logfile"
            | "log-path"
            | "log-dir"
            | "logdir"
            | "logging-dir"
    ) || long.ends_with("-out")
        || long.ends_with("-output")
        || ["out-", "output-", "save-", "export-", "metrics-"]
            .iter()
            .any(|p| long.starts_with(p));
    if output {
        return Some(OptionRole::Write);
    }
    let input = matches!(
        long,
        "in" | "input"
            | "inputs"
            | "input-dir"
            | "data"
            | "data-dir"
            | "dataset"
            | "train"
            | "test"
            | "valid"
            | "val"
            | "validation"
            | "eval"
            | "features"
            | "config"
            | "params"
            | "src"
            | "source"
            | "from"
            | "load"
    ) || ["-in", "-input", "-path", "-file", "-dir"]
        .iter()
        .any(|s| long.ends_with(s))
        || ["input-", "train-", "test-", "valid-", "val-", "eval-"]
            .iter()
            .any(|p| long.starts_with(p));
    input.then_some(OptionRole::Read)
}

fn is_training_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.contains("train") || name.contains("fit") || name.contains("tune")
}

/// Whether a run trains: its script stem or module name mentions `train`,
/// `fit` or `tune` (for `pkg.train.main` the last two module parts count).
fn is_training_run(run: &PythonRun) -> bool {
    if let Some(script) = &run.script {
        let base = program_name(&script.text);
        let stem = base.rsplit_once('.').map_or(base, |(stem, _)| stem);
        return is_training_name(stem);
    }
    if let Some(module) = &run.module {
        let parts: Vec<&str> = module.text.split('.').collect();
        let last = parts.last().copied().unwrap_or("");
        let generic = matches!(last, "main" | "__main__" | "cli" | "run" | "app");
        return is_training_name(last) || (generic && parts.len() > 1 && is_training_name(parts[parts.len() - 2]));
    }
    false
}

/// `script_args`: the arguments of a script run (`python x.py ...`), whose
/// positional paths follow the `script INPUT... OUTPUT` convention.
fn classify_args(uses: &mut Uses, args: &[Arg], training: bool, script_args: bool) {
    let positional: Vec<&Word> = args
        .iter()
        .filter(|a| script_args && a.option.is_none() && a.word.literal && !a.word.text.starts_with('-'))
        .map(|a| &a.word)
        .filter(|w| looks_like_path(&w.text))
        .collect();
    if let Some((last, inputs)) = positional.split_last() {
        if inputs.is_empty() {
            uses.add(last, Role::Read, "positional input", Rank::Guess);
        } else {
            for w in inputs {
                uses.add(w, Role::Read, "positional input", Rank::Guess);
            }
            uses.add(last, Role::Write, "positional output (last of several)", Rank::Guess);
        }
    }
    for arg in args {
        uses.note(&arg.word);
        let Some(option) = &arg.option else {
            continue;
        };
        let (role, reason) = match classify_option(option) {
            Some(OptionRole::Write) => (Role::Write, "output option"),
            Some(OptionRole::Read) => (Role::Read, "input option"),
            Some(OptionRole::Model) if training => (Role::Write, "model option (training)"),
            Some(OptionRole::Model) => (Role::Read, "model option"),
            None => continue,
        };
        uses.add(&arg.word, role, reason, Rank::Guess);
    }
}

fn python_uses(uses: &mut Uses, run: &PythonRun) {
    if let Some(script) = &run.script {
        uses.read(script, "script");
    }
    classify_args(uses, &run.args, is_training_run(run), true);
}

fn pip_uses(uses: &mut Uses, pip: &PipInstall) {
    for w in &pip.requirements {
        uses.read(w, "pip requirements");
    }
    for w in &pip.constraints {
        uses.read(w, "pip constraints");
    }
    for w in pip.packages.iter().chain(&pip.editables) {
        let t = w.text.as_str();
        let archive = [".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz"]
            .iter()
            .any(|ext| t.ends_with(ext));
        if (t.contains('/') || archive) && !t.contains("://") && !t.contains(" @ ") {
            uses.read(w, "pip package");
        }
    }
}

/// Options of a command, split into valued options, flags and operands.
#[derive(Default)]
struct Scan {
    options: Vec<(String, Word)>,
    flags: Vec<String>,
    operands: Vec<Word>,
}

impl Scan {
    fn values<'s>(&'s self, names: &'s [&str]) -> impl Iterator<Item = &'s Word> + 's {
        self.options
            .iter()
            .filter(move |(n, _)| names.contains(&n.as_str()))
            .map(|(_, w)| w)
    }

    fn has(&self, names: &[&str]) -> bool {
        self.flags.iter().any(|f| names.contains(&f.as_str()))
            || self.options.iter().any(|(n, _)| names.contains(&n.as_str()))
    }
}

/// Scans `words` (a command's arguments): `short` lists the single-letter
/// options that take a value, `long` the long ones (without dashes).
fn scan(words: &[Word], short: &str, long: &[&str]) -> Scan {
    let mut s = Scan::default();
    let mut after_dashes = false;
    let mut i = 0;
    while let Some(w) = words.get(i) {
        let t = w.text.as_str();
        i += 1;
        if after_dashes || !is_option_text(t) {
            s.operands.push(w.clone());
            continue;
        }
        if t == "--" {
            after_dashes = true;
            continue;
        }
        if let Some(name) = t.strip_prefix("--") {
            if let Some(eq) = name.find('=') {
                s.options.push((t[..eq + 2].to_string(), split_word(w, eq + 3, None)));
            } else if long.contains(&name) {
                if let Some(v) = words.get(i) {
                    s.options.push((t.to_string(), v.clone()));
                    i += 1;
                }
            } else {
                s.flags.push(t.to_string());
            }
            continue;
        }
        for (k, c) in t.char_indices().skip(1) {
            if !short.contains(c) {
                s.flags.push(format!("-{c}"));
                continue;
            }
            let at = k + c.len_utf8();
            if at < t.len() {
                s.options.push((format!("-{c}"), split_word(w, at, None)));
            } else if let Some(v) = words.get(i) {
                s.options.push((format!("-{c}"), v.clone()));
                i += 1;
            }
            break;
        }
    }
    s
}

/// Source operands are read, the destination written; remote operands
/// (`is_remote`) are skipped but decide between upload and download.
fn copy_roles(uses: &mut Uses, operands: &[Word], is_remote: fn(&str) -> bool, reasons: (&'static str, &'static str)) {
    let Some((dst, srcs)) = operands.split_last() else {
        return;
    };
    if srcs.is_empty() {
        if !is_remote(&dst.text) {
            uses.read(dst, reasons.0);
        }
        return;
    }
    let dst_remote = is_remote(&dst.text);
    let src_remote = srcs.iter().any(|s| is_remote(&s.text));
    if !dst_remote {
        let reason = if src_remote { "download destination" } else { reasons.1 };
        uses.write(dst, reason);
    }
    let reason = if dst_remote { "upload source" } else { reasons.0 };
    for s in srcs.iter().filter(|s| !is_remote(&s.text)) {
        uses.read(s, reason);
    }
}

fn cloud_copy(uses: &mut Uses, words: &[Word], short: &str, long: &[&str]) {
    let s = scan(words, short, long);
    copy_roles(uses, &s.operands, is_url, ("copy source", "copy destination"));
}

const AWS_VALUED: &[&str] = &[
    "exclude",
    "include",
    "acl",
    "profile",
    "region",
    "endpoint-url",
    "storage-class",
    "sse",
    "sse-c",
    "sse-c-key",
    "sse-kms-key-id",
    "content-type",
    "cache-control",
    "content-disposition",
    "content-encoding",
    "content-language",
    "expires",
    "grants",
    "metadata",
    "metadata-directive",
    "website-redirect",
    "expected-size",
    "page-size",
    "request-payer",
    "source-region",
    "output",
    "color",
    "ca-bundle",
    "cli-read-timeout",
    "cli-connect-timeout",
    "checksum-algorithm",
    "copy-props",
];

const GCLOUD_VALUED: &[&str] = &[
    "project",
    "account",
    "billing-project",
    "configuration",
    "verbosity",
    "format",
    "impersonate-service-account",
    "exclude",
    "cache-control",
    "content-type",
    "content-encoding",
    "storage-class",
    "encryption-key",
    "manifest-path",
    "predefined-acl",
];

/// Commands whose words are never files (redirections still count).
const NO_FILES: &[&str] = &[
    "mkdir", "rm", "rmdir", "echo", "printf", "cd", "pushd", "popd", "test", "[", "[[", "ls", "true", "false", ":",
    "exit", "return", "sleep", "export", "unset", "declare", "local", "readonly", "typeset", "set", "shift", "trap",
    "wait", "read", "eval", "chmod", "chown", "chgrp", "kill", "which", "type", "hash", "date", "pwd", "whoami", "id",
    "uname",
];

/// Commands with option conventions of their own: no option-name guesses.
const NO_GUESSES: &[&str] = &[
    "git",
    "docker",
    "podman",
    "kubectl",
    "helm",
    "ssh",
    "find",
    "xargs",
    "command",
    "exec",
    "apt",
    "apt-get",
    "yum",
    "dnf",
    "apk",
    "brew",
    "npm",
    "npx",
    "yarn",
    "pnpm",
    "cargo",
    "go",
    "conda",
    "mamba",
    "micromamba",
    "poetry",
    "pipenv",
    "uv",
    "pip",
    "tensorboard",
    "nvidia-smi",
    "systemctl",
    "service",
    "crontab",
    "sudo",
];

/// Rules for everything but Python, pip and make. Returns whether the
/// command's words may be compared with the Make context.
fn other_uses(uses: &mut Uses, words: &[Word]) -> bool {
    let Some(first) = words.first() else {
        return false;
    };
    let name = program_name(&first.text);
    let args = &words[1..];
    let sub = |k: usize| args.get(k).map_or("", |w| w.text.as_str());
    if NO_FILES.contains(&name) {
        return false;
    }
    match name {
        "tee" => {
            for w in scan(args, "", &[]).operands {
                uses.write(&w, "tee");
            }
        }
        "touch" => {
            let s = scan(args, "dtr", &["date", "reference"]);
            for w in s.values(&["-r", "--reference"]) {
                uses.read(w, "touch reference");
            }
            for w in &s.operands {
                uses.write(w, "touch");
            }
        }
        "cp" | "mv" | "ln" | "install" => {
            let short = if name == "install" { "tSgmo" } else { "tS" };
            let long: &[&str] = &["target-directory", "suffix", "group", "mode", "owner"];
            let s = scan(args, short, long);
            let reasons = match name {
                "mv" => ("move source", "move destination"),
                "ln" => ("link target", "link name"),
                _ => ("copy source", "copy destination"),
            };
            let target_dir: Vec<Word> = s.values(&["-t", "--target-directory"]).cloned().collect();
            if target_dir.is_empty() {
                copy_roles(uses, &s.operands, |_| false, reasons);
            } else {
                for w in &target_dir {
                    uses.write(w, reasons.1);
                }
                for w in &s.operands {
                    uses.read(w, reasons.0);
                }
            }
        }
        "rsync" | "scp" => {
            let (short, long): (&str, &[&str]) = if name == "rsync" {
                (
                    "eBfTM",
                    &[
                        "exclude",
                        "include",
                        "filter",
                        "rsh",
                        "exclude-from",
                        "include-from",
                        "files-from",
                        "chmod",
                        "chown",
                        "bwlimit",
                        "timeout",
                        "port",
                        "log-file",
                        "partial-dir",
                        "temp-dir",
                        "backup-dir",
                        "suffix",
                        "compare-dest",
                        "link-dest",
                        "copy-dest",
                        "max-size",
                        "min-size",
                        "password-file",
                        "out-format",
                        "rsync-path",
                    ],
                )
            } else {
                ("cFiJloPS", &[])
            };
            let s = scan(args, short, long);
            for w in s.values(&["--exclude-from", "--include-from", "--files-from"]) {
                uses.read(w, "file list");
            }
            copy_roles(
                uses,
                &s.operands,
                is_remote_host_path,
                ("copy source", "copy destination"),
            );
        }
        "curl" => curl_uses(uses, args),
        "wget" => {
            let s = scan(
                args,
                "OoaiPUtTwelBQARDIX",
                &[
                    "output-document",
                    "output-file",
                    "append-output",
                    "input-file",
                    "directory-prefix",
                    "user-agent",
                    "tries",
                    "timeout",
                    "wait",
                    "level",
                    "base",
                    "header",
                    "user",
                    "password",
                    "post-data",
                    "post-file",
                ],
            );
            for (n, w) in &s.options {
                match n.as_str() {
                    "-O" | "--output-document" => uses.write(w, "download destination"),
                    "-o" | "-a" | "--output-file" | "--append-output" => uses.write(w, "log"),
                    "-i" | "--input-file" | "--post-file" => uses.read(w, "wget input"),
                    _ => {}
                }
            }
        }
        "aws" => {
            if let Some(k) = args.iter().position(|w| w.text == "s3")
                && matches!(sub(k + 1), "cp" | "mv" | "sync")
            {
                cloud_copy(uses, &args[k + 2..], "", AWS_VALUED);
            }
        }
        "gsutil" => {
            let mut k = 0;
            while is_option_text(sub(k)) {
                k += if matches!(sub(k), "-o" | "-h" | "-u") { 2 } else { 1 };
            }
            if matches!(sub(k), "cp" | "mv" | "rsync") {
                cloud_copy(uses, &args[k + 1..], "azjsLx", &[]);
            }
        }
        "gcloud" => {
            if let Some(k) = args.iter().position(|w| w.text == "storage")
                && matches!(sub(k + 1), "cp" | "mv" | "rsync")
            {
                cloud_copy(uses, &args[k + 2..], "", GCLOUD_VALUED);
            }
        }
        "azcopy" => {
            if matches!(sub(0), "copy" | "cp" | "sync") {
                cloud_copy(uses, &args[1..], "", &[]);
            }
        }
        "hdfs" | "hadoop" => {
            if let Some(k) = args.iter().position(|w| w.text.starts_with('-')) {
                let operands = scan(&args[k + 1..], "", &[]).operands;
                match sub(k) {
                    "-put" | "-copyFromLocal" | "-moveFromLocal" => {
                        if let Some((_, srcs)) = operands.split_last() {
                            for w in srcs {
                                uses.read(w, "upload source");
                            }
                        }
                    }
                    "-get" | "-copyToLocal" | "-getmerge" => {
                        if let Some(dst) = operands.last().filter(|_| operands.len() > 1) {
                            uses.write(dst, "download destination");
                        }
                    }
                    _ => {}
                }
            }
        }
        "sed" => {
            let s = scan(args, "efl", &["expression", "file", "line-length"]);
            for w in s.values(&["-f", "--file"]) {
                uses.read(w, "sed script");
            }
            let in_place = s
                .flags
                .iter()
                .chain(s.options.iter().map(|(n, _)| n))
                .any(|f| f == "-i" || f.starts_with("--in-place"));
            let skip = usize::from(!s.has(&["-e", "--expression", "-f", "--file"]));
            for w in s.operands.iter().skip(skip) {
                if in_place {
                    uses.write(w, "sed -i");
                } else {
                    uses.read(w, "input");
                }
            }
        }
        "grep" | "egrep" | "fgrep" | "zgrep" => {
            let s = scan(
                args,
                "efmABCdD",
                &[
                    "regexp",
                    "file",
                    "max-count",
                    "after-context",
                    "before-context",
                    "context",
                    "label",
                    "binary-files",
                    "devices",
                    "directories",
                    "exclude-from",
                ],
            );
            for w in s.values(&["-f", "--file"]) {
                uses.read(w, "grep patterns");
            }
            let skip = usize::from(!s.has(&["-e", "--regexp", "-f", "--file"]));
            for w in s.operands.iter().skip(skip) {
                uses.read(w, "input");
            }
        }
        "awk" | "gawk" | "mawk" | "nawk" => {
            let s = scan(args, "fvF", &["file", "assign", "field-separator"]);
            for w in s.values(&["-f", "--file"]) {
                uses.read(w, "awk script");
            }
            let skip = usize::from(!s.has(&["-f", "--file"]));
            for w in s.operands.iter().skip(skip) {
                if is_assignment_word(&w.text).is_none() {
                    uses.read(w, "input");
                }
            }
        }
        "jq" | "yq" => jq_uses(uses, args),
        "cat" | "head" | "tail" | "wc" | "sort" | "cut" | "diff" | "cmp" | "md5sum" | "sha1sum" | "sha256sum"
        | "sha512sum" | "shasum" | "zcat" | "paste" | "comm" | "file" | "nl" | "tac" | "less" | "more" | "csvlook"
        | "csvstat" => {
            let s = scan(
                args,
                "nckotTSdfbai",
                &[
                    "lines",
                    "bytes",
                    "key",
                    "output",
                    "field-separator",
                    "buffer-size",
                    "temporary-directory",
                    "delimiter",
                    "fields",
                    "characters",
                    "algorithm",
                ],
            );
            for w in s.values(&["-o", "--output"]) {
                uses.write(w, "output");
            }
            for w in &s.operands {
                uses.read(w, "input");
            }
        }
        "uniq" => {
            let s = scan(args, "fsw", &["skip-fields", "skip-chars", "check-chars"]);
            if let Some(w) = s.operands.first() {
                uses.read(w, "input");
            }
            if let Some(w) = s.operands.get(1) {
                uses.write(w, "output");
            }
        }
        "gzip" | "gunzip" | "bzip2" | "bunzip2" | "xz" | "unxz" | "zstd" | "unzstd" | "lz4" => {
            let s = scan(args, "So", &["suffix", "output"]);
            for w in s.values(&["-o", "--output"]) {
                uses.write(w, "output");
            }
            for w in &s.operands {
                uses.read(w, "input");
            }
        }
        "tar" | "bsdtar" | "gtar" => tar_uses(uses, args),
        "unzip" => {
            let s = scan(args, "dxP", &[]);
            if let Some(w) = s.operands.first() {
                uses.read(w, "archive");
            }
        }
        "zip" => {
            let s = scan(args, "bnPZtxi", &[]);
            if let Some((archive, inputs)) = s.operands.split_first() {
                uses.write(archive, "archive");
                for w in inputs {
                    uses.read(w, "archive input");
                }
            }
        }
        "papermill" => papermill_uses(uses, args),
        "jupyter" if matches!(sub(0), "nbconvert" | "execute") => {
            let s = scan(
                &args[1..],
                "",
                &[
                    "to",
                    "output",
                    "output-dir",
                    "template",
                    "template-file",
                    "config",
                    "log-level",
                    "writer",
                    "post",
                    "kernel",
                ],
            );
            for w in s.values(&["--output", "--output-dir"]) {
                uses.write(w, "notebook output");
            }
            let in_place = s.has(&["--inplace"]);
            for w in &s.operands {
                if in_place {
                    uses.write(w, "notebook (in place)");
                } else {
                    uses.read(w, "notebook");
                }
            }
        }
        "dvc" => {
            let k = match (sub(0), sub(1)) {
                ("run", _) => 1,
                ("stage", "add") => 2,
                _ => return true,
            };
            dvc_uses(uses, &args[k..]);
        }
        "spark-submit" => {
            let mut i = 0;
            while let Some(w) = args.get(i) {
                let t = w.text.as_str();
                if !is_option_text(t) {
                    break;
                }
                let flag = t.contains('=') || matches!(t, "--verbose" | "-v" | "--supervise" | "--help" | "--version");
                i += if flag { 1 } else { 2 };
            }
            if let Some(app) = args.get(i) {
                uses.read(app, "script");
                classify_args(uses, &parse_args(&args[i + 1..], None), false, true);
            }
        }
        "source" | "." => {
            // Activating a virtualenv or conda env is setup, not data.
            if let Some(w) = args.first().filter(|w| !program_name(&w.text).starts_with("activate")) {
                uses.read(w, "source");
            }
        }
        "sh" | "bash" | "zsh" | "dash" | "ksh" | "node" | "Rscript" | "julia" | "perl" | "ruby" | "Rscript.exe" => {
            let mut i = 0;
            while let Some(w) = args.get(i) {
                let t = w.text.as_str();
                if t == "--" {
                    i += 1;
                    break;
                }
                if !(is_option_text(t) || (t.starts_with('+') && t.len() > 1)) {
                    break;
                }
                let inline_code = t.starts_with('-')
                    && !t.starts_with("--")
                    && (t.contains('c') || t.contains('e') || t.contains('E'))
                    && name != "julia";
                if inline_code || matches!(t, "--eval" | "--print" | "-p") {
                    return true;
                }
                let valued = matches!(
                    t,
                    "-o" | "+o" | "-O" | "+O" | "--rcfile" | "--init-file" | "-r" | "--require"
                );
                i += if valued { 2 } else { 1 };
            }
            if let Some(script) = args.get(i) {
                uses.read(script, "script");
                let training = is_training_name(program_name(&script.text));
                classify_args(uses, &parse_args(&args[i + 1..], None), training, true);
            }
        }
        _ if NO_GUESSES.contains(&name) => {}
        _ => {
            let training = is_training_name(name)
                || args
                    .first()
                    .is_some_and(|w| !w.text.starts_with('-') && is_training_name(&w.text));
            classify_args(uses, &parse_args(args, None), training, false);
        }
    }
    true
}

fn curl_uses(uses: &mut Uses, args: &[Word]) {
    let s = scan(
        args,
        "oTKdFHAeuxXmwEbcrCyYzUQtPD",
        &[
            "output",
            "upload-file",
            "config",
            "data",
            "data-binary",
            "data-ascii",
            "data-raw",
            "data-urlencode",
            "json",
            "form",
            "form-string",
            "header",
            "user-agent",
            "referer",
            "user",
            "proxy",
            "request",
            "max-time",
            "connect-timeout",
            "write-out",
            "cert",
            "key",
            "cacert",
            "cookie",
            "cookie-jar",
            "dump-header",
            "range",
            "retry",
            "retry-delay",
            "output-dir",
            "limit-rate",
            "url",
        ],
    );
    for (n, w) in &s.options {
        match n.as_str() {
            "-o" | "--output" => uses.write(w, "download destination"),
            "-T" | "--upload-file" => uses.read(w, "upload source"),
            "-K" | "--config" => uses.read(w, "curl config"),
            "-d" | "--data" | "--data-binary" | "--data-ascii" | "--json" if w.text.starts_with('@') => {
                uses.read(&split_word(w, 1, None), "upload source");
            }
            "--data-urlencode" | "-F" | "--form" => {
                if let Some(at) = w.text.find(['@', '<']) {
                    let mut file = split_word(w, at + 1, None);
                    if let Some(semi) = file.text.find(';') {
                        if file.span.len() == file.text.len() {
                            file.span.end = file.span.start + semi;
                        }
                        file.text.truncate(semi);
                    }
                    uses.read(&file, "upload source");
                }
            }
            _ => {}
        }
    }
}

fn jq_uses(uses: &mut Uses, args: &[Word]) {
    let mut have_filter = false;
    let mut rest_are_args = false;
    let mut i = 0;
    while let Some(w) = args.get(i) {
        let t = w.text.as_str();
        i += 1;
        if rest_are_args {
            continue;
        }
        match t {
            "--arg" | "--argjson" => i += 2,
            "--slurpfile" | "--rawfile" => {
                if let Some(file) = args.get(i + 1) {
                    uses.read(file, "input");
                }
                i += 2;
            }
            "-f" | "--from-file" => {
                if let Some(file) = args.get(i) {
                    uses.read(file, "jq script");
                }
                have_filter = true;
                i += 1;
            }
            "--indent" | "-L" => i += 1,
            "--args" | "--jsonargs" => rest_are_args = have_filter,
            _ if is_option_text(t) => {}
            _ if !have_filter => have_filter = true,
            _ => uses.read(w, "input"),
        }
    }
}

fn tar_uses(uses: &mut Uses, args: &[Word]) {
    let mut create = false;
    let mut archive = None;
    let mut operands = Vec::new();
    let mut i = 0;
    while let Some(w) = args.get(i) {
        let t = w.text.as_str();
        i += 1;
        // Old style: the first word is a bundle of letters without a dash.
        let old_style = i == 1 && !t.starts_with('-') && t.bytes().all(|b| b.is_ascii_alphabetic());
        if let Some(long) = t.strip_prefix("--") {
            let (name, inline) = match long.find('=') {
                Some(eq) => (&long[..eq], Some(split_word(w, eq + 3, None))),
                None => (long, None),
            };
            match name {
                "create" | "append" | "update" => create = true,
                "file" | "directory" | "files-from" | "exclude-from" | "use-compress-program" => {
                    let value = inline.or_else(|| {
                        i += 1;
                        args.get(i - 1).cloned()
                    });
                    match (name, value) {
                        ("file", Some(v)) => archive = Some(v),
                        ("files-from" | "exclude-from", Some(v)) => uses.read(&v, "file list"),
                        _ => {}
                    }
                }
                _ => {}
            }
            continue;
        }
        if !(old_style || is_option_text(t)) {
            operands.push(w.clone());
            continue;
        }
        let letters = t.trim_start_matches('-');
        let offset = t.len() - letters.len();
        for (k, c) in letters.char_indices() {
            match c {
                'c' | 'r' | 'u' | 'A' => create = true,
                'f' | 'C' | 'T' | 'X' | 'I' | 'b' | 'H' | 'K' | 'N' | 'g' | 'V' => {
                    let at = offset + k + c.len_utf8();
                    let value = if !old_style && at < t.len() {
                        Some(split_word(w, at, None))
                    } else {
                        i += 1;
                        args.get(i - 1).cloned()
                    };
                    match (c, value) {
                        ('f', Some(v)) => archive = Some(v),
                        ('T' | 'X', Some(v)) => uses.read(&v, "file list"),
                        _ => {}
                    }
                    if !old_style {
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    if let Some(archive) = archive {
        if create {
            uses.write(&archive, "archive");
        } else {
            uses.read(&archive, "archive");
        }
    }
    if create {
        for w in &operands {
            uses.read(w, "archive input");
        }
    }
}

fn papermill_uses(uses: &mut Uses, args: &[Word]) {
    let mut positional = Vec::new();
    let mut i = 0;
    while let Some(w) = args.get(i) {
        let t = w.text.as_str();
        i += 1;
        if !is_option_text(t) {
            positional.push(w.clone());
            continue;
        }
        if t.starts_with("--") && t.contains('=') {
            continue;
        }
        match t.replace('_', "-").as_str() {
            "-p" | "--parameters" | "-r" | "--parameters-raw" => i += 2,
            "-f" | "--parameters-file" => {
                if let Some(file) = args.get(i) {
                    uses.read(file, "parameters");
                }
                i += 1;
            }
            "--stdout-file" | "--stderr-file" => {
                if let Some(file) = args.get(i) {
                    uses.write(file, "log");
                }
                i += 1;
            }
            "-y"
            | "--parameters-yaml"
            | "-b"
            | "--parameters-base64"
            | "-k"
            | "--kernel"
            | "-l"
            | "--language"
            | "--cwd"
            | "--log-level"
            | "--start-timeout"
            | "--execution-timeout"
            | "--autosave-cell-every"
            | "--engine" => i += 1,
            _ => {}
        }
    }
    if let Some(w) = positional.first() {
        uses.read(w, "notebook");
    }
    if let Some(w) = positional.get(1) {
        uses.write(w, "notebook output");
    }
}

fn dvc_uses(uses: &mut Uses, args: &[Word]) {
    let mut i = 0;
    while let Some(w) = args.get(i) {
        let t = w.text.as_str();
        if !is_option_text(t) {
            break;
        }
        i += 1;
        let (name, value) = match t.find('=') {
            Some(eq) if t.starts_with("--") => (&t[..eq], Some(split_word(w, eq + 1, None))),
            _ => (t, None),
        };
        let role = match name {
            "-d" | "--deps" => Some(Role::Read),
            "-o"
            | "-O"
            | "--outs"
            | "--outs-no-cache"
            | "--outs-persist"
            | "--outs-persist-no-cache"
            | "-m"
            | "-M"
            | "--metrics"
            | "--metrics-no-cache"
            | "--plots"
            | "--plots-no-cache" => Some(Role::Write),
            "-n" | "--name" | "-p" | "--params" | "-w" | "--wdir" | "--desc" | "--file" => None,
            _ => continue,
        };
        let value = value.or_else(|| {
            i += 1;
            args.get(i - 1).cloned()
        });
        match (role, value) {
            (Some(Role::Read), Some(v)) => uses.read(&v, "dvc dependency"),
            (Some(Role::Write), Some(v)) => uses.write(&v, "dvc output"),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commands(text: &str) -> Vec<SimpleCommand> {
        let script = parse(text);
        assert!(!script.has_errors, "unexpected syntax errors in {text:?}");
        script.commands
    }

    fn argv(cmd: &SimpleCommand) -> Vec<&str> {
        cmd.words.iter().map(|w| w.text.as_str()).collect()
    }

    fn all_argv(text: &str) -> Vec<Vec<String>> {
        commands(text)
            .iter()
            .map(|c| c.words.iter().map(|w| w.text.clone()).collect())
            .collect()
    }

    fn cwd(cmd: &SimpleCommand) -> Vec<&str> {
        cmd.cwd.iter().map(|w| w.text.as_str()).collect()
    }

    fn at<'t>(text: &'t str, span: &Range<usize>) -> &'t str {
        &text[span.clone()]
    }

    fn python(cmd: &SimpleCommand) -> &PythonRun {
        match &cmd.invocation {
            Invocation::Python(run) => run,
            other => panic!("not a python run: {other:?}"),
        }
    }

    fn pip(cmd: &SimpleCommand) -> &PipInstall {
        match &cmd.invocation {
            Invocation::Pip(p) => p,
            other => panic!("not a pip install: {other:?}"),
        }
    }

    fn make(cmd: &SimpleCommand) -> &MakeRun {
        match &cmd.invocation {
            Invocation::Make(m) => m,
            other => panic!("not a make run: {other:?}"),
        }
    }

    fn texts(words: &[Word]) -> Vec<&str> {
        words.iter().map(|w| w.text.as_str()).collect()
    }

    fn args(run: &PythonRun) -> Vec<(Option<&str>, &str)> {
        run.args
            .iter()
            .map(|a| (a.option.as_deref(), a.word.text.as_str()))
            .collect()
    }

    /// (role, resolved path, reason) for every command of `text`.
    fn uses_in(text: &str, targets: &[&str], prerequisites: &[&str]) -> Vec<(Role, String, &'static str)> {
        let targets: Vec<String> = targets.iter().map(|s| s.to_string()).collect();
        let prerequisites: Vec<String> = prerequisites.iter().map(|s| s.to_string()).collect();
        let ctx = FileContext {
            prerequisites: &prerequisites,
            targets: &targets,
        };
        parse(text)
            .commands
            .iter()
            .flat_map(|c| file_uses(c, &ctx))
            .map(|u| (u.role, u.resolved.unwrap_or(u.path), u.reason))
            .collect()
    }

    fn uses(text: &str) -> Vec<(Role, String, &'static str)> {
        uses_in(text, &[], &[])
    }

    fn read(path: &str, reason: &'static str) -> (Role, String, &'static str) {
        (Role::Read, path.to_string(), reason)
    }

    fn write(path: &str, reason: &'static str) -> (Role, String, &'static str) {
        (Role::Write, path.to_string(), reason)
    }

    // -- splitting ---------------------------------------------------------

    #[test]
    fn splits_lists_pipelines_and_sequences() {
        let text = "a 1 && b 2 || c 3; d | e & f\ng";
        assert_eq!(
            all_argv(text),
            [
                vec!["a", "1"],
                vec!["b", "2"],
                vec!["c", "3"],
                vec!["d"],
                vec!["e"],
                vec!["f"],
                vec!["g"]
            ]
        );
        for c in commands(text) {
            assert_eq!(
                at(text, &c.span),
                c.words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ")
            );
        }
    }

    #[test]
    fn reports_commands_inside_compound_statements_in_order() {
        let text = "if [ -f x ]; then a; elif b; then c; else d; fi\n\
                    for f in *.csv; do e \"$f\"; done\n\
                    while read l; do g; done < list.txt\n\
                    case $X in a) h;; *) i;; esac\n\
                    (j && k) || { l; m; }\n\
                    fn() { n; }";
        let names: Vec<String> = commands(text).iter().map(|c| c.words[0].text.clone()).collect();
        assert_eq!(
            names,
            [
                "[", "a", "b", "c", "d", "e", "read", "g", "h", "i", "j", "k", "l", "m", "n"
            ]
        );
    }

    #[test]
    fn long_and_chains_are_walked_without_limit() {
        let text = "a && ".repeat(3000) + "b";
        let script = parse(&text);
        assert!(!script.has_errors);
        assert_eq!(script.commands.len(), 3001);
        assert_eq!(script.commands[3000].words[0].text, "b");
    }

    #[test]
    fn command_substitutions_are_words_not_commands() {
        let text = "python run.py --tag $(git rev-parse HEAD) --at `date +%s` <(cat x) \"v$(id -u)\"";
        let cmds = commands(text);
        assert_eq!(cmds.len(), 1);
        let w = &cmds[0].words;
        assert_eq!(w[3].text, "$(git rev-parse HEAD)");
        assert!(!w[3].literal);
        assert_eq!(w[5].text, "`date +%s`");
        assert!(!w[5].literal);
        assert_eq!(w[6].text, "<(cat x)");
        assert_eq!(w[7].text, "v$(id -u)");
        assert!(!w[7].literal);
        assert!(w[1].literal && w[2].literal);

        let cmds = commands("X=$(python a.py) && echo $X");
        assert_eq!(cmds.len(), 1);
        assert_eq!(argv(&cmds[0]), ["echo", "$X"]);
    }

    #[test]
    fn make_output_after_expansion() {
        // `@echo "==> training"; $$(echo) …` once Make has expanded `$$`.
        let text = "echo \"==> training\"; $(echo python3) train.py --out models/m.pkl";
        let cmds = commands(text);
        assert_eq!(argv(&cmds[0]), ["echo", "==> training"]);
        assert_eq!(cmds[1].words[0].text, "$(echo python3)");
        assert!(!cmds[1].words[0].literal);
        assert_eq!(cmds[1].invocation, Invocation::Other);
        // A leftover `@` prefix is just part of the program name.
        assert_eq!(argv(&commands("@echo hi")[0]), ["@echo", "hi"]);
    }

    // -- words -------------------------------------------------------------

    #[test]
    fn quotes_and_escapes_are_resolved() {
        let text = r#"cmd 'a b' "c \"d\" \$e \\ f" g\ h $'i\tj\x41' k"l"'m' "$HOME/x" '$NOT' ''"#;
        let cmds = commands(text);
        let w = &cmds[0].words;
        assert_eq!(w[1].text, "a b");
        assert_eq!(w[2].text, "c \"d\" $e \\ f");
        assert!(w[2].literal);
        assert_eq!(w[3].text, "g h");
        assert_eq!(w[4].text, "i\tjA");
        assert_eq!(w[5].text, "klm");
        assert_eq!(w[6].text, "$HOME/x");
        assert!(!w[6].literal);
        assert_eq!(w[7].text, "$NOT");
        assert!(w[7].literal);
        assert_eq!(w[8].text, "");
        assert_eq!(at(text, &w[1].span), "'a b'");
    }

    #[test]
    fn globs_and_tildes() {
        let cmds = commands("cat data/*.csv 'q*.txt' x?.json ~/notes.md a[0-9].txt .[dev]");
        let w = &cmds[0].words;
        assert!(w[1].has_glob() && w[1].literal);
        assert!(!w[2].has_glob());
        assert!(w[3].has_glob());
        assert!(!w[4].literal, "tilde expansion makes a word non-literal");
        assert!(w[5].has_glob());
        assert_eq!(w[6].text, ".[dev]");
    }

    #[test]
    fn backslash_newline_continuations() {
        let text = "python train.py \\\n\t--data data/train.csv \\\n\t--out models/m.pkl \\\n\t--epochs 3";
        let cmds = commands(text);
        assert_eq!(cmds.len(), 1);
        let run = python(&cmds[0]);
        assert_eq!(run.script.as_ref().unwrap().text, "train.py");
        assert_eq!(
            args(run),
            [
                (Some("--data"), "data/train.csv"),
                (Some("--out"), "models/m.pkl"),
                (Some("--epochs"), "3")
            ]
        );
        assert_eq!(at(text, &run.args[1].word.span), "models/m.pkl");
        // A continuation inside a word joins the halves.
        assert_eq!(argv(&commands("echo ab\\\ncd")[0]), ["echo", "abcd"]);
    }

    // -- heredocs ----------------------------------------------------------

    #[test]
    fn heredoc_bodies_are_not_commands() {
        let text = "cat <<EOF > params.yaml\nrm -rf /\nlr: $LR\nEOF\npython train.py";
        let cmds = commands(text);
        assert_eq!(cmds.len(), 2);
        assert_eq!(argv(&cmds[0]), ["cat"]);
        let ops: Vec<_> = cmds[0]
            .redirects
            .iter()
            .map(|r| (r.op, r.target.text.as_str()))
            .collect();
        assert_eq!(ops, [(RedirectOp::Other, "EOF"), (RedirectOp::Out, "params.yaml")]);
        assert_eq!(argv(&cmds[1]), ["python", "train.py"]);
    }

    #[test]
    fn heredoc_followed_by_pipeline_and_list() {
        let text = "cat <<'SQL' | psql -f - && echo done\nselect 1;\nSQL\nls";
        assert_eq!(
            all_argv(text),
            [vec!["cat"], vec!["psql", "-f", "-"], vec!["echo", "done"], vec!["ls"]]
        );
    }

    #[test]
    fn python_reading_a_heredoc_keeps_its_dash() {
        let text = "python3 - <<'PY' > out/report.txt\nimport sys\nPY";
        let cmds = commands(text);
        assert_eq!(argv(&cmds[0]), ["python3", "-"]);
        let run = python(&cmds[0]);
        assert!(run.script.is_none() && run.module.is_none());
        assert_eq!(uses(text), [write("out/report.txt", "redirect")]);
    }

    // -- redirections ------------------------------------------------------

    #[test]
    fn redirection_operators() {
        let text = "a > o1 2>&1; b >> o2 2> e2; c < i3; d &> o4; e >| o5; f >& o6; g <<< \"hi\"; h 2>/dev/null";
        let cmds = commands(text);
        let ops: Vec<Vec<(RedirectOp, &str, Option<u32>)>> = cmds
            .iter()
            .map(|c| {
                c.redirects
                    .iter()
                    .map(|r| (r.op, r.target.text.as_str(), r.fd))
                    .collect()
            })
            .collect();
        use RedirectOp::*;
        assert_eq!(
            ops,
            [
                vec![(Out, "o1", None), (Other, "1", Some(2))],
                vec![(Append, "o2", None), (Out, "e2", Some(2))],
                vec![(In, "i3", None)],
                vec![(Out, "o4", None)],
                vec![(Out, "o5", None)],
                vec![(Out, "o6", None)],
                vec![(Other, "hi", None)],
                vec![(Out, "/dev/null", Some(2))],
            ]
        );
        assert_eq!(at(text, &cmds[0].span), "a > o1 2>&1");
    }

    #[test]
    fn redirection_after_a_list_belongs_to_its_last_command() {
        let text = "cd ml && python score.py > scores.csv";
        let cmds = commands(text);
        assert!(cmds[0].redirects.is_empty());
        assert_eq!(cmds[1].redirects[0].target.text, "scores.csv");
        assert_eq!(at(text, &cmds[1].span), "python score.py > scores.csv");
        assert_eq!(
            uses(text),
            [read("ml/score.py", "script"), write("ml/scores.csv", "redirect")]
        );
    }

    #[test]
    fn redirection_after_compound_commands() {
        let text = "for f in a b; do python p.py $f; done > all.log\nwhile read l; do echo $l; done < list.txt";
        let cmds = commands(text);
        assert_eq!(cmds[0].redirects[0].target.text, "all.log");
        assert_eq!(at(text, &cmds[0].span), "python p.py $f");
        assert_eq!(argv(&cmds[1]), ["read", "l"]);
        assert_eq!(cmds[1].redirects[0].op, RedirectOp::In);
        // The file is opened before the subshell changes directory.
        assert_eq!(uses("(cd sub && make) > build.log"), [write("build.log", "redirect")]);
    }

    // -- assignments and environment ---------------------------------------

    #[test]
    fn assignments_from_prefixes_env_and_export() {
        let text = "export DATA=/data SEED=0; CUDA_VISIBLE_DEVICES=0 env -u X LR=0.1 python a.py; echo x";
        let cmds = commands(text);
        assert_eq!(argv(&cmds[0]), ["export", "DATA=/data", "SEED=0"]);
        let names = |c: &SimpleCommand| -> Vec<String> {
            c.assignments.iter().map(|(n, w)| format!("{n}={}", w.text)).collect()
        };
        assert_eq!(argv(&cmds[1]), ["python", "a.py"]);
        assert_eq!(
            names(&cmds[1]),
            ["DATA=/data", "SEED=0", "CUDA_VISIBLE_DEVICES=0", "LR=0.1"]
        );
        assert_eq!(names(&cmds[2]), ["DATA=/data", "SEED=0"]);
        let lr = &cmds[1].assignments[3].1;
        assert_eq!(at(text, &lr.span), "0.1");
        // Assignment values are words like any other.
        let cmds = commands("OUT=\"$DIR/x y\" python b.py");
        assert_eq!(cmds[0].assignments[0].1.text, "$DIR/x y");
        assert!(!cmds[0].assignments[0].1.literal);
    }

    // -- working directory -------------------------------------------------

    #[test]
    fn cd_chains_accumulate_and_absolute_paths_reset() {
        let cmds = commands("cd ml && cd src; python a.py && cd /opt/app && python b.py");
        assert_eq!(cwd(&cmds[2]), ["ml", "src"]);
        assert_eq!(cwd(&cmds[4]), ["/opt/app"]);
    }

    #[test]
    fn cd_without_literal_directory_makes_cwd_unknown() {
        let cmds = commands("cd x; cd -; a; cd; b; cd $DIR; c; cd ~/p; d; cd /abs; e");
        assert_eq!(cwd(&cmds[2]), ["x", "-"]);
        assert!(!cmds[2].cwd[1].literal);
        assert!(!cmds[4].cwd.last().unwrap().literal);
        assert_eq!(cmds[6].cwd.last().unwrap().text, "$DIR");
        assert!(!cmds[8].cwd.last().unwrap().literal);
        assert_eq!(cwd(&cmds[10]), ["/abs"]);
        let u = file_uses(&commands("cd $D && python t.py")[1], &FileContext::default());
        assert_eq!(u[0].path, "t.py");
        assert!(u[0].resolved.is_none());
    }

    #[test]
    fn subshells_and_background_jobs_do_not_leak_cwd() {
        let cmds = commands("(cd a && x) ; y; cd b & z; cd q && u & t; pushd c; w; popd; v");
        let by_name = |n: &str| cmds.iter().find(|c| c.words[0].text == n).unwrap();
        assert_eq!(cwd(by_name("x")), ["a"]);
        assert!(by_name("y").cwd.is_empty());
        assert!(by_name("z").cwd.is_empty());
        assert_eq!(cwd(by_name("u")), ["q"]);
        assert!(by_name("t").cwd.is_empty());
        assert_eq!(cwd(by_name("w")), ["c"]);
        assert!(by_name("v").cwd.is_empty());
    }

    #[test]
    fn cd_flows_through_the_pipeline_after_it() {
        let cmds = commands("cd ml && python t.py 2>&1 | tee log.txt");
        assert_eq!(cwd(&cmds[2]), ["ml"]);
    }

    // -- wrappers ----------------------------------------------------------

    #[test]
    fn wrappers_are_removed() {
        let cases = [
            "nohup python a.py",
            "time python a.py",
            "time -p python a.py",
            "timeout 3600 python a.py",
            "timeout -k 10 --signal=KILL 1h python a.py",
            "nice -n 10 python a.py",
            "nice python a.py",
            "exec python a.py",
            "env PYTHONPATH=src python a.py",
            "env -i python a.py",
            "sudo -E -u ml python a.py",
            "stdbuf -oL python a.py",
            "command python a.py",
            "poetry run python a.py",
            "poetry -C svc run python a.py",
            "pipenv run python a.py",
            "pdm run python a.py",
            "uv run python a.py",
            "uv run --with pandas --python 3.11 -- python a.py",
            "conda run -n ml python a.py",
            "conda run --name ml --no-capture-output python a.py",
            "micromamba run -n ml python a.py",
            "nohup timeout 60 nice -n 5 env A=1 poetry run python a.py",
        ];
        for text in cases {
            let cmds = commands(text);
            assert_eq!(argv(&cmds[0]), ["python", "a.py"], "{text}");
            assert_eq!(python(&cmds[0]).script.as_ref().unwrap().text, "a.py", "{text}");
        }
        // A wrapper with nothing after it stays as it is.
        assert_eq!(argv(&commands("env")[0]), ["env"]);
        assert_eq!(argv(&commands("command -v python3")[0]), ["command", "-v", "python3"]);
        // Directories given to wrappers count as working directories.
        assert_eq!(cwd(&commands("env -C svc python a.py")[0]), ["svc"]);
        assert_eq!(cwd(&commands("conda run -n x --cwd /w python a.py")[0]), ["/w"]);
    }

    // -- sh -c -------------------------------------------------------------

    #[test]
    fn shell_strings_are_parsed_recursively() {
        let text = "bash -c 'python a.py > out.csv'";
        let cmds = commands(text);
        assert_eq!(cmds.len(), 1);
        assert_eq!(argv(&cmds[0]), ["python", "a.py"]);
        assert_eq!(at(text, &cmds[0].span), "python a.py > out.csv");
        assert_eq!(at(text, &cmds[0].words[1].span), "a.py");
        assert_eq!(at(text, &cmds[0].redirects[0].target.span), "out.csv");
        assert_eq!(
            uses_in(text, &["out.csv"], &[]),
            [read("a.py", "script"), write("out.csv", "redirect")]
        );
    }

    #[test]
    fn shell_string_variants() {
        for text in [
            "sh -c 'cd x && make all'",
            "bash -lc \"cd x && make all\"",
            "bash -euo pipefail -c 'cd x && make all'",
            "/bin/sh -ec 'cd x && make all'",
            "nohup sh -c 'cd x && make all' &",
        ] {
            let cmds = commands(text);
            assert_eq!(cmds.len(), 2, "{text}");
            assert_eq!(cwd(&cmds[1]), ["x"], "{text}");
            assert_eq!(make(&cmds[1]).targets[0].text, "all", "{text}");
            assert_eq!(at(text, &cmds[1].words[0].span), "make", "{text}");
        }
        // Escapes in the string: every span is the whole string.
        let text = r#"bash -c "python a.py --tag \"$T\"" > log.txt"#;
        let cmds = commands(text);
        assert_eq!(argv(&cmds[0]), ["python", "a.py", "--tag", "$T"]);
        assert_eq!(at(text, &cmds[0].words[1].span), r#""python a.py --tag \"$T\"""#);
        assert_eq!(cmds[0].redirects[0].target.text, "log.txt");
        // Nested strings.
        let cmds = commands("sh -c \"bash -c 'python deep.py'\"");
        assert_eq!(argv(&cmds[0]), ["python", "deep.py"]);
        // Outer assignments reach the inner commands.
        let cmds = commands("A=1 sh -c 'python x.py'");
        assert_eq!(cmds[0].assignments[0].0, "A");
        // Not a command string.
        assert_eq!(argv(&commands("bash run.sh -c x")[0]), ["bash", "run.sh", "-c", "x"]);
        assert_eq!(argv(&commands("bash -c")[0]), ["bash", "-c"]);
    }

    // -- python ------------------------------------------------------------

    #[test]
    fn python_interpreters_are_recognised() {
        for name in [
            "python",
            "python3",
            "python3.11",
            "python2.7",
            "/usr/bin/python3",
            ".venv/bin/python",
            "venv/bin/python3",
            "py",
            "pypy3",
            "$VENV/bin/python",
        ] {
            let cmds = commands(&format!("{name} a.py"));
            assert_eq!(python(&cmds[0]).interpreter.text, name);
        }
        for name in ["python3-config", "pythonic", "pyenv", "ipython"] {
            assert_eq!(
                commands(&format!("{name} a.py"))[0].invocation,
                Invocation::Other,
                "{name}"
            );
        }
    }

    #[test]
    fn python_interpreter_options_are_skipped() {
        let run = |text: &str| python(&commands(text)[0]).clone();
        let r = run("python -u -O -B -W ignore -X importtime -E s.py --x 1");
        assert_eq!(args(&r), [(Some("--x"), "1")]);
        assert_eq!(r.script.unwrap().text, "s.py");
        let r = run("python -Wignore -um pkg.mod arg");
        assert_eq!(r.module.unwrap().text, "pkg.mod");
        let text = "python -mpkg.tool --in a.csv";
        let cmds = commands(text);
        let m = python(&cmds[0]).module.clone().unwrap();
        assert_eq!((m.text.as_str(), at(text, &m.span)), ("pkg.tool", "pkg.tool"));
        let r = run("python -c 'import x; x.main()' --out o.csv");
        assert!(r.script.is_none() && r.module.is_none());
        assert_eq!(r.args[0].option.as_deref(), Some("--out"));
        let r = run("python3 -- -weird.py");
        assert_eq!(r.script.unwrap().text, "-weird.py");
    }

    #[test]
    fn script_arguments() {
        let text = "python t.py pos --out=o/x.pkl -o y.json --verbose --lr -0.1 --dry-run -- --not-opt last";
        let cmds = commands(text);
        let run = python(&cmds[0]);
        assert_eq!(
            args(run),
            [
                (None, "pos"),
                (Some("--out"), "o/x.pkl"),
                (Some("-o"), "y.json"),
                (None, "--verbose"),
                (Some("--lr"), "-0.1"),
                (None, "--dry-run"),
                (None, "--"),
                (None, "--not-opt"),
                (None, "last"),
            ]
        );
        assert_eq!(at(text, &run.args[1].word.span), "o/x.pkl");
        // A quoted value after `=` still gets its own span.
        let text = "python t.py --out=\"a b/c.csv\"";
        let cmds = commands(text);
        let w = &python(&cmds[0]).args[0].word;
        assert_eq!((w.text.as_str(), at(text, &w.span)), ("a b/c.csv", "\"a b/c.csv\""));
    }

    #[test]
    fn python_launchers() {
        let cmds = commands(
            "torchrun --nproc_per_node 4 --standalone train.py --output_dir runs/x; \
             accelerate launch --num_processes=2 -m pkg.finetune --model m.bin; \
             deepspeed --num_gpus 2 ds_train.py --deepspeed ds.json; \
             uv run scripts/prep.py --input raw.json; uv run -m pkg.cli --x 1",
        );
        let r = python(&cmds[0]);
        assert_eq!(
            (r.interpreter.text.as_str(), r.script.as_ref().unwrap().text.as_str()),
            ("torchrun", "train.py")
        );
        assert_eq!(args(r), [(Some("--output_dir"), "runs/x")]);
        assert_eq!(python(&cmds[1]).module.as_ref().unwrap().text, "pkg.finetune");
        assert_eq!(python(&cmds[2]).script.as_ref().unwrap().text, "ds_train.py");
        assert_eq!(python(&cmds[3]).script.as_ref().unwrap().text, "scripts/prep.py");
        assert_eq!(python(&cmds[4]).module.as_ref().unwrap().text, "pkg.cli");
        assert_eq!(commands("uv run pytest -x")[0].words[0].text, "pytest");
    }

    // -- pip ---------------------------------------------------------------

    #[test]
    fn pip_install_forms() {
        let forms = [
            "pip install pandas",
            "pip3 install pandas",
            "pip3.11 install pandas",
            "python -m pip install pandas",
            "python3 -u -m pip install pandas",
            "uv pip install pandas",
            ".venv/bin/pip install pandas",
            "pip --disable-pip-version-check --cache-dir .cache/pip install pandas",
            "pip install --no-cache-dir -i https://pypi.org/simple --extra-index-url https://x/y pandas",
            "pip install --target vendor --upgrade-strategy eager --no-binary :all: pandas",
            "pip install --progress-bar off --timeout 60 -f wheels/ pandas",
        ];
        for text in forms {
            let cmds = commands(text);
            assert_eq!(texts(&pip(&cmds[0]).packages), ["pandas"], "{text}");
        }
        for text in [
            "pip uninstall -y pandas",
            "pip freeze > requirements.txt",
            "pip download pandas",
            "pip list",
            "python -m pip wheel .",
            "pip show pandas",
        ] {
            assert_eq!(commands(text)[0].invocation, Invocation::Other, "{text}");
        }
    }

    #[test]
    fn pip_install_details() {
        let cmds = commands("python3 -m pip install --upgrade pip setuptools wheel");
        let p = pip(&cmds[0]);
        assert!(p.upgrade);
        assert_eq!(texts(&p.packages), ["pip", "setuptools", "wheel"]);

        let cmds = commands("pip install -q -r requirements.txt -c constraints.txt");
        let p = pip(&cmds[0]);
        assert_eq!(texts(&p.requirements), ["requirements.txt"]);
        assert_eq!(texts(&p.constraints), ["constraints.txt"]);
        assert!(p.packages.is_empty() && !p.upgrade);

        let text =
            "pip install -rreq/dev.txt --requirement=req/test.txt --constraint c.txt -qU -e . --editable=libs/core";
        let cmds = commands(text);
        let p = pip(&cmds[0]);
        assert_eq!(texts(&p.requirements), ["req/dev.txt", "req/test.txt"]);
        assert_eq!(at(text, &p.requirements[0].span), "req/dev.txt");
        assert_eq!(at(text, &p.requirements[1].span), "req/test.txt");
        assert_eq!(texts(&p.constraints), ["c.txt"]);
        assert_eq!(texts(&p.editables), [".", "libs/core"]);
        assert!(p.upgrade);

        let cmds = commands(
            "pip install \"git+https://github.com/org/repo.git@v1.2#egg=repo\" \"pandas>=2,<3\" \
             'scikit-learn==1.4.2' numpy>=1.2 torch @ https://x.org/torch.whl",
        );
        assert_eq!(
            texts(&pip(&cmds[0]).packages),
            [
                "git+https://github.com/org/repo.git@v1.2#egg=repo",
                "pandas>=2,<3",
                "scikit-learn==1.4.2",
                "numpy",
                "torch @ https://x.org/torch.whl"
            ]
        );
        // `numpy>=1.2` unquoted is a redirection to a file named `=1.2`.
        assert_eq!(cmds[0].redirects[0].target.text, "=1.2");
    }

    #[test]
    fn venv_bootstrap_line() {
        let text = "test -d .venv || python3 -m venv .venv && . .venv/bin/activate && pip install -e .";
        let cmds = commands(text);
        assert_eq!(cmds.len(), 4);
        assert_eq!(python(&cmds[1]).module.as_ref().unwrap().text, "venv");
        assert_eq!(argv(&cmds[2]), [".", ".venv/bin/activate"]);
        assert_eq!(texts(&pip(&cmds[3]).editables), ["."]);
        assert_eq!(uses_in(text, &[".venv"], &[]), [write(".venv", "target")]);
    }

    // -- make --------------------------------------------------------------

    #[test]
    fn make_invocations() {
        let text = "make -C services/ingest build JOBS=4";
        let cmds = commands(text);
        let m = make(&cmds[0]);
        assert_eq!(m.program.text, "make");
        assert_eq!(m.directory.as_ref().unwrap().text, "services/ingest");
        assert_eq!(texts(&m.targets), ["build"]);
        assert_eq!(m.variables[0].0, "JOBS");
        assert_eq!(m.variables[0].1.text, "4");
        assert_eq!(at(text, &m.variables[0].1.span), "4");

        let cmds = commands(
            "gmake -C a -Cb --directory=c -f build.mk -j 8 -k -s --no-print-directory -Otarget \
             -l 2.5 -sj4 -j lint CC:=gcc PREFIX+=/x all",
        );
        let m = make(&cmds[0]);
        assert_eq!(m.directory.as_ref().unwrap().text, "a/b/c");
        assert_eq!(m.makefile.as_ref().unwrap().text, "build.mk");
        assert_eq!(texts(&m.targets), ["lint", "all"]);
        let vars: Vec<_> = m.variables.iter().map(|(n, w)| (n.as_str(), w.text.as_str())).collect();
        assert_eq!(vars, [("CC", "gcc"), ("PREFIX", "/x")]);

        let m = make(&commands("make -C a -C /abs --file=x.mk --jobs=3 t")[0]).clone();
        assert_eq!(m.directory.unwrap().text, "/abs");
        assert_eq!(m.makefile.unwrap().text, "x.mk");
        assert_eq!(texts(&m.targets), ["t"]);
        assert_eq!(uses("make -C sub -f build.mk"), [read("sub/build.mk", "makefile")]);
    }

    // -- file uses: realistic recipe lines ----------------------------------

    #[test]
    fn training_recipe_line() {
        let text = "cd ml && PYTHONPATH=. python -u -m train.main --data ../data/x.parquet \
                    --out models/m.pkl 2>&1 | tee logs/train.log";
        let cmds = commands(text);
        assert_eq!(cmds.len(), 3);
        let run = python(&cmds[1]);
        assert_eq!(run.module.as_ref().unwrap().text, "train.main");
        assert_eq!(cmds[1].assignments[0].0, "PYTHONPATH");
        assert_eq!(cwd(&cmds[1]), ["ml"]);
        assert_eq!(
            uses_in(text, &["ml/models/m.pkl"], &["data/x.parquet"]),
            [
                read("data/x.parquet", "prerequisite"),
                write("ml/models/m.pkl", "target"),
                write("ml/logs/train.log", "tee"),
            ]
        );
        assert_eq!(
            uses(text),
            [
                read("data/x.parquet", "input option"),
                write("ml/models/m.pkl", "output option"),
                write("ml/logs/train.log", "tee"),
            ]
        );
        let ctx = FileContext::default();
        let u = file_uses(&cmds[1], &ctx);
        assert_eq!(at(text, &u[0].span), "../data/x.parquet");
        assert_eq!(u[0].path, "../data/x.parquet");
        assert_eq!(u[0].resolved.as_deref(), Some("data/x.parquet"));
    }

    #[test]
    fn paths_are_relative_to_the_command_and_resolved_separately() {
        let located = |text: &str| -> Vec<(String, Option<String>)> {
            parse(text)
                .commands
                .iter()
                .flat_map(|c| file_uses(c, &FileContext::default()))
                .map(|u| (u.path, u.resolved))
                .collect()
        };
        let pair = |p: &str, r: Option<&str>| (p.to_string(), r.map(str::to_string));
        assert_eq!(
            located("cd ml && python t.py --out ./models/m.pkl"),
            [
                pair("t.py", Some("ml/t.py")),
                pair("models/m.pkl", Some("ml/models/m.pkl"))
            ]
        );
        // Opened before the subshell's `cd`: `cwd` joined with `path` is right.
        assert_eq!(
            located("(cd a/b && make) > build.log"),
            [pair("../../build.log", Some("build.log"))]
        );
        assert_eq!(
            located("cd x && make -C sub -f build.mk"),
            [pair("sub/build.mk", Some("x/sub/build.mk"))]
        );
        assert_eq!(located("cd $(CURDIR_UNKNOWN) && cat in.txt"), [pair("in.txt", None)]);
        assert_eq!(
            located("cd /srv && cat /etc/x.conf ../y.txt"),
            [
                pair("/etc/x.conf", Some("/etc/x.conf")),
                pair("../y.txt", Some("/y.txt"))
            ]
        );
        // The Make context matches either form.
        assert_eq!(
            uses_in("cd ml && python t.py a.csv", &[], &["a.csv"]),
            [read("ml/t.py", "script"), read("ml/a.csv", "prerequisite")]
        );
    }

    #[test]
    fn make_context_matches_after_normalising() {
        let text = "python featurize.py ./data/raw.csv data/features.parquet";
        assert_eq!(
            uses_in(text, &["./data/features.parquet"], &["data/raw.csv", "featurize.py"]),
            [
                read("featurize.py", "script"),
                read("data/raw.csv", "prerequisite"),
                write("data/features.parquet", "target")
            ]
        );
        // Without context, positionals follow `script.py INPUT... OUTPUT`.
        assert_eq!(
            uses(text),
            [
                read("featurize.py", "script"),
                read("data/raw.csv", "positional input"),
                write("data/features.parquet", "positional output (last of several)")
            ]
        );
        // Context beats an option-name guess.
        assert_eq!(
            uses_in("python run.py --model models/m.pkl", &["models/m.pkl"], &[]),
            [read("run.py", "script"), write("models/m.pkl", "target")]
        );
        // Targets without a path shape still match.
        assert_eq!(
            uses_in("python stamp.py --marker done", &["done"], &[]),
            [read("stamp.py", "script"), write("done", "target")]
        );
    }

    #[test]
    fn option_names() {
        use OptionRole::*;
        let cases: &[(&str, Option<OptionRole>)] = &[
            ("--out", Some(Write)),
            ("--output", Some(Write)),
            ("--output-dir", Some(Write)),
            ("--output_dir", Some(Write)),
            ("--out-dir", Some(Write)),
            ("--outdir", Some(Write)),
            ("--output-path", Some(Write)),
            ("--output-file", Some(Write)),
            ("--save", Some(Write)),
            ("--save-path", Some(Write)),
            ("--save_to", Some(Write)),
            ("--save-dir", Some(Write)),
            ("--dest", Some(Write)),
            ("--destination", Some(Write)),
            ("--export", Some(Write)),
            ("--metrics", Some(Write)),
            ("--report", Some(Write)),
            ("--predictions-out", Some(Write)),
            ("--eval_output", Some(Write)),
            ("--out_file", Some(Write)),
            ("--log-file", Some(Write)),
            ("-o", Some(Write)),
            ("--in", Some(Read)),
            ("--input", Some(Read)),
            ("--inputs", Some(Read)),
            ("--input-dir", Some(Read)),
            ("--input_csv", Some(Read)),
            ("--data", Some(Read)),
            ("--data-dir", Some(Read)),
            ("--dataset", Some(Read)),
            ("--train", Some(Read)),
            ("--test", Some(Read)),
            ("--valid", Some(Read)),
            ("--train-file", Some(Read)),
            ("--features", Some(Read)),
            ("--config", Some(Read)),
            ("--params", Some(Read)),
            ("--src", Some(Read)),
            ("--source", Some(Read)),
            ("--from", Some(Read)),
            ("--load", Some(Read)),
            ("--vocab-path", Some(Read)),
            ("--labels_file", Some(Read)),
            ("--images_dir", Some(Read)),
            ("--text-in", Some(Read)),
            ("--CONFIG", Some(Read)),
            ("-i", Some(Read)),
            ("--model", Some(Model)),
            ("--model-path", Some(Model)),
            ("--model_file", Some(Model)),
            ("--model-dir", Some(Model)),
            ("--checkpoint", Some(Model)),
            ("--ckpt", Some(Model)),
            ("--cache-dir", None),
            ("--epochs", None),
            ("--lr", None),
            ("--seed", None),
            ("-v", None),
            ("--verbose", None),
        ];
        for (name, expected) in cases {
            assert_eq!(classify_option(name), *expected, "{name}");
        }
    }

    #[test]
    fn model_options_depend_on_the_script() {
        assert_eq!(
            uses("python train_model.py --model models/m.pkl --model-dir runs/"),
            [
                read("train_model.py", "script"),
                write("models/m.pkl", "model option (training)"),
                write("runs", "model option (training)")
            ]
        );
        assert_eq!(
            uses("python src/evaluate.py --model models/m.pkl --metrics reports/metrics.json"),
            [
                read("src/evaluate.py", "script"),
                read("models/m.pkl", "model option"),
                write("reports/metrics.json", "output option")
            ]
        );
        assert_eq!(
            uses("python -m pipeline.fit.main --checkpoint ckpt/last.pt"),
            [write("ckpt/last.pt", "model option (training)")]
        );
        assert_eq!(
            uses("python -m pipeline.predict --ckpt ckpt/last.pt"),
            [read("ckpt/last.pt", "model option")]
        );
    }

    #[test]
    fn only_literal_path_like_words_count() {
        assert_eq!(
            uses(
                "python p.py --lr 0.001 --version 1.2 --out $OUT --input s3://b/k.csv \
                 --output-format csv --data ./data/x.csv --save /dev/stdout --config conf"
            ),
            [read("p.py", "script"), read("data/x.csv", "input option")]
        );
        assert!(looks_like_path("a.csv"));
        assert!(looks_like_path("dir/file"));
        assert!(looks_like_path(".env"));
        assert!(looks_like_path("x.tar.gz"));
        assert!(!looks_like_path("1.2"));
        assert!(!looks_like_path("0.001"));
        assert!(!looks_like_path("model"));
        assert!(!looks_like_path("a.toolongextension"));
        assert!(!looks_like_path("v1.2"));
        assert!(is_url("s3://bucket/x") && is_url("git+https://x/y"));
        assert!(!is_url("a/b") && !is_url("://x"));
    }

    #[test]
    fn redirect_targets() {
        assert_eq!(
            uses("python s.py < in.json > out.json 2>> err.log 2>&1 >/dev/null; sort -u < names > uniq"),
            [
                read("s.py", "script"),
                read("in.json", "redirect"),
                write("out.json", "redirect"),
                write("err.log", "redirect"),
                read("names", "redirect"),
                write("uniq", "redirect"),
            ]
        );
    }

    #[test]
    fn copy_like_commands() {
        assert_eq!(
            uses("cp -r data/raw/ build/raw && mv tmp/m.pkl models/m.pkl; ln -sf ../v1/model.bin current.bin"),
            [
                read("data/raw", "copy source"),
                write("build/raw", "copy destination"),
                read("tmp/m.pkl", "move source"),
                write("models/m.pkl", "move destination"),
                read("../v1/model.bin", "link target"),
                write("current.bin", "link name"),
            ]
        );
        assert_eq!(
            uses("cp -t out/ a.csv b.csv"),
            [
                write("out", "copy destination"),
                read("a.csv", "copy source"),
                read("b.csv", "copy source")
            ]
        );
        assert_eq!(
            uses("rsync -avz --exclude '*.tmp' -e ssh models/ user@host:/srv/models/"),
            [read("models", "upload source")]
        );
        assert_eq!(
            uses("scp -P 2222 host:/data/x.csv data/x.csv"),
            [write("data/x.csv", "download destination")]
        );
    }

    #[test]
    fn downloads_and_cloud_copies() {
        assert_eq!(
            uses(
                "curl -fsSL -o data/raw.zip https://x.org/raw.zip && wget -q -O data/b.csv https://x/b.csv; \
                 curl --output=c.json https://x; curl -sSLo d.tgz https://x; curl -X POST -d @payload.json https://api"
            ),
            [
                write("data/raw.zip", "download destination"),
                write("data/b.csv", "download destination"),
                write("c.json", "download destination"),
                write("d.tgz", "download destination"),
                read("payload.json", "upload source"),
            ]
        );
        assert_eq!(
            uses(
                "aws s3 cp s3://bucket/data/train.csv data/train.csv; \
                 aws --profile ml s3 cp models/m.pkl s3://bucket/models/ --acl private; \
                 aws s3 sync --delete reports/ s3://bucket/reports/; \
                 gsutil -m cp -r gs://b/raw data/raw; \
                 gcloud storage cp --project p out/preds.csv gs://b/preds.csv; \
                 gsutil cp a.txt b.txt"
            ),
            [
                write("data/train.csv", "download destination"),
                read("models/m.pkl", "upload source"),
                read("reports", "upload source"),
                write("data/raw", "download destination"),
                read("out/preds.csv", "upload source"),
                read("a.txt", "copy source"),
                write("b.txt", "copy destination"),
            ]
        );
    }

    #[test]
    fn touch_tee_mkdir_and_friends() {
        assert_eq!(
            uses_in(
                "mkdir -p models/ logs && touch .done models/.stamp && rm -f models/m.pkl && echo ok | tee -a logs/a.log logs/b.log",
                &["models/m.pkl"],
                &[]
            ),
            [
                write(".done", "touch"),
                write("models/.stamp", "touch"),
                write("logs/a.log", "tee"),
                write("logs/b.log", "tee"),
            ]
        );
    }

    #[test]
    fn readers_editors_and_archives() {
        assert_eq!(
            uses(
                "cat a.csv b.csv | sort -t, -k1 -o sorted.csv; head -n 100 big.csv > small.csv; \
                 grep -v '^#' conf/x.txt; sed -i 's/a/b/' params.yaml; awk -F, '{print $1}' data/in.csv"
            ),
            [
                read("a.csv", "input"),
                read("b.csv", "input"),
                write("sorted.csv", "output"),
                read("big.csv", "input"),
                write("small.csv", "redirect"),
                read("conf/x.txt", "input"),
                write("params.yaml", "sed -i"),
                read("data/in.csv", "input"),
            ]
        );
        assert_eq!(
            uses(
                "tar -czf dist/model.tar.gz models/ && tar xzf data.tgz -C data; unzip -o raw.zip -d raw/; zip -r out.zip reports"
            ),
            [
                write("dist/model.tar.gz", "archive"),
                read("models", "archive input"),
                read("data.tgz", "archive"),
                read("raw.zip", "archive"),
                write("out.zip", "archive"),
                read("reports", "archive input"),
            ]
        );
        assert_eq!(
            uses("jq -r '.metrics.auc' reports/metrics.json"),
            [read("reports/metrics.json", "input")]
        );
    }

    #[test]
    fn notebook_and_pipeline_tools() {
        assert_eq!(
            uses(
                "papermill notebooks/train.ipynb out/train.ipynb -p alpha 0.6 -f params.yaml; \
                 jupyter nbconvert --to html --execute nb/eda.ipynb --output-dir reports/"
            ),
            [
                read("notebooks/train.ipynb", "notebook"),
                write("out/train.ipynb", "notebook output"),
                read("params.yaml", "parameters"),
                read("nb/eda.ipynb", "notebook"),
                write("reports", "notebook output"),
            ]
        );
        assert_eq!(
            uses("dvc stage add -n train -d data/x.csv -d train.py -o models/m.pkl -M metrics.json python train.py"),
            [
                read("data/x.csv", "dvc dependency"),
                read("train.py", "dvc dependency"),
                write("models/m.pkl", "dvc output"),
                write("metrics.json", "dvc output"),
            ]
        );
        assert_eq!(
            uses("spark-submit --master yarn --py-files deps.zip jobs/etl.py --output s3://b/x --input-path data/in"),
            [read("jobs/etl.py", "script"), read("data/in", "input option")]
        );
        assert_eq!(
            uses("bash scripts/fetch.sh --out data/raw; Rscript analysis/plot.R"),
            [
                read("scripts/fetch.sh", "script"),
                write("data/raw", "output option"),
                read("analysis/plot.R", "script"),
            ]
        );
    }

    #[test]
    fn other_commands_use_option_names() {
        assert_eq!(
            uses("./bin/featurize --input data/raw.csv --output data/feat.parquet --workers 4 extra.txt"),
            [
                read("data/raw.csv", "input option"),
                write("data/feat.parquet", "output option")
            ]
        );
        assert_eq!(uses("docker run -i org/img:1.0 -o out.txt"), []);
        assert_eq!(uses("git -C repo log -o x.txt"), []);
    }

    #[test]
    fn pip_and_make_file_uses() {
        assert_eq!(
            uses(
                "pip install -r requirements/base.txt -c constraints.txt ./dist/pkg-1.0-py3-none-any.whl pandas -e ./libs/core"
            ),
            [
                read("requirements/base.txt", "pip requirements"),
                read("constraints.txt", "pip constraints"),
                read("dist/pkg-1.0-py3-none-any.whl", "pip package"),
                read("libs/core", "pip package"),
            ]
        );
        assert_eq!(uses("make -C services/ingest build JOBS=4"), []);
        assert_eq!(uses_in("make build", &[], &["build"]), []);
    }

    #[test]
    fn globs_are_flagged_in_file_uses() {
        let cmds = commands("cat data/*.csv > all.csv");
        let u = file_uses(&cmds[0], &FileContext::default());
        assert_eq!(u[0].path, "data/*.csv");
        assert!(u[0].glob);
        assert!(!u[1].glob);
    }

    #[test]
    fn jenkins_style_script() {
        let text = "set -euxo pipefail\n\
                    . venv/bin/activate\n\
                    source scripts/env.sh\n\
                    python -m pytest tests/ --junitxml=reports/junit.xml\n\
                    python scripts/train.py --config configs/prod.yaml --output-dir artifacts/\n\
                    aws s3 cp artifacts/ s3://ml-bucket/artifacts/${BUILD_NUMBER}/ --recursive";
        assert_eq!(
            uses(text),
            [
                read("scripts/env.sh", "source"),
                read("tests", "positional input"),
                read("scripts/train.py", "script"),
                read("configs/prod.yaml", "input option"),
                write("artifacts", "output option"),
                read("artifacts", "upload source"),
            ]
        );
    }

    #[test]
    fn airflow_bash_operator_command() {
        let text = "set -e; cd /opt/airflow/repo && \
                    timeout 7200 python etl/extract.py --date 2024-01-01 --out data/2024-01-01.parquet && \
                    python -m etl.load --input data/2024-01-01.parquet --table raw.events";
        assert_eq!(
            uses(text),
            [
                read("/opt/airflow/repo/etl/extract.py", "script"),
                write("/opt/airflow/repo/data/2024-01-01.parquet", "output option"),
                read("/opt/airflow/repo/data/2024-01-01.parquet", "input option"),
            ]
        );
    }

    #[test]
    fn words_after_a_redirection_stay_arguments() {
        assert_eq!(all_argv("echo a > b c d"), [vec!["echo", "a", "c", "d"]]);
        let cmds = commands("python tool.py 2>err.log --out x.csv");
        assert_eq!(args(python(&cmds[0])), [(Some("--out"), "x.csv")]);
        assert_eq!(cmds[0].redirects[0].target.text, "err.log");
    }

    #[test]
    fn crontab_style_command() {
        let text = "cd /srv/ml && /usr/bin/python3 retrain.py --data /mnt/data >> /var/log/retrain.log 2>&1";
        assert_eq!(
            uses(text),
            [
                read("/srv/ml/retrain.py", "script"),
                read("/mnt/data", "input option"),
                write("/var/log/retrain.log", "redirect"),
            ]
        );
    }

    #[test]
    fn path_helpers() {
        assert_eq!(normalize_path("./a/./b/../c/"), "a/c");
        assert_eq!(normalize_path("../x"), "../x");
        assert_eq!(normalize_path("a/../../x"), "../x");
        assert_eq!(normalize_path("/a/../../x"), "/x");
        assert_eq!(normalize_path("."), ".");
        let w = |t: &str, literal: bool| Word {
            text: t.to_string(),
            span: 0..0,
            literal,
            glob: false,
        };
        assert_eq!(
            resolve_path(&[w("ml", true), w("src", true)], "../x.py"),
            ("ml/x.py".to_string(), true)
        );
        assert_eq!(
            resolve_path(&[w("ml", true), w("/abs", true)], "x"),
            ("/abs/x".to_string(), true)
        );
        assert_eq!(resolve_path(&[w("$D", false)], "x"), ("x".to_string(), false));
        assert_eq!(
            resolve_path(&[w("$D", false), w("/r", true)], "x"),
            ("/r/x".to_string(), true)
        );
    }

    // -- robustness ---------------------------------------------------------

    fn check_invariants(text: &str) {
        let script = parse(text);
        let ctx_targets = vec!["out.csv".to_string(), String::new()];
        let ctx = FileContext {
            prerequisites: &ctx_targets,
            targets: &ctx_targets,
        };
        let mut last = 0;
        for cmd in &script.commands {
            assert!(!cmd.words.is_empty());
            assert!(cmd.span.start >= last || cmd.span.start <= cmd.span.end);
            last = cmd.span.start;
            let spans = cmd
                .words
                .iter()
                .chain(cmd.cwd.iter())
                .chain(cmd.redirects.iter().map(|r| &r.target))
                .chain(cmd.assignments.iter().map(|(_, w)| w))
                .map(|w| &w.span)
                .chain(std::iter::once(&cmd.span));
            for span in spans {
                assert!(span.start <= span.end && span.end <= text.len(), "{span:?} in {text:?}");
            }
            for u in file_uses(cmd, &ctx) {
                assert!(u.span.end <= text.len());
                assert!(!u.path.is_empty());
            }
        }
    }

    #[test]
    fn hostile_input_never_panics() {
        let mut cases: Vec<String> = vec![
            String::new(),
            " ".into(),
            "\0".into(),
            "python a.py --out \"x.csv".into(),
            "echo 'unterminated".into(),
            "echo $'\\x".into(),
            "echo $'\\u{zz}\\777\\U0010FFFF\\xZZ'".into(),
            "cat <<EOF\nno end".into(),
            "cat <<'E' | python x.py && <<F\n".into(),
            "a |".into(),
            "&& ;; || | & ) ( } { ]] [[ fi done esac then".into(),
            "if then fi; python ok.py > r.txt; )))".into(),
            "\\".into(),
            "\\\n".into(),
            "a\\\r\nb".into(),
            "\"\\".into(),
            "$(".into(),
            "`".into(),
            "${".into(),
            "$((1+".into(),
            "pip install -r".into(),
            "pip install --requirement".into(),
            "make -C".into(),
            "make -f".into(),
            "python -m".into(),
            "python -c".into(),
            "python -W".into(),
            "timeout".into(),
            "env -C".into(),
            "uv run".into(),
            "uv run -m".into(),
            "sudo -u".into(),
            "bash -c ''".into(),
            "bash -c '(((('".into(),
            "sh -c 'sh -c \"sh -c".into(),
            "cp".into(),
            "tar -xf".into(),
            "curl -o".into(),
            "jq --slurpfile".into(),
            "x >".into(),
            ">& 2".into(),
            "> out.csv".into(),
            "python3.99999999999999999999 a.py".into(),
            "pip3.x install y".into(),
            "训练 --输出 模型/m.pkl > 日志.log".into(),
            "python tráin.py --ôut=mödel/ß.pkl -oé".into(),
            "echo \u{feff}\u{200b}\u{1F600} 'é\\'".into(),
            "cd \u{0301}; python a.py".into(),
            "a\u{0}b c\u{0}".into(),
            "f() { f; }; f".into(),
        ];
        cases.push("(".repeat(5000) + "ls" + &")".repeat(5000));
        cases.push("{ ".repeat(3000) + "ls" + &"; }".repeat(3000));
        cases.push("echo ".to_string() + &"$(".repeat(3000) + "ls" + &")".repeat(3000));
        cases.push("if true; then ".repeat(2000) + "x" + &"; fi".repeat(2000));
        cases.push("bash -c \"".repeat(400));
        cases.push("sh -c '".to_string() + &"sh -c \\'".repeat(50));
        cases.push("python a.py ".to_string() + &"--x y ".repeat(20000));
        cases.push("x".repeat(300_000));
        cases.push("'".repeat(10001));
        cases.push("\\".repeat(10001));
        cases.push("<<".repeat(5000));
        cases.push("a | ".repeat(5000) + "b");
        for c in &cases {
            check_invariants(c);
        }
        // Binary junk, decoded lossily as a frontend would.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..300 {
            let len = (next() % 300) as usize;
            let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            check_invariants(&String::from_utf8_lossy(&bytes));
        }
        // Shell-flavoured junk.
        let pieces = [
            "python",
            "pip",
            "install",
            "make",
            "-C",
            "-f",
            "-r",
            "-m",
            "-c",
            "cd",
            "..",
            "/abs",
            "&&",
            "||",
            ";",
            "|",
            "&",
            "(",
            ")",
            "{",
            "}",
            "'",
            "\"",
            "\\",
            "$(",
            "`",
            "<<EOF",
            "EOF",
            "\n",
            ">",
            ">>",
            "<",
            "2>&1",
            "=",
            "A=1",
            "--out",
            "x.csv",
            "bash",
            "sh -c",
            "env",
            "nohup",
            "timeout",
            "uv run",
            "conda run -n",
            "if",
            "then",
            "fi",
            "for",
            "do",
            "done",
            "case",
            "esac",
            "*",
            "~",
            "é",
            "\t",
            "#",
            "$'",
            "=@",
            "s3://b",
            "tee",
            "cp",
            "@",
        ];
        for _ in 0..2000 {
            let n = (next() % 24) as usize;
            let text: Vec<&str> = (0..n)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            check_invariants(&text.join(if next() % 3 == 0 { "" } else { " " }));
        }
    }

    #[test]
    fn deep_nesting_is_flagged() {
        let text = "if true; then ".repeat(400) + "x" + &"; fi".repeat(400);
        assert!(parse(&text).has_errors);
    }

    #[test]
    fn parser_is_reused_across_calls_and_threads() {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                std::thread::spawn(move || {
                    for i in 0..200 {
                        let text = format!("cd d{t} && python s{i}.py --out o{i}.csv");
                        let cmds = parse(&text).commands;
                        assert_eq!(cmds.len(), 2);
                        assert_eq!(python(&cmds[1]).script.as_ref().unwrap().text, format!("s{i}.py"));
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
    }
}
