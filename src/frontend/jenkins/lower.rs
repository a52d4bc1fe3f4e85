//! A Jenkins pipeline script, read into the unified graph: one pipeline
//! (kind `jenkins`), one step per stage that runs something, order edges
//! between consecutive stages (fanning out and in around `parallel`).
//!
//! Declarative pipelines (`pipeline { … }`) and scripted ones (`node {
//! stage('x') { … } }`) are read alike: `sh`, `bat` and `powershell` steps
//! are the commands, wherever they are (`steps`, `script`, `post`, `dir`,
//! `withEnv`, helper functions defined in the file); `retry(n)` runs its
//! body up to n times, so it gives n-1 retries; `options { retry(n) }`
//! retries the stage, or the whole run at the pipeline level.

use super::groovy::{self, Block, Call, Expr, Stmt};
use crate::cron::Dialect;
use crate::dag::{Edge, EdgeKind, Fragment, MAX_DEPENDENCIES, Pipeline, PipelineKind, Retry, Schedule, Step, StepKind};
use crate::diagnostic::{Diagnostic, Severity, thousands};
use crate::frontend::command;
use crate::frontend::mapped::Mapped;
use crate::source::{SourceDb, SourceFile, Span, join_normalized};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

/// Deepest chain of helper functions calling each other that is inlined.
const MAX_CALL_DEPTH: usize = 8;

/// Most helper calls inlined in one script: helpers that each call others
/// several times would otherwise be inlined exponentially often.
const MAX_INLINED_CALLS: usize = 1024;

/// Where the script comes from: a Jenkinsfile, or the `<script>` of a job's
/// config.xml (`outer` maps the decoded script back to the XML file).
pub struct Source<'a> {
    pub file: &'a SourceFile,
    pub text: &'a str,
    pub outer: Option<&'a Mapped>,
    /// `jenkins:<name>`, and the pipeline's name (job name or file path).
    pub name: String,
    /// The job's full name when known (config.xml), for `H`.
    pub job: Option<String>,
}

/// Read a pipeline script into `frag` (one pipeline); returns its index.
pub fn lower(db: &SourceDb, src: &Source, frag: &mut Fragment) -> usize {
    let script = groovy::parse(src.text);
    let pipeline_id = format!("jenkins:{}", src.name);
    let p = frag.pipelines.len();
    let mut lw = Lowerer {
        db,
        src,
        frag,
        pipeline: p,
        pipeline_id: pipeline_id.clone(),
        defs: HashMap::new(),
        vars: HashMap::new(),
        frontier: Vec::new(),
        names: HashMap::new(),
        call_depth: 0,
        inlined: 0,
        order_edges: 0,
        too_many_edges: false,
        commands: HashMap::new(),
        dir: src.file.dir().to_path_buf(),
        pipeline_retry: None,
        notes: Vec::new(),
        schedules: Vec::new(),
        triggered_by: Vec::new(),
        built_branches: HashMap::new(),
        expanding: Vec::new(),
    };
    for e in &script.errors {
        let mut d = Diagnostic::parse_error(lw.span(e.range.clone()), format!("Groovy syntax: {}", e.message))
            .with_label("kfr reads the rest of the file around this");
        if e.message.contains("never closed") || e.message.contains("too many") {
            d = d.with_help("Jenkins refuses to run a script that does not compile; check that every `{` has its `}`");
        }
        lw.frag.diagnostics.push(d);
    }
    lw.frag.pipelines.push(Pipeline {
        id: pipeline_id,
        kind: PipelineKind::Jenkins,
        name: src.name.clone(),
        file: src.file.id,
        span: lw.span(first_statement(&script.body)),
        schedule: None,
        other_schedules: Vec::new(),
        dir: src.file.dir().to_path_buf(),
        includes: Vec::new(),
        default_step: None,
        notes: Vec::new(),
        dropped_cycle_edges: Vec::new(),
        triggered_by: Vec::new(),
    });
    lw.collect(&script.body);
    let ctx = Ctx::default();
    let declarative = script.body.stmts.iter().find_map(|s| match s {
        Stmt::Expr(Expr::Call(c)) if c.name == "pipeline" && c.closure.is_some() => Some(&**c),
        _ => None,
    });
    match declarative {
        Some(pipeline) => {
            // statements beside `pipeline { }` (properties, helpers' callers) still run
            for s in &script.body.stmts {
                match s {
                    Stmt::Expr(Expr::Call(c)) if std::ptr::eq(&**c, pipeline) => {
                        lw.declarative(pipeline.closure.as_ref().unwrap(), &ctx)
                    }
                    Stmt::Def { .. } => {}
                    s => lw.scripted_stmt(s, &ctx, None),
                }
            }
        }
        None => lw.scripted(&script.body, &ctx, None),
    }
    lw.finish();
    p
}

fn first_statement(b: &Block) -> std::ops::Range<usize> {
    b.stmts
        .iter()
        .find_map(|s| match s {
            Stmt::Expr(Expr::Call(c)) => Some(c.name_range.clone()),
            Stmt::Library(_, r) => Some(r.clone()),
            _ => None,
        })
        .unwrap_or(0..0)
}

/// What applies to the commands inside a block.
#[derive(Clone, Default)]
struct Ctx {
    retry: Option<Retry>,
    /// The working directory, relative to the checkout.
    cwd: PathBuf,
    image: Option<(String, Span)>,
    timeout: Option<String>,
    settings: Vec<(String, String)>,
    /// Containers of a Kubernetes pod agent: name, image, where.
    pod: Vec<(String, String, Span)>,
    /// Parameters of the helper being inlined, bound to the call's values.
    bindings: Vec<(String, Expr)>,
}

struct Lowerer<'a, 'f> {
    db: &'a SourceDb,
    src: &'a Source<'a>,
    frag: &'f mut Fragment,
    pipeline: usize,
    pipeline_id: String,
    defs: HashMap<String, (Vec<String>, Block)>,
    vars: HashMap<String, Expr>,
    /// Steps the next stage follows.
    frontier: Vec<usize>,
    /// Step names used, for unique names.
    names: HashMap<String, usize>,
    call_depth: usize,
    /// Helper calls inlined so far (at most [`MAX_INLINED_CALLS`]).
    inlined: usize,
    /// Order edges made so far (at most [`MAX_DEPENDENCIES`]: a stage after
    /// a `parallel` follows each branch); once a stage would pass the limit,
    /// it and every stage after it are not read.
    order_edges: usize,
    too_many_edges: bool,
    /// For each step: the retry of each of its commands.
    commands: HashMap<usize, Vec<Option<Retry>>>,
    dir: PathBuf,
    pipeline_retry: Option<Retry>,
    notes: Vec<(Span, String)>,
    schedules: Vec<Schedule>,
    triggered_by: Vec<(String, Span)>,
    /// Closures stored into a map (`branches[name] = { … }`), by map.
    built_branches: HashMap<String, Vec<Block>>,
    /// The maps of built branches being read now: a branch that runs
    /// `parallel` over its own map is not read again.
    expanding: Vec<String>,
}

