//! Reading a makefile line by line, the way GNU make's `eval` does: recipe
//! lines first, then conditionals, directives, variable assignments, and
//! finally rules (whose target list is expanded before the colon is looked
//! for).

use super::expand::{CURDIR_MARK, has_unknown, pattern_match};
use super::text::{
    LogicalLine, Mapped, collapse_continuations, find_outside_refs, logical_lines, strip_comment, words,
};
use super::{Dep, Make, Origin, RecipeLine, Rule, RuleKind, TargetVar, Var};
use crate::diagnostic::Diagnostic;
use crate::source::{Span, TextProblem};
use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignOp {
    Recursive,
    Simple,
    Conditional,
    Append,
    Shell,
}

/// A parsed `NAME op value` (name and value unexpanded).
struct Assignment {
    name: String,
    op: AssignOp,
    value: Mapped,
}

#[derive(Debug)]
pub struct Cond {
    /// This branch's lines are being read.
    pub taking: bool,
    /// Some branch so far was taken.
    any_taken: bool,
    /// The condition could not be decided: every branch is read, and
    /// variables assigned inside become unknown.
    pub uncertain: bool,
    seen_else: bool,
    parent_active: bool,
    span: Span,
}

const MODIFIERS: &[&str] = &["override", "export", "unexport", "private"];
const SPECIAL_TARGETS: &[&str] = &[
    ".PHONY",
    ".SUFFIXES",
    ".DEFAULT",
    ".PRECIOUS",
    ".INTERMEDIATE",
    ".NOTINTERMEDIATE",
    ".SECONDARY",
    ".SECONDEXPANSION",
    ".DELETE_ON_ERROR",
    ".IGNORE",
    ".LOW_RESOLUTION_TIME",
    ".SILENT",
    ".EXPORT_ALL_VARIABLES",
    ".NOTPARALLEL",
    ".ONESHELL",
    ".POSIX",
    ".WAIT",
];

pub fn is_special_target(name: &str) -> bool {
    SPECIAL_TARGETS.contains(&name)
}

