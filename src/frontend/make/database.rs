//! The rule database after reading: one entry per target, rules of the same
//! target merged the way GNU make merges them, static pattern rules
//! instantiated, and pattern rules applied to the concrete files that need
//! them (implicit rule search), then the default goal.

use super::expand::{has_unknown, pattern_match, pattern_subst};
use super::read::{has_percent, is_special_target};
use super::text::words;
use super::{Dep, Make, Origin, RuleKind, Var};
use crate::diagnostic::Diagnostic;
use crate::source::Span;
use std::collections::{BTreeSet, HashMap, HashSet};

#[derive(Debug, Clone)]
pub struct Prereq {
    pub dep: Dep,
    pub order_only: bool,
}

/// One rule as it applies to one target.
#[derive(Debug, Clone)]
pub struct EntryRule {
    pub prereqs: Vec<Prereq>,
    /// Index into [`Make::rules`] of the rule whose recipe runs (if any).
    pub recipe_rule: Option<usize>,
    /// `$*`: the stem of a pattern or static pattern rule.
    pub stem: Option<String>,
    /// Where the target is named (for a pattern match: the pattern rule's target).
    pub target_span: Span,
    /// The rule line.
    pub rule_span: Span,
    /// The rules that contributed (for target-specific lookups and notes).
    pub rules: Vec<usize>,
    /// How many of `prereqs`, at the front, came from a pattern rule.
    pub pattern_prereqs: usize,
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub name: String,
    pub double_colon: bool,
    pub rules: Vec<EntryRule>,
    /// Made by a pattern rule found by implicit rule search.
    pub implicit: bool,
    /// The other targets of a grouped (`&:`) rule.
    pub also_makes: Vec<String>,
    /// Defined in a branch of a conditional kfr could not decide.
    pub uncertain: bool,
    /// Named only as a prerequisite of `.PHONY`, with no rule of its own.
    pub declared_only: bool,
    /// Created as another target of a multi-target pattern rule applied to
    /// a sibling; GNU make gives it no prerequisites of its own unless it is
    /// itself searched as an intermediate file.
    pub also_made_only: bool,
}

impl Entry {
    pub fn has_recipe(&self) -> bool {
        self.rules.iter().any(|r| r.recipe_rule.is_some())
    }
}

#[derive(Debug)]
struct PatternRule {
    targets: Vec<String>,
    prereqs: Vec<(String, bool, Span)>,
    rule: usize,
    terminal: bool,
    /// Prerequisite text kept for `.SECONDEXPANSION`.
    second: Option<super::text::Mapped>,
}

#[derive(Debug, Default)]
pub struct Database {
    pub entries: Vec<Entry>,
    pub index: HashMap<String, usize>,
    pub phony: BTreeSet<String>,
    pub default_goal: Option<String>,
    /// Prerequisites GNU make drops because they close a cycle
    /// (`Circular a <- b dependency dropped`): (target, prerequisite, where).
    pub dropped_cycles: Vec<(String, String, Span)>,
}

impl Database {
    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.index.get(name).map(|&i| &self.entries[i])
    }

    /// The listing compared with GNU make's `make -pnrR` data base: phony
    /// targets, then every target with its prerequisites, sorted by name.
    pub fn listing(&self) -> String {
        let mut out = String::new();
        let phony: Vec<&str> = self.phony.iter().map(String::as_str).collect();
        out.push_str(".PHONY:");
        for p in &phony {
            out.push(' ');
            out.push_str(p);
        }
        out.push('\n');
        let mut lines: Vec<(String, usize, String)> = Vec::new();
        for e in &self.entries {
            if is_special_target(&e.name) {
                continue;
            }
            for (i, r) in e.rules.iter().enumerate() {
                let sep = if e.double_colon { "::" } else { ":" };
                let mut line = format!("{}{}", e.name, sep);
                for p in r.prereqs.iter().filter(|p| !p.order_only) {
                    line.push(' ');
                    line.push_str(&p.dep.name);
                }
                let oo: Vec<&Prereq> = r.prereqs.iter().filter(|p| p.order_only).collect();
                if !oo.is_empty() {
                    line.push_str(" |");
                    for p in oo {
                        line.push(' ');
                        line.push_str(&p.dep.name);
                    }
                }
                lines.push((e.name.clone(), i, line));
            }
        }
        lines.sort();
        for (_, _, l) in lines {
            out.push_str(&l);
            out.push('\n');
        }
        out
    }
}

