//! From the rule database to the unified model: one pipeline per makefile,
//! one step per target, edges for prerequisites, and what the recipes do
//! (packages installed, files read and written, other makefiles invoked)
//! from the shared shell analysis.

use super::database::{Entry, EntryRule};
use super::expand::{CURDIR_MARK, UNK_OPEN, has_unknown, pattern_match};
use super::read::{AssignOp, is_special_target};
use super::text::Mapped;
use super::{DEFAULT_MAKEFILES, Make, Origin, RecipeLine, Var, evaluate, evaluate_in};
use crate::dag::{Edge, EdgeKind, Fragment, Invocation, Pipeline, PipelineKind, Port, Step, StepKind, Variable};
use crate::diagnostic::Diagnostic;
use crate::packages;
use crate::shell::{self, FileContext, Invocation as ShellInvocation, Role};
use crate::source::{FileId, SourceDb, SourceFile, Span, join_normalized, normalize_path};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A recipe command after expansion, ready for the shell analysis.
struct Command {
    text: Mapped,
    file: FileId,
    synthetic: Option<Span>,
    /// Prefixed with `-`: make goes on when it fails.
    ignore_errors: bool,
}

impl Command {
    fn span(&self, range: std::ops::Range<usize>) -> Span {
        match self.synthetic {
            Some(s) => s,
            None => Span::new(self.file, self.text.src_range(range)),
        }
    }
}

/// Lower one makefile; `overrides` are `NAME=VALUE` pairs as given on
/// make's command line.
pub fn lower(db: &SourceDb, file: &Arc<SourceFile>, overrides: &[(String, String)]) -> Fragment {
    let mut frag = Fragment::default();
    if !crate::frontend::readable(file, "a makefile", &mut frag.diagnostics) {
        return frag;
    }
    let (mut make, mut database) = evaluate(db, file, overrides);
    let mut pipeline_dir = Path::new(&file.name)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    // A makefile that is not a default-named one is often run as
    // `make -f mk/train.mk` from a directory above it: its includes are then
    // relative to that directory. Read it from there when that is the only
    // place where its includes resolve.
    let default_name = file
        .path
        .file_name()
        .is_some_and(|n| DEFAULT_MAKEFILES.iter().any(|d| n == *d));
    if make.unresolved_includes > 0 && !default_name {
        for up in file.dir().ancestors().skip(1).take(3) {
            let (m2, d2) = evaluate_in(db, file, up, overrides);
            if m2.unresolved_includes == 0 {
                let rel = file.path.strip_prefix(up).unwrap_or(&file.path).display().to_string();
                let shown = crate::source::display_path(up);
                (make, database) = (m2, d2);
                make.notes.push((
                    file.span(0..0),
                    format!("read as `make -f {rel}` run in `{shown}`, where its includes are"),
                ));
                pipeline_dir = Path::new(&shown).to_path_buf();
                break;
            }
        }
    }
    let mut pipeline = Pipeline {
        id: format!("make:{}", file.name),
        kind: PipelineKind::Make,
        name: file.name.clone(),
        file: file.id,
        span: file.span(0..0),
        schedule: None,
        dir: pipeline_dir.clone(),
        includes: make.included.clone(),
        default_step: database.default_goal.clone(),
        notes: Vec::new(),
        other_schedules: Vec::new(),
        dropped_cycle_edges: Vec::new(),
        triggered_by: Vec::new(),
    };

    let entries: Vec<&Entry> = database
        .entries
        .iter()
        .filter(|e| !is_special_target(&e.name) && !e.declared_only)
        .collect();
    let position: HashMap<&str, usize> = entries.iter().enumerate().map(|(i, e)| (e.name.as_str(), i)).collect();
    // The targets one recipe run makes together (grouped `&:` targets, the
    // targets of a multi-target pattern rule) are one step, named after the
    // first of them.
    let primary = |e: &Entry| -> usize {
        std::iter::once(&e.name)
            .chain(&e.also_makes)
            .filter_map(|n| position.get(n.as_str()).copied())
            .min()
            .unwrap_or(position[e.name.as_str()])
    };

    let mut lw = Lowering {
        db,
        make: &mut make,
        phony: &database.phony,
        pipeline_dir: &pipeline_dir,
        diags: Vec::new(),
    };
    let mut step_of: HashMap<&str, usize> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        let p = primary(e);
        if p != i {
            continue;
        }
        step_of.insert(e.name.as_str(), frag.steps.len());
        let step = lw.step(e, database.phony.contains(&e.name), &pipeline.id);
        frag.steps.push(step);
    }
    for (i, e) in entries.iter().enumerate() {
        let p = primary(e);
        if p != i {
            let s = step_of[entries[p].name.as_str()];
            step_of.insert(e.name.as_str(), s);
        }
    }
    let mut diags = lw.diags;
    // a prerequisite that names no file is no input
    let phony_names: HashSet<&str> = step_of
        .iter()
        .filter(|(_, s)| frag.steps[**s].phony)
        .map(|(n, _)| *n)
        .collect();
    for s in &mut frag.steps {
        s.inputs.retain(|p| !phony_names.contains(p.path.as_str()));
    }

    let mut seen: HashSet<(usize, usize, EdgeKind, Option<String>)> = HashSet::new();
    for e in &entries {
        let to = step_of[e.name.as_str()];
        for r in &e.rules {
            for p in &r.prereqs {
                let Some(&from) = step_of.get(p.dep.name.as_str()) else {
                    continue;
                };
                if from == to {
                    continue;
                }
                let (kind, path) = if p.order_only || frag.steps[from].phony {
                    (EdgeKind::Order, None)
                } else {
                    (EdgeKind::File, Some(p.dep.name.clone()))
                };
                if seen.insert((from, to, kind, path.clone())) {
                    frag.edges.push(Edge {
                        from,
                        to,
                        kind,
                        path,
                        span: Some(p.dep.span),
                    });
                }
            }
        }
    }

    pipeline.notes = make.notes.clone();
    for (target, dep, span) in &database.dropped_cycles {
        pipeline.notes.push((
            *span,
            format!("GNU make drops the prerequisite `{dep}` of `{target}`: it closes a dependency cycle"),
        ));
        pipeline.dropped_cycle_edges.push((target.clone(), dep.clone(), *span));
    }
    pipeline.includes.sort();
    pipeline.includes.dedup();
    diags.append(&mut make.diags);
    frag.diagnostics.extend(diags);
    frag.pipelines.push(pipeline);
    frag
}

