//! The KFP v2 IR (PipelineSpec, schema 2.1.0) of a plan: one
//! single-component spec per component and the pipeline spec wiring them,
//! as YAML with the SDK's layout (keys sorted, block style) and header.

use super::plan::{Artifact, Body, Component, Param, ParamType, Placeholder, Plan};

use serde_json::{Map, Value, json};

pub const SDK_VERSION: &str = concat!("kfr-", env!("CARGO_PKG_VERSION"));

fn artifact_type(ty: &str) -> Value {
    json!({"schemaTitle": format!("system.{ty}"), "schemaVersion": "0.0.1"})
}

fn param_def(ty: ParamType, default: &Option<Value>) -> Value {
    let mut m = Map::new();
    m.insert("parameterType".into(), ty.ir().into());
    if let Some(d) = default {
        m.insert("defaultValue".into(), d.clone());
        m.insert("isOptional".into(), true.into());
    }
    Value::Object(m)
}

/// `inputDefinitions` / `outputDefinitions` of a component (None when
/// empty, as the SDK leaves them out).
fn definitions(artifacts: &[Artifact], params: &[Param]) -> Option<Value> {
    let mut m = Map::new();
    if !artifacts.is_empty() {
        let arts: Map<String, Value> = artifacts
            .iter()
            .map(|a| (a.name.clone(), json!({"artifactType": artifact_type(a.ty)})))
            .collect();
        m.insert("artifacts".into(), Value::Object(arts));
    }
    if !params.is_empty() {
        let ps: Map<String, Value> = params
            .iter()
            .map(|p| (p.name.clone(), param_def(p.ty, &p.default)))
            .collect();
        m.insert("parameters".into(), Value::Object(ps));
    }
    (!m.is_empty()).then_some(Value::Object(m))
}

fn output_definitions(c: &Component) -> Option<Value> {
    let mut d = definitions(&c.outputs, &[]).unwrap_or_else(|| json!({}));
    if let Some(r) = c.returns {
        d["parameters"] = json!({"Output": {"parameterType": r.ir()}});
    }
    (d != json!({})).then_some(d)
}

fn component_spec(c: &Component) -> Value {
    let mut m = Map::new();
    m.insert("executorLabel".into(), format!("exec-{}", c.name).into());
    if let Some(d) = definitions(&c.inputs, &c.params) {
        m.insert("inputDefinitions".into(), d);
    }
    if let Some(d) = output_definitions(c) {
        m.insert("outputDefinitions".into(), d);
    }
    Value::Object(m)
}

/// The kfp the SDK installs into a lightweight component's container.
pub const KFP_RUNTIME: &str = "kfp==2.17.3";

/// The SDK's lightweight-component layout: install the packages and kfp,
/// write the function's module to a file, run it with kfp's executor.
fn python_command(source: &str, packages: &[String]) -> Vec<String> {
    let quoted: Vec<String> = packages
        .iter()
        .map(|p| format!("'{}'", p.replace('\'', "\\'")))
        .collect();
    let user = if quoted.is_empty() {
        String::new()
    } else {
        format!(
            "PIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip install --quiet --no-warn-script-location {}  &&  ",
            quoted.join(" ")
        )
    };
    let lead = if quoted.is_empty() {
        "PIP_DISABLE_PIP_VERSION_CHECK=1 "
    } else {
        ""
    };
    let pip = format!(
        "\nif ! [ -x \"$(command -v pip)\" ]; then\n    python3 -m ensurepip || python3 -m ensurepip --user || apt-get install python3-pip\nfi\n\n{user}{lead}python3 -m pip install --quiet --no-warn-script-location '{KFP_RUNTIME}' '--no-deps' 'typing-extensions>=3.7.4,<5; python_version<\"3.9\"' && \"$0\" \"$@\"\n"
    );
    let launcher = "program_path=$(mktemp -d)\n\nprintf \"%s\" \"$0\" > \"$program_path/ephemeral_component.py\"\n_KFP_RUNTIME=true python3 -m kfp.dsl.executor_main                         --component_module_path                         \"$program_path/ephemeral_component.py\"                         \"$@\"\n";
    let module = format!(
        "\nimport kfp\nfrom kfp import dsl\nfrom kfp.dsl import *\nfrom typing import *\n\n{}\n",
        source.trim_end_matches('\n').to_string() + "\n"
    );
    vec![
        "sh".into(),
        "-c".into(),
        pip,
        "sh".into(),
        "-ec".into(),
        launcher.into(),
        module,
    ]
}

/// The placeholder string of one container arg.
pub fn placeholder(p: &Placeholder) -> String {
    match p {
        Placeholder::InArtifact(n) => format!("{{{{$.inputs.artifacts['{n}'].path}}}}"),
        Placeholder::OutArtifact(n) => format!("{{{{$.outputs.artifacts['{n}'].path}}}}"),
        Placeholder::Param(n) => format!("{{{{$.inputs.parameters['{n}']}}}}"),
    }
}

