//! Variable expansion and the built-in functions, as GNU make 4.3 does them.
//!
//! What cannot be known without running something (`$(shell ...)`, a
//! `$(wildcard ...)` that matches no file yet, a variable set in a branch
//! whose condition is not static) expands to an *unknown marker*: a private-use
//! character pair around an index into [`Make::unknowns`]. Markers travel
//! through the text like one word; [`Make::render`] turns them back into the
//! original text (`$(shell git rev-parse HEAD)`) for output.

use super::text::{Mapped, find_outside_refs, matching_close, words};
use super::{Make, Origin, Var};
use crate::diagnostic::{Diagnostic, thousands};
use std::collections::HashMap;
use std::path::Path;

pub const UNK_OPEN: char = '\u{E000}';
pub const UNK_CLOSE: char = '\u{E001}';
/// Stands for `$(CURDIR)`: the directory make runs in.
pub const CURDIR_MARK: char = '\u{E002}';

/// Nested expansions deeper than this are taken as runaway recursion (GNU
/// make itself would run out of stack); the stack grows on demand below it.
const MAX_DEPTH: u32 = 2_500;
/// Most expansion steps a small makefile may take, and how many more each
/// byte of a larger one adds: a recursive `$(call)` inside a `$(foreach)`
/// grows exponentially long before it nests deep.
#[cfg(not(fuzzing))]
const MIN_WORK: u64 = 2_000_000;
/// Under `cargo fuzz`, a fortieth: inputs that run out of budget take most
/// of a fuzz run's time, and take the same paths with a smaller one.
#[cfg(fuzzing)]
const MIN_WORK: u64 = 50_000;
const WORK_PER_BYTE: u64 = 4;
/// The longest value one expansion may make. Each byte an expansion makes
/// also costs work (one step per [`BYTES_PER_STEP`]), so what all of them
/// make together stays near 16 MiB for a small makefile; a value can grow
/// exponentially (`x := $(x) $(x)`) long before the steps run out.
const MAX_VALUE: usize = 16 << 20;
const BYTES_PER_STEP: usize = 8;

/// The work budget of a makefile of `len` bytes.
pub(super) fn budget_for(len: usize) -> u64 {
    MIN_WORK + WORK_PER_BYTE * len as u64
}

pub fn has_unknown(s: &str) -> bool {
    s.contains(UNK_OPEN)
}