impl Lowerer<'_, '_> {
    fn span(&self, r: std::ops::Range<usize>) -> Span {
        match self.src.outer {
            Some(o) => self.src.file.span(o.source_range(r)),
            None => self.src.file.span(r),
        }
    }

    /// A string literal's text mapped to the file.
    fn lit(&self, m: &Mapped) -> Mapped {
        match self.src.outer {
            Some(o) => m.through(o),
            None => m.clone(),
        }
    }

    /// Helper functions and top-level values, wherever they are defined.
    fn collect(&mut self, b: &Block) {
        for s in &b.stmts {
            match s {
                Stmt::Def { name, params, body, .. } => {
                    self.defs.insert(name.clone(), (params.clone(), body.clone()));
                }
                Stmt::Declare {
                    name, value: Some(v), ..
                } => {
                    self.vars.insert(name.clone(), v.clone());
                }
                Stmt::Expr(Expr::Assign(lhs, v, _)) => {
                    if let Expr::Name(n, _) = &**lhs {
                        self.vars.insert(n.clone(), (**v).clone());
                    }
                }
                Stmt::Library(libs, r) => {
                    for (name, lr) in libs {
                        self.notes.push((
                            self.span(lr.clone()),
                            format!("shared library `{name}` is not read: the steps it defines are unknown to kfr"),
                        ));
                    }
                    if libs.is_empty() {
                        self.notes.push((
                            self.span(r.clone()),
                            "a shared library is loaded; it is not read".into(),
                        ));
                    }
                }
                _ => {}
            }
        }
    }

    /// The literal strings an expression may have: a literal, both arms of
    /// a ternary, a variable holding one; None parts are unknown.
    fn strings(&self, e: &Expr, ctx: &Ctx, depth: usize) -> Vec<(Mapped, std::ops::Range<usize>, bool)> {
        if depth > 8 {
            return Vec::new();
        }
        match e {
            Expr::Str {
                text,
                interpolated,
                range,
            } => vec![(self.lit(text), range.clone(), !*interpolated)],
            Expr::Ternary(_, a, b, _) => {
                let mut v = self.strings(a, ctx, depth + 1);
                v.extend(self.strings(b, ctx, depth + 1));
                v
            }
            Expr::Name(n, _) => {
                if let Some((_, v)) = ctx.bindings.iter().rev().find(|(k, _)| k == n) {
                    return self.strings(v, ctx, depth + 1);
                }
                match self.vars.get(n) {
                    Some(v) => self.strings(v, ctx, depth + 1),
                    None => Vec::new(),
                }
            }
            Expr::Call(c) if matches!(c.name.as_str(), "stripIndent" | "trim" | "stripMargin" | "toString") => c
                .receiver
                .as_ref()
                .map_or(Vec::new(), |r| self.strings(r, ctx, depth + 1)),
            _ => Vec::new(),
        }
    }

    /// One string for a value, as text: literals joined, anything else
    /// written `${…}` as in a GString.
    fn text_of(&self, e: &Expr, ctx: &Ctx) -> Mapped {
        let src = self.src.text;
        match e {
            Expr::Binary(a, "+", b, _) => {
                let mut m = self.text_of(a, ctx);
                m.append(&self.text_of(b, ctx));
                m
            }
            _ => {
                let s = self.strings(e, ctx, 0);
                if s.len() == 1 {
                    return s[0].0.clone();
                }
                let r = e.range();
                let mut m = Mapped::new(0);
                let shown = format!("${{{}}}", src.get(r.clone()).unwrap_or("?").trim());
                let outer = self.span(r).range();
                m.push_decoded(&shown, outer);
                m
            }
        }
    }