/// The container's command: `sh -ec SCRIPT NAME`, so that `$0` names the
/// component in the shell's error messages and the args are `$1`...
pub fn command(c: &Component) -> (Vec<String>, Vec<String>) {
    match &c.body {
        Body::Container { shell, script, args } => (
            vec![shell.to_string(), "-ec".into(), script.clone(), c.name.clone()],
            args.iter().map(placeholder).collect(),
        ),
        Body::Python { source, function } => {
            let packages: Vec<String> = c.packages.iter().map(|p| p.spec.clone()).collect();
            (
                python_command(source, &packages),
                vec![
                    "--executor_input".into(),
                    "{{$}}".into(),
                    "--function_to_execute".into(),
                    function.clone(),
                ],
            )
        }
    }
}

fn executor(c: &Component, with_env: bool) -> Value {
    let (cmd, args) = command(c);
    let mut container = Map::new();
    container.insert("image".into(), c.image.clone().into());
    container.insert("command".into(), json!(cmd));
    if !args.is_empty() {
        container.insert("args".into(), json!(args));
    }
    if with_env && !c.env.is_empty() {
        let env: Vec<Value> = c.env.iter().map(|(k, v)| json!({"name": k, "value": v})).collect();
        container.insert("env".into(), Value::Array(env));
    }
    json!({"container": Value::Object(container)})
}

fn retry_policy(c: &Component) -> Option<Value> {
    (c.retry.count > 0).then(|| {
        json!({
            "backoffDuration": format!("{}s", c.retry.backoff_secs),
            "backoffFactor": c.retry.factor,
            "backoffMaxDuration": format!("{}s", c.retry.max_secs),
            "maxRetryCount": c.retry.count,
        })
    })
}

fn caching(enabled: bool) -> Value {
    if enabled {
        json!({"enableCache": true})
    } else {
        json!({})
    }
}

/// A task's `inputs`: where each artifact and parameter of component `c`
/// comes from; None when it has none.
fn task_inputs(c: &Component, artifact: impl Fn(&Artifact) -> Value, param: impl Fn(&Param) -> Value) -> Option<Value> {
    let mut inputs = Map::new();
    if !c.inputs.is_empty() {
        let a: Map<String, Value> = c.inputs.iter().map(|a| (a.name.clone(), artifact(a))).collect();
        inputs.insert("artifacts".into(), Value::Object(a));
    }
    if !c.params.is_empty() {
        let p: Map<String, Value> = c.params.iter().map(|p| (p.name.clone(), param(p))).collect();
        inputs.insert("parameters".into(), Value::Object(p));
    }
    (!inputs.is_empty()).then_some(Value::Object(inputs))
}

/// A single-component PipelineSpec: the component wrapped in a one-task
/// root DAG that forwards its inputs and surfaces its outputs.
pub fn component_document(c: &Component) -> Value {
    // the wrapper task carries the policies the pipeline gives the
    // component, so the file read alone says them too
    let mut task = Map::new();
    task.insert("cachingOptions".into(), caching(c.cache));
    task.insert("componentRef".into(), json!({"name": format!("comp-{}", c.name)}));
    if let Some(r) = retry_policy(c) {
        task.insert("retryPolicy".into(), r);
    }
    task.insert("taskInfo".into(), json!({"name": c.name}));
    // the wrapper task forwards every input of the component
    let inputs = task_inputs(
        c,
        |a| json!({"componentInputArtifact": a.name}),
        |p| json!({"componentInputParameter": p.name}),
    );
    if let Some(inputs) = inputs {
        task.insert("inputs".into(), inputs);
    }
    let mut dag = Map::new();
    let mut dag_outputs = Map::new();
    if c.returns.is_some() {
        dag_outputs.insert(
            "parameters".into(),
            json!({"Output": {"valueFromParameter": {"outputParameterKey": "Output", "producerSubtask": c.name}}}),
        );
    }
    if !c.outputs.is_empty() {
        let outs: Map<String, Value> = c
            .outputs
            .iter()
            .map(|a| {
                (
                    a.name.clone(),
                    json!({"artifactSelectors": [{"outputArtifactKey": a.name, "producerSubtask": c.name}]}),
                )
            })
            .collect();
        dag_outputs.insert("artifacts".into(), Value::Object(outs));
    }
    if !dag_outputs.is_empty() {
        dag.insert("outputs".into(), Value::Object(dag_outputs));
    }
    dag.insert("tasks".into(), json!({ c.name.clone(): Value::Object(task) }));
    let mut root = Map::new();
    root.insert("dag".into(), Value::Object(dag));
    if let Some(d) = definitions(&c.inputs, &c.params) {
        root.insert("inputDefinitions".into(), d);
    }
    if let Some(d) = output_definitions(c) {
        root.insert("outputDefinitions".into(), d);
    }
    json!({
        "components": { format!("comp-{}", c.name): component_spec(c) },
        "deploymentSpec": { "executors": { format!("exec-{}", c.name): executor(c, false) } },
        "pipelineInfo": { "name": c.name, "description": c.description },
        "root": Value::Object(root),
        "schemaVersion": "2.1.0",
        "sdkVersion": SDK_VERSION,
    })
}