impl Make<'_> {
    /// A marker for a value only known at run time, shown as `display`.
    /// The display keeps the markers of the unknowns it is made of, for
    /// [`Make::render`] to resolve when it is shown: rendering them here
    /// would copy every earlier display into each new one, quadratic in a
    /// loop like `$(foreach s,…,$(eval stamp := $(shell echo $(stamp)-$(s))))`.
    pub fn unknown(&mut self, display: impl Into<String>) -> String {
        let idx = self.unknowns.len();
        self.unknowns.push(display.into());
        format!("{UNK_OPEN}{idx}{UNK_CLOSE}")
    }

    /// Text for humans: unknown markers become the text they stand for.
    /// An unknown's text can hold markers of earlier ones, tens of
    /// thousands deep in a fuzzed makefile: walked with a stack of its own,
    /// and cut at [`MAX_VALUE`] bytes or steps (markers repeated at each
    /// level grow exponentially).
    pub fn render(&self, s: &str) -> String {
        if !s.contains(UNK_OPEN) && !s.contains(CURDIR_MARK) {
            return s.to_string();
        }
        let mut out = String::with_capacity(s.len());
        // what is left of each text being rendered, innermost last
        let mut stack: Vec<&str> = vec![s];
        let mut steps = 0;
        while let Some(&rest) = stack.last() {
            steps += 1;
            if out.len() > MAX_VALUE || steps > MAX_VALUE {
                out.push('…');
                break;
            }
            let top = stack.len() - 1;
            let Some(i) = rest.find([UNK_OPEN, CURDIR_MARK]) else {
                out.push_str(rest);
                stack.pop();
                continue;
            };
            out.push_str(&rest[..i]);
            let ch = rest[i..].chars().next().unwrap_or(UNK_OPEN);
            let after = &rest[i + ch.len_utf8()..];
            if ch == CURDIR_MARK {
                out.push_str("$(CURDIR)");
                stack[top] = after;
                continue;
            }
            let Some(close) = after.find(UNK_CLOSE) else {
                out.push_str(after);
                stack.pop();
                continue;
            };
            let idx: usize = after[..close].parse().unwrap_or(usize::MAX);
            stack[top] = &after[close + UNK_CLOSE.len_utf8()..];
            match self.unknowns.get(idx) {
                Some(d) => stack.push(d),
                None => out.push('?'),
            }
        }
        out
    }

    pub fn lookup(&self, name: &str) -> Option<&Var> {
        self.frames.get(name).or_else(|| self.vars.get(name))
    }

    /// The value of a variable, expanded.
    pub fn value_of(&mut self, name: &str) -> String {
        let Some(var) = self.lookup(name) else {
            return String::new();
        };
        if !var.recursive {
            return var.value.clone();
        }
        let raw = var.value.clone();
        if self.expanding.iter().any(|n| n == name) {
            let msg = format!("recursive variable `{name}` references itself (eventually)");
            if !self.diags.iter().any(|d| d.message == msg) {
                self.diags.push(
                    Diagnostic::parse_error(self.cur, msg)
                        .with_help("use `:=` for a value computed from the old one, or `+=` to append"),
                );
            }
            return self.unknown(format!("$({name})"));
        }
        self.expanding.push(name.to_string());
        let v = self.expand(&raw);
        self.expanding.pop();
        v
    }

    /// Past the work budget: the one unknown marker that stands for all
    /// that is not expanded (reported once).
    fn past_budget(&mut self) -> Option<String> {
        if self.work <= self.budget {
            return None;
        }
        if self.over_budget.is_some() {
            return self.over_budget.clone();
        }
        let bytes = self.budget.saturating_sub(MIN_WORK) / WORK_PER_BYTE;
        let msg = format!(
            "expansion takes more than {} steps ({} plus {WORK_PER_BYTE} for each of the makefile's {} bytes): the rest of this makefile is not expanded",
            thousands(self.budget as usize),
            thousands(MIN_WORK as usize),
            thousands(bytes as usize)
        );
        Some(self.stop_expanding(
            msg,
            "a recursive `$(call)` that never stops? GNU make would run out of memory here",
        ))
    }

    /// Stop expanding: the first reason is reported, and from now on one
    /// unknown marker stands for every value.
    fn stop_expanding(&mut self, msg: String, help: &str) -> String {
        self.work = self.work.max(self.budget + 1);
        if self.over_budget.is_none() {
            self.diags.push(Diagnostic::parse_error(self.cur, msg).with_help(help));
            self.over_budget = Some(self.unknown("…"));
        }
        self.over_budget.clone().unwrap_or_default()
    }

    /// A value of `len` bytes is about to be made: past [`MAX_VALUE`] that
    /// is reported once, and it and all expansion after it stand for the
    /// unknown marker of the budget.
    fn too_long(&mut self, len: usize) -> Option<String> {
        if len <= MAX_VALUE {
            return None;
        }
        let msg = format!(
            "an expansion here is {} bytes long, over the limit of {} MiB: the rest of this makefile is not expanded",
            thousands(len),
            MAX_VALUE >> 20
        );
        Some(self.stop_expanding(
            msg,
            "a variable that doubles itself, or a `$(foreach)` over its own result?",
        ))
    }

    /// Expand all variable references and function calls in `s`.
    pub fn expand(&mut self, s: &str) -> String {
        if !s.contains('$') {
            return s.to_string();
        }
        self.work += 1 + (s.len() / 256) as u64;
        if let Some(marker) = self.past_budget() {
            return marker;
        }
        if self.depth > MAX_DEPTH {
            if !self.diags.iter().any(|d| d.message.starts_with("expansion nested")) {
                self.diags.push(
                    Diagnostic::parse_error(self.cur, format!("expansion nested more than {MAX_DEPTH} levels deep"))
                        .with_help("a `$(call)` that never stops calling itself? GNU make would crash here"),
                );
            }
            return self.unknown(s.to_string());
        }
        stacker::maybe_grow(256 * 1024, 4 * 1024 * 1024, || self.expand_unguarded(s))
    }

    fn expand_unguarded(&mut self, s: &str) -> String {
        self.depth += 1;
        let mut out = String::with_capacity(s.len());
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let Some(rel) = s[i..].find('$') else {
                out.push_str(&s[i..]);
                break;
            };
            let d = i + rel;
            out.push_str(&s[i..d]);
            let (text, next) = self.expand_ref_at(s, d);
            // past the budget, the marker stands for the whole value: a
            // partial one would be copied up through every level above
            if let Some(marker) = self.too_long(out.len() + text.len()).or_else(|| self.past_budget()) {
                self.depth -= 1;
                return marker;
            }
            out.push_str(&text);
            i = next;
        }
        self.depth -= 1;
        self.work += (out.len() / BYTES_PER_STEP) as u64;
        self.past_budget().unwrap_or(out)
    }

    /// Expand the reference starting with the `$` at `d`; returns its value and
    /// the index after it.
    fn expand_ref_at(&mut self, s: &str, d: usize) -> (String, usize) {
        self.work += 1;
        if let Some(marker) = self.past_budget() {
            let end = s[d..]
                .find(|c: char| c.is_whitespace())
                .map_or(s.len(), |e| d + e)
                .max(d + 1);
            let end = (d + 1..=end).find(|&e| s.is_char_boundary(e)).unwrap_or(s.len());
            return (marker, end);
        }
        let b = s.as_bytes();
        if d + 1 >= b.len() {
            return (String::new(), b.len());
        }
        match b[d + 1] {
            b'$' => ("$".to_string(), d + 2),
            b'(' | b'{' => match matching_close(b, d + 1) {
                Some(close) => {
                    let v = self.expand_ref(&s[d + 2..close], b[d + 1]);
                    (v, close + 1)
                }
                None => {
                    self.diags.push(
                        Diagnostic::parse_error(self.cur, "unterminated variable reference")
                            .with_help("close the `$(` with `)` (or `${` with `}`)"),
                    );
                    (String::new(), b.len())
                }
            },
            _ => {
                let ch = s[d + 1..].chars().next().unwrap();
                let v = self.value_of(&ch.to_string());
                (v, d + 1 + ch.len_utf8())
            }
        }
    }

    /// Expand `m` keeping a map from the result back to the source: text
    /// outside references maps byte for byte, each top-level reference maps as
    /// a whole onto its `$(...)`.
    pub fn expand_mapped(&mut self, m: &Mapped) -> Mapped {
        let s = m.text.clone();
        let mut out = Mapped::new();
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let Some(rel) = s[i..].find('$') else {
                out.push_mapped(m, i..b.len());
                break;
            };
            let d = i + rel;
            out.push_mapped(m, i..d);
            let (text, next) = self.expand_ref_at(&s, d);
            out.push_synth(&text, m.src_range(d..next.max(d + 1)));
            i = next;
        }
        out
    }

    /// The inside of a `$(...)`: a function call or a variable reference.
    fn expand_ref(&mut self, content: &str, open: u8) -> String {
        // function call: a known name followed by blank or end
        let name_end = content.find([' ', '\t']).unwrap_or(content.len());
        let fname = &content[..name_end];
        if let Some(f) = FUNCTIONS.iter().find(|f| f.0 == fname) {
            let args_text = content[name_end..].trim_start_matches([' ', '\t']);
            return self.call_function(f.0, f.1, args_text, open, content);
        }
        // substitution reference $(VAR:a=b)
        if let Some(colon) = find_outside_refs(content, |b, _| b == b':') {
            let rest = &content[colon + 1..];
            if let Some(eq) = find_outside_refs(rest, |b, _| b == b'=') {
                let name = self.expand(&content[..colon]);
                let from = self.expand(&rest[..eq]);
                let to = self.expand(&rest[eq + 1..]);
                let val = self.value_of(&name);
                if has_unknown(&val) {
                    return self.unknown(format!("$({content})"));
                }
                let (from, to) = if from.contains('%') {
                    (from, to)
                } else {
                    (format!("%{from}"), format!("%{to}"))
                };
                return patsubst(&from, &to, &val);
            }
        }
        let name = self.expand(content);
        if has_unknown(&name) {
            return self.unknown(format!("$({content})"));
        }
        self.value_of(&name)
    }

    fn call_function(&mut self, name: &str, max_args: usize, args_text: &str, open: u8, whole: &str) -> String {
        let raw = split_args(args_text, open, max_args);
        let arg = |i: usize| raw.get(i).copied().unwrap_or("");
        // functions whose arguments are expanded lazily
        match name {
            "foreach" => return self.func_foreach(arg(0), arg(1), arg(2), whole),
            "if" => {
                let cond = self.expand(arg(0));
                let cond = cond.trim_matches(|c: char| c.is_ascii_whitespace());
                if has_unknown(cond) {
                    return self.unknown(format!("$({whole})"));
                }
                return if !cond.is_empty() {
                    self.expand(arg(1))
                } else {
                    self.expand(arg(2))
                };
            }
            "or" => {
                for a in &raw {
                    let v = self.expand(a);
                    let v = v.trim_matches(|c: char| c.is_ascii_whitespace()).to_string();
                    if has_unknown(&v) {
                        return self.unknown(format!("$({whole})"));
                    }
                    if !v.is_empty() {
                        return v;
                    }
                }
                return String::new();
            }
            "and" => {
                let mut last = String::new();
                for a in &raw {
                    let v = self.expand(a);
                    let v = v.trim_matches(|c: char| c.is_ascii_whitespace()).to_string();
                    if has_unknown(&v) {
                        return self.unknown(format!("$({whole})"));
                    }
                    if v.is_empty() {
                        return String::new();
                    }
                    last = v;
                }
                return last;
            }
            "value" => {
                let n = self.expand(arg(0));
                return self.lookup(&n).map(|v| v.value.clone()).unwrap_or_default();
            }
            _ => {}
        }
        let args: Vec<String> = raw.iter().map(|a| self.expand(a)).collect();
        let a = |i: usize| args.get(i).map(String::as_str).unwrap_or("");
        match name {
            "call" => return self.func_call(&args),
            "eval" => {
                let text = a(0).to_string();
                self.eval_text(&text);
                return String::new();
            }
            "info" | "warning" => return String::new(),
            "error" => {
                let msg = self.render(a(0));
                self.notes.push((
                    self.cur,
                    format!("GNU make stops here when this line is read: $(error {msg})"),
                ));
                return String::new();
            }
            "origin" => return self.func_origin(a(0)),
            "flavor" => {
                return match self.lookup(a(0)) {
                    None => "undefined",
                    Some(v) if v.recursive => "recursive",
                    Some(_) => "simple",
                }
                .to_string();
            }
            "shell" => return self.unknown(format!("$(shell {})", a(0))),
            "file" => return self.func_file(a(0), args.get(1).is_some()),
            "guile" => return self.unknown(format!("$(guile {})", a(0))),
            _ => {}
        }
        if args.iter().any(|x| has_unknown(x)) {
            return self.unknown(format!("$({name} {})", args.join(",")));
        }
        // the functions whose value can be much longer than their arguments
        let longest = match name {
            "subst" if !a(0).is_empty() => a(2).len() + a(2).matches(a(0)).count() * a(1).len(),
            "patsubst" => a(2).len() + words(a(2)).count() * a(1).len(),
            "addprefix" | "addsuffix" => a(1).len() + words(a(1)).count() * a(0).len(),
            _ => 0,
        };
        if let Some(marker) = self.too_long(longest) {
            return marker;
        }
        match name {
            "subst" => {
                if a(0).is_empty() {
                    format!("{}{}", a(2), a(1))
                } else {
                    a(2).replace(a(0), a(1))
                }
            }
            "patsubst" => patsubst(a(0), a(1), a(2)),
            "strip" => words(a(0)).collect::<Vec<_>>().join(" "),
            "findstring" => {
                if a(1).contains(a(0)) {
                    a(0).to_string()
                } else {
                    String::new()
                }
            }
            "filter" | "filter-out" => {
                let pats: Vec<&str> = words(a(0)).collect();
                let keep = name == "filter";
                words(a(1))
                    .filter(|w| pats.iter().any(|p| pattern_match(p, w).is_some()) == keep)
                    .collect::<Vec<_>>()
                    .join(" ")
            }
            "sort" => {
                let mut v: Vec<&str> = words(a(0)).collect();
                v.sort_unstable();
                v.dedup();
                v.join(" ")
            }
            "word" => match self.number_arg("word", a(0)) {
                Some(0) => {
                    self.diags.push(Diagnostic::parse_error(
                        self.cur,
                        "first argument to `word` must be greater than 0",
                    ));
                    String::new()
                }
                Some(n) => words(a(1)).nth(n - 1).unwrap_or("").to_string(),
                None => String::new(),
            },
            "wordlist" => {
                let (Some(s), Some(e)) = (self.number_arg("wordlist", a(0)), self.number_arg("wordlist", a(1))) else {
                    return String::new();
                };
                if s == 0 {
                    self.diags.push(Diagnostic::parse_error(
                        self.cur,
                        "first argument to `wordlist` must be greater than 0",
                    ));
                    return String::new();
                }
                if e < s {
                    return String::new();
                }
                words(a(2)).skip(s - 1).take(e - s + 1).collect::<Vec<_>>().join(" ")
            }
            "words" => words(a(0)).count().to_string(),
            "firstword" => words(a(0)).next().unwrap_or("").to_string(),
            "lastword" => words(a(0)).last().unwrap_or("").to_string(),
            "dir" => map_words(a(0), |w| match w.rfind('/') {
                Some(i) => w[..=i].to_string(),
                None => "./".to_string(),
            }),
            "notdir" => map_words(a(0), |w| match w.rfind('/') {
                Some(i) => w[i + 1..].to_string(),
                None => w.to_string(),
            }),
            "suffix" => words(a(0))
                .filter_map(|w| suffix_of(w).map(|i| &w[i..]))
                .collect::<Vec<_>>()
                .join(" "),
            "basename" => map_words(a(0), |w| match suffix_of(w) {
                Some(i) => w[..i].to_string(),
                None => w.to_string(),
            }),
            "addsuffix" => map_words(a(1), |w| format!("{w}{}", a(0))),
            "addprefix" => map_words(a(1), |w| format!("{}{w}", a(0))),
            "join" => {
                let x: Vec<&str> = words(a(0)).collect();
                let y: Vec<&str> = words(a(1)).collect();
                (0..x.len().max(y.len()))
                    .map(|i| format!("{}{}", x.get(i).unwrap_or(&""), y.get(i).unwrap_or(&"")))
                    .collect::<Vec<_>>()
                    .join(" ")
            }
            "wildcard" => self.func_wildcard(a(0)),
            "abspath" => map_words(a(0), abspath),
            "realpath" => {
                let dir = self.dir.clone();
                words(a(0))
                    .filter(|w| dir.join(w).exists() || Path::new(w).exists())
                    .map(abspath)
                    .collect::<Vec<_>>()
                    .join(" ")
            }
            _ => String::new(),
        }
    }

    fn number_arg(&mut self, func: &str, s: &str) -> Option<usize> {
        match s.trim().parse::<usize>() {
            Ok(n) => Some(n),
            Err(_) => {
                self.diags.push(Diagnostic::parse_error(
                    self.cur,
                    format!("non-numeric argument `{}` to `{func}`", s.trim()),
                ));
                None
            }
        }
    }

    fn func_foreach(&mut self, var: &str, list: &str, body: &str, whole: &str) -> String {
        let var = self.expand(var).trim().to_string();
        let list = self.expand(list);
        if has_unknown(&list) {
            return self.unknown(format!("$({whole})"));
        }
        let items: Vec<String> = words(&list).map(str::to_string).collect();
        let mut out = Vec::with_capacity(items.len());
        let mut len = 0;
        for item in items {
            let mut frame = HashMap::new();
            frame.insert(var.clone(), Var::simple(item, Origin::Automatic));
            self.frames.push(frame);
            let v = self.expand(body);
            self.frames.pop();
            len += v.len() + 1;
            if let Some(marker) = self.too_long(len) {
                return marker;
            }
            out.push(v);
        }
        out.join(" ")
    }

    fn func_call(&mut self, args: &[String]) -> String {
        let name = args.first().map(|s| s.trim().to_string()).unwrap_or_default();
        let Some(var) = self.lookup(&name).cloned() else {
            return String::new();
        };
        let mut frame = HashMap::new();
        frame.insert("0".to_string(), Var::simple(name.clone(), Origin::Automatic));
        for (i, a) in args.iter().enumerate().skip(1) {
            frame.insert(i.to_string(), Var::simple(a.clone(), Origin::Automatic));
        }
        // hide the numbered arguments of an enclosing call
        for i in args.len()..=self.call_args_max {
            frame.insert(i.to_string(), Var::simple(String::new(), Origin::Automatic));
        }
        let saved_max = self.call_args_max;
        self.call_args_max = self.call_args_max.max(args.len().saturating_sub(1));
        self.frames.push(frame);
        // recursion is bounded by the expansion depth limit, as make's by its stack
        let v = if var.recursive {
            self.expanding.push(name.clone());
            let v = self.expand(&var.value);
            self.expanding.pop();
            v
        } else {
            var.value.clone()
        };
        self.frames.pop();
        self.call_args_max = saved_max;
        v
    }

    fn func_origin(&self, name: &str) -> String {
        match self.lookup(name.trim()) {
            None => "undefined",
            Some(v) => match v.origin {
                Origin::Default => "default",
                Origin::Automatic => "automatic",
                Origin::File => "file",
                Origin::CommandLine => "command line",
                Origin::Override => "override",
            },
        }
        .to_string()
    }

    /// `$(file <name)` reads a file that exists (kfr reads, never writes);
    /// `$(file >name,...)` writes, which kfr does not do.
    fn func_file(&mut self, op: &str, _has_text: bool) -> String {
        let op = op.trim();
        if let Some(name) = op.strip_prefix('<') {
            let name = name.trim();
            if has_unknown(name) {
                return self.unknown(format!("$(file <{name})"));
            }
            let path = self.dir.join(name);
            // never a file outside the project: its text could end up in what kfr prints
            if let Some(root) = self.source_db.and_then(|db| db.outside_root(&path)) {
                self.notes.push((
                    self.cur,
                    format!(
                        "`$(file <{name})` names a file outside the project directory `{}`: not read, its text is unknown",
                        crate::source::display_path(&root)
                    ),
                ));
                return self.unknown(format!("$(file <{name})"));
            }
            let limit = self.source_db.map_or(crate::source::MAX_FILE_SIZE, |db| db.max_size());
            return match std::fs::metadata(&path) {
                Ok(m) if m.is_file() && m.len() <= limit => match std::fs::read_to_string(&path) {
                    Ok(text) => text.strip_suffix('\n').unwrap_or(&text).to_string(),
                    Err(_) => self.unknown(format!("$(file <{name})")),
                },
                _ => self.unknown(format!("$(file <{name})")),
            };
        }
        String::new()
    }

    fn func_wildcard(&mut self, patterns: &str) -> String {
        let mut out: Vec<String> = Vec::new();
        for pat in words(patterns) {
            if !pat.contains(['*', '?', '[']) {
                if self.dir.join(pat).exists() {
                    out.push(pat.to_string());
                } else {
                    out.push(self.unknown(format!("$(wildcard {pat})")));
                }
                continue;
            }
            let full = self.dir.join(pat);
            let opts = glob::MatchOptions {
                case_sensitive: true,
                require_literal_separator: true,
                require_literal_leading_dot: true,
            };
            let mut found: Vec<String> = Vec::new();
            // `dir/*/` matches directories only, and keeps the slash
            let dirs_only = pat.ends_with('/');
            if let Ok(paths) = glob::glob_with(&full.to_string_lossy(), opts) {
                for p in paths.flatten() {
                    if dirs_only && !p.is_dir() {
                        continue;
                    }
                    if let Ok(rel) = p.strip_prefix(&self.dir) {
                        let mut rel = rel.to_string_lossy().replace('\\', "/");
                        if pat.starts_with("./") {
                            rel = format!("./{rel}");
                        }
                        if dirs_only {
                            rel.push('/');
                        }
                        found.push(rel);
                    }
                }
            }
            if found.is_empty() {
                out.push(self.unknown(format!("$(wildcard {pat})")));
            } else {
                found.sort();
                out.extend(found);
            }
        }
        out.join(" ")
    }
}