struct Lowering<'m, 'a> {
    db: &'a SourceDb,
    make: &'m mut Make<'a>,
    phony: &'m std::collections::BTreeSet<String>,
    pipeline_dir: &'m Path,
    diags: Vec<Diagnostic>,
}

impl Lowering<'_, '_> {
    fn step(&mut self, e: &Entry, declared_phony: bool, pipeline_id: &str) -> Step {
        let main = e.rules.iter().find(|r| r.recipe_rule.is_some()).unwrap_or(&e.rules[0]);
        let mut step = Step::new(pipeline_id, 0, &e.name, StepKind::Target, main.target_span);
        step.phony = declared_phony;
        step.effective_retries = Some(0);
        let targets: Vec<String> = std::iter::once(e.name.clone())
            .chain(e.also_makes.iter().cloned())
            .collect();
        let mut prereq_names: Vec<String> = Vec::new();
        let mut seen = HashSet::new();
        for r in &e.rules {
            for p in r.prereqs.iter().filter(|p| !p.order_only) {
                if !seen.insert(p.dep.name.as_str()) {
                    continue;
                }
                prereq_names.push(p.dep.name.clone());
                if !self.make_phony(&p.dep.name) {
                    step.inputs
                        .push(self.port(&p.dep.name, Path::new(""), Some(p.dep.span)));
                }
            }
        }
        let mut lines: Vec<String> = Vec::new();
        // the target's own variables, bound once for all of its rules
        // (double-colon ones may be many); each rule's automatic ones above
        let tv = self.target_specific(&e.name);
        self.make.frames.push(tv);
        for r in &e.rules {
            let Some(ri) = r.recipe_rule else { continue };
            let commands = self.expand_recipe(e, r, ri, &mut step.variables);
            for c in &commands {
                let line = self.make.render(&c.text.text);
                if c.ignore_errors {
                    step.ignored_failures.push(line.clone());
                }
                lines.push(line);
                self.analyse(&mut step, c, &targets, &prereq_names);
            }
        }
        self.make.frames.pop();
        if e.rules.iter().any(|r| r.recipe_rule.is_some()) {
            step.command = Some(lines.join("\n"));
            let shell = self.make.value_of("SHELL");
            if !shell.is_empty() && shell != "/bin/sh" && !has_unknown(&shell) {
                step.shell = Some(shell);
            }
        }
        // A target not declared phony still names no file when its name is no
        // path and its recipe never writes it (`features:` running a script):
        // real Makefiles often forget `.PHONY`.
        let writes_target = step.outputs.iter().any(|o| o.path == e.name);
        if !declared_phony && !writes_target && !looks_like_file(&e.name) {
            step.phony = true;
        }
        if !step.phony {
            for t in targets.iter().rev() {
                if !step.outputs.iter().any(|o| o.path == *t) {
                    let port = self.port(t, Path::new(""), Some(main.target_span));
                    step.outputs.insert(0, port);
                }
            }
        }
        step
    }