impl Make<'_> {
    pub fn active(&self) -> bool {
        self.conds.iter().all(|c| c.taking)
    }

    pub fn uncertain(&self) -> bool {
        self.conds.iter().any(|c| c.uncertain)
    }

    fn span_at(&self, src: Range<usize>) -> Span {
        match self.synthetic {
            Some(s) => s,
            None => Span::new(self.cur_file, src),
        }
    }

    fn span_of(&self, m: &Mapped, range: Range<usize>) -> Span {
        self.span_at(m.src_range(range))
    }

    /// Read the text of a makefile (the top one or an included one).
    pub fn read_source(&mut self, text: &str) {
        let lines = logical_lines(text);
        let cond_depth = self.conds.len();
        self.eval_lines(&lines);
        // conditionals must not cross file boundaries
        while self.conds.len() > cond_depth {
            let c = self.conds.pop().unwrap();
            self.diags.push(
                Diagnostic::parse_error(c.span, "missing `endif`: this conditional is never closed")
                    .with_label("opened here")
                    .with_help("add `endif` at the end of the conditional block"),
            );
        }
    }

    /// `$(eval TEXT)`: read generated text as makefile lines, pointing every
    /// span at the line that called eval.
    pub fn eval_text(&mut self, text: &str) {
        if self.eval_depth > 50 {
            self.diags
                .push(Diagnostic::parse_error(self.cur, "`$(eval)` nested too deeply"));
            return;
        }
        let lines = logical_lines(text);
        let saved_synth = self.synthetic;
        let saved_cur = self.cur;
        self.synthetic = Some(self.cur);
        self.eval_depth += 1;
        let cond_depth = self.conds.len();
        self.eval_lines(&lines);
        while self.conds.len() > cond_depth {
            self.conds.pop();
            self.diags.push(Diagnostic::parse_error(
                saved_cur,
                "missing `endif` in text given to `$(eval)`",
            ));
        }
        self.eval_depth -= 1;
        self.synthetic = saved_synth;
        self.cur = saved_cur;
    }

    fn eval_lines(&mut self, lines: &[LogicalLine]) {
        let mut i = 0;
        while i < lines.len() {
            let line = &lines[i];
            i += 1;
            self.cur = self.span_at(line.range.clone());
            let raw = &line.text;
            let prefix = self.recipe_prefix;
            if raw.text.starts_with(prefix)
                && let Some(rule) = self.current_rule
            {
                if self.active() {
                    let body = raw.slice(prefix.len_utf8()..raw.text.len());
                    self.rules[rule].recipe.push(RecipeLine {
                        text: body,
                        file: self.cur_file,
                        synthetic: self.synthetic,
                    });
                    self.rules[rule].has_recipe = true;
                }
                continue;
            }
            let collapsed = collapse_continuations(raw);
            let stripped = strip_comment(&collapsed);
            let lead = stripped.text.len() - stripped.text.trim_start().len();
            let body = stripped.slice(lead..stripped.text.len());
            if body.text.trim().is_empty() {
                continue;
            }
            if self.conditional(&body) {
                continue;
            }
            if !raw.text.starts_with(prefix) && self.active() {
                self.after_broken_rule = false;
            }
            let (mods, rest) = split_modifiers(&body);
            let first = words(&rest.text).next().unwrap_or("");
            if first == "define" {
                let end = find_endef(lines, i);
                if self.active() {
                    self.current_rule = None;
                    self.define(&rest, &mods, &lines[i..end.unwrap_or(lines.len())]);
                    if end.is_none() {
                        self.diags.push(
                            Diagnostic::parse_error(self.cur, "missing `endef`: this `define` is never closed")
                                .with_label("unterminated `define`")
                                .with_help("end the variable definition with a line holding `endef`"),
                        );
                    }
                }
                i = end.map(|e| e + 1).unwrap_or(lines.len());
                continue;
            }
            if !self.active() {
                continue;
            }
            if first == "endef" && mods.is_empty() {
                self.diags.push(Diagnostic::parse_error(
                    self.cur,
                    "extraneous `endef` without a matching `define`",
                ));
                continue;
            }
            if mods.is_empty() && self.directive(first, &rest) {
                self.current_rule = None;
                continue;
            }
            if let Some(a) = parse_assignment(&rest) {
                self.current_rule = None;
                let name = self.expand(&a.name).trim().to_string();
                let value = a.value.text.trim_start_matches([' ', '\t']).to_string();
                self.assign(&name, a.op, &value, &mods);
                continue;
            }
            if !mods.is_empty() {
                // `export VAR ...`, `unexport VAR`, `override` alone: no rule
                self.current_rule = None;
                continue;
            }
            self.current_rule = None;
            if raw.text.starts_with(prefix) {
                // a tab line that is not under a rule and not an assignment
                if !self.after_broken_rule {
                    self.diags.push(
                        Diagnostic::parse_error(self.cur, "recipe line outside any rule")
                            .with_label("this line starts with a tab, but no rule line precedes it")
                            .with_help("put a `target:` line above it, or remove the leading tab"),
                    );
                }
                continue;
            }
            let lead = collapsed.text.len() - collapsed.text.trim_start().len();
            let line_text = collapsed.slice(lead..collapsed.text.len());
            self.record_rule(&line_text);
        }
    }

    /// Handle `ifeq`/`ifneq`/`ifdef`/`ifndef`/`else`/`endif`. Returns false when
    /// the line is not a conditional directive.
    fn conditional(&mut self, body: &Mapped) -> bool {
        let t = body.text.as_str();
        let kw_len = t.find(|c: char| c.is_ascii_whitespace() || c == '(').unwrap_or(t.len());
        let kw = &t[..kw_len];
        if !matches!(kw, "ifeq" | "ifneq" | "ifdef" | "ifndef" | "else" | "endif") {
            return false;
        }
        let rest = t[kw_len..].trim_start();
        match kw {
            "endif" => {
                if self.conds.pop().is_none() {
                    self.diags.push(
                        Diagnostic::parse_error(self.cur, "extraneous `endif` without a matching `if`")
                            .with_help("remove it, or add the `ifeq`/`ifdef` it was meant to close"),
                    );
                }
            }
            "else" => {
                let Some(top) = self.conds.len().checked_sub(1) else {
                    self.diags.push(Diagnostic::parse_error(
                        self.cur,
                        "extraneous `else` without a matching `if`",
                    ));
                    return true;
                };
                if self.conds[top].seen_else {
                    self.diags
                        .push(Diagnostic::parse_error(self.cur, "only one `else` per conditional"));
                    self.conds[top].taking = false;
                    return true;
                }
                let parent_active = self.conds[top].parent_active;
                if rest.is_empty() {
                    let c = &mut self.conds[top];
                    c.seen_else = true;
                    c.taking = parent_active && (c.uncertain || !c.any_taken);
                    return true;
                }
                // `else ifeq ...`
                let inner_kw = words(rest).next().unwrap_or("");
                let inner_kw = inner_kw.split('(').next().unwrap_or("");
                if !matches!(inner_kw, "ifeq" | "ifneq" | "ifdef" | "ifndef") {
                    self.diags.push(Diagnostic::parse_error(
                        self.cur,
                        format!("extraneous text after `else`: `{rest}`"),
                    ));
                    return true;
                }
                let c = &self.conds[top];
                if !parent_active || (c.any_taken && !c.uncertain) {
                    self.conds[top].taking = false;
                    return true;
                }
                if c.uncertain {
                    self.conds[top].taking = true;
                    return true;
                }
                let args = rest[inner_kw.len()..].trim_start();
                match self.eval_condition(inner_kw, args) {
                    Some(b) => {
                        let c = &mut self.conds[top];
                        c.taking = b;
                        c.any_taken |= b;
                    }
                    None => {
                        let c = &mut self.conds[top];
                        c.uncertain = true;
                        c.taking = true;
                    }
                }
            }
            _ => {
                let parent_active = self.active();
                let mut c = Cond {
                    taking: false,
                    any_taken: false,
                    uncertain: false,
                    seen_else: false,
                    parent_active,
                    span: self.cur,
                };
                if parent_active {
                    match self.eval_condition(kw, rest) {
                        Some(b) => {
                            c.taking = b;
                            c.any_taken = b;
                        }
                        None => {
                            c.uncertain = true;
                            c.taking = true;
                        }
                    }
                }
                self.conds.push(c);
            }
        }
        true
    }

    /// Some(result) when the condition is static, None when it depends on
    /// something kfr cannot know.
    fn eval_condition(&mut self, kw: &str, args: &str) -> Option<bool> {
        match kw {
            "ifdef" | "ifndef" => {
                let name = self.expand(args);
                let name = name.trim();
                if has_unknown(name) {
                    return None;
                }
                if name.split_ascii_whitespace().count() > 1 {
                    self.diags.push(Diagnostic::parse_error(
                        self.cur,
                        format!("invalid syntax in conditional: `{kw} {args}`"),
                    ));
                    return Some(false);
                }
                let defined = match self.lookup(name) {
                    Some(v) if v.uncertain => return None,
                    Some(v) => !v.value.is_empty(),
                    None => false,
                };
                Some(defined == (kw == "ifdef"))
            }
            _ => {
                let Some((a, b)) = split_ifeq_args(args) else {
                    self.diags.push(
                        Diagnostic::parse_error(self.cur, format!("invalid syntax in conditional: `{kw} {args}`"))
                            .with_help("write `ifeq (a,b)`, `ifeq \"a\" \"b\"` or `ifeq 'a' 'b'`"),
                    );
                    return Some(false);
                };
                let a = self.expand(a);
                let b = self.expand(b);
                if has_unknown(&a) || has_unknown(&b) || a.contains(CURDIR_MARK) || b.contains(CURDIR_MARK) {
                    return None;
                }
                Some((a == b) == (kw == "ifeq"))
            }
        }
    }

    /// include / -include / sinclude / vpath / load / undefine.
    fn directive(&mut self, first: &str, rest: &Mapped) -> bool {
        let after = |m: &Mapped| {
            let t = &m.text;
            let start = t.find(first).unwrap_or(0) + first.len();
            m.slice(start..t.len())
        };
        match first {
            "include" | "-include" | "sinclude" => {
                let files = after(rest);
                self.include(&files, first == "include");
                true
            }
            "undefine" => {
                let name = self.expand(&after(rest).text).trim().to_string();
                if self.lookup(&name).is_some_and(|v| v.origin != Origin::CommandLine) {
                    self.vars.remove(&name);
                }
                true
            }
            "vpath" => {
                let args = self.expand(&after(rest).text);
                let mut words = args.split_ascii_whitespace();
                match (words.next(), words.collect::<Vec<_>>()) {
                    (None, _) => self.vpaths.clear(),
                    (Some(pat), dirs) if dirs.is_empty() => self.vpaths.retain(|(p, _)| p != pat),
                    (Some(pat), dirs) => {
                        let dirs: Vec<String> = dirs
                            .iter()
                            .flat_map(|d| d.split(':'))
                            .filter(|d| !d.is_empty())
                            .map(str::to_string)
                            .collect();
                        self.vpaths.push((pat.to_string(), dirs));
                    }
                }
                true
            }
            "load" | "-load" => {
                self.notes
                    .push((self.cur, "`load` of a dynamic object is ignored".into()));
                true
            }
            _ => false,
        }
    }

    fn include(&mut self, files: &Mapped, required: bool) {
        let expanded = self.expand_mapped(files);
        for r in super::text::word_ranges(&expanded.text) {
            let word = expanded.text[r.clone()].to_string();
            let span = self.span_of(&expanded, r);
            if has_unknown(&word) {
                self.notes.push((
                    span,
                    format!("include of `{}` cannot be resolved statically", self.render(&word)),
                ));
                continue;
            }
            let names: Vec<String> = if word.contains(['*', '?', '[']) {
                let pat = self.dir.join(&word);
                let mut v: Vec<String> = glob::glob(&pat.to_string_lossy())
                    .map(|it| {
                        it.flatten()
                            .filter_map(|p| p.strip_prefix(&self.dir).ok().map(|p| p.to_string_lossy().into_owned()))
                            .collect()
                    })
                    .unwrap_or_default();
                v.sort();
                v
            } else {
                vec![word.clone()]
            };
            for name in names {
                self.include_one(&name, span, required);
            }
        }
    }

    fn include_one(&mut self, name: &str, span: Span, required: bool) {
        let path = crate::source::join_normalized(&self.dir, name);
        if path.is_file()
            && let Some(root) = self.source_db.and_then(|db| db.outside_root(&path))
        {
            self.diags.push(
                Diagnostic::parse_error(
                    span,
                    format!(
                        "included file `{name}` is outside the project directory `{}`: not read",
                        crate::source::display_path(&root)
                    ),
                )
                .with_help("kfr reads included files inside the repository only; what this file defines is unknown"),
            );
            return;
        }
        let file = match (path.is_file(), self.source_db) {
            (true, Some(db)) => db.load(&path).ok(),
            _ => None,
        };
        let Some(file) = file else {
            if required {
                self.missing_includes.push((name.to_string(), span));
            }
            return;
        };
        if self.include_stack.len() >= 32 || self.include_stack.contains(&file.id) {
            self.diags.push(Diagnostic::parse_error(
                span,
                format!("`{name}` includes itself (directly or through other files); not read again"),
            ));
            return;
        }
        self.append_makefile_list(name);
        self.included.push(file.id);
        match &file.problem {
            Some(TextProblem::Binary { .. }) | Some(TextProblem::TooLarge { .. }) => {
                self.diags.push(Diagnostic::parse_error(
                    span,
                    format!("included file `{name}` is not a readable text makefile"),
                ));
                return;
            }
            _ => {}
        }
        let saved = (self.cur_file, self.synthetic, self.cur);
        self.cur_file = file.id;
        self.synthetic = None;
        self.include_stack.push(file.id);
        self.read_source(&file.text);
        self.include_stack.pop();
        (self.cur_file, self.synthetic, self.cur) = (saved.0, saved.1, saved.2);
        // GNU make ends the rule context at an include
        self.current_rule = None;
    }

    pub fn append_makefile_list(&mut self, name: &str) {
        let list = self
            .vars
            .entry("MAKEFILE_LIST".into())
            .or_insert_with(|| Var::simple(String::new(), Origin::File));
        if !list.value.is_empty() {
            list.value.push(' ');
        }
        list.value.push_str(name);
    }

    fn define(&mut self, header: &Mapped, mods: &[String], body: &[LogicalLine]) {
        let h = header.text.trim_start();
        let h = h["define".len()..].trim();
        let (name_part, op) = if let Some(n) = h.strip_suffix("::=") {
            (n, AssignOp::Simple)
        } else if let Some(n) = h.strip_suffix(":=") {
            (n, AssignOp::Simple)
        } else if let Some(n) = h.strip_suffix("+=") {
            (n, AssignOp::Append)
        } else if let Some(n) = h.strip_suffix("?=") {
            (n, AssignOp::Conditional)
        } else if let Some(n) = h.strip_suffix("!=") {
            (n, AssignOp::Shell)
        } else if let Some(n) = h.strip_suffix('=') {
            (n, AssignOp::Recursive)
        } else {
            (h, AssignOp::Recursive)
        };
        let name = self.expand(name_part.trim()).trim().to_string();
        if name.is_empty() {
            self.diags
                .push(Diagnostic::parse_error(self.cur, "empty variable name in `define`"));
            return;
        }
        let value: Vec<&str> = body.iter().map(|l| l.text.text.as_str()).collect();
        let value = value.join("\n");
        self.assign(&name, op, &value, mods);
    }

    pub fn assign(&mut self, name: &str, op: AssignOp, value: &str, mods: &[String]) {
        if name.is_empty() {
            self.diags
                .push(Diagnostic::parse_error(self.cur, "empty variable name"));
            return;
        }
        let is_override = mods.iter().any(|m| m == "override");
        if let Some(existing) = self.vars.get(name) {
            let protected = match existing.origin {
                Origin::CommandLine | Origin::Override => !is_override,
                _ => false,
            };
            if protected {
                return;
            }
        }
        match name {
            ".RECIPEPREFIX" => {
                let v = self.expand(value);
                self.recipe_prefix = v.chars().next().unwrap_or('\t');
            }
            ".DEFAULT_GOAL" => {}
            _ => {}
        }
        let origin = if is_override { Origin::Override } else { Origin::File };
        if self.uncertain() {
            let old = self.vars.get(name).map(|v| v.value.clone());
            // an append to a known value keeps the known part visible
            let marker = self.unknown(format!("$({name})"));
            let value = match (op, old) {
                (AssignOp::Append, Some(old)) if !old.is_empty() => format!("{old} {marker}"),
                _ => marker,
            };
            let mut v = Var::simple(value, origin);
            v.uncertain = true;
            self.vars.insert(name.to_string(), v);
            return;
        }
        let var = match op {
            AssignOp::Recursive => Var::recursive(value.to_string(), origin),
            AssignOp::Simple => Var::simple(self.expand(value), origin),
            AssignOp::Conditional => {
                if self.lookup(name).is_some() {
                    return;
                }
                Var::recursive(value.to_string(), origin)
            }
            AssignOp::Shell => {
                let expanded = self.expand(value);
                let m = self.unknown(format!("$(shell {expanded})"));
                Var::simple(m, origin)
            }
            AssignOp::Append => match self.vars.get(name).cloned() {
                None => Var::recursive(value.to_string(), origin),
                Some(old) => {
                    let add = if old.recursive {
                        value.to_string()
                    } else {
                        self.expand(value)
                    };
                    let joined = if old.value.is_empty() {
                        add
                    } else {
                        format!("{} {add}", old.value)
                    };
                    Var {
                        value: joined,
                        origin: if is_override { Origin::Override } else { old.origin },
                        ..old
                    }
                }
            },
        };
        self.vars.insert(name.to_string(), var);
    }

    /// A rule line: `targets : prerequisites | order-only ; recipe`, a static
    /// pattern rule, or a target-specific variable assignment.
    fn record_rule(&mut self, line: &Mapped) {
        // the first unquoted `;` ends the prerequisites; a `#` before it starts a comment
        let mut search = 0;
        let (head, recipe) = loop {
            let rel = find_outside_refs(&line.text[search..], |b, _| b == b';' || b == b'#');
            match rel.map(|r| r + search) {
                None => break (line.clone(), None),
                Some(i) if line.text.as_bytes()[i] == b';' => {
                    break (line.slice(0..i), Some(line.slice(i + 1..line.text.len())));
                }
                Some(i) => {
                    let slashes = line.text.as_bytes()[..i]
                        .iter()
                        .rev()
                        .take_while(|&&b| b == b'\\')
                        .count();
                    if slashes % 2 == 1 {
                        search = i + 1;
                        continue;
                    }
                    break (line.slice(0..i), None);
                }
            }
        };
        let head = strip_comment(&head);
        let colon = find_outside_refs(&head.text, |b, _| b == b':');
        let (targets_raw, rest, rest_expanded, grouped) = match colon {
            Some(c) => {
                let grouped = c > 0 && head.text.as_bytes()[c - 1] == b'&';
                let t_end = if grouped { c - 1 } else { c };
                (head.slice(0..t_end), head.slice(c + 1..head.text.len()), false, grouped)
            }
            None => {
                let expanded = self.expand(&head.text);
                if expanded.trim().is_empty() && recipe.is_none() {
                    return;
                }
                let Some(c) = expanded.find(':') else {
                    if has_unknown(&expanded) {
                        // `$(shell mkdir -p build)` alone on a line: make reads
                        // what the command prints, most often nothing
                        if self.over_budget.is_none() {
                            let shown = crate::python::clip_text(self.render(&expanded).trim());
                            let what = format!("this line is only known when make runs (`{shown}`): it is not read");
                            self.notes.push((self.cur, what));
                        }
                        return;
                    }
                    self.missing_separator(&head);
                    return;
                };
                let src = head.src_all();
                let targets = Mapped::literal("", src.start);
                let mut t = targets;
                t.push_synth(&expanded[..c], src.clone());
                let mut r = Mapped::new();
                r.push_synth(&expanded[c + 1..], src);
                (t, r, true, false)
            }
        };
        let (double, rest) = if rest.text.starts_with(':') {
            (true, rest.slice(1..rest.text.len()))
        } else {
            (false, rest)
        };
        let targets_exp = if rest_expanded {
            targets_raw
        } else {
            self.expand_mapped(&targets_raw)
        };
        let mut targets: Vec<(String, Span)> = Vec::new();
        let mut unresolved_targets = false;
        for r in super::text::file_word_ranges(&targets_exp.text) {
            let span = self.span_of(&targets_exp, r.clone());
            let word = &targets_exp.text[r];
            if has_unknown(word) {
                let shown = self.render(word);
                self.notes
                    .push((span, format!("target `{shown}` cannot be resolved statically")));
                unresolved_targets = true;
                continue;
            }
            targets.push((clean_name(word), span));
        }

        // target-specific variable?
        if !rest_expanded {
            let (_, after_mods) = split_modifiers(&rest);
            if let Some(a) = parse_assignment(&after_mods) {
                let name = self.expand(&a.name).trim().to_string();
                if name.contains(['/', '%']) {
                    // `out: data/dt=%/x.csv` is an assignment to `data/dt` for GNU make
                    let span = self.span_of(&after_mods, 0..after_mods.text.len());
                    self.diags.push(
                        Diagnostic::parse_error(
                            span,
                            format!("GNU make reads this as setting a variable named `{name}` for the target, not as prerequisites"),
                        )
                        .with_label("a `=` after the colon makes the line a target-specific assignment")
                        .with_help("name such paths through a variable (`PARTS := data/dt=%/x.csv`, then `out: $(PARTS)`): make looks for `=` before it expands the line"),
                    );
                }
                let mut value = a.value.text.trim_start_matches([' ', '\t']).to_string();
                if a.op == AssignOp::Simple {
                    value = self.expand(&value);
                }
                for (t, _) in &targets {
                    self.target_vars.push(TargetVar {
                        target: t.clone(),
                        name: name.clone(),
                        op: a.op,
                        value: value.clone(),
                        uncertain: self.uncertain(),
                    });
                }
                return;
            }
        }
        if targets.is_empty() {
            if unresolved_targets {
                // a rule whose targets kfr cannot name (`$(shell pwd)/bin:`): the note
                // says so, and the recipe lines under it are its own, not stray ones
                self.after_broken_rule = true;
            } else if !rest.text.trim().is_empty() || recipe.is_some() {
                self.diags
                    .push(Diagnostic::parse_error(self.cur, "rule without a target"));
            }
            return;
        }
        let rest_exp = if rest_expanded { rest } else { self.expand_mapped(&rest) };
        let kind = if double {
            RuleKind::DoubleColon
        } else if grouped {
            RuleKind::Grouped
        } else {
            RuleKind::Single
        };

        let deps = self.parse_deps(&rest_exp);
        let second = self.second_expansion && rest_exp.text.contains('$');
        for (name, _) in &targets {
            match name.as_str() {
                ".PHONY" => self.phony.extend(
                    deps.normal
                        .iter()
                        .chain(&deps.order_only)
                        .map(|d| (d.name.clone(), d.span)),
                ),
                ".SECONDEXPANSION" => self.second_expansion = true,
                ".SUFFIXES" if deps.normal.is_empty() => self.suffixes.clear(),
                ".SUFFIXES" => self.suffixes.extend(deps.normal.iter().map(|d| d.name.clone())),
                ".ONESHELL" => self.oneshell = true,
                _ => {}
            }
        }
        let is_pattern: Vec<bool> = targets.iter().map(|(t, _)| has_percent(t)).collect();
        let (targets, pattern) = if deps.static_pattern.is_none() && is_pattern.iter().any(|&p| p) {
            if is_pattern.iter().any(|&p| !p) {
                self.diags.push(
                    Diagnostic::parse_error(self.cur, "mixed implicit (`%`) and normal targets in one rule")
                        .with_help("put the pattern rule and the explicit targets on separate rule lines"),
                );
            }
            let pats: Vec<(String, Span)> = targets.into_iter().filter(|(t, _)| has_percent(t)).collect();
            (pats, true)
        } else {
            (targets, false)
        };
        let mut targets = targets;
        if let Some(tpat) = &deps.static_pattern {
            targets.retain(|(t, span)| {
                let ok = pattern_match(tpat, t).is_some();
                if !ok {
                    self.diags.push(Diagnostic::parse_error(
                        *span,
                        format!("target `{t}` does not match the target pattern `{tpat}`"),
                    ));
                }
                ok
            });
        }
        let rule = Rule {
            targets,
            normal: deps.normal,
            order_only: deps.order_only,
            static_pattern: deps.static_pattern,
            recipe: Vec::new(),
            has_recipe: recipe.is_some(),
            kind,
            pattern,
            span: self.cur,
            second_expansion: second.then_some(rest_exp),
            uncertain: self.uncertain(),
        };
        self.rules.push(rule);
        let idx = self.rules.len() - 1;
        self.current_rule = Some(idx);
        if let Some(r) = recipe {
            self.rules[idx].recipe.push(RecipeLine {
                text: r,
                file: self.cur_file,
                synthetic: self.synthetic,
            });
        }
    }

    fn missing_separator(&mut self, head: &Mapped) {
        let d = Diagnostic::parse_error(self.cur, "missing separator: not a rule, an assignment or a directive")
            .with_label(format!("`{}` has no `:` or `=`", head.text.trim()));
        let d = if self.source_line_starts_with_spaces() {
            d.with_help("recipe lines must start with a tab, not spaces")
        } else {
            d.with_help("a rule needs `target: prerequisites`, an assignment needs `NAME = value`")
        };
        self.diags.push(d);
        // the recipe lines under the broken line belong to it: no more errors for them
        self.after_broken_rule = true;
    }

    fn source_line_starts_with_spaces(&self) -> bool {
        if self.synthetic.is_some() {
            return false;
        }
        match self.source_db {
            Some(db) => {
                let f = db.get(self.cur_file);
                f.text.get(self.cur.range()).is_some_and(|t| t.starts_with("        "))
            }
            None => false,
        }
    }

    /// Split an expanded prerequisite list into static pattern, normal and
    /// order-only prerequisites, each word keeping its source span.
    pub fn parse_deps(&mut self, exp: &Mapped) -> Deps {
        let mut tokens: Vec<(String, Range<usize>)> = Vec::new();
        for r in super::text::file_word_ranges(&exp.text) {
            let w = &exp.text[r.clone()];
            let mut start = 0;
            for (i, ch) in w.char_indices() {
                if (ch == ':' || ch == '|') && !w[..i].ends_with('\\') {
                    if i > start {
                        tokens.push((w[start..i].to_string(), r.start + start..r.start + i));
                    }
                    tokens.push((ch.to_string(), r.start + i..r.start + i + 1));
                    start = i + 1;
                }
            }
            if start < w.len() {
                tokens.push((w[start..].to_string(), r.start + start..r.end));
            }
        }
        let mut out = Deps::default();
        if let Some(c) = tokens.iter().position(|(t, _)| t == ":") {
            let pats: Vec<&(String, Range<usize>)> = tokens[..c].iter().collect();
            match pats.as_slice() {
                [one] if has_percent(&one.0) => out.static_pattern = Some(one.0.clone()),
                _ => {
                    let shown: Vec<&str> = pats.iter().map(|p| p.0.as_str()).collect();
                    self.diags.push(
                        Diagnostic::parse_error(
                            self.cur,
                            format!(
                                "a second `:` makes this a static pattern rule, but `{}` is not one target pattern with `%`",
                                shown.join(" ")
                            ),
                        )
                        .with_help("GNU make stops here; a `:` cannot appear in a file name in a rule (a drive letter, a URL): name the file without it, or write `targets: %.out: %.in` for a static pattern rule"),
                    );
                    return out;
                }
            }
            tokens.drain(..=c);
        }
        let mut order_only = false;
        for (t, r) in tokens {
            if t == "|" {
                order_only = true;
                continue;
            }
            if t == ":" {
                continue;
            }
            if has_unknown(&t) {
                let span = self.span_of(exp, r);
                self.notes.push((
                    span,
                    format!("prerequisite `{}` cannot be resolved statically", self.render(&t)),
                ));
                continue;
            }
            let dep = Dep {
                name: clean_name(&t),
                span: self.span_of(exp, r),
            };
            if order_only {
                out.order_only.push(dep);
            } else {
                out.normal.push(dep);
            }
        }
        out
    }

    /// Report includes that were missing once the whole makefile is read:
    /// GNU make first tries to build them with a rule.
    pub fn finish_includes(&mut self) {
        let missing = std::mem::take(&mut self.missing_includes);
        for (name, span) in missing {
            let has_rule = self
                .rules
                .iter()
                .any(|r| !r.pattern && r.targets.iter().any(|(t, _)| *t == name));
            if has_rule {
                self.notes.push((
                    span,
                    format!("`{name}` is generated by a rule before make reads it; its contents are unknown"),
                ));
            } else {
                self.unresolved_includes += 1;
                self.diags.push(
                    Diagnostic::parse_error(span, format!("included file `{name}` not found"))
                        .with_label("GNU make stops here: no such file and no rule to make it")
                        .with_help("create the file, fix the path (includes are relative to the makefile's directory), or use `-include` if it is optional"),
                );
            }
        }
    }
}