    /// `${name}` and `$name` of a helper's parameters, replaced by the
    /// literal the call passed (`runMake('train')` runs `make train`).
    fn substitute(&self, m: &Mapped, ctx: &Ctx) -> Mapped {
        if ctx.bindings.is_empty() || !m.text.contains('$') {
            return m.clone();
        }
        let mut out = Mapped::new(m.source_start());
        let t = &m.text;
        let mut i = 0;
        let mut run = 0;
        while let Some(off) = t[i..].find('$') {
            let at = i + off;
            let (name, end) = if t[at + 1..].starts_with('{') {
                match t[at + 2..].find('}') {
                    Some(e) => (t[at + 2..at + 2 + e].trim(), at + 2 + e + 1),
                    None => break,
                }
            } else {
                let n = t[at + 1..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(t.len() - at - 1);
                (&t[at + 1..at + 1 + n], at + 1 + n)
            };
            let value = ctx
                .bindings
                .iter()
                .rev()
                .find(|(k, _)| k == name)
                .and_then(|(_, v)| self.literal_text(v, &Ctx::default()));
            if let Some(v) = value {
                out.append(&m.slice(run..at));
                out.push_decoded(&v, m.source_range(at..end));
                run = end;
            }
            i = end.max(at + 1);
        }
        out.append(&m.slice(run..t.len()));
        out
    }

    fn literal_text(&self, e: &Expr, ctx: &Ctx) -> Option<String> {
        let s = self.strings(e, ctx, 0);
        (s.len() == 1 && s[0].2).then(|| s[0].0.text.clone())
    }

    fn source_text(&self, r: std::ops::Range<usize>) -> String {
        self.src
            .text
            .get(r)
            .unwrap_or("")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    // -----------------------------------------------------------------
    // declarative

    fn declarative(&mut self, body: &Block, ctx: &Ctx) {
        let mut ctx = ctx.clone();
        let sections: Vec<&Call> = calls(body).collect();
        for c in &sections {
            match c.name.as_str() {
                "agent" => self.agent(c, &mut ctx),
                "options" => {
                    if let Some(b) = &c.closure {
                        for o in calls(b) {
                            self.option(o, &mut ctx, true);
                        }
                    }
                }
                "environment" => self.environment(c, &mut ctx),
                "triggers" => {
                    if let Some(b) = &c.closure {
                        for t in calls(b) {
                            self.trigger(t, &ctx);
                        }
                    }
                }
                _ => {}
            }
        }
        for c in &sections {
            match c.name.as_str() {
                "stages" => {
                    if let Some(b) = &c.closure {
                        self.stage_list(b, &ctx);
                    }
                }
                "post" => self.post(c, &ctx, None),
                "agent" | "options" | "environment" | "triggers" | "parameters" | "tools" | "libraries" => {}
                other => {
                    let other = other.to_string();
                    self.notes.push((
                        self.span(c.name_range.clone()),
                        format!("`{other}` is not a section of a declarative pipeline kfr reads"),
                    ));
                }
            }
        }
    }

    fn stage_list(&mut self, b: &Block, ctx: &Ctx) {
        for c in calls(b) {
            if c.name == "stage" {
                self.declarative_stage(c, ctx, None);
            }
        }
    }

    fn stage_name(&self, c: &Call, ctx: &Ctx) -> String {
        c.first()
            .or_else(|| c.named("name"))
            .map(|e| {
                self.literal_text(e, ctx)
                    .unwrap_or_else(|| self.substitute(&self.text_of(e, ctx), ctx).text)
            })
            .unwrap_or_else(|| "stage".into())
    }

    fn declarative_stage(&mut self, c: &Call, ctx: &Ctx, parent: Option<&str>) {
        let Some(body) = &c.closure else { return };
        let name = self.stage_name(c, ctx);
        let mut ctx = ctx.clone();
        let sections: Vec<&Call> = calls(body).collect();
        for s in &sections {
            match s.name.as_str() {
                "agent" => self.agent(s, &mut ctx),
                "options" => {
                    if let Some(b) = &s.closure {
                        for o in calls(b) {
                            self.option(o, &mut ctx, false);
                        }
                    }
                }
                "environment" => self.environment(s, &mut ctx),
                "when" => {
                    let text = self.source_text(s.range.clone());
                    ctx.settings
                        .push(("when".into(), text.trim_start_matches("when").trim().to_string()));
                }
                _ => {}
            }
        }
        let full = match parent {
            Some(p) => format!("{p}/{name}"),
            None => name.clone(),
        };
        let mut has_steps = false;
        for s in &sections {
            match s.name.as_str() {
                "steps" => has_steps = true,
                "parallel" => {
                    if let Some(b) = &s.closure {
                        let start = self.frontier.clone();
                        let mut ends = Vec::new();
                        for branch in calls(b).filter(|c| c.name == "stage") {
                            self.frontier = start.clone();
                            self.declarative_stage(branch, &ctx, Some(&full));
                            ends.extend(self.frontier.iter().copied());
                        }
                        self.frontier = ends;
                    }
                }
                "stages" => {
                    if let Some(b) = &s.closure {
                        for inner in calls(b).filter(|c| c.name == "stage") {
                            self.declarative_stage(inner, &ctx, Some(&full));
                        }
                    }
                }
                "matrix" => {
                    if let Some(b) = &s.closure {
                        let mut mctx = ctx.clone();
                        let axes = self.matrix_axes(b);
                        if !axes.is_empty() {
                            mctx.settings.push(("matrix".into(), axes));
                        }
                        for m in calls(b) {
                            match m.name.as_str() {
                                "agent" => self.agent(m, &mut mctx),
                                "stages" => {
                                    if let Some(sb) = &m.closure {
                                        for inner in calls(sb).filter(|c| c.name == "stage") {
                                            self.declarative_stage(inner, &mctx, Some(&full));
                                        }
                                    }
                                }
                                _ => {}
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        if has_steps {
            let Some(step) = self.new_step(
                &full,
                self.span(c.args.first().map_or(c.name_range.clone(), |a| a.value.range())),
                &ctx,
            ) else {
                return;
            };
            for s in &sections {
                if s.name == "steps"
                    && let Some(b) = &s.closure
                {
                    self.steps_block(b, &ctx, step);
                }
            }
            for s in &sections {
                if s.name == "post" {
                    self.post(s, &ctx, Some(step));
                }
            }
        }
    }

    fn matrix_axes(&self, b: &Block) -> String {
        let mut out = Vec::new();
        for c in calls(b).filter(|c| c.name == "axes") {
            let Some(ab) = &c.closure else { continue };
            for axis in calls(ab).filter(|c| c.name == "axis") {
                let Some(x) = &axis.closure else { continue };
                let mut name = String::new();
                let mut values = Vec::new();
                for f in calls(x) {
                    match f.name.as_str() {
                        "name" => {
                            name = f
                                .first()
                                .and_then(|e| self.literal_text(e, &Ctx::default()))
                                .unwrap_or_default()
                        }
                        "values" => values.extend(
                            f.args
                                .iter()
                                .filter_map(|a| self.literal_text(&a.value, &Ctx::default())),
                        ),
                        _ => {}
                    }
                }
                out.push(format!("{name}={}", values.join(",")));
            }
        }
        out.join(" ")
    }

    fn post(&mut self, c: &Call, ctx: &Ctx, step: Option<usize>) {
        let Some(b) = &c.closure else { return };
        for cond in calls(b) {
            let Some(body) = &cond.closure else { continue };
            match step {
                Some(s) => self.steps_block(body, ctx, s),
                None => {
                    // the pipeline's post: a step of its own, after the stages, when it runs anything
                    if contains_command(body) {
                        let name = format!("post/{}", cond.name);
                        if let Some(s) = self.new_step(&name, self.span(cond.name_range.clone()), ctx) {
                            self.steps_block(body, ctx, s);
                        }
                    } else {
                        for call in calls(body) {
                            if let Some(what) = side_effect(&call.name) {
                                let end = call.range.end.min(call.name_range.start + 160);
                                let text = self.source_text(call.name_range.start..end);
                                let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                                self.notes.push((
                                    self.span(call.range.clone()),
                                    format!("after the stages (`post {{ {} }}`), `{text}` {what}", cond.name),
                                ));
                            }
                        }
                    }
                }
            }
        }
    }

    fn agent(&mut self, c: &Call, ctx: &mut Ctx) {
        // `agent any` and `agent none` set nothing; `agent label: 'x'` a label
        if let Some(l) = c.named("label").and_then(|e| self.literal_text(e, ctx)) {
            ctx.settings.push(("agent.label".into(), l));
        }
        let Some(b) = &c.closure else { return };
        for a in calls(b) {
            match a.name.as_str() {
                "label" => {
                    if let Some(l) = a.first().and_then(|e| self.literal_text(e, ctx)) {
                        set(&mut ctx.settings, "agent.label", l);
                    }
                }
                "node" => {
                    if let Some(nb) = &a.closure {
                        for n in calls(nb).filter(|n| n.name == "label") {
                            if let Some(l) = n.first().and_then(|e| self.literal_text(e, ctx)) {
                                set(&mut ctx.settings, "agent.label", l);
                            }
                        }
                    }
                }
                "docker" => {
                    if let Some(e) = a.first().or_else(|| a.named("image")) {
                        self.set_image(ctx, e);
                    }
                    if let Some(db) = &a.closure {
                        for d in calls(db) {
                            match d.name.as_str() {
                                "image" => {
                                    if let Some(e) = d.first() {
                                        self.set_image(ctx, e);
                                    }
                                }
                                "label" => {
                                    if let Some(l) = d.first().and_then(|e| self.literal_text(e, ctx)) {
                                        set(&mut ctx.settings, "agent.label", l);
                                    }
                                }
                                "args" => {
                                    if let Some(l) = d.first().and_then(|e| self.literal_text(e, ctx)) {
                                        set(&mut ctx.settings, "agent.docker.args", l);
                                    }
                                }
                                _ => {}
                            }
                        }
                    }
                }
                "dockerfile" => {
                    let mut file = "Dockerfile".to_string();
                    if let Some(db) = &a.closure {
                        for d in calls(db).filter(|d| d.name == "filename") {
                            if let Some(f) = d.first().and_then(|e| self.literal_text(e, ctx)) {
                                file = f;
                            }
                        }
                    }
                    ctx.image = None;
                    set(&mut ctx.settings, "agent.dockerfile", file);
                }
                "kubernetes" => {
                    if let Some(kb) = &a.closure {
                        for k in calls(kb) {
                            match k.name.as_str() {
                                "yaml" => {
                                    if let Some(e) = k.first() {
                                        for (m, _, _) in self.strings(e, ctx, 0) {
                                            ctx.pod = pod_images(&m, self.src.file);
                                        }
                                    }
                                }
                                "yamlFile" => {
                                    if let Some(f) = k.first().and_then(|e| self.literal_text(e, ctx)) {
                                        set(&mut ctx.settings, "agent.kubernetes.yamlFile", f);
                                    }
                                }
                                "label" | "inheritFrom" => {
                                    if let Some(l) = k.first().and_then(|e| self.literal_text(e, ctx)) {
                                        set(&mut ctx.settings, "agent.label", l);
                                    }
                                }
                                "defaultContainer" => {
                                    if let Some(n) = k.first().and_then(|e| self.literal_text(e, ctx)) {
                                        select_container(ctx, &n);
                                    }
                                }
                                _ => {}
                            }
                        }
                        if ctx.image.is_none()
                            && let Some((_, image, span)) = ctx.pod.iter().find(|(n, _, _)| n != "jnlp")
                        {
                            ctx.image = Some((image.clone(), *span));
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn set_image(&self, ctx: &mut Ctx, e: &Expr) {
        let (text, span) = match self.strings(e, ctx, 0).first() {
            Some((m, _, _)) => (m.text.clone(), self.src.file.span(m.source_range(0..m.text.len()))),
            None => (self.text_of(e, ctx).text, self.span(e.range())),
        };
        ctx.image = Some((text, span));
    }

    fn environment(&mut self, c: &Call, ctx: &mut Ctx) {
        let Some(b) = &c.closure else { return };
        for s in &b.stmts {
            if let Stmt::Expr(Expr::Assign(lhs, v, _)) = s
                && let Some(name) = lhs.dotted()
            {
                let value = match &**v {
                    Expr::Call(c) if c.name == "credentials" => "credentials".to_string(),
                    v => self.text_of(v, ctx).text,
                };
                set(&mut ctx.settings, &format!("env.{name}"), value);
            }
        }
    }

    /// One entry of `options { }` (or a stage's).
    fn option(&mut self, o: &Call, ctx: &mut Ctx, pipeline_level: bool) {
        match o.name.as_str() {
            "retry" => {
                let r = self.retry_of(o);
                if pipeline_level {
                    self.pipeline_retry = Some(r.clone());
                }
                ctx.retry = Some(r);
            }
            "timeout" => ctx.timeout = Some(self.timeout_text(o)),
            _ => {}
        }
    }

    fn timeout_text(&self, c: &Call) -> String {
        let end = c.args.last().map(|a| a.value.range().end).unwrap_or(c.range.end);
        let text = self.source_text(c.name_range.end..end);
        text.trim_start_matches('(').trim().to_string()
    }

    /// `retry(3)`, `retry(count: 3)`: 3 attempts, 2 retries.
    fn retry_of(&self, c: &Call) -> Retry {
        let arg = c.named("count").or_else(|| c.first());
        let span = self.span(
            c.range.start
                ..c.args
                    .last()
                    .map_or(c.name_range.end, |a| a.value.range().end + 1)
                    .min(c.range.end),
        );
        match arg {
            Some(Expr::Num(n, _)) => match n.parse::<u32>() {
                Ok(attempts) => Retry::Count {
                    count: attempts.saturating_sub(1),
                    span,
                },
                Err(_) => Retry::Unknown { span },
            },
            _ => Retry::Unknown { span },
        }
    }

    fn trigger(&mut self, t: &Call, ctx: &Ctx) {
        match t.name.as_str() {
            "cron" | "pollSCM" | "parameterizedCron" => {
                let Some(e) = t
                    .first()
                    .or_else(|| t.named("spec"))
                    .or_else(|| t.named("scmpoll_spec"))
                else {
                    return;
                };
                let candidates = self.strings(e, ctx, 0);
                if candidates.is_empty() {
                    let text = self.source_text(e.range());
                    self.notes.push((
                        self.span(e.range()),
                        format!("the {} schedule `{text}` is not known statically", t.name),
                    ));
                    self.schedules.push(Schedule::opaque(text, self.span(e.range())));
                    return;
                }
                if matches!(e, Expr::Ternary(..)) || matches!(e, Expr::Name(..)) {
                    let cond = self.source_text(e.range());
                    self.notes
                        .push((self.span(e.range()), format!("the schedule depends on `{cond}`")));
                }
                for (m, _, literal) in candidates {
                    let mut text = m.text.clone();
                    if t.name == "parameterizedCron" {
                        // `H 2 * * * %EPOCHS=10`: parameters after `%`
                        text = crate::cron::without_parameters(&text);
                    }
                    if text.trim().is_empty() {
                        continue;
                    }
                    let exact = literal && m.is_verbatim() && t.name != "parameterizedCron";
                    let span = self.src.file.span(m.source_range(0..m.text.len()));
                    self.schedules.push(Schedule {
                        text,
                        span,
                        dialect: literal.then_some(Dialect::Jenkins),
                        exact,
                        job: self.src.job.clone(),
                    });
                }
            }
            "upstream" => {
                let e = t.named("upstreamProjects").or_else(|| t.first());
                if let Some(e) = e
                    && let Some(names) = self.literal_text(e, ctx)
                {
                    for n in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                        self.triggered_by.push((n.to_string(), self.span(e.range())));
                    }
                }
            }
            _ => {}
        }
    }

    /// `properties([pipelineTriggers([cron('…')])])` and the like.
    fn properties(&mut self, c: &Call, ctx: &Ctx) {
        let mut stack: Vec<&Expr> = c.args.iter().map(|a| &a.value).collect();
        while let Some(e) = stack.pop() {
            match e {
                Expr::List(items, _) => stack.extend(items.iter()),
                Expr::Call(inner) => {
                    match inner.name.as_str() {
                        "cron" | "pollSCM" | "upstream" | "parameterizedCron" => self.trigger(inner, ctx),
                        _ => {}
                    }
                    stack.extend(inner.args.iter().map(|a| &a.value));
                }
                Expr::Map(entries, r) => {
                    // `[$class: 'TimerTrigger', spec: '…']`
                    let class = entries
                        .iter()
                        .find(|(k, _)| k == "$class")
                        .and_then(|(_, v)| self.literal_text(v, ctx));
                    if let (Some(class), Some((_, spec))) = (class, entries.iter().find(|(k, _)| k == "spec")) {
                        let name = if class.contains("SCMTrigger") {
                            "pollSCM"
                        } else {
                            "cron"
                        };
                        if class.contains("TimerTrigger") || class.contains("SCMTrigger") {
                            let call = Call {
                                receiver: None,
                                name: name.into(),
                                name_range: r.clone(),
                                args: vec![groovy::Arg {
                                    name: None,
                                    value: spec.clone(),
                                }],
                                closure: None,
                                range: r.clone(),
                            };
                            self.trigger(&call, ctx);
                        }
                    }
                    stack.extend(entries.iter().map(|(_, v)| v));
                }
                _ => {}
            }
        }
    }

    // -----------------------------------------------------------------
    // scripted, and the steps inside stages

    fn scripted(&mut self, b: &Block, ctx: &Ctx, step: Option<usize>) {
        for s in &b.stmts {
            self.scripted_stmt(s, ctx, step);
        }
    }

    fn scripted_stmt(&mut self, s: &Stmt, ctx: &Ctx, step: Option<usize>) {
        match s {
            Stmt::Expr(e) => self.expr_steps(e, ctx, step),
            Stmt::Declare { value: Some(v), .. } => self.expr_steps(v, ctx, step),
            Stmt::Return(Some(v), _) => self.expr_steps(v, ctx, step),
            Stmt::If {
                then, otherwise, cond, ..
            } => {
                self.expr_steps(cond, ctx, step);
                let mut c = ctx.clone();
                c.settings
                    .push(("when".into(), format!("if ({})", self.source_text(cond.range()))));
                self.scripted(then, &c, step);
                if let Some(o) = otherwise {
                    self.scripted(o, ctx, step);
                }
            }
            Stmt::Compound(parts, _) => {
                for p in parts {
                    self.scripted(p, ctx, step);
                }
            }
            Stmt::Def { .. } | Stmt::Declare { .. } | Stmt::Library(..) | Stmt::Return(None, _) => {}
        }
    }

    /// A `steps { }` block (the same as scripted code).
    fn steps_block(&mut self, b: &Block, ctx: &Ctx, step: usize) {
        self.scripted(b, ctx, Some(step));
    }

    /// Calls inside an expression (`def out = sh(script: …, returnStdout: true).trim()`).
    fn expr_steps(&mut self, e: &Expr, ctx: &Ctx, step: Option<usize>) {
        match e {
            Expr::Call(c) => self.call(c, ctx, step),
            Expr::Assign(lhs, v, _) => {
                if let Expr::Name(n, _) = &**lhs {
                    self.vars.entry(n.clone()).or_insert_with(|| (**v).clone());
                }
                // `branches["x-${i}"] = { … }` in a loop: the branches of a later `parallel branches`
                if let (Expr::Index(target, _), Expr::Closure(b)) = (&**lhs, &**v)
                    && let Expr::Name(n, _) = &**target
                {
                    self.built_branches.entry(n.clone()).or_default().push(b.clone());
                    return;
                }
                self.expr_steps(v, ctx, step)
            }
            Expr::Ternary(c, a, b, _) => {
                self.expr_steps(c, ctx, step);
                self.expr_steps(a, ctx, step);
                self.expr_steps(b, ctx, step);
            }
            Expr::Binary(a, _, b, _) => {
                self.expr_steps(a, ctx, step);
                self.expr_steps(b, ctx, step);
            }
            Expr::Prop(r, _, _) => self.expr_steps(r, ctx, step),
            _ => {}
        }
    }

    fn call(&mut self, c: &Call, ctx: &Ctx, step: Option<usize>) {
        if let Some(r) = &c.receiver {
            // `docker.image('x').inside { }`, `sh(…).trim()`
            if let Expr::Call(rc) = r
                && rc.name == "image"
                && rc.receiver.as_ref().and_then(Expr::dotted).as_deref() == Some("docker")
            {
                let mut inner = ctx.clone();
                if let Some(e) = rc.first() {
                    self.set_image(&mut inner, e);
                }
                if let Some(b) = &c.closure {
                    self.scripted(b, &inner, step);
                }
                return;
            }
            self.expr_steps(r, ctx, step);
            if c.receiver.as_ref().and_then(Expr::dotted).is_some() && c.name != "call" {
                if let Some(b) = &c.closure {
                    self.scripted(b, ctx, step);
                }
                return;
            }
        }
        match c.name.as_str() {
            "sh" | "bat" | "powershell" | "pwsh" => {
                let Some(e) = c.named("script").or_else(|| c.first()) else {
                    return;
                };
                let text = self.substitute(&self.text_of(e, ctx), ctx);
                let step = match step {
                    Some(s) => s,
                    None => {
                        let label = command::label(&text.text);
                        let span = self.span(c.name_range.clone());
                        let Some(s) = self.new_step(&label, span, ctx) else {
                            return;
                        };
                        s
                    }
                };
                self.add_command(step, &text, ctx);
            }
            "stage" => {
                let name = self.stage_name(c, ctx);
                let span = self.span(c.args.first().map_or(c.name_range.clone(), |a| a.value.range()));
                if let Some(b) = &c.closure {
                    if contains_command_with(b, &self.defs) {
                        if let Some(s) = self.new_step(&name, span, ctx) {
                            self.scripted(b, ctx, Some(s));
                        }
                    } else {
                        self.scripted(b, ctx, None);
                    }
                }
            }
            "retry" => {
                let mut inner = ctx.clone();
                let r = self.retry_of(c);
                inner.retry = Some(match (&ctx.retry, r) {
                    (Some(Retry::Count { count: a, .. }), Retry::Count { count: b, span }) => Retry::Count {
                        count: (*a).max(b),
                        span,
                    },
                    (_, r) => r,
                });
                if let Some(b) = &c.closure {
                    self.scripted(b, &inner, step);
                }
            }
            "timeout" => {
                let mut inner = ctx.clone();
                inner.timeout = Some(self.timeout_text(c));
                if let Some(b) = &c.closure {
                    self.scripted(b, &inner, step);
                }
            }
            "dir" => {
                let mut inner = ctx.clone();
                match c
                    .first()
                    .or_else(|| c.named("path"))
                    .and_then(|e| self.literal_text(e, ctx))
                {
                    Some(d) => inner.cwd = crate::source::normalize_path(&ctx.cwd.join(d)),
                    None => inner.cwd = PathBuf::from("${dir}"),
                }
                if let Some(b) = &c.closure {
                    self.scripted(b, &inner, step);
                }
            }
            "container" => {
                let mut inner = ctx.clone();
                if let Some(n) = c
                    .first()
                    .or_else(|| c.named("name"))
                    .and_then(|e| self.literal_text(e, ctx))
                {
                    select_container(&mut inner, &n);
                }
                if let Some(b) = &c.closure {
                    self.scripted(b, &inner, step);
                }
            }
            "withDockerContainer" => {
                let mut inner = ctx.clone();
                if let Some(e) = c.named("image").or_else(|| c.first()) {
                    self.set_image(&mut inner, e);
                }
                if let Some(b) = &c.closure {
                    self.scripted(b, &inner, step);
                }
            }
            "node" => {
                let mut inner = ctx.clone();
                if let Some(l) = c
                    .first()
                    .or_else(|| c.named("label"))
                    .and_then(|e| self.literal_text(e, ctx))
                {
                    set(&mut inner.settings, "agent.label", l);
                }
                if let Some(b) = &c.closure {
                    self.scripted(b, &inner, step);
                }
            }
            "properties" => self.properties(c, ctx),
            "parallel" => {
                let branches: Vec<&Expr> = c
                    .args
                    .iter()
                    .filter(|a| a.name.as_deref() != Some("failFast"))
                    .flat_map(|a| match &a.value {
                        Expr::Map(entries, _) => entries.iter().map(|(_, v)| v).collect::<Vec<_>>(),
                        v => vec![v],
                    })
                    .collect();
                let start = self.frontier.clone();
                let mut ends = Vec::new();
                let mut any = false;
                for b in branches {
                    match b {
                        Expr::Closure(body) => {
                            any = true;
                            self.frontier = start.clone();
                            self.scripted(body, ctx, step);
                            ends.extend(self.frontier.iter().copied());
                        }
                        Expr::Name(n, _) if self.expanding.contains(n) => {
                            let text = self.source_text(b.range());
                            self.notes.push((
                                self.span(b.range()),
                                format!("`parallel {text}` inside one of its own branches is not read again"),
                            ));
                        }
                        Expr::Name(n, _) if self.built_branches.contains_key(n) => {
                            any = true;
                            self.expanding.push(n.clone());
                            for body in self.built_branches.get(n).cloned().unwrap_or_default() {
                                // the branches share the helper calls' budget
                                if self.inlined > MAX_INLINED_CALLS {
                                    break;
                                }
                                self.inlined += 1;
                                self.frontier = start.clone();
                                self.scripted(&body, ctx, step);
                                ends.extend(self.frontier.iter().copied());
                            }
                            self.expanding.pop();
                            let text = self.source_text(b.range());
                            self.notes.push((
                                self.span(b.range()),
                                format!("the branches of `parallel {text}` are built in a loop: each is read once"),
                            ));
                        }
                        other => {
                            let text = self.source_text(other.range());
                            self.notes.push((
                                self.span(other.range()),
                                format!("parallel branches built at run time (`{text}`) are not read"),
                            ));
                        }
                    }
                }
                if any {
                    ends.sort_unstable();
                    ends.dedup();
                    self.frontier = ends;
                }
            }
            "build" => {
                let job = c
                    .named("job")
                    .or_else(|| c.first())
                    .and_then(|e| self.literal_text(e, ctx));
                if let (Some(job), Some(step)) = (job, step.or_else(|| self.frontier.last().copied())) {
                    let span = self.span(c.range.clone());
                    self.frag.steps[step].triggers.push((job, span));
                }
            }
            "load" => {
                let text = self.source_text(c.range.clone());
                self.notes.push((
                    self.span(c.range.clone()),
                    format!("`{text}` loads Groovy at run time; it is not read"),
                ));
            }
            name => {
                if let Some(what) = side_effect(name) {
                    let text = self.source_text(c.name_range.start..c.range.end.min(c.name_range.start + 160));
                    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                    // the call without the block it wraps
                    let text = text.split(" {").next().unwrap_or(&text).to_string();
                    let note = (self.span(c.range.clone()), format!("`{text}` {what}"));
                    match step.or_else(|| self.frontier.last().copied()) {
                        Some(s) => self.frag.steps[s].notes.push(note),
                        None => self.notes.push(note),
                    }
                }
                if let Some((params, body)) = self.defs.get(name).cloned() {
                    if self.call_depth >= MAX_CALL_DEPTH {
                        return;
                    }
                    if self.inlined == MAX_INLINED_CALLS {
                        self.inlined += 1;
                        self.notes.push((
                            self.span(c.range.clone()),
                            format!(
                                "more than {MAX_INLINED_CALLS} helper calls: `{name}` and the calls after it are not read"
                            ),
                        ));
                    }
                    if self.inlined > MAX_INLINED_CALLS {
                        return;
                    }
                    self.inlined += 1;
                    let mut inner = ctx.clone();
                    for (p, a) in params.iter().zip(c.args.iter().filter(|a| a.name.is_none())) {
                        // a GString of the caller's own parameters is known once they are
                        let mut value = a.value.clone();
                        if let Expr::Str {
                            interpolated: true,
                            range,
                            ..
                        } = &a.value
                            && self.src.outer.is_none()
                        {
                            let m = self.substitute(&self.text_of(&a.value, ctx), ctx);
                            if !m.text.contains('$') {
                                value = Expr::Str {
                                    text: m,
                                    interpolated: false,
                                    range: range.clone(),
                                };
                            }
                        }
                        inner.bindings.push((p.clone(), value));
                    }
                    self.call_depth += 1;
                    self.scripted(&body, &inner, step);
                    self.call_depth -= 1;
                    return;
                }
                // any other step with a body runs it (withEnv, script, withCredentials, …)
                for a in &c.args {
                    if let Expr::Closure(b) = &a.value {
                        self.scripted(b, ctx, step);
                    }
                }
                if let Some(b) = &c.closure {
                    self.scripted(b, ctx, step);
                }
            }
        }
    }

    fn add_command(&mut self, step: usize, text: &Mapped, ctx: &Ctx) {
        let retry = ctx.retry.clone().or(self.pipeline_retry.clone());
        let dir = if ctx.cwd.as_os_str().is_empty() {
            self.dir.clone()
        } else {
            join_normalized(&self.dir, &ctx.cwd.to_string_lossy())
        };
        let mut diags = Vec::new();
        let s = &mut self.frag.steps[step];
        command::analyse_mapped(self.db, s, self.src.file, text, &dir, retry.clone(), &mut diags);
        if s.image.is_none()
            && let Some((image, span)) = &ctx.image
        {
            s.image = Some(image.clone());
            s.image_span = Some(*span);
        }
        if s.timeout.is_none() {
            s.timeout = ctx.timeout.clone();
        }
        for (k, v) in &ctx.settings {
            if !s.settings.iter().any(|(k2, _)| k2 == k) {
                s.settings.push((k.clone(), v.clone()));
            }
        }
        self.frag.diagnostics.extend(diags);
        self.commands.entry(step).or_default().push(retry);
    }

    /// A new stage after the frontier; `None` once the order edges would
    /// pass [`MAX_DEPENDENCIES`] (reported once, as a KFR000).
    fn new_step(&mut self, name: &str, span: Span, ctx: &Ctx) -> Option<usize> {
        if self.too_many_edges {
            return None;
        }
        if self.order_edges + self.frontier.len() > MAX_DEPENDENCIES {
            self.too_many_edges = true;
            let stages = self.frag.steps.iter().filter(|s| s.pipeline == self.pipeline).count();
            self.frag.diagnostics.push(
                Diagnostic::parse_error(
                    span,
                    format!(
                        "more than {} order edges between this pipeline's stages: stage `{name}` would follow {} stages \
                         at once; it and the stages after it are not read ({} stages before it are)",
                        thousands(MAX_DEPENDENCIES),
                        thousands(self.frontier.len()),
                        thousands(stages),
                    ),
                )
                .with_help(
                    "a stage after a `parallel` follows each of its branches; run wide `parallel` groups \
                     one after the other inside fewer stages, or split the pipeline",
                ),
            );
            return None;
        }
        self.order_edges += self.frontier.len();
        let n = self.names.entry(name.to_string()).or_insert(0);
        *n += 1;
        let unique = if *n == 1 {
            name.to_string()
        } else {
            format!("{name} ({n})")
        };
        let mut s = Step::new(&self.pipeline_id, self.pipeline, &unique, StepKind::Stage, span);
        if let Some((image, span)) = &ctx.image {
            s.image = Some(image.clone());
            s.image_span = Some(*span);
        }
        s.timeout = ctx.timeout.clone();
        s.settings = ctx.settings.clone();
        let i = self.frag.steps.len();
        self.frag.steps.push(s);
        for &f in &self.frontier {
            self.frag.edges.push(Edge {
                from: f,
                to: i,
                kind: EdgeKind::Order,
                path: None,
                span: None,
            });
        }
        self.frontier = vec![i];
        // a stage's own retry applies to it even without commands
        self.commands.entry(i).or_default();
        if let Some(r) = ctx.retry.clone().or(self.pipeline_retry.clone()) {
            self.frag.steps[i].retry = r;
        }
        Some(i)
    }

    fn finish(&mut self) {
        // a step is retried as its least retried command is
        for (&step, retries) in &self.commands {
            if retries.is_empty() {
                continue;
            }
            let s = &mut self.frag.steps[step];
            let mut least: Option<Retry> = None;
            for r in retries {
                let r = r.clone().unwrap_or(Retry::None);
                least = Some(match (least, r) {
                    (None, r) => r,
                    (Some(Retry::None), _) | (_, Retry::None) => Retry::None,
                    (Some(Retry::Count { count: a, span }), Retry::Count { count: b, span: sb }) => {
                        if b < a {
                            Retry::Count { count: b, span: sb }
                        } else {
                            Retry::Count { count: a, span }
                        }
                    }
                    (Some(Retry::Unknown { span }), _) | (_, Retry::Unknown { span }) => Retry::Unknown { span },
                });
            }
            s.retry = least.unwrap_or(Retry::None);
        }
        let p = &mut self.frag.pipelines[self.pipeline];
        let mut schedules = std::mem::take(&mut self.schedules).into_iter();
        p.schedule = schedules.next();
        p.other_schedules = schedules.collect();
        p.notes = std::mem::take(&mut self.notes);
        p.triggered_by = std::mem::take(&mut self.triggered_by);
        if self.frag.steps.iter().all(|s| s.pipeline != self.pipeline) && p.schedule.is_some() {
            let span = p.span;
            self.frag.diagnostics.push(
                Diagnostic::parse_error(span, "no stage of this Jenkins pipeline runs a command kfr can read")
                    .with_severity(Severity::Info),
            );
        }
    }
}

/// What a Jenkins step does besides files and commands, for the steps whose
/// effect lives outside the pipeline's files.
fn side_effect(name: &str) -> Option<&'static str> {
    Some(match name {
        "withCredentials" | "sshagent" | "withAWS" | "withVault" => "binds credentials from Jenkins",
        "archiveArtifacts" => "archives files in Jenkins",
        "stash" | "unstash" => "hands files between agents through Jenkins",
        "slackSend" | "mail" | "emailext" | "office365ConnectorSend" | "mattermostSend" => "sends a notification",
        "junit" | "publishHTML" | "recordIssues" | "publishChecks" => "publishes a report to Jenkins",
        "input" => "waits for a person to approve",
        "lock" => "holds a Jenkins lock",
        "milestone" => "sets a Jenkins milestone",
        _ => return None,
    })
}

fn set(settings: &mut Vec<(String, String)>, key: &str, value: String) {
    settings.retain(|(k, _)| k != key);
    settings.push((key.to_string(), value));
}

fn select_container(ctx: &mut Ctx, name: &str) {
    if let Some((_, image, span)) = ctx.pod.iter().find(|(n, _, _)| n == name) {
        ctx.image = Some((image.clone(), *span));
    }
}

/// The calls among a block's statements.
fn calls(b: &Block) -> impl Iterator<Item = &Call> {
    b.stmts.iter().filter_map(|s| match s {
        Stmt::Expr(Expr::Call(c)) => Some(&**c),
        _ => None,
    })
}

/// Whether a block runs a shell step anywhere inside it.
fn contains_command(b: &Block) -> bool {
    contains_command_with(b, &HashMap::new())
}

fn contains_command_with(b: &Block, defs: &HashMap<String, (Vec<String>, Block)>) -> bool {
    // A search of what the block reaches: each function it calls is read
    // once (a function that calls itself, or functions that call each
    // other, would otherwise be read again on every path to them).
    struct Search<'a> {
        defs: &'a HashMap<String, (Vec<String>, Block)>,
        seen: HashSet<&'a str>,
    }
    impl<'a> Search<'a> {
        fn call(&mut self, name: &str, depth: usize) -> bool {
            let defs = self.defs;
            let Some((name, (_, body))) = defs.get_key_value(name) else {
                return false;
            };
            // once any function reached runs a command the search is over, so
            // one already read is known not to
            self.seen.insert(name.as_str()) && self.block(body, depth + 1)
        }
        fn expr(&mut self, e: &Expr, depth: usize) -> bool {
            if depth > 32 {
                return false;
            }
            match e {
                Expr::Call(c) => {
                    matches!(
                        c.name.as_str(),
                        "sh" | "bat" | "powershell" | "pwsh" | "build" | "parallel"
                    ) || self.call(&c.name, depth)
                        || c.closure.as_ref().is_some_and(|b| self.block(b, depth + 1))
                        || c.args.iter().any(|a| self.expr(&a.value, depth + 1))
                        || c.receiver.as_ref().is_some_and(|r| self.expr(r, depth + 1))
                }
                Expr::Closure(b) => self.block(b, depth + 1),
                Expr::Assign(_, v, _) => self.expr(v, depth + 1),
                Expr::Map(entries, _) => entries.iter().any(|(_, v)| self.expr(v, depth + 1)),
                _ => false,
            }
        }
        fn block(&mut self, b: &Block, depth: usize) -> bool {
            b.stmts.iter().any(|s| match s {
                Stmt::Expr(e) => self.expr(e, depth),
                Stmt::Declare { value: Some(v), .. } => self.expr(v, depth),
                Stmt::If { then, otherwise, .. } => {
                    self.block(then, depth + 1) || otherwise.as_ref().is_some_and(|o| self.block(o, depth + 1))
                }
                Stmt::Compound(parts, _) => parts.iter().any(|p| self.block(p, depth + 1)),
                _ => false,
            })
        }
    }
    Search {
        defs,
        seen: HashSet::new(),
    }
    .block(b, 0)
}

/// The containers of a pod spec given as YAML text: name, image, and
/// where the image is written.
fn pod_images(yaml: &Mapped, file: &SourceFile) -> Vec<(String, String, Span)> {
    let mut out = Vec::new();
    let mut name = String::new();
    let mut at = 0;
    for line in yaml.text.split('\n') {
        let start = at;
        at += line.len() + 1;
        let t = line.trim_start().trim_start_matches("- ").trim_start();
        if let Some(v) = t.strip_prefix("name:") {
            name = v.trim().trim_matches(['"', '\'']).to_string();
        } else if let Some(v) = t.strip_prefix("image:") {
            let image = v.trim().trim_matches(['"', '\'']);
            if let Some(off) = line.find(image) {
                let r = yaml.source_range(start + off..start + off + image.len());
                out.push((name.clone(), image.to_string(), file.span(r)));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dag::EdgeKind;
    use std::path::Path;

    /// A scripted pipeline whose helpers run `calls` parallel groups one
    /// after the other, each `width` × `width` stages wide.
    fn fan_out(width: usize, calls: usize) -> Fragment {
        let stages: Vec<String> = (0..width)
            .map(|i| format!("'{i}': {{ stage(\"s-${{t}}-{i}\") {{ sh 'make' }} }}"))
            .collect();
        let branches: Vec<String> = (0..width)
            .map(|i| format!("'{i}': {{ shards(\"${{t}}{i}\") }}"))
            .collect();
        let mut text = format!(
            "def shards(String t) {{ parallel({}) }}\ndef group(String t) {{ parallel({}) }}\nnode {{\n",
            stages.join(", "),
            branches.join(", ")
        );
        for c in 0..calls {
            text.push_str(&format!("  group('g{c}')\n"));
        }
        text.push_str("  stage('last') { sh 'make report' }\n}\n");
        let db = SourceDb::new();
        let file = db.add_virtual(Path::new("v/Jenkinsfile"), text);
        let src = Source {
            file: &file,
            text: &file.text,
            outer: None,
            name: "Jenkinsfile".into(),
            job: None,
        };
        let mut frag = Fragment::default();
        lower(&db, &src, &mut frag);
        frag
    }

    #[test]
    fn wide_parallel_groups_in_a_row_keep_every_order_edge_below_the_limit() {
        // 400 stages after 400 stages: 160,000 edges, then 400 into `last`
        let frag = fan_out(20, 2);
        assert!(frag.diagnostics.is_empty(), "{:?}", frag.diagnostics);
        assert_eq!(frag.steps.len(), 801);
        let order = frag.edges.iter().filter(|e| e.kind == EdgeKind::Order).count();
        assert_eq!(order, 400 * 400 + 400);
        assert_eq!(frag.steps.last().map(|s| s.name.as_str()), Some("last"));
    }

    #[test]
    fn stages_past_the_order_edge_limit_are_reported_once_and_not_read() {
        // each group after the first would add 810,000 edges
        let frag = fan_out(30, 8);
        let order = frag.edges.iter().filter(|e| e.kind == EdgeKind::Order).count();
        assert!(order <= MAX_DEPENDENCIES, "{order} order edges");
        assert_eq!(frag.diagnostics.len(), 1, "{:?}", frag.diagnostics);
        let d = &frag.diagnostics[0];
        assert_eq!(d.code, crate::rules::PARSE_ERROR);
        assert!(
            d.message
                .starts_with("more than 250,000 order edges between this pipeline's stages: stage `s-g1")
                && d.message.contains("would follow 900 stages at once"),
            "{}",
            d.message
        );
        // the first group is read whole; `last` is past the limit
        assert!(frag.steps.len() > 900 && frag.steps.len() < 900 * 2);
        assert!(frag.steps.iter().all(|s| s.name != "last"));
    }
}