    fn make_phony(&self, name: &str) -> bool {
        self.phony.contains(name)
    }

    fn port(&self, path: &str, cwd: &Path, span: Option<Span>) -> Port {
        let rel = normalize_path(&cwd.join(path));
        let rel = rel.to_string_lossy().replace('\\', "/");
        let key = join_normalized(self.pipeline_dir, &rel)
            .to_string_lossy()
            .replace('\\', "/");
        Port {
            path: rel,
            key,
            span,
            ..Default::default()
        }
    }

    /// Add a port unless `keys` (the keys of `ports`) has it: a recipe
    /// `$^` of a thousand prerequisites adds a thousand.
    fn add_port(ports: &mut Vec<Port>, keys: &mut HashSet<String>, port: Port) {
        if keys.insert(port.key.clone()) {
            ports.push(port);
        }
    }

    /// Expand a rule's recipe for one target: automatic and target-specific
    /// variables set, recipe prefixes (`@`, `-`, `+`) removed, one command per
    /// line (a multi-line variable gives several).
    fn expand_recipe(&mut self, e: &Entry, r: &EntryRule, ri: usize, vars: &mut Vec<Variable>) -> Vec<Command> {
        let recipe = self.make.rules[ri].recipe.clone();
        let frame = self.automatic_vars(e, r);
        self.make.frames.push(frame);
        let mut out = Vec::new();
        for line in &recipe {
            let text = drop_continuation_prefix(line, self.make.recipe_prefix);
            self.variables_used(&text, line, vars);
            let saved = self.make.cur;
            self.make.cur = line.synthetic.unwrap_or_else(|| Span::new(line.file, text.src_all()));
            let exp = self.make.expand_mapped(&text);
            self.make.cur = saved;
            for piece in split_command_lines(&exp) {
                let t = &piece.text;
                let mut start = 0;
                let b = t.as_bytes();
                while start < b.len() && matches!(b[start], b'@' | b'-' | b'+' | b' ' | b'\t') {
                    start += 1;
                }
                if start >= t.len() {
                    continue;
                }
                out.push(Command {
                    text: piece.slice(start..t.len()),
                    file: line.file,
                    synthetic: line.synthetic,
                    ignore_errors: b[..start].contains(&b'-'),
                });
            }
        }
        self.make.frames.pop();
        if self.make.oneshell && out.len() > 1 {
            // `.ONESHELL`: the recipe is one script, so a `cd` carries on
            let mut text = Mapped::new();
            for (i, c) in out.iter().enumerate() {
                if i > 0 {
                    let at = text.src_all().end;
                    text.push_synth("\n", at..at);
                }
                text.push_mapped(&c.text, 0..c.text.text.len());
            }
            return vec![Command {
                text,
                file: out[0].file,
                synthetic: out[0].synthetic,
                ignore_errors: out[0].ignore_errors,
            }];
        }
        out
    }

