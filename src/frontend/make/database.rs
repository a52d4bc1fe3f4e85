//! The rule database after reading: one entry per target, rules of the same
//! target merged the way GNU make merges them, static pattern rules
//! instantiated, and pattern rules applied to the concrete files that need
//! them (implicit rule search), then the default goal.

use super::expand::{has_unknown, pattern_match, pattern_subst};
use super::read::{has_percent, is_special_target};
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
}

#[derive(Debug, Default)]
pub struct Database {
    pub entries: Vec<Entry>,
    pub index: HashMap<String, usize>,
    pub phony: BTreeSet<String>,
    pub default_goal: Option<String>,
}

impl Database {
    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.index.get(name).map(|&i| &self.entries[i])
    }

    pub fn is_special(&self, e: &Entry) -> bool {
        is_special_target(&e.name)
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
                    }],
                    implicit: false,
                    also_makes: Vec::new(),
                    uncertain: false,
                    declared_only: true,
                });
            }
        }

        self.implicit_search(&mut db, &patterns, &mentioned);

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

    fn implicit_search(&mut self, db: &mut Database, patterns: &[PatternRule], mentioned: &HashSet<String>) {
        if patterns.is_empty() {
            return;
        }
        let mut queue: Vec<String> = Vec::new();
        for e in &db.entries {
            queue.push(e.name.clone());
            for r in &e.rules {
                queue.extend(r.prereqs.iter().map(|p| p.dep.name.clone()));
            }
        }
        let mut seen: HashSet<String> = HashSet::new();
        let mut qi = 0;
        while qi < queue.len() {
            let name = queue[qi].clone();
            qi += 1;
            if !seen.insert(name.clone()) || db.phony.contains(&name) || is_special_target(&name) {
                continue;
            }
            if db.get(&name).is_some_and(|e| e.has_recipe() || e.double_colon) {
                continue;
            }
            let mut used = Vec::new();
            let Some(m) = self.search(db, patterns, mentioned, &name, 0, &mut used) else {
                continue;
            };
            for dep in self.apply_match(db, patterns, &name, m, &mut seen) {
                queue.push(dep);
            }
        }
    }

    fn exists(&self, name: &str) -> bool {
        self.dir.join(name).exists()
    }

    fn search(
        &self,
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
                if t.contains('/') {
                    if let Some(stem) = pattern_match(t, name) {
                        cands.push((stem.len(), pi, stem.to_string(), String::new(), anything));
                        break;
                    }
                } else if let Some(stem) = pattern_match(t, base) {
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
        let ok = |n: &str| self.exists(n) || db.index.contains_key(n) || mentioned.contains(n);
        let deps_of = |pi: usize, stem: &str, dir: &str| -> Vec<(String, bool, Span)> {
            patterns[pi]
                .prereqs
                .iter()
                .map(|(d, oo, span)| {
                    let n = if has_percent(d) {
                        format!("{dir}{}", pattern_subst(d, stem))
                    } else {
                        d.clone()
                    };
                    (n, *oo, *span)
                })
                .collect()
        };
        for (_, pi, stem, d, anything) in &cands {
            if *anything && self.exists(name) {
                continue;
            }
            let deps = deps_of(*pi, stem, d);
            if deps.iter().all(|(n, _, _)| ok(n)) {
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
            let deps = deps_of(*pi, stem, d);
            let mut inter = Vec::new();
            used.push(*pi);
            let all = deps.iter().all(|(n, _, _)| {
                if ok(n) {
                    return true;
                }
                match self.search(db, patterns, mentioned, n, depth + 1, used) {
                    Some(m) => {
                        inter.push((n.clone(), m));
                        true
                    }
                    None => false,
                }
            });
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
        name: &str,
        m: Match,
        seen: &mut HashSet<String>,
    ) -> Vec<String> {
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
        let mut next: Vec<String> = prereqs.iter().map(|p| p.dep.name.clone()).collect();
        match db.index.get(name) {
            Some(&i) => {
                let cur = &mut db.entries[i].rules[0];
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
                    }],
                    implicit: true,
                    also_makes: Vec::new(),
                    uncertain: prule.uncertain,
                    declared_only: false,
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
        for sib in &siblings {
            seen.insert(sib.clone());
            match db.index.get(sib) {
                Some(&i) => db.entries[i].also_makes.push(name.to_string()),
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
                        }],
                        implicit: true,
                        also_makes: vec![name.to_string()],
                        uncertain: prule.uncertain,
                        declared_only: false,
                    });
                }
            }
        }
        if let Some(&i) = db.index.get(name) {
            db.entries[i].also_makes.extend(siblings);
        }
        for (iname, im) in m.intermediates {
            if db.index.contains_key(&iname) {
                continue;
            }
            seen.insert(iname.clone());
            next.extend(self.apply_match(db, patterns, &iname, im, seen));
        }
        next
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
