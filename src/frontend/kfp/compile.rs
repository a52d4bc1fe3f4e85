//! What the KFP compiler derives from a built pipeline
//! (`compiler_utils.get_dependencies`, `get_inputs_for_all_groups`): a
//! dependency between two tasks lands on their first *uncommon* ancestors,
//! so a task that waits for a task inside a loop waits for the loop; an
//! output used across a group boundary enters the group as an input; and
//! the dependencies the compiler refuses (an output of a task inside a
//! `dsl.If` used outside it, a loop's output used without `dsl.Collected`,
//! `.after()` on a group that is not an `ExitHandler`).

use super::host::{AfterTarget, Channel, GroupType, Kfp, SdkError};
use std::collections::{BTreeMap, BTreeSet};
use tree_sitter::Node;

#[derive(Debug, Default)]
pub struct Compiled {
    /// `dependentTasks` of each task and group, by key.
    pub dependent: BTreeMap<String, BTreeSet<String>>,
    /// The `taskOutput*` inputs of each task and group: `producer.key`.
    pub consumes: BTreeMap<String, BTreeSet<String>>,
    pub errors: Vec<SdkError>,
}

/// A task or a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Member {
    Task(usize),
    Group(usize),
}

/// How something reaches a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// A channel in its arguments or in the conditions around it: an
    /// input, and a dependency.
    Data,
    /// A channel given to a `kfp.kubernetes` helper: a dependency, and an
    /// input of the groups it enters through.
    Platform,
    /// A channel given to `set_cpu_limit` and friends: an input only.
    Resource,
    /// `.after()`: a dependency only.
    After,
}

/// The channel as the compiler follows it: who produces it, the output
/// key, and the name a group input gets for it.
struct Source {
    producer: Member,
    key: String,
    full_name: String,
    collected: bool,
}

impl Kfp<'_> {
    fn member_name(&self, m: Member) -> &str {
        match m {
            Member::Task(t) => &self.tasks[t].name,
            Member::Group(g) => &self.groups[g].name,
        }
    }

    /// The groups around `m`, outermost first, then `m`.
    fn chain(&self, m: Member) -> Vec<Member> {
        let mut out = vec![m];
        let mut g = match m {
            Member::Task(t) => self.tasks[t].group,
            Member::Group(g) => self.groups[g].parent,
        };
        let mut guard = 0;
        while let Some(x) = g {
            out.push(Member::Group(x));
            g = self.groups[x].parent;
            guard += 1;
            if guard > 256 {
                break;
            }
        }
        out.reverse();
        out
    }

    fn source(&self, c: &Channel, depth: usize) -> Option<Source> {
        if depth > 16 {
            return None;
        }
        match c {
            Channel::Param(_) => None,
            Channel::Output { task, key } => Some(Source {
                producer: Member::Task(*task),
                key: key.clone(),
                full_name: format!("{}-{key}", self.tasks[*task].name),
                collected: false,
            }),
            // a loop over a task's output reads that output
            Channel::LoopItem { group, .. } => self.source(self.groups[*group].items.as_ref()?, depth + 1),
            Channel::Collected(inner) => {
                let mut s = self.source(inner, depth + 1)?;
                s.collected = true;
                Some(s)
            }
            Channel::OneOf { group, index, .. } => {
                let name = format!("pipelinechannel--{}-oneof-{index}", self.groups[*group].name);
                Some(Source {
                    producer: Member::Group(*group),
                    key: name.clone(),
                    full_name: name,
                    collected: false,
                })
            }
        }
    }
}

pub fn compile(host: &Kfp, p: usize) -> Compiled {
    let mut out = Compiled::default();
    let pipeline = &host.pipelines[p];
    let deco = pipeline.deco;
    for &t in &pipeline.tasks {
        let task = &host.tasks[t];
        if task.exit_task {
            if let Some(g) = pipeline.groups.iter().find(|&&g| host.groups[g].exit_task == Some(t)) {
                out.dependent
                    .entry(task.name.clone())
                    .or_default()
                    .insert(host.groups[*g].name.clone());
            }
            continue;
        }
        // the channels it reads: its arguments and the conditions around it
        let mut channels: Vec<(Channel, Option<Node>)> = Vec::new();
        for (_, v, n) in &task.args {
            let mut cs = Vec::new();
            host.channels_in(v, &mut cs, 0);
            channels.extend(cs.into_iter().map(|c| (c, *n)));
        }
        let mut g = task.group;
        while let Some(x) = g {
            if matches!(host.groups[x].ty, GroupType::If | GroupType::Elif | GroupType::Else) {
                channels.extend(host.groups[x].conditions.iter().cloned().map(|c| (c, None)));
            }
            g = host.groups[x].parent;
        }
        // everything that reaches the task, and how
        let mut reads: Vec<(Member, Option<Source>, Reach, Option<Node>)> = Vec::new();
        for (c, arg) in &channels {
            if let Some(src) = host.source(c, 0) {
                reads.push((src.producer, Some(src), Reach::Data, *arg));
            }
        }
        for (c, node) in &task.platform_channels {
            if let Some(src) = host.source(c, 0) {
                reads.push((src.producer, Some(src), Reach::Platform, Some(*node)));
            }
        }
        for c in &task.resource_channels {
            if let Some(src) = host.source(c, 0) {
                reads.push((src.producer, Some(src), Reach::Resource, None));
            }
        }
        for (target, node) in &task.after {
            let m = match *target {
                AfterTarget::Task(u) => Member::Task(u),
                AfterTarget::Group(g) => {
                    let grp = &host.groups[g];
                    if grp.ty != GroupType::ExitHandler {
                        out.errors.push(SdkError {
                            at: node.byte_range(),
                            message: format!(
                                "\".after()\" on task group \"{}\" of type dsl.{} is not supported. Only dsl.ExitHandler groups can be used as .after() dependencies.",
                                grp.name,
                                grp.ty.class_name()
                            ),
                            related: vec![(deco.byte_range(), "the SDK raises when this decorator builds the pipeline".into())],
                            help: Some("wait for the tasks inside the group instead".into()),
                        });
                        continue;
                    }
                    Member::Group(g)
                }
            };
            reads.push((m, None, Reach::After, Some(*node)));
        }
        let down_chain = host.chain(Member::Task(t));
        for (producer, src, reach, at) in reads {
            let up_chain = host.chain(producer);
            let common = up_chain.iter().zip(&down_chain).take_while(|(a, b)| a == b).count();
            let (up, down) = (&up_chain[common..], &down_chain[common..]);
            let (Some(&u0), Some(&d0)) = (up.first(), down.first()) else {
                continue;
            };
            let waits = reach != Reach::Resource;
            if waits {
                out.dependent
                    .entry(host.member_name(d0).to_string())
                    .or_default()
                    .insert(host.member_name(u0).to_string());
            }
            // an input of the task, or of the group it enters through
            let input = match reach {
                Reach::Data | Reach::Resource => true,
                Reach::Platform => d0 != Member::Task(t),
                Reach::After => false,
            };
            if let (true, Some(src)) = (input, &src) {
                let key = if u0 == src.producer {
                    src.key.clone()
                } else {
                    format!("pipelinechannel--{}", src.full_name)
                };
                out.consumes
                    .entry(host.member_name(d0).to_string())
                    .or_default()
                    .insert(format!("{}.{key}", host.member_name(u0)));
            }
            // what the compiler refuses
            let collected = src.as_ref().is_some_and(|s| s.collected);
            if waits && let Some(err) = crossing_error(host, up, producer, t, collected, reach == Reach::Data) {
                out.errors
                    .push(with_context(host, err, at.unwrap_or(task.node), deco, producer));
            }
        }
    }
    out
}