    /// The makefile's own variables a recipe line names directly
    /// (`$(EPOCHS)`, `${LR}`) whose value is one word: what a user sets per
    /// run with `make EPOCHS=20`.
    fn variables_used(&mut self, text: &Mapped, line: &RecipeLine, vars: &mut Vec<Variable>) {
        let t = &text.text;
        let b = t.as_bytes();
        let mut i = 0;
        while i + 1 < b.len() {
            if b[i] != b'$' {
                i += 1;
                continue;
            }
            if b[i + 1] == b'$' {
                i += 2;
                continue;
            }
            let close = match b[i + 1] {
                b'(' => b')',
                b'{' => b'}',
                _ => {
                    i += 1;
                    continue;
                }
            };
            let name_end = t[i + 2..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map_or(t.len(), |n| i + 2 + n);
            if name_end >= b.len() || b[name_end] != close || name_end == i + 2 {
                i += 2;
                continue;
            }
            let name = &t[i + 2..name_end];
            let user_set = self.make.lookup(name).is_some_and(|v| {
                matches!(v.origin, Origin::File | Origin::CommandLine | Origin::Override) && !v.uncertain
            });
            if user_set && !vars.iter().any(|v| v.name == name) {
                let value = self.make.value_of(name);
                let one_word = !value.is_empty() && !value.contains(char::is_whitespace);
                if one_word && !has_unknown(&value) && !value.contains(CURDIR_MARK) {
                    let span = line
                        .synthetic
                        .unwrap_or_else(|| Span::new(line.file, text.src_range(i..name_end + 1)));
                    vars.push(Variable {
                        name: name.to_string(),
                        value,
                        span,
                    });
                }
            }
            i = name_end + 1;
        }
    }

    fn automatic_vars(&self, e: &Entry, r: &EntryRule) -> HashMap<String, Var> {
        let normal: Vec<&str> = r
            .prereqs
            .iter()
            .filter(|p| !p.order_only)
            .map(|p| p.dep.name.as_str())
            .collect();
        let mut seen = HashSet::new();
        let uniq: Vec<&str> = normal.iter().copied().filter(|n| seen.insert(*n)).collect();
        let mut seen = HashSet::new();
        let oo: Vec<&str> = r
            .prereqs
            .iter()
            .filter(|p| p.order_only && seen.insert(p.dep.name.as_str()))
            .map(|p| p.dep.name.as_str())
            .collect();
        let vals: [(&str, String); 8] = [
            ("@", e.name.clone()),
            ("<", normal.first().map(|s| s.to_string()).unwrap_or_default()),
            ("^", uniq.join(" ")),
            ("+", normal.join(" ")),
            ("?", uniq.join(" ")),
            ("|", oo.join(" ")),
            ("*", r.stem.clone().unwrap_or_default()),
            ("%", String::new()),
        ];
        let mut frame = HashMap::new();
        for (k, v) in vals {
            if k != "|" {
                let d: Vec<String> = v
                    .split_ascii_whitespace()
                    .map(|w| match w.rfind('/') {
                        Some(0) => "/".to_string(),
                        Some(i) => w[..i].to_string(),
                        None => ".".to_string(),
                    })
                    .collect();
                let f: Vec<&str> = v
                    .split_ascii_whitespace()
                    .map(|w| w.rsplit('/').next().unwrap_or(w))
                    .collect();
                frame.insert(format!("{k}D"), Var::simple(d.join(" "), Origin::Automatic));
                frame.insert(format!("{k}F"), Var::simple(f.join(" "), Origin::Automatic));
            }
            frame.insert(k.to_string(), Var::simple(v, Origin::Automatic));
        }
        frame
    }

    /// Target- and pattern-specific variables for one target (pattern-specific
    /// first, then target-specific, each in definition order).
    fn target_specific(&mut self, target: &str) -> HashMap<String, Var> {
        let mut frame: HashMap<String, Var> = HashMap::new();
        // the matching assignments only: there may be thousands of others
        let tvs = &self.make.target_vars;
        let pattern_first: Vec<_> = tvs
            .iter()
            .filter(|tv| tv.target.contains('%') && pattern_match(&tv.target, target).is_some())
            .chain(tvs.iter().filter(|tv| tv.target == target))
            .cloned()
            .collect();
        for tv in &pattern_first {
            let base = frame
                .get(&tv.name)
                .cloned()
                .or_else(|| self.make.lookup(&tv.name).cloned());
            let var = if tv.uncertain {
                let m = self.make.unknown(format!("$({})", tv.name));
                Var::simple(m, Origin::File)
            } else {
                match tv.op {
                    AssignOp::Recursive => Var::recursive(tv.value.clone(), Origin::File),
                    AssignOp::Simple => Var::simple(tv.value.clone(), Origin::File),
                    AssignOp::Conditional => match base {
                        Some(b) => b,
                        None => Var::recursive(tv.value.clone(), Origin::File),
                    },
                    AssignOp::Shell => {
                        let m = self.make.unknown(format!("$(shell {})", tv.value));
                        Var::simple(m, Origin::File)
                    }
                    AssignOp::Append => match base {
                        None => Var::recursive(tv.value.clone(), Origin::File),
                        Some(b) if b.recursive => {
                            Var::recursive(format!("{} {}", b.value, tv.value).trim().to_string(), Origin::File)
                        }
                        Some(b) => {
                            let add = self.make.expand(&tv.value);
                            Var::simple(format!("{} {add}", b.value).trim().to_string(), Origin::File)
                        }
                    },
                }
            };
            frame.insert(tv.name.clone(), var);
        }
        frame
    }

    /// What one recipe command does: packages, file reads/writes, make runs.
    fn analyse(&mut self, step: &mut Step, c: &Command, targets: &[String], prereqs: &[String]) {
        for (i, _) in c.text.text.match_indices(UNK_OPEN) {
            let end = c.text.text[i..]
                .find('\u{E001}')
                .map(|e| i + e + 3)
                .unwrap_or(c.text.text.len());
            let shown = self.make.render(&c.text.text[i..end]);
            let span = c.span(i..end);
            step.notes
                .push((span, format!("`{shown}` is only known when the recipe runs")));
        }
        let script = shell::parse(&c.text.text);
        let ctx = FileContext {
            prerequisites: prereqs,
            targets,
        };
        let mut input_keys: HashSet<String> = step.inputs.iter().map(|p| p.key.clone()).collect();
        let mut output_keys: HashSet<String> = step.outputs.iter().map(|p| p.key.clone()).collect();
        let mut output_paths: HashSet<String> = step.outputs.iter().map(|p| p.path.clone()).collect();
        for cmd in &script.commands {
            let cwd = match self.cwd_of(cmd) {
                Some(cwd) => cwd,
                None => continue,
            };
            match &cmd.invocation {
                ShellInvocation::Pip(pip) => self.pip(step, c, pip, &cwd),
                ShellInvocation::Make(run) => self.make_run(step, c, run, &cwd),
                _ => {}
            }
            for u in shell::file_uses(cmd, &ctx) {
                if has_unknown(&u.path) || u.path.contains(CURDIR_MARK) {
                    continue;
                }
                let span = Some(c.span(u.span.clone()));
                match u.role {
                    Role::Read => {
                        if !output_paths.contains(&u.path) {
                            let port = self.port(&u.path, &cwd, span);
                            Self::add_port(&mut step.inputs, &mut input_keys, port);
                        }
                    }
                    Role::Write => {
                        let port = self.port(&u.path, &cwd, span);
                        output_paths.insert(port.path.clone());
                        Self::add_port(&mut step.outputs, &mut output_keys, port);
                    }
                }
            }
        }
    }

    /// The directory a command runs in, relative to the makefile's, from the
    /// `cd` commands before it; None when it cannot be known.
    fn cwd_of(&self, cmd: &shell::SimpleCommand) -> Option<PathBuf> {
        let mut cwd = PathBuf::new();
        for w in &cmd.cwd {
            if !w.literal || has_unknown(&w.text) {
                return None;
            }
            let t = w.text.replace(CURDIR_MARK, "");
            if Path::new(&t).is_absolute() && !w.text.starts_with(CURDIR_MARK) {
                return None;
            }
            cwd = normalize_path(&cwd.join(t.trim_start_matches('/')));
        }
        Some(cwd)
    }

    fn pip(&mut self, step: &mut Step, c: &Command, pip: &shell::PipInstall, cwd: &Path) {
        let base = self.make.dir.join(cwd);
        let mut constraints = packages::Constraints::default();
        for f in &pip.constraints {
            if f.literal && !has_unknown(&f.text) {
                let path = join_normalized(&base, &f.text);
                packages::read_constraints(self.db, &path, &mut constraints);
            }
        }
        for w in pip.packages.iter().chain(pip.editables.iter()) {
            if has_unknown(&w.text) {
                continue;
            }
            let span = c.span(w.span.clone());
            let text = self.make.render(&w.text);
            if let Some(req) = packages::classify(&text, pip.upgrade) {
                step.packages.push(req.into_package(span, &constraints));
            }
        }
        for f in &pip.requirements {
            let span = c.span(f.span.clone());
            if !f.literal || has_unknown(&f.text) {
                step.notes.push((
                    span,
                    format!(
                        "requirements file `{}` cannot be resolved statically",
                        self.make.render(&f.text)
                    ),
                ));
                continue;
            }
            let path = join_normalized(&base, &f.text);
            match packages::read_requirements(self.db, &path, &constraints) {
                Ok(read) => {
                    step.packages.extend(read.packages.into_iter().map(|mut p| {
                        p.installed_at = Some(span);
                        p
                    }));
                    self.diags.extend(read.diagnostics);
                }
                Err(e) => step.notes.push((span, packages::unread_note(&f.text, &e))),
            }
        }
    }

    fn make_run(&mut self, step: &mut Step, c: &Command, run: &shell::MakeRun, cwd: &Path) {
        let mut dir = self.make.dir.join(cwd);
        if let Some(d) = &run.directory {
            if !d.literal || has_unknown(&d.text) {
                step.notes.push((
                    c.span(d.span.clone()),
                    format!(
                        "`make -C {}`: directory not known statically",
                        self.make.render(&d.text)
                    ),
                ));
                return;
            }
            dir = join_normalized(&dir, &d.text.replace(CURDIR_MARK, "."));
        }
        let makefile = match &run.makefile {
            Some(f) if f.literal && !has_unknown(&f.text) => join_normalized(&dir, &f.text),
            Some(f) => {
                step.notes.push((
                    c.span(f.span.clone()),
                    "`make -f`: makefile not known statically".to_string(),
                ));
                return;
            }
            None => DEFAULT_MAKEFILES
                .iter()
                .map(|n| dir.join(n))
                .find(|p| p.is_file())
                .unwrap_or_else(|| dir.join("Makefile")),
        };
        let targets: Vec<String> = run
            .targets
            .iter()
            .filter(|t| t.literal && !has_unknown(&t.text))
            .map(|t| t.text.clone())
            .collect();
        step.invocations.push(Invocation {
            retry: None,
            span: c.span(run.program.span.start..c.text.text.len().min(cmd_end(run, c))),
            makefile: normalize_path(&makefile),
            targets,
        });
    }
}

fn cmd_end(run: &shell::MakeRun, c: &Command) -> usize {
    run.targets
        .last()
        .map(|t| t.span.end)
        .or(run.directory.as_ref().map(|d| d.span.end))
        .unwrap_or(run.program.span.end)
        .min(c.text.text.len())
}

/// In a recipe, a backslash-newline keeps the newline but loses the recipe
/// prefix (tab) that starts the next line.
fn drop_continuation_prefix(line: &RecipeLine, prefix: char) -> Mapped {
    let t = &line.text.text;
    let pat = format!("\\\n{prefix}");
    if !t.contains(&pat) {
        return line.text.clone();
    }
    let mut out = Mapped::new();
    let mut from = 0;
    while let Some(i) = t[from..].find(&pat) {
        let cut = from + i + 2;
        out.push_mapped(&line.text, from..cut);
        from = cut + prefix.len_utf8();
    }
    out.push_mapped(&line.text, from..t.len());
    out
}

/// Split an expanded recipe line at newlines that are not escaped: each
/// line of a multi-line (define) variable is its own command.
fn split_command_lines(m: &Mapped) -> Vec<Mapped> {
    let t = &m.text;
    let b = t.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    for i in 0..b.len() {
        if b[i] == b'\n' && (i == 0 || b[i - 1] != b'\\') {
            out.push(m.slice(start..i));
            start = i + 1;
        }
    }
    out.push(m.slice(start..t.len()));
    out
}

/// A name that reads as a file path: it has a directory part or an extension.
fn looks_like_file(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    name.contains('/') || base.rfind('.').is_some_and(|i| i > 0 || base.len() > 1)
}