#[derive(Debug, Default)]
pub struct Deps {
    pub static_pattern: Option<String>,
    pub normal: Vec<Dep>,
    pub order_only: Vec<Dep>,
}

pub fn has_percent(s: &str) -> bool {
    let b = s.as_bytes();
    (0..b.len()).any(|i| b[i] == b'%' && (i == 0 || b[i - 1] != b'\\'))
}

/// File names as make records them: a leading `./` is dropped, and
/// backslash-escaped blanks and colons lose their backslash.
pub fn clean_name(s: &str) -> String {
    if s.contains('\\') {
        let unescaped = s.replace("\\ ", " ").replace("\\\t", "\t").replace("\\:", ":");
        if unescaped != s {
            return clean_name(&unescaped);
        }
    }
    let mut s = s;
    while let Some(rest) = s.strip_prefix("./") {
        let rest = rest.trim_start_matches('/');
        if rest.is_empty() {
            break;
        }
        s = rest;
    }
    s.to_string()
}

/// Leading `override` / `export` / `unexport` / `private` words.
fn split_modifiers(body: &Mapped) -> (Vec<String>, Mapped) {
    let mut mods = Vec::new();
    let mut pos = 0;
    let t = &body.text;
    loop {
        let rest = &t[pos..];
        let trimmed = rest.trim_start();
        let lead = rest.len() - trimmed.len();
        let word_end = trimmed.find(|c: char| c.is_ascii_whitespace()).unwrap_or(trimmed.len());
        let w = &trimmed[..word_end];
        if MODIFIERS.contains(&w) {
            // `export = x` assigns a variable called export
            let after = trimmed[word_end..].trim_start();
            if after.starts_with('=') || after.starts_with(":=") || after.starts_with("+=") || after.starts_with("?=") {
                break;
            }
            mods.push(w.to_string());
            pos += lead + word_end;
            continue;
        }
        break;
    }
    let rest = body.slice(pos..t.len());
    let lead = rest.text.len() - rest.text.trim_start().len();
    (mods, rest.slice(lead..rest.text.len()))
}