/// Built-in functions and their maximum argument count (0 = any), as in
/// GNU make 4.3's function table.
const FUNCTIONS: &[(&str, usize)] = &[
    ("abspath", 1),
    ("addprefix", 2),
    ("addsuffix", 2),
    ("and", 0),
    ("basename", 1),
    ("call", 0),
    ("dir", 1),
    ("error", 1),
    ("eval", 1),
    ("file", 2),
    ("filter", 2),
    ("filter-out", 2),
    ("findstring", 2),
    ("firstword", 1),
    ("flavor", 1),
    ("foreach", 3),
    ("guile", 1),
    ("if", 3),
    ("info", 1),
    ("join", 2),
    ("lastword", 1),
    ("notdir", 1),
    ("or", 0),
    ("origin", 1),
    ("patsubst", 3),
    ("realpath", 1),
    ("shell", 1),
    ("sort", 1),
    ("strip", 1),
    ("subst", 3),
    ("suffix", 1),
    ("value", 1),
    ("warning", 1),
    ("wildcard", 1),
    ("word", 2),
    ("wordlist", 3),
    ("words", 1),
];

/// Split function arguments at top-level commas (nesting counted for the
/// parenthesis kind that opened the call, as GNU make does); the last
/// argument of a function with a maximum takes the rest, commas included.
fn split_args(s: &str, open: u8, max: usize) -> Vec<&str> {
    let (o, c) = if open == b'(' { (b'(', b')') } else { (b'{', b'}') };
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, &ch) in b.iter().enumerate() {
        if ch == o {
            depth += 1;
        } else if ch == c {
            depth -= 1;
        } else if ch == b',' && depth == 0 && (max == 0 || out.len() + 1 < max) {
            out.push(&s[start..i]);
            start = i + 1;
        }
    }
    out.push(&s[start..]);
    out
}