impl Make<'_> {
    pub fn build_database(&mut self) -> Database {
        let mut db = Database {
            phony: self.phony.iter().map(|(n, _)| n.clone()).collect(),
            ..Default::default()
        };
        let mut patterns: Vec<PatternRule> = Vec::new();
        let mut mentioned: HashSet<String> = HashSet::new();

        for idx in 0..self.rules.len() {
            let rule = self.rules[idx].clone();
            if rule.pattern {
                let targets: Vec<String> = rule.targets.iter().map(|(t, _)| t.clone()).collect();
                let prereqs: Vec<(String, bool, Span)> = rule
                    .normal
                    .iter()
                    .map(|d| (d.name.clone(), false, d.span))
                    .chain(rule.order_only.iter().map(|d| (d.name.clone(), true, d.span)))
                    .collect();
                // a later pattern rule with the same targets and prerequisites replaces
                // the earlier one; one without a recipe cancels it
                patterns.retain(|p| {
                    !(p.targets == targets && p.prereqs.iter().map(|x| &x.0).eq(prereqs.iter().map(|x| &x.0)))
                });
                if rule.has_recipe {
                    patterns.push(PatternRule {
                        targets,
                        prereqs,
                        rule: idx,
                        terminal: rule.kind == RuleKind::DoubleColon,
                        second: rule.second_expansion.clone(),
                    });
                }
                continue;
            }
            let group: Vec<String> = rule.targets.iter().map(|(t, _)| t.clone()).collect();
            for (target, tspan) in &rule.targets {
                let (stem, prereqs) = self.rule_prereqs(idx, target);
                for p in &prereqs {
                    mentioned.insert(p.dep.name.clone());
                }
                let er = EntryRule {
                    prereqs,
                    recipe_rule: rule.has_recipe.then_some(idx),
                    stem,
                    target_span: *tspan,
                    rule_span: rule.span,
                    rules: vec![idx],
                    pattern_prereqs: 0,
                };
                let also: Vec<String> = if rule.kind == RuleKind::Grouped {
                    group.iter().filter(|g| *g != target).cloned().collect()
                } else {
                    Vec::new()
                };
                self.add_entry(
                    &mut db,
                    target,
                    rule.kind == RuleKind::DoubleColon,
                    er,
                    also,
                    rule.uncertain,
                );
            }
        }

        // GNU make lists a name given to .PHONY as a target even without a rule
        for (name, span) in self.phony.clone() {
            if !db.index.contains_key(&name) {
                db.index.insert(name.clone(), db.entries.len());
                db.entries.push(Entry {
                    name,
                    double_colon: false,
                    rules: vec![EntryRule {
                        prereqs: Vec::new(),
                        recipe_rule: None,
                        stem: None,
                        target_span: span,
                        rule_span: span,
                        rules: Vec::new(),
                        pattern_prereqs: 0,
                    }],
                    implicit: false,
                    also_makes: Vec::new(),
                    uncertain: false,
                    declared_only: true,
                    also_made_only: false,
                });
            }
        }

        patterns.extend(self.suffix_rules());
        self.walk_goals(&mut db, &patterns, &mentioned);
        self.add_extra_prereqs(&mut db);
        self.apply_vpath(&mut db);

        // the default goal
        let explicit = self.lookup(".DEFAULT_GOAL").map(|v| v.value.clone());
        let explicit = explicit.map(|v| self.expand(&v)).unwrap_or_default();
        db.default_goal = match explicit.split_ascii_whitespace().next() {
            Some(g) if !has_unknown(g) => Some(g.to_string()),
            _ => self
                .rules
                .iter()
                .filter(|r| !r.pattern)
                .flat_map(|r| r.targets.iter())
                .map(|(t, _)| t)
                .find(|t| !t.starts_with('.') || t.contains('/'))
                .cloned(),
        };
        db
    }

    /// The prerequisites of an explicit rule for one target: static pattern
    /// stems substituted, secondary expansion done.
    fn rule_prereqs(&mut self, idx: usize, target: &str) -> (Option<String>, Vec<Prereq>) {
        let rule = &self.rules[idx];
        let static_pat = rule.static_pattern.clone();
        let stem = static_pat
            .as_deref()
            .and_then(|p| pattern_match(p, target))
            .map(str::to_string);
        let (normal, order_only) = if let Some(text) = rule.second_expansion.clone() {
            let mut frame = HashMap::new();
            frame.insert("@".to_string(), Var::simple(target.to_string(), Origin::Automatic));
            frame.insert(
                "*".to_string(),
                Var::simple(stem.clone().unwrap_or_default(), Origin::Automatic),
            );
            self.frames.push(frame);
            let saved = self.cur;
            self.cur = rule.span;
            let exp = self.expand_mapped(&text);
            let deps = self.parse_deps(&exp);
            self.cur = saved;
            self.frames.pop();
            (deps.normal, deps.order_only)
        } else {
            (rule.normal.clone(), rule.order_only.clone())
        };
        let subst = |d: Dep| match (&static_pat, &stem) {
            (Some(_), Some(s)) if has_percent(&d.name) => Dep {
                name: pattern_subst(&d.name, s),
                span: d.span,
            },
            _ => d,
        };
        let prereqs = normal
            .into_iter()
            .map(|d| Prereq {
                dep: subst(d),
                order_only: false,
            })
            .chain(order_only.into_iter().map(|d| Prereq {
                dep: subst(d),
                order_only: true,
            }))
            .collect();
        (stem, prereqs)
    }

    fn add_entry(
        &mut self,
        db: &mut Database,
        target: &str,
        double: bool,
        er: EntryRule,
        also: Vec<String>,
        uncertain: bool,
    ) {
        let Some(&i) = db.index.get(target) else {
            db.index.insert(target.to_string(), db.entries.len());
            db.entries.push(Entry {
                name: target.to_string(),
                double_colon: double,
                rules: vec![er],
                implicit: false,
                also_makes: also,
                uncertain,
                declared_only: false,
                also_made_only: false,
            });
            return;
        };
        let e = &mut db.entries[i];
        if e.double_colon != double {
            self.diags.push(
                Diagnostic::parse_error(er.target_span, format!("target `{target}` has both `:` and `::` rules"))
                    .with_help("GNU make stops here: use one kind of rule for a target"),
            );
            return;
        }
        e.uncertain &= uncertain;
        if double {
            e.rules.push(er);
            return;
        }
        let cur = &mut e.rules[0];
        if er.recipe_rule.is_some() {
            if cur.recipe_rule.is_some() && !uncertain {
                self.notes.push((
                    er.target_span,
                    format!("this recipe for `{target}` overrides an earlier one (GNU make warns and uses this one)"),
                ));
            }
            // the rule with the recipe puts its prerequisites first
            let mut prereqs = er.prereqs;
            prereqs.append(&mut cur.prereqs);
            cur.prereqs = prereqs;
            cur.recipe_rule = er.recipe_rule;
            cur.stem = er.stem.or(cur.stem.take());
            cur.target_span = er.target_span;
            cur.rule_span = er.rule_span;
        } else {
            cur.prereqs.extend(er.prereqs);
        }
        cur.rules.extend(er.rules);
        if !also.is_empty() {
            e.also_makes = also;
        }
    }

    /// Walk the targets the way GNU make updates them when every target is
    /// a goal, in name order: depth first through prerequisites, searching
    /// an implicit rule for each file that needs one when it is first
    /// reached, and dropping a prerequisite that closes a cycle.
    fn walk_goals(&mut self, db: &mut Database, patterns: &[PatternRule], mentioned: &HashSet<String>) {
        let mut goals: Vec<String> = db.entries.iter().map(|e| e.name.clone()).collect();
        goals.sort();
        // targets entered while walking (the other targets of a multi-target
        // pattern rule) are goals too, after the first round
        let mut round_end = goals.len();
        // 0 = not seen, 1 = in progress, 2 = done
        let mut state: HashMap<String, u8> = HashMap::new();
        let mut seen_search: HashSet<String> = HashSet::new();
        // the other targets of a recipe that has run are up to date: GNU make
        // does not search an implicit rule for them any more
        let mut made_by_sibling: HashSet<String> = HashSet::new();
        let mut failed: HashSet<String> = HashSet::new();
        let mut dropped: Vec<(String, usize, usize)> = Vec::new();
        let mut gi = 0;
        while gi < goals.len() {
            let goal = goals[gi].clone();
            gi += 1;
            if gi == round_end {
                let mut more: Vec<String> = db
                    .entries
                    .iter()
                    .map(|e| e.name.clone())
                    .filter(|n| !state.contains_key(n))
                    .collect();
                more.sort();
                goals.extend(more);
                round_end = goals.len();
            }
            if state.contains_key(&goal) {
                continue;
            }
            if !made_by_sibling.contains(&goal) {
                self.enter(db, patterns, mentioned, &goal, &mut state, &mut seen_search);
            }
            state.insert(goal.clone(), 1);
            // each frame: the file, its prerequisites (as they are once it has
            // been entered), the next one to visit
            let mut stack: Vec<Frame> = vec![Frame::new(db, goal)];
            while let Some(top) = stack.last_mut() {
                let Some((ri, pi, dep)) = top.deps.get(top.next).cloned() else {
                    let frame = stack.pop().unwrap();
                    // a file without a rule that does not exist cannot be made, and
                    // neither can what needs it; a recipe that runs makes its siblings
                    let fails = match db.get(&frame.name) {
                        None => !self.exists(&frame.name),
                        Some(_) => frame.deps.iter().any(|(_, _, d)| failed.contains(d)),
                    };
                    if fails {
                        failed.insert(frame.name.clone());
                    } else if let Some(e) = db.get(&frame.name).filter(|e| e.has_recipe()) {
                        made_by_sibling.extend(e.also_makes.iter().cloned());
                    }
                    state.insert(frame.name, 2);
                    continue;
                };
                top.next += 1;
                match state.get(&dep).copied() {
                    Some(1) => {
                        // GNU make: "Circular name <- dep dependency dropped."
                        let name = top.name.clone();
                        let span = db.entries[db.index[&name]].rules[ri].prereqs[pi].dep.span;
                        dropped.push((name.clone(), ri, pi));
                        db.dropped_cycles.push((name, dep, span));
                    }
                    Some(_) => {}
                    None => {
                        if !made_by_sibling.contains(&dep) {
                            self.enter(db, patterns, mentioned, &dep, &mut state, &mut seen_search);
                        }
                        state.insert(dep.clone(), 1);
                        stack.push(Frame::new(db, dep));
                    }
                }
            }
        }
        // remove the dropped prerequisites, last first so indices hold
        dropped.sort();
        for (name, ri, pi) in dropped.into_iter().rev() {
            let i = db.index[&name];
            db.entries[i].rules[ri].prereqs.remove(pi);
        }
    }

    /// First visit of a file: implicit rule search if it needs a recipe.
    fn enter(
        &mut self,
        db: &mut Database,
        patterns: &[PatternRule],
        mentioned: &HashSet<String>,
        name: &str,
        state: &mut HashMap<String, u8>,
        seen: &mut HashSet<String>,
    ) {
        state.insert(name.to_string(), 1);
        if patterns.is_empty() || db.phony.contains(name) || is_special_target(name) || !seen.insert(name.to_string()) {
            return;
        }
        if db.get(name).is_some_and(|e| e.has_recipe() || e.double_colon) {
            return;
        }
        let mut used = Vec::new();
        if let Some(m) = self.search(db, patterns, mentioned, name, 0, &mut used) {
            self.apply_match(db, patterns, mentioned, name, m, seen);
        }
    }

    /// A file exists in make's directory, or is found through `VPATH` /
    /// `vpath` directory search.
    fn exists(&self, name: &str) -> bool {
        self.dir.join(name).exists() || self.vpath_find(name).is_some()
    }

    /// The prerequisites a pattern rule gives a file: the stem put in for
    /// `%` (the directory added back for a pattern without `/`), then, for a
    /// rule read after `.SECONDEXPANSION`, a second expansion with `$@` and
    /// `$*` set.
    fn pattern_deps(&mut self, p: &PatternRule, name: &str, stem: &str, dir: &str) -> Vec<(String, bool, Span)> {
        let subst = |d: &str| {
            if has_percent(d) {
                format!("{dir}{}", pattern_subst(d, stem))
            } else {
                d.to_string()
            }
        };
        let Some(text) = &p.second else {
            return p.prereqs.iter().map(|(d, oo, span)| (subst(d), *oo, *span)).collect();
        };
        let span = self.rules[p.rule].span;
        let words: Vec<String> = super::text::word_ranges(&text.text)
            .into_iter()
            .map(|r| subst(&text.text[r]))
            .collect();
        let mut frame = HashMap::new();
        frame.insert("@".to_string(), Var::simple(name.to_string(), Origin::Automatic));
        frame.insert("*".to_string(), Var::simple(format!("{dir}{stem}"), Origin::Automatic));
        self.frames.push(frame);
        let saved = self.cur;
        self.cur = span;
        let expanded = self.expand(&words.join(" "));
        let mut m = super::text::Mapped::new();
        m.push_synth(&expanded, span.range());
        let deps = self.parse_deps(&m);
        self.cur = saved;
        self.frames.pop();
        deps.normal
            .into_iter()
            .map(|d| (d.name, false, span))
            .chain(deps.order_only.into_iter().map(|d| (d.name, true, span)))
            .collect()
    }

    /// Old-fashioned suffix rules (`.c.o:`, `.sh:`) for the suffixes listed
    /// in `.SUFFIXES`, as the pattern rules GNU make turns them into.
    fn suffix_rules(&self) -> Vec<PatternRule> {
        let mut out = Vec::new();
        if self.suffixes.is_empty() {
            return out;
        }
        for (idx, rule) in self.rules.iter().enumerate() {
            if rule.pattern || rule.targets.len() != 1 || !rule.normal.is_empty() || !rule.has_recipe {
                continue;
            }
            let t = &rule.targets[0].0;
            let span = rule.targets[0].1;
            // the longest known suffix that the target starts with, then another known suffix
            for from in self.suffixes.iter().filter(|s| t.starts_with(s.as_str())) {
                let rest = &t[from.len()..];
                let (target, prereq) = if rest.is_empty() {
                    ("%".to_string(), format!("%{from}"))
                } else if self.suffixes.iter().any(|s| s == rest) {
                    (format!("%{rest}"), format!("%{from}"))
                } else {
                    continue;
                };
                out.push(PatternRule {
                    targets: vec![target],
                    prereqs: vec![(prereq, false, span)],
                    rule: idx,
                    terminal: false,
                    second: None,
                });
                break;
            }
        }
        out
    }

    /// `.EXTRA_PREREQS` (global or target-specific) is added to every target.
    fn add_extra_prereqs(&mut self, db: &mut Database) {
        let global = self.lookup(".EXTRA_PREREQS").map(|v| v.value.clone());
        let global = global.map(|v| self.expand(&v)).unwrap_or_default();
        let specific: Vec<(String, String)> = self
            .target_vars
            .iter()
            .filter(|tv| tv.name == ".EXTRA_PREREQS" && !tv.target.contains('%'))
            .map(|tv| (tv.target.clone(), tv.value.clone()))
            .collect();
        if global.trim().is_empty() && specific.is_empty() {
            return;
        }
        for e in &mut db.entries {
            if is_special_target(&e.name) || e.declared_only || e.also_made_only {
                continue;
            }
            let extra = match specific.iter().rev().find(|(t, _)| *t == e.name) {
                Some((_, v)) => self.expand(v),
                None => global.clone(),
            };
            for r in &mut e.rules {
                let span = r.rule_span;
                let items: Vec<Prereq> = words(&extra)
                    .filter(|w| !has_unknown(w))
                    .map(|w| Prereq {
                        dep: Dep {
                            name: w.to_string(),
                            span,
                        },
                        order_only: false,
                    })
                    .collect();
                // after the pattern's prerequisites, before the explicit ones
                let at = if r.pattern_prereqs > 0 {
                    r.pattern_prereqs.min(r.prereqs.len())
                } else {
                    r.prereqs.len()
                };
                r.prereqs.splice(at..at, items);
            }
        }
    }

    /// Where `VPATH` / `vpath` directory search finds a file that is not in
    /// make's directory.
    pub fn vpath_find(&self, name: &str) -> Option<String> {
        if self.vpaths.is_empty() && self.lookup("VPATH").is_none() || name.starts_with('/') {
            return None;
        }
        let mut dirs: Vec<String> = self
            .vpaths
            .iter()
            .filter(|(pat, _)| pattern_match(pat, name).is_some())
            .flat_map(|(_, d)| d.iter().cloned())
            .collect();
        if let Some(v) = self.lookup("VPATH") {
            dirs.extend(
                v.value
                    .split(|c: char| c == ':' || c.is_ascii_whitespace())
                    .filter(|d| !d.is_empty() && !d.contains('$'))
                    .map(str::to_string),
            );
        }
        dirs.into_iter()
            .map(|d| format!("{}/{name}", d.trim_end_matches('/')))
            .find(|p| self.dir.join(p).exists())
    }

    /// Prerequisites found by directory search are named by the path found,
    /// as GNU make names them once it has looked.
    fn apply_vpath(&mut self, db: &mut Database) {
        if self.vpaths.is_empty() && self.lookup("VPATH").is_none() {
            return;
        }
        let targets: HashSet<String> = db.entries.iter().map(|e| e.name.clone()).collect();
        for i in 0..db.entries.len() {
            for r in 0..db.entries[i].rules.len() {
                for p in 0..db.entries[i].rules[r].prereqs.len() {
                    let name = db.entries[i].rules[r].prereqs[p].dep.name.clone();
                    if targets.contains(&name) || self.dir.join(&name).exists() {
                        continue;
                    }
                    if let Some(found) = self.vpath_find(&name) {
                        db.entries[i].rules[r].prereqs[p].dep.name = found;
                    }
                }
            }
        }
    }

    fn search(
        &mut self,
        db: &Database,
        patterns: &[PatternRule],
        mentioned: &HashSet<String>,
        name: &str,
        depth: u32,
        used: &mut Vec<usize>,
    ) -> Option<Match> {
        if depth > 8 {
            return None;
        }
        let (dir, base) = match name.rfind('/') {
            Some(i) => (&name[..=i], &name[i + 1..]),
            None => ("", name),
        };
        let mut cands: Vec<(usize, usize, String, String, bool)> = Vec::new(); // (stem len, pattern idx, stem, dir, match-anything)
        for (pi, p) in patterns.iter().enumerate() {
            if used.contains(&pi) {
                continue;
            }
            for t in &p.targets {
                let anything = t == "%";
                // a pattern rule's `%` matches a non-empty stem
                if t.contains('/') {
                    if let Some(stem) = pattern_match(t, name).filter(|s| !s.is_empty()) {
                        cands.push((stem.len(), pi, stem.to_string(), String::new(), anything));
                        break;
                    }
                } else if let Some(stem) = pattern_match(t, base).filter(|s| !s.is_empty()) {
                    cands.push((stem.len() + dir.len(), pi, stem.to_string(), dir.to_string(), anything));
                    break;
                }
            }
        }
        if cands.is_empty() {
            return None;
        }
        // shortest stem first; match-anything rules last
        cands.sort_by_key(|c| (c.4, c.0));
        let ok = |m: &Self, n: &str| m.exists(n) || db.index.contains_key(n) || mentioned.contains(n);
        for (_, pi, stem, d, anything) in &cands {
            if *anything && self.exists(name) {
                continue;
            }
            let deps = self.pattern_deps(&patterns[*pi], name, stem, d);
            if deps.iter().all(|(n, _, _)| ok(self, n)) {
                return Some(Match {
                    pattern: *pi,
                    stem: format!("{d}{stem}"),
                    dir: d.clone(),
                    base_stem: stem.clone(),
                    deps,
                    intermediates: Vec::new(),
                });
            }
        }
        for (_, pi, stem, d, anything) in &cands {
            if patterns[*pi].terminal || *anything {
                continue;
            }
            let deps = self.pattern_deps(&patterns[*pi], name, stem, d);
            let mut inter = Vec::new();
            used.push(*pi);
            let mut all = true;
            for (n, _, _) in &deps {
                if ok(self, n) {
                    continue;
                }
                match self.search(db, patterns, mentioned, n, depth + 1, used) {
                    Some(m) => inter.push((n.clone(), m)),
                    None => {
                        all = false;
                        break;
                    }
                }
            }
            used.pop();
            if all {
                return Some(Match {
                    pattern: *pi,
                    stem: format!("{d}{stem}"),
                    dir: d.clone(),
                    base_stem: stem.clone(),
                    deps,
                    intermediates: inter,
                });
            }
        }
        None
    }

    /// Record a successful implicit rule search; returns the new prerequisites
    /// to search in turn.
    fn apply_match(
        &mut self,
        db: &mut Database,
        patterns: &[PatternRule],
        mentioned: &HashSet<String>,
        name: &str,
        m: Match,
        seen: &mut HashSet<String>,
    ) {
        let p = &patterns[m.pattern];
        let prule = &self.rules[p.rule];
        let target_span = prule.targets.first().map(|t| t.1).unwrap_or(prule.span);
        let prereqs: Vec<Prereq> = m
            .deps
            .iter()
            .map(|(n, oo, span)| Prereq {
                dep: Dep {
                    name: n.clone(),
                    span: *span,
                },
                order_only: *oo,
            })
            .collect();
        match db.index.get(name) {
            Some(&i) => {
                db.entries[i].also_made_only = false;
                let cur = &mut db.entries[i].rules[0];
                cur.pattern_prereqs = prereqs.len();
                let mut all = prereqs;
                all.append(&mut cur.prereqs);
                cur.prereqs = all;
                cur.recipe_rule = Some(p.rule);
                cur.stem = Some(m.stem.clone());
                cur.rules.push(p.rule);
            }
            None => {
                db.index.insert(name.to_string(), db.entries.len());
                db.entries.push(Entry {
                    name: name.to_string(),
                    double_colon: false,
                    rules: vec![EntryRule {
                        prereqs,
                        recipe_rule: Some(p.rule),
                        stem: Some(m.stem.clone()),
                        target_span,
                        rule_span: prule.span,
                        rules: vec![p.rule],
                        pattern_prereqs: usize::MAX,
                    }],
                    implicit: true,
                    also_makes: Vec::new(),
                    uncertain: prule.uncertain,
                    declared_only: false,
                    also_made_only: false,
                });
            }
        }
        // the other targets of a multi-target pattern rule are made by the same run
        let siblings: Vec<String> = p
            .targets
            .iter()
            .map(|t| {
                if t.contains('/') {
                    pattern_subst(t, &m.stem)
                } else {
                    format!("{}{}", m.dir, pattern_subst(t, &m.base_stem))
                }
            })
            .filter(|n| n != name)
            .collect();
        // GNU make does not tie the group together when one of its files is
        // an explicit target (`paper.pdf: extra.tex` beside `%.pdf %.aux: %.tex`)
        let explicit = |n: &String| {
            db.get(n)
                .is_some_and(|e| !e.implicit && !e.declared_only && !e.also_made_only)
        };
        let linked = !siblings.iter().chain(std::iter::once(&name.to_string())).any(explicit);
        for sib in &siblings {
            match db.index.get(sib) {
                Some(&i) => {
                    if linked {
                        db.entries[i].also_makes.push(name.to_string());
                    }
                }
                None => {
                    db.index.insert(sib.clone(), db.entries.len());
                    db.entries.push(Entry {
                        name: sib.clone(),
                        double_colon: false,
                        rules: vec![EntryRule {
                            prereqs: Vec::new(),
                            recipe_rule: None,
                            stem: Some(m.stem.clone()),
                            target_span,
                            rule_span: prule.span,
                            rules: vec![p.rule],
                            pattern_prereqs: 0,
                        }],
                        implicit: true,
                        also_makes: if linked { vec![name.to_string()] } else { Vec::new() },
                        uncertain: prule.uncertain,
                        declared_only: false,
                        // a file the makefile names is still searched on its own
                        also_made_only: !mentioned.contains(sib),
                    });
                }
            }
        }
        if linked && let Some(&i) = db.index.get(name) {
            db.entries[i].also_makes.extend(siblings);
        }
        // an intermediate file already entered (as another target of a
        // multi-target rule matched earlier in this search) keeps its entry
        for (iname, im) in m.intermediates {
            if db.index.contains_key(&iname) {
                continue;
            }
            seen.insert(iname.clone());
            self.apply_match(db, patterns, mentioned, &iname, im, seen);
        }
    }
}

/// A file being walked, with its prerequisites (rule index, index, name).
struct Frame {
    name: String,
    deps: Vec<(usize, usize, String)>,
    next: usize,
}

impl Frame {
    fn new(db: &Database, name: String) -> Frame {
        let deps = match db.get(&name) {
            Some(e) if !is_special_target(&e.name) => e
                .rules
                .iter()
                .enumerate()
                .flat_map(|(ri, r)| {
                    r.prereqs
                        .iter()
                        .enumerate()
                        .map(move |(pi, p)| (ri, pi, p.dep.name.clone()))
                })
                .collect(),
            _ => Vec::new(),
        };
        Frame { name, deps, next: 0 }
    }
}

#[derive(Debug)]
struct Match {
    pattern: usize,
    stem: String,
    /// Directory put back for a target pattern without `/`, and the stem without it.
    dir: String,
    base_stem: String,
    deps: Vec<(String, bool, Span)>,
    intermediates: Vec<(String, Match)>,
}