/// `NAME = value` and friends; None when the line is not an assignment
/// (for instance because a `:` of a rule comes before the `=`).
fn parse_assignment(m: &Mapped) -> Option<Assignment> {
    let t = &m.text;
    let eq = find_outside_refs(t, |b, _| b == b'=')?;
    let b = t.as_bytes();
    let (op, name_end) = if eq >= 3 && &b[eq - 3..eq] == b":::" {
        (AssignOp::Simple, eq - 3)
    } else if eq >= 2 && &b[eq - 2..eq] == b"::" {
        (AssignOp::Simple, eq - 2)
    } else if eq >= 1 {
        match b[eq - 1] {
            b':' => (AssignOp::Simple, eq - 1),
            b'+' => (AssignOp::Append, eq - 1),
            b'?' => (AssignOp::Conditional, eq - 1),
            b'!' => (AssignOp::Shell, eq - 1),
            _ => (AssignOp::Recursive, eq),
        }
    } else {
        (AssignOp::Recursive, eq)
    };
    let name = &t[..name_end];
    if find_outside_refs(name, |b, _| b == b':' || b == b';').is_some() {
        return None;
    }
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    Some(Assignment {
        name: name.to_string(),
        op,
        value: m.slice(eq + 1..t.len()),
    })
}

/// Index of the `endef` closing a `define` whose body starts at `from`.
fn find_endef(lines: &[LogicalLine], from: usize) -> Option<usize> {
    let mut depth = 1;
    for (i, l) in lines.iter().enumerate().skip(from) {
        let t = l.text.text.trim_start();
        let mut ws = t.split_ascii_whitespace();
        let mut first = ws.next().unwrap_or("");
        while MODIFIERS.contains(&first) {
            first = ws.next().unwrap_or("");
        }
        if first == "define" && !l.text.text.starts_with('\t') {
            depth += 1;
        } else if (first == "endef" || first.starts_with("endef#")) && !l.text.text.starts_with('\t') {
            depth -= 1;
            if depth == 0 {
                return Some(i);
            }
        }
    }
    None
}