fn map_words(s: &str, f: impl Fn(&str) -> String) -> String {
    words(s).map(f).collect::<Vec<_>>().join(" ")
}

/// Index of the `.` starting the suffix of the last path component.
fn suffix_of(w: &str) -> Option<usize> {
    let base = w.rfind('/').map(|i| i + 1).unwrap_or(0);
    w[base..].rfind('.').map(|i| base + i)
}

fn abspath(w: &str) -> String {
    let p = crate::source::normalize_path(Path::new(w));
    let s = p.to_string_lossy().replace('\\', "/");
    if w.starts_with('/') {
        s
    } else if s.is_empty() {
        CURDIR_MARK.to_string()
    } else {
        format!("{CURDIR_MARK}/{s}")
    }
}

/// Position of the first `%` not escaped by a backslash.
fn percent(p: &str) -> Option<usize> {
    let b = p.as_bytes();
    (0..b.len()).find(|&i| b[i] == b'%' && (i == 0 || b[i - 1] != b'\\'))
}

/// Match a word against a make pattern; returns the stem (`""` for an exact
/// match of a pattern without `%`).
pub fn pattern_match<'w>(pat: &str, word: &'w str) -> Option<&'w str> {
    match percent(pat) {
        None => (unescape_pct(pat) == word).then_some(""),
        Some(i) => {
            let pre = unescape_pct(&pat[..i]);
            let suf = unescape_pct(&pat[i + 1..]);
            if word.len() >= pre.len() + suf.len() && word.starts_with(&pre) && word.ends_with(&suf) {
                Some(&word[pre.len()..word.len() - suf.len()])
            } else {
                None
            }
        }
    }
}