const FAN_IN: &str = "fan the loop's outputs in with `dsl.Collected(task.output)`, or move the consumer into the loop";
const SAME_CONTEXT: &str =
    "move the consumer into the same context, or hand the value over with `dsl.OneOf` from every branch";

/// The error for a dependency from `producer` (with its uncommon ancestors
/// `up`) to task `t`, when the compiler refuses it, and what to do.
fn crossing_error(
    host: &Kfp,
    up: &[Member],
    producer: Member,
    t: usize,
    collected: bool,
    data: bool,
) -> Option<(String, &'static str)> {
    let groups: Vec<usize> = up
        .iter()
        .filter_map(|m| match m {
            Member::Group(g) if *m != producer => Some(*g),
            _ => None,
        })
        .collect();
    let &first = groups.first()?;
    let ty = host.groups[first].ty;
    let task = &host.tasks[t].name;
    let upstream = host.member_name(producer);
    if collected {
        // compiler_utils.validate_parallel_for_fan_in_consumption_legal
        if !groups.iter().any(|&g| host.groups[g].ty == GroupType::Loop) {
            return Some((
                format!(
                    "dsl.Collected can only be used to fan-in outputs produced by a task within a dsl.ParallelFor context to a task outside of the dsl.ParallelFor context. Producer task {upstream} is either not in a dsl.ParallelFor context or is only in a dsl.ParallelFor that also contains consumer task {task}."
                ),
                "pass the output itself: `dsl.Collected` fans in only the outputs of a task inside a `dsl.ParallelFor` that the consumer is outside of",
            ));
        }
        return match ty {
            GroupType::Loop => None,
            GroupType::Branches => Some((
                format!(
                    "Got unexpected group type when validating fanning-in outputs from task in dsl.ParallelFor: condition-branches (task {task} consumes from {upstream})"
                ),
                FAN_IN,
            )),
            _ => Some((
                format!(
                    "Illegal task dependency across DSL context managers. When using dsl.Collected to fan-in outputs from a task within a dsl.ParallelFor context, the dsl.ParallelFor context manager cannot be nested within a dsl.{c} context manager unless the consumer task is too. Task {task} consumes from {upstream} within a dsl.{c} context.",
                    c = ty.class_name()
                ),
                SAME_CONTEXT,
            )),
        };
    }
    match ty {
        GroupType::If | GroupType::Elif | GroupType::Else | GroupType::ExitHandler => Some((
            format!(
                "Illegal task dependency across DSL context managers. A downstream task cannot depend on an upstream task within a dsl.{c} context unless the downstream is within that context too. Found task {task} which depends on upstream task {upstream} within an uncommon dsl.{c} context.",
                c = ty.class_name()
            ),
            SAME_CONTEXT,
        )),
        GroupType::Loop if data => Some((
            format!(
                "Illegal task dependency across DSL context managers. A downstream task cannot depend on an upstream task within a dsl.ParallelFor context unless the downstream is within that context too or the outputs are begin fanned-in to a list using dsl.Collected. Found task {task} which depends on upstream task {upstream} within an uncommon dsl.ParallelFor context."
            ),
            FAN_IN,
        )),
        _ => None,
    }
}

fn with_context(host: &Kfp, (message, help): (String, &str), at: Node, deco: Node, producer: Member) -> SdkError {
    let produced = match producer {
        Member::Task(u) => host.tasks[u].node,
        Member::Group(g) => host.groups[g].node,
    };
    SdkError {
        at: at.byte_range(),
        message,
        related: vec![
            (
                produced.byte_range(),
                format!("`{}` is created here", host.member_name(producer)),
            ),
            (
                deco.byte_range(),
                "the SDK raises when this decorator builds the pipeline".into(),
            ),
        ],
        help: Some(help.into()),
    }
}
