//! `pipeline.py`: the plan as KFP SDK code, one `@dsl.container_component`
//! per component and a `@dsl.pipeline` with typed artifacts, retries and
//! caching set on every task. Compiling it with the SDK gives the pipeline
//! kfr emits as YAML; it is the file a team keeps and edits from then on.

use super::plan::{Component, Placeholder, Plan};
use super::spec;
use std::fmt::Write;

/// A Python string literal for `s`: double quotes, with the escapes YAML's
/// double-quoted strings use too (`\n`, `\"`, `\u0007`).
pub fn py_str(s: &str) -> String {
    super::emit::double_quoted(s)
}

/// A multi-line string as implicitly concatenated literals, one line each,
/// indented by `indent`.
fn py_lines(s: &str, indent: &str) -> String {
    let lines: Vec<&str> = s.split_inclusive('\n').collect();
    if lines.len() <= 1 {
        return py_str(s);
    }
    let mut out = String::from("(\n");
    for l in lines {
        let _ = writeln!(out, "{indent}    {}", py_str(l));
    }
    out.push_str(indent);
    out.push(')');
    out
}

fn py_value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Bool(true) => "True".into(),
        serde_json::Value::Bool(false) => "False".into(),
        serde_json::Value::String(s) => py_str(s),
        serde_json::Value::Number(n) => {
            let t = n.to_string();
            if n.is_f64() && !t.contains(['.', 'e', 'E']) {
                format!("{t}.0")
            } else {
                t
            }
        }
        serde_json::Value::Null => "None".into(),
        other => py_str(&other.to_string()),
    }
}

fn python_component(out: &mut String, c: &Component, source: &str) {
    let mut deco = format!("@dsl.component(base_image={}", py_str(&c.image));
    if !c.packages.is_empty() {
        let pk: Vec<String> = c.packages.iter().map(|p| py_str(&p.spec)).collect();
        deco.push_str(&format!(", packages_to_install=[{}]", pk.join(", ")));
    }
    deco.push(')');
    let _ = writeln!(out, "\n\n{deco}");
    out.push_str(source.trim_end());
    out.push('\n');
}

fn component(out: &mut String, c: &Component) {
    if let super::plan::Body::Python { source, .. } = &c.body {
        return python_component(out, c, source);
    }
    let mut params: Vec<String> = Vec::new();
    for a in &c.inputs {
        params.push(format!("{}: Input[{}]", a.name, a.ty));
    }
    for a in &c.outputs {
        params.push(format!("{}: Output[{}]", a.name, a.ty));
    }
    for p in &c.params {
        match &p.default {
            Some(d) => params.push(format!("{}: {} = {}", p.name, p.ty.python(), py_value(d))),
            None => params.push(format!("{}: {}", p.name, p.ty.python())),
        }
    }
    let (cmd, _) = spec::command(c);
    let super::plan::Body::Container { args, .. } = &c.body else {
        return;
    };
    let args: Vec<String> = args
        .iter()
        .map(|a| match a {
            Placeholder::InArtifact(n) | Placeholder::OutArtifact(n) => format!("{n}.path"),
            Placeholder::Param(n) => n.clone(),
        })
        .collect();
    let _ = writeln!(out, "\n\n@dsl.container_component");
    if params.is_empty() {
        let _ = writeln!(out, "def {}():", c.func);
    } else {
        let _ = writeln!(out, "def {}(", c.func);
        for p in &params {
            let _ = writeln!(out, "    {p},");
        }
        let _ = writeln!(out, "):");
    }
    let _ = writeln!(out, "    {}", py_str(&format!("From {}.", c.description)));
    let _ = writeln!(out, "    return dsl.ContainerSpec(");
    let _ = writeln!(out, "        image={},", py_str(&c.image));
    let _ = writeln!(
        out,
        "        command=[{}, {}, {}, {}],",
        py_str(&cmd[0]),
        py_str(&cmd[1]),
        py_lines(&cmd[2], "        "),
        py_str(&cmd[3])
    );
    if !args.is_empty() {
        let _ = writeln!(out, "        args=[{}],", args.join(", "));
    }
    let _ = writeln!(out, "    )");
}