fn unescape_pct(s: &str) -> String {
    if s.contains("\\%") {
        s.replace("\\%", "%")
    } else {
        s.to_string()
    }
}

/// Replace the stem into a pattern: the first `%` becomes `stem`.
pub fn pattern_subst(pat: &str, stem: &str) -> String {
    match percent(pat) {
        None => unescape_pct(pat),
        Some(i) => format!("{}{stem}{}", unescape_pct(&pat[..i]), unescape_pct(&pat[i + 1..])),
    }
}

pub fn patsubst(from: &str, to: &str, text: &str) -> String {
    let to_has_pct = percent(to).is_some();
    words(text)
        .map(|w| match pattern_match(from, w) {
            Some(stem) if percent(from).is_some() && to_has_pct => pattern_subst(to, stem),
            Some(_) => unescape_pct(to),
            None => w.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patsubst_like_make() {
        assert_eq!(
            patsubst("%.csv", "%.parquet", "a.csv  b.txt c.csv"),
            "a.parquet b.txt c.parquet"
        );
        assert_eq!(patsubst("a.c", "x", "a.c b.c"), "x b.c");
        assert_eq!(patsubst("%.c", "obj", "a.c"), "obj");
        assert_eq!(pattern_match("data/%.csv", "data/x/y.csv"), Some("x/y"));
        assert_eq!(pattern_match("100\\%", "100%"), Some(""));
    }

    #[test]
    fn args_split_only_on_top_level_commas() {
        assert_eq!(split_args("a,$(x,y),b", b'(', 0), vec!["a", "$(x,y)", "b"]);
        assert_eq!(split_args("a,b,c,d", b'(', 3), vec!["a", "b", "c,d"]);
        assert_eq!(split_args("a,${x,y}", b'{', 0), vec!["a", "${x,y}"]);
    }
}
