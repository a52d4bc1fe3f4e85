//! Jenkins job `config.xml` files, as Jenkins keeps them under
//! `$JENKINS_HOME/jobs/<name>/config.xml` (folders nest as
//! `jobs/<folder>/jobs/<name>`): freestyle (`<project>`), matrix
//! (`<matrix-project>`) and pipeline jobs (`<flow-definition>`, whose
//! inline script is read as a Jenkinsfile). Other `config.xml` files
//! (folders, Jenkins' own settings) are not jobs and are skipped quietly.
//!
//! A freestyle or matrix job is one pipeline of kind `jenkins` named by
//! the job's full name, with one step (kind `job`) running its shell build
//! steps. Timer and SCM-polling triggers are its schedule (`H` resolved
//! from the job's full name, as Jenkins does); downstream projects
//! (`BuildTrigger`, the Parameterized Trigger plugin) and upstream
//! triggers become edges between jobs; the Naginator plugin's
//! `maxSchedule` is its retry count and the build-timeout plugin's
//! absolute timeout its timeout.

use super::lower;
use crate::cron::Dialect;
use crate::dag::{Fragment, Pipeline, PipelineKind, Retry, Schedule, Step, StepKind};
use crate::diagnostic::Diagnostic;
use crate::frontend::command;
use crate::frontend::mapped::Mapped;
use crate::source::{SourceDb, SourceFile};
use quick_xml::events::Event;
use std::ops::Range;
use std::sync::Arc;

/// An element with its children and text, and where it is.
#[derive(Debug, Default)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Element>,
    /// Text and CDATA directly inside, entities decoded.
    text: Mapped,
    range: Range<usize>,
}

impl Element {
    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    fn text_of(&self, name: &str) -> Option<&Mapped> {
        self.child(name).map(|c| &c.text)
    }

    /// Every descendant named `name`, in document order.
    fn find_all<'a>(&'a self, name: &str, out: &mut Vec<&'a Element>) {
        for c in &self.children {
            if c.name == name {
                out.push(c);
            }
            c.find_all(name, out);
        }
    }
}

/// Decode `&amp;`, `&#39;`, `&#x27;` in `raw` (at `offset` in the file).
pub(crate) fn push_text(m: &mut Mapped, raw: &str, offset: usize) {
    let mut run = 0;
    let mut i = 0;
    let b = raw.as_bytes();
    while i < b.len() {
        if b[i] == b'&'
            && let Some(end) = raw[i..].find(';').filter(|e| *e <= 10)
        {
            let name = &raw[i + 1..i + end];
            let decoded = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ if name.starts_with("#x") || name.starts_with("#X") => {
                    u32::from_str_radix(&name[2..], 16).ok().and_then(char::from_u32)
                }
                _ if name.starts_with('#') => name[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            };
            if let Some(c) = decoded {
                if i > run {
                    m.push_verbatim(&raw[run..i], offset + run);
                }
                m.push_decoded(c.encode_utf8(&mut [0; 4]), offset + i..offset + i + end + 1);
                i += end + 1;
                run = i;
                continue;
            }
        }
        i += 1;
    }
    if b.len() > run {
        m.push_verbatim(&raw[run..], offset + run);
    }
}