/// The whole `pipeline.py`.
pub fn pipeline_py(plan: &Plan) -> String {
    let mut types: Vec<&str> = plan
        .components
        .iter()
        .flat_map(|c| c.inputs.iter().chain(&c.outputs).map(|a| a.ty))
        .collect();
    let has_inputs = plan.components.iter().any(|c| !c.inputs.is_empty());
    let has_outputs = plan.components.iter().any(|c| !c.outputs.is_empty());
    if has_inputs {
        types.push("Input");
    }
    if has_outputs {
        types.push("Output");
    }
    types.sort();
    types.dedup();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\"\"\"KFP v2 pipeline migrated by kfr from {}.",
        plan.title.replace('"', "'")
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Every file the legacy steps handed each other is a typed artifact here;"
    );
    let _ = writeln!(out, "MIGRATION.md lists what was not carried over. Compile with");
    let _ = writeln!(out, "`python pipeline.py`, which writes pipeline.compiled.yaml.");
    let _ = writeln!(out, "\"\"\"");
    let _ = writeln!(out);
    let _ = writeln!(out, "from kfp import compiler, dsl");
    if !types.is_empty() {
        let _ = writeln!(out, "from kfp.dsl import {}", types.join(", "));
    }
    for c in &plan.components {
        component(&mut out, c);
    }
    let _ = writeln!(out, "\n");
    let _ = writeln!(
        out,
        "@dsl.pipeline(name={}, description={})",
        py_str(&plan.name),
        py_str(&format!("Migrated by kfr from {}", plan.title))
    );
    if plan.inputs.is_empty() {
        let _ = writeln!(out, "def {}():", plan.func);
    } else {
        let _ = writeln!(out, "def {}(", plan.func);
        // required inputs first, as Python wants
        let mut ordered: Vec<&(String, super::plan::ParamType, Option<serde_json::Value>)> =
            plan.inputs.iter().collect();
        ordered.sort_by_key(|(_, _, d)| d.is_some());
        for (n, ty, d) in ordered {
            match d {
                Some(d) => {
                    let _ = writeln!(out, "    {n}: {} = {},", ty.python(), py_value(d));
                }
                None => {
                    let _ = writeln!(out, "    {n}: {},", ty.python());
                }
            }
        }
        let _ = writeln!(out, "):");
    }
    for c in &plan.components {
        let task = format!("{}_task", c.func);
        let mut kwargs: Vec<String> = Vec::new();
        let mut data_deps = Vec::new();
        for a in &c.inputs {
            let (p, key) = plan.source_of(a).expect("inputs are handed over by a component");
            kwargs.push(format!("{}={}_task.outputs[{}]", a.name, p.func, py_str(key)));
            data_deps.extend(a.source.as_ref().map(|(i, _)| *i));
        }
        for p in &c.params {
            match p.from_task {
                Some(t) => {
                    kwargs.push(format!("{}={}_task.output", p.name, plan.components[t].func));
                    data_deps.push(t);
                }
                None => kwargs.push(format!("{}={}", p.name, p.pipeline_input)),
            }
        }
        let _ = writeln!(out, "    {task} = {}({})", c.func, kwargs.join(", "));
        for d in &c.deps {
            if !data_deps.contains(d) {
                let _ = writeln!(out, "    {task}.after({}_task)", plan.components[*d].func);
            }
        }
        if c.retry.count > 0 {
            let _ = writeln!(
                out,
                "    {task}.set_retry(num_retries={}, backoff_duration={}, backoff_factor={:.1}, backoff_max_duration={})",
                c.retry.count,
                py_str(&format!("{}s", c.retry.backoff_secs)),
                c.retry.factor,
                py_str(&format!("{}s", c.retry.max_secs))
            );
        }
        let _ = writeln!(
            out,
            "    {task}.set_caching_options({})",
            if c.cache { "True" } else { "False" }
        );
        for (k, v) in &c.env {
            let _ = writeln!(
                out,
                "    {task}.set_env_variable(name={}, value={})",
                py_str(k),
                py_str(v)
            );
        }
    }
    let _ = writeln!(out, "\n");
    let _ = writeln!(out, "if __name__ == \"__main__\":");
    let _ = writeln!(
        out,
        "    compiler.Compiler().compile({}, package_path=\"pipeline.compiled.yaml\")",
        plan.func
    );
    out
}