/// The two strings of `ifeq (a,b)`, `ifeq "a" "b"` or `ifeq 'a' 'b'`, split
/// exactly as GNU make splits them (unexpanded).
fn split_ifeq_args(s: &str) -> Option<(&str, &str)> {
    let s = s.trim_end();
    let b = s.as_bytes();
    let first = *b.first()?;
    if first == b'(' {
        let mut depth = 0i32;
        let mut comma = None;
        for (i, &c) in b.iter().enumerate().skip(1) {
            match c {
                b'(' => depth += 1,
                b')' => depth -= 1,
                b',' if depth <= 0 => {
                    comma = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let comma = comma?;
        let a = s[1..comma].trim_end_matches([' ', '\t']);
        let rest = s[comma + 1..].trim_start_matches([' ', '\t']);
        let rb = rest.as_bytes();
        let mut depth = 0i32;
        let mut close = None;
        for (i, &c) in rb.iter().enumerate() {
            match c {
                b'(' => depth += 1,
                b')' if depth <= 0 => {
                    close = Some(i);
                    break;
                }
                b')' => depth -= 1,
                _ => {}
            }
        }
        let close = close?;
        if !rest[close + 1..].trim().is_empty() {
            return None;
        }
        Some((a, &rest[..close]))
    } else if first == b'"' || first == b'\'' {
        let end1 = s[1..].find(first as char)? + 1;
        let a = &s[1..end1];
        let rest = s[end1 + 1..].trim_start();
        let q = *rest.as_bytes().first()?;
        if q != b'"' && q != b'\'' {
            return None;
        }
        let end2 = rest[1..].find(q as char)? + 1;
        if !rest[end2 + 1..].trim().is_empty() {
            return None;
        }
        Some((a, &rest[1..end2]))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ifeq_arguments_split_like_make() {
        assert_eq!(split_ifeq_args("($(A), b)"), Some(("$(A)", "b")));
        assert_eq!(split_ifeq_args("( a ,b )"), Some((" a", "b ")));
        assert_eq!(
            split_ifeq_args("(,$(shell which conda))"),
            Some(("", "$(shell which conda)"))
        );
        assert_eq!(split_ifeq_args("\"a\" 'b'"), Some(("a", "b")));
        assert_eq!(split_ifeq_args("(a,b) x"), None);
        assert_eq!(split_ifeq_args("a b"), None);
    }

    #[test]
    fn assignments_are_told_from_rules() {
        let p = |s: &str| parse_assignment(&Mapped::literal(s, 0)).map(|a| (a.name, a.op));
        assert_eq!(p("X := 1"), Some(("X".into(), AssignOp::Simple)));
        assert_eq!(p("X ::= 1"), Some(("X".into(), AssignOp::Simple)));
        assert_eq!(p("X += 1"), Some(("X".into(), AssignOp::Append)));
        assert_eq!(p("X ?= $(Y:a=b)"), Some(("X".into(), AssignOp::Conditional)));
        assert_eq!(p("$(N)_DIR = x"), Some(("$(N)_DIR".into(), AssignOp::Recursive)));
        assert_eq!(p("a: X = 1"), None);
        assert_eq!(p("a b: c"), None);
        assert_eq!(p("out: ; echo a=b"), None);
    }

    #[test]
    fn leading_dot_slash_is_dropped() {
        assert_eq!(clean_name("./a/b"), "a/b");
        assert_eq!(clean_name("././x"), "x");
        assert_eq!(clean_name("./"), "./");
        assert_eq!(clean_name(".//d"), "d");
    }
}