/// Parse the XML into elements; an error is the message and its offset.
fn parse(text: &str) -> Result<Element, (String, usize)> {
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = vec![Element::default()];
    loop {
        let before = reader.buffer_position() as usize;
        let event = reader
            .read_event()
            .map_err(|e| (e.to_string(), reader.error_position() as usize))?;
        let after = reader.buffer_position() as usize;
        let raw = text.get(before..after).unwrap_or("");
        match event {
            Event::Start(e) => {
                let el = element(&e, before..after);
                stack.push(el);
            }
            Event::Empty(e) => {
                let el = element(&e, before..after);
                stack.last_mut().expect("root").children.push(el);
            }
            Event::End(_) => {
                let mut el = stack.pop().expect("an open element");
                el.range.end = after;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => return Err(("closing tag without an opening one".into(), before)),
                }
            }
            Event::Text(_) | Event::GeneralRef(_) => {
                if let Some(top) = stack.last_mut() {
                    push_text(&mut top.text, raw, before);
                }
            }
            Event::CData(_) => {
                if let Some(top) = stack.last_mut() {
                    let inner = raw
                        .strip_prefix("<![CDATA[")
                        .and_then(|r| r.strip_suffix("]]>"))
                        .unwrap_or("");
                    top.text.push_verbatim(inner, before + 9);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.len() > 1 {
        let open = stack.last().map_or(0, |e| e.range.start);
        return Err((
            format!(
                "the file ends inside `<{}>`",
                stack.last().map_or("", |e| e.name.as_str())
            ),
            open,
        ));
    }
    let mut doc = stack.pop().unwrap_or_default();
    doc.children.pop().ok_or(("no element in the file".into(), 0))
}

fn element(e: &quick_xml::events::BytesStart, range: Range<usize>) -> Element {
    Element {
        name: e.name().as_ref().to_string(),
        attrs: e
            .attributes()
            .flatten()
            .map(|a| (a.key.as_ref().to_string(), a.value.to_string()))
            .collect(),
        range,
        ..Default::default()
    }
}

/// The job's full name from where its config.xml is: `jobs/ml/jobs/train`
/// is `ml/train`; outside a `jobs` tree, the folder's name.
pub fn job_name(path: &std::path::Path) -> String {
    let comps: Vec<String> = path
        .parent()
        .map(|p| {
            p.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    let mut names = Vec::new();
    let mut i = comps.len();
    while i >= 2 && comps[i - 2] == "jobs" {
        names.push(comps[i - 1].clone());
        i -= 2;
    }
    if names.is_empty() {
        return comps.last().cloned().unwrap_or_else(|| "job".into());
    }
    names.reverse();
    names.join("/")
}

const JOB_ROOTS: &[&str] = &["project", "matrix-project", "flow-definition", "maven2-moduleset"];

/// The largest character boundary of `text` at or before `i`.
fn char_floor(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

pub fn lower(db: &SourceDb, file: &Arc<SourceFile>) -> Fragment {
    let mut frag = Fragment::default();
    if !crate::frontend::readable(file, "a Jenkins config.xml", &mut frag.diagnostics) {
        return frag;
    }
    let root = match parse(&file.text) {
        Ok(r) => r,
        Err((message, at)) => {
            // only a file that looks like a job is worth an error
            let head = &file.text[..char_floor(&file.text, 4096)];
            if JOB_ROOTS.iter().any(|r| head.contains(&format!("<{r}")))
                || head.contains("<builders")
                || head.contains("<triggers")
            {
                let at = char_floor(&file.text, at);
                let end = file.text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
                frag.diagnostics.push(
                    Diagnostic::parse_error(file.span(at..end), format!("Jenkins job config.xml is not well-formed XML: {message}"))
                        .with_label("here")
                        .with_help("Jenkins cannot load a job whose config.xml does not parse; restore it from the job's config history"),
                );
            }
            return frag;
        }
    };
    if !JOB_ROOTS.contains(&root.name.as_str()) {
        return frag;
    }
    let job = job_name(&file.path);
    let short = job.rsplit('/').next().unwrap_or(&job).to_string();
    let pipeline_id = format!("jenkins:{job}");

    // triggers: a pipeline job keeps them under its properties
    let mut trigger_elems = Vec::new();
    root.find_all("triggers", &mut trigger_elems);
    let mut schedules = Vec::new();
    let mut triggered_by = Vec::new();
    for t in trigger_elems.iter().flat_map(|t| t.children.iter()) {
        let spec = t.text_of("spec").or_else(|| t.text_of("parameterizedSpecification"));
        if t.name.ends_with("TimerTrigger") || t.name.ends_with("SCMTrigger") {
            if let Some(spec) = spec
                && !spec.text.trim().is_empty()
            {
                let mut text = spec.text.clone();
                if t.name.contains("Parameterized") {
                    text = crate::cron::without_parameters(&text);
                }
                let s = Schedule {
                    exact: spec.is_verbatim() && text == spec.text,
                    span: file.span(spec.source_range(0..spec.text.len())),
                    text,
                    dialect: Some(Dialect::Jenkins),
                    job: Some(job.clone()),
                };
                // the timer is the schedule shown; polling comes after it
                if t.name.ends_with("TimerTrigger") {
                    schedules.insert(0, s);
                } else {
                    schedules.push(s);
                }
            }
        } else if t.name.ends_with("ReverseBuildTrigger")
            && let Some(up) = t.text_of("upstreamProjects")
        {
            for n in up.text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                triggered_by.push((n.to_string(), file.span(up.source_range(0..up.text.len()))));
            }
        }
    }

    if root.name == "flow-definition" {
        let def = root.child("definition");
        let class = def
            .and_then(|d| d.attrs.iter().find(|(k, _)| k == "class"))
            .map(|(_, v)| v.as_str());
        let script = def.and_then(|d| d.child("script"));
        let p = match (class, script) {
            (Some(c), Some(script)) if c.ends_with("CpsFlowDefinition") => {
                let src = lower::Source {
                    file,
                    text: &script.text.text,
                    outer: Some(&script.text),
                    name: job.clone(),
                    job: Some(job.clone()),
                };
                lower::lower(db, &src, &mut frag)
            }
            _ => {
                let path = def
                    .and_then(|d| d.text_of("scriptPath"))
                    .map(|m| m.text.clone())
                    .unwrap_or_else(|| "Jenkinsfile".into());
                frag.pipelines.push(pipeline(file, &pipeline_id, &job, &root));
                let i = frag.pipelines.len() - 1;
                frag.pipelines[i].notes.push((
                    file.span(def.map_or(root.range.clone(), |d| d.range.clone())),
                    format!("the pipeline script is `{path}` in the job's repository; it is read where it is linted"),
                ));
                i
            }
        };
        let pl = &mut frag.pipelines[p];
        let mut all = std::mem::take(&mut schedules);
        all.extend(pl.schedule.take());
        all.append(&mut pl.other_schedules);
        let mut all = all.into_iter();
        pl.schedule = all.next();
        pl.other_schedules = all.collect();
        pl.triggered_by.extend(triggered_by);
        return frag;
    }

    let mut pl = pipeline(file, &pipeline_id, &job, &root);
    let mut all = schedules.into_iter();
    pl.schedule = all.next();
    pl.other_schedules = all.collect();
    pl.triggered_by = triggered_by;
    frag.pipelines.push(pl);

    let mut step = Step::new(
        &pipeline_id,
        0,
        &short,
        StepKind::Job,
        file.span(root.range.start..root.range.start + 1 + root.name.len()),
    );
    if let Some(label) = root.text_of("assignedNode").filter(|m| !m.text.trim().is_empty()) {
        step.settings
            .push(("agent.label".into(), label.text.trim().to_string()));
    }
    if root.text_of("disabled").is_some_and(|m| m.text.trim() == "true") {
        step.settings.push(("disabled".into(), "true".into()));
    }
    if let Some(axes) = root.child("axes") {
        let mut parts = Vec::new();
        for a in &axes.children {
            let name = a.text_of("name").map(|m| m.text.clone()).unwrap_or_default();
            let values: Vec<String> = a
                .child("values")
                .map(|v| v.children.iter().map(|s| s.text.text.clone()).collect())
                .unwrap_or_default();
            parts.push(format!("{name}={}", values.join(",")));
        }
        step.settings.push(("matrix".into(), parts.join(" ")));
    }
    // retries: the Naginator publisher reschedules a failed build
    let mut nag = Vec::new();
    root.find_all("com.chikli.hudson.plugin.naginator.NaginatorPublisher", &mut nag);
    if let Some(n) = nag.first() {
        let span = file.span(n.range.clone());
        step.retry = match n.text_of("maxSchedule").map(|m| m.text.trim().parse::<u32>()) {
            Some(Ok(count)) => Retry::Count {
                count,
                span: n.child("maxSchedule").map_or(span, |m| file.span(m.range.clone())),
            },
            _ => Retry::Unknown { span },
        };
    }
    let mut timeouts = Vec::new();
    root.find_all("timeoutMinutes", &mut timeouts);
    if let Some(t) = timeouts.first() {
        step.timeout = Some(format!("{} minutes", t.text.text.trim()));
    }
    let dir = file.dir().to_path_buf();
    let mut shells = Vec::new();
    if let Some(builders) = root.child("builders") {
        for b in &builders.children {
            if matches!(b.name.as_str(), "hudson.tasks.Shell" | "hudson.tasks.BatchFile")
                && let Some(cmd) = b.child("command")
            {
                shells.push(cmd);
            }
        }
    }
    for cmd in shells {
        command::analyse_mapped(db, &mut step, file, &cmd.text, &dir, None, &mut frag.diagnostics);
    }
    // downstream jobs
    for container in ["builders", "publishers"] {
        let Some(c) = root.child(container) else { continue };
        for p in &c.children {
            if p.name == "hudson.tasks.BuildTrigger" {
                if let Some(child) = p.child("childProjects") {
                    push_jobs(&mut step, file, &child.text);
                }
            } else if p.name.starts_with("hudson.plugins.parameterizedtrigger.") {
                let mut projects = Vec::new();
                p.find_all("projects", &mut projects);
                for pr in projects {
                    push_jobs(&mut step, file, &pr.text);
                }
            }
        }
    }
    if !step.has_command() && step.triggers.is_empty() {
        frag.pipelines[0]
            .notes
            .push((step.span, "the job has no shell build step kfr reads".into()));
    }
    frag.steps.push(step);
    frag
}

fn push_jobs(step: &mut Step, file: &SourceFile, text: &Mapped) {
    let mut at = 0;
    for part in text.text.split(',') {
        let start = at + (part.len() - part.trim_start().len());
        at += part.len() + 1;
        let name = part.trim();
        if !name.is_empty() {
            step.triggers.push((
                name.to_string(),
                file.span(text.source_range(start..start + name.len())),
            ));
        }
    }
}

fn pipeline(file: &SourceFile, id: &str, job: &str, root: &Element) -> Pipeline {
    Pipeline {
        id: id.to_string(),
        kind: PipelineKind::Jenkins,
        name: job.to_string(),
        file: file.id,
        span: file.span(root.range.start..root.range.start + 1 + root.name.len()),
        schedule: None,
        other_schedules: Vec::new(),
        dir: file.dir().to_path_buf(),
        includes: Vec::new(),
        default_step: None,
        notes: Vec::new(),
        dropped_cycle_edges: Vec::new(),
        triggered_by: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_decode_with_offsets() {
        let mut m = Mapped::new(0);
        push_text(&mut m, "a &amp;&amp; b &#39;c&#x27;", 10);
        assert_eq!(m.text, "a && b 'c'");
        assert_eq!(m.source_range(2..4), 12..22);
    }

    #[test]
    fn job_names_follow_the_jobs_tree() {
        use std::path::Path;
        assert_eq!(job_name(Path::new("home/jobs/ml/jobs/train/config.xml")), "ml/train");
        assert_eq!(job_name(Path::new("home/jobs/score/config.xml")), "score");
        assert_eq!(job_name(Path::new("exports/score-batch/config.xml")), "score-batch");
    }
}