/// The pipeline's PipelineSpec.
pub fn pipeline_document(plan: &Plan) -> Value {
    let mut components = Map::new();
    let mut executors = Map::new();
    let mut tasks = Map::new();
    for c in &plan.components {
        components.insert(format!("comp-{}", c.name), component_spec(c));
        executors.insert(format!("exec-{}", c.name), executor(c, true));
        let mut task = Map::new();
        task.insert("cachingOptions".into(), caching(c.cache));
        task.insert("componentRef".into(), json!({"name": format!("comp-{}", c.name)}));
        if !c.deps.is_empty() {
            let mut deps: Vec<&str> = c.deps.iter().map(|d| plan.components[*d].name.as_str()).collect();
            deps.sort();
            task.insert("dependentTasks".into(), json!(deps));
        }
        let inputs = task_inputs(
            c,
            |a| {
                let (p, key) = plan.source_of(a).expect("inputs are handed over by a component");
                json!({"taskOutputArtifact": {"outputArtifactKey": key, "producerTask": p.name}})
            },
            |p| match p.from_task {
                Some(t) => {
                    json!({"taskOutputParameter": {"outputParameterKey": "Output", "producerTask": plan.components[t].name}})
                }
                None => json!({"componentInputParameter": p.pipeline_input}),
            },
        );
        if let Some(inputs) = inputs {
            task.insert("inputs".into(), inputs);
        }
        if let Some(r) = retry_policy(c) {
            task.insert("retryPolicy".into(), r);
        }
        task.insert("taskInfo".into(), json!({"name": c.name}));
        tasks.insert(c.name.clone(), Value::Object(task));
    }
    let mut root = Map::new();
    root.insert("dag".into(), json!({ "tasks": tasks }));
    if !plan.inputs.is_empty() {
        let ps: Map<String, Value> = plan
            .inputs
            .iter()
            .map(|(n, ty, d)| (n.clone(), param_def(*ty, d)))
            .collect();
        root.insert("inputDefinitions".into(), json!({ "parameters": ps }));
    }
    json!({
        "components": components,
        "deploymentSpec": { "executors": executors },
        "pipelineInfo": { "name": plan.name, "description": format!("Migrated by kfr from {}", plan.title) },
        "root": Value::Object(root),
        "schemaVersion": "2.1.0",
        "sdkVersion": SDK_VERSION,
    })
}

/// The SDK's header comment: name, description (on line 3, where the
/// loader looks for it), inputs and outputs.
fn header(doc: &Value) -> String {
    let name = doc["pipelineInfo"]["name"].as_str().unwrap_or("");
    let desc = doc["pipelineInfo"]["description"].as_str().unwrap_or("");
    let mut h = format!(
        "# PIPELINE DEFINITION\n# Name: {name}\n# Description: {}\n",
        one_line(desc)
    );
    let root = &doc["root"];
    let mut inputs: Vec<String> = Vec::new();
    if let Some(ps) = root["inputDefinitions"]["parameters"].as_object() {
        for (n, p) in ps {
            let ty = match p["parameterType"].as_str().unwrap_or("") {
                "NUMBER_INTEGER" => "int",
                "NUMBER_DOUBLE" => "float",
                "BOOLEAN" => "bool",
                "LIST" => "list",
                "STRUCT" => "dict",
                _ => "str",
            };
            let d = match &p["defaultValue"] {
                Value::Null => None,
                Value::String(s) => Some(s.clone()),
                Value::Bool(true) => Some("True".into()),
                Value::Bool(false) => Some("False".into()),
                v => Some(v.to_string()),
            };
            match d {
                Some(d) => inputs.push(format!("#    {n}: {ty} [Default: {}]", one_line(&d))),
                None => inputs.push(format!("#    {n}: {ty}")),
            }
        }
    }
    if let Some(arts) = root["inputDefinitions"]["artifacts"].as_object() {
        for (n, a) in arts {
            inputs.push(format!(
                "#    {n}: {}",
                a["artifactType"]["schemaTitle"].as_str().unwrap_or("")
            ));
        }
    }
    inputs.sort();
    if !inputs.is_empty() {
        h.push_str("# Inputs:\n");
        for i in inputs {
            h.push_str(&i);
            h.push('\n');
        }
    }
    let mut outputs: Vec<String> = Vec::new();
    if let Some(arts) = root["outputDefinitions"]["artifacts"].as_object() {
        for (n, a) in arts {
            outputs.push(format!(
                "#    {n}: {}",
                a["artifactType"]["schemaTitle"].as_str().unwrap_or("")
            ));
        }
    }
    if root["outputDefinitions"]["parameters"]["Output"].is_object() {
        outputs.push(
            "#    Output: ".to_string()
                + root["outputDefinitions"]["parameters"]["Output"]["parameterType"]
                    .as_str()
                    .unwrap_or(""),
        );
    }
    outputs.sort();
    if !outputs.is_empty() {
        h.push_str("# Outputs:\n");
        for o in outputs {
            h.push_str(&o);
            h.push('\n');
        }
    }
    h
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The document as YAML text with its header comment.
pub fn to_yaml(doc: &Value) -> String {
    format!("{}{}", header(doc), super::emit::to_yaml(doc))
}
