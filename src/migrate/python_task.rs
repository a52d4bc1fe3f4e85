//! An orchestrator's Python callable (an Airflow `python_callable` or
//! `@task` function) as a KFP lightweight component: the function's own
//! source, with the module-level imports it uses moved inside, when it is
//! self-contained. A function that needs the orchestrator at run time (its
//! context, XCom, hooks) or other code of its module is not migrated, and
//! the reason is reported.

use super::plan::ParamType;
use crate::dag::Callable;
use std::collections::BTreeSet;
use tree_sitter::Node;

/// A parameter of the function, as the component declares it.
#[derive(Debug, Clone)]
pub struct FuncParam {
    pub name: String,
    pub ty: ParamType,
    /// Its default in the function, when it is a literal.
    pub default: Option<serde_json::Value>,
}

#[derive(Debug, Clone)]
pub struct PythonFunc {
    pub name: String,
    pub params: Vec<FuncParam>,
    pub returns: Option<ParamType>,
    /// The function as the component runs it: a `def` line with every
    /// parameter typed, the module imports it uses, then its body.
    pub source: String,
    /// Top-level modules it imports (for its packages).
    pub imports: Vec<String>,
}

const BUILTINS: &[&str] = &[
    "abs",
    "all",
    "any",
    "ascii",
    "bin",
    "bool",
    "breakpoint",
    "bytearray",
    "bytes",
    "callable",
    "chr",
    "classmethod",
    "compile",
    "complex",
    "delattr",
    "dict",
    "dir",
    "divmod",
    "enumerate",
    "eval",
    "exec",
    "filter",
    "float",
    "format",
    "frozenset",
    "getattr",
    "globals",
    "hasattr",
    "hash",
    "help",
    "hex",
    "id",
    "input",
    "int",
    "isinstance",
    "issubclass",
    "iter",
    "len",
    "list",
    "locals",
    "map",
    "max",
    "memoryview",
    "min",
    "next",
    "object",
    "oct",
    "open",
    "ord",
    "pow",
    "print",
    "property",
    "range",
    "repr",
    "reversed",
    "round",
    "set",
    "setattr",
    "slice",
    "sorted",
    "staticmethod",
    "str",
    "sum",
    "super",
    "tuple",
    "type",
    "vars",
    "zip",
    "__import__",
    "__name__",
    "__file__",
    "self",
    "True",
    "False",
    "None",
    "Exception",
    "BaseException",
    "ValueError",
    "TypeError",
    "KeyError",
    "IndexError",
    "RuntimeError",
    "OSError",
    "IOError",
    "FileNotFoundError",
    "NotImplementedError",
    "StopIteration",
    "AssertionError",
    "AttributeError",
    "ImportError",
    "ModuleNotFoundError",
    "ZeroDivisionError",
    "PermissionError",
    "TimeoutError",
    "ConnectionError",
    "UnicodeDecodeError",
    "Warning",
    "UserWarning",
    "DeprecationWarning",
    "print",
];

fn param_type(annotation: &str) -> Option<ParamType> {
    let a = annotation.trim().trim_start_matches("typing.");
    let base = a.split('[').next().unwrap_or(a).trim();
    Some(match base {
        "str" => ParamType::String,
        "int" => ParamType::Integer,
        "float" => ParamType::Double,
        "bool" => ParamType::Boolean,
        "list" | "List" | "Sequence" | "tuple" | "Tuple" => ParamType::List,
        "dict" | "Dict" | "Mapping" => ParamType::Struct,
        _ => return None,
    })
}

fn literal(text: &str) -> Option<serde_json::Value> {
    let t = text.trim();
    match t {
        "None" => return Some(serde_json::Value::Null),
        "True" => return Some(true.into()),
        "False" => return Some(false.into()),
        _ => {}
    }
    if let Ok(i) = t.parse::<i64>() {
        return Some(i.into());
    }
    if let Ok(f) = t.parse::<f64>() {
        return serde_json::Number::from_f64(f).map(Into::into);
    }
    let b = t.as_bytes();
    if b.len() >= 2
        && (b[0] == b'"' || b[0] == b'\'')
        && b[b.len() - 1] == b[0]
        && !t[1..t.len() - 1].contains(['\\', '"', '\''])
    {
        return Some(t[1..t.len() - 1].into());
    }
    None
}

/// The types a function declares: each parameter's annotation (None when
/// it has none, or one that is no KFP type) and its return's.
pub fn declared_types(c: &Callable) -> (Vec<(String, Option<ParamType>)>, Option<ParamType>) {
    let Some(tree) = crate::python::parse(&c.source) else {
        return (Vec::new(), None);
    };
    let Some(def) = find(tree.root_node(), "function_definition") else {
        return (Vec::new(), None);
    };
    let text = |n: Node| c.source[n.byte_range()].to_string();
    let mut params = Vec::new();
    if let Some(ps) = def.child_by_field_name("parameters") {
        let mut cur = ps.walk();
        for p in ps.named_children(&mut cur) {
            let name = match p.kind() {
                "identifier" => text(p),
                "typed_parameter" => p.named_child(0).map(text).unwrap_or_default(),
                _ => p.child_by_field_name("name").map(text).unwrap_or_default(),
            };
            let ty = p.child_by_field_name("type").and_then(|t| param_type(&text(t)));
            params.push((name, ty));
        }
    }
    let returns = def
        .child_by_field_name("return_type")
        .and_then(|r| param_type(&text(r)));
    (params, returns)
}

/// Read a callable; Err says why it cannot be a component.
pub fn analyse(
    c: &Callable,
    arg_types: &[(String, ParamType)],
    return_hint: Option<ParamType>,
) -> Result<PythonFunc, String> {
    let tree = crate::python::parse(&c.source).ok_or("its source could not be parsed")?;
    let root = tree.root_node();
    let def = find(root, "function_definition").ok_or("it is not a `def`")?;
    if def.parent().is_some_and(|p| p.kind() != "module") {
        return Err("it is not a plain function".into());
    }
    if c.source[..def.start_byte()].trim_start().starts_with("async") || c.source.trim_start().starts_with("async") {
        return Err("it is an `async def`".into());
    }
    let text = |n: Node| &c.source[n.byte_range()];
    let mut params = Vec::new();
    let mut bound: BTreeSet<String> = BTreeSet::new();
    if let Some(ps) = def.child_by_field_name("parameters") {
        let mut cur = ps.walk();
        for p in ps.named_children(&mut cur) {
            let (name, annotation, default) = match p.kind() {
                "identifier" => (text(p).to_string(), None, None),
                "typed_parameter" => (
                    p.named_child(0).map(|n| text(n).to_string()).unwrap_or_default(),
                    p.child_by_field_name("type").map(|t| text(t).to_string()),
                    None,
                ),
                "default_parameter" => (
                    p.child_by_field_name("name")
                        .map(|n| text(n).to_string())
                        .unwrap_or_default(),
                    None,
                    p.child_by_field_name("value").map(|v| text(v).to_string()),
                ),
                "typed_default_parameter" => (
                    p.child_by_field_name("name")
                        .map(|n| text(n).to_string())
                        .unwrap_or_default(),
                    p.child_by_field_name("type").map(|t| text(t).to_string()),
                    p.child_by_field_name("value").map(|v| text(v).to_string()),
                ),
                "dictionary_splat_pattern" | "list_splat_pattern" => {
                    return Err(format!(
                        "it takes `{}`: the orchestrator's context or free arguments, which KFP does not pass",
                        text(p)
                    ));
                }
                _ => continue,
            };
            if name.is_empty() || name == "self" {
                continue;
            }
            if matches!(
                name.as_str(),
                "ti" | "context" | "dag_run" | "ds" | "execution_date" | "logical_date"
            ) {
                return Err(format!("it takes `{name}` from the orchestrator's task context"));
            }
            let default = match &default {
                Some(d) => Some(literal(d).ok_or_else(|| format!("the default of `{name}` (`{d}`) is not a literal"))?),
                None => None,
            };
            let ty = match &annotation {
                Some(a) => param_type(a)
                    .ok_or_else(|| format!("its parameter `{name}` is a `{a}`, which is not a KFP parameter type"))?,
                None => arg_types
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, t)| *t)
                    .or_else(|| default.as_ref().and_then(super::plan::type_of))
                    .unwrap_or(ParamType::String),
            };
            bound.insert(name.clone());
            params.push(FuncParam { name, ty, default });
        }
    }
    let returns = match def.child_by_field_name("return_type") {
        Some(r) if text(r).trim() == "None" => None,
        Some(r) => Some(
            param_type(text(r))
                .ok_or_else(|| format!("it returns a `{}`, which is not a KFP parameter type", text(r)))?,
        ),
        None => return_hint,
    };
    let body = def.child_by_field_name("body").ok_or("it has no body")?;
    // names the body reads that it does not bind
    let mut used: BTreeSet<String> = BTreeSet::new();
    names(body, &c.source, &mut used, &mut bound);
    let mut imports_needed: Vec<&str> = Vec::new();
    let mut imported: Vec<String> = Vec::new();
    for n in used.difference(&bound) {
        if BUILTINS.contains(&n.as_str()) {
            continue;
        }
        if let Some((_, stmt)) = c.module_imports.iter().find(|(b, _)| b.contains(n)) {
            if stmt.contains("airflow") {
                return Err(format!("it uses `{n}` from Airflow, which a KFP task does not have"));
            }
            if !imports_needed.contains(&stmt.as_str()) {
                imports_needed.push(stmt);
            }
            continue;
        }
        if c.module_names.contains(n) {
            return Err(format!(
                "it uses `{n}`, defined beside it in the DAG file: move it into the function"
            ));
        }
        return Err(format!("it uses `{n}`, which it does not define or import"));
    }
    let body_text = dedented_body(&c.source, body);
    if body_text.contains("xcom_pull") || body_text.contains("xcom_push") || body_text.contains("get_current_context") {
        return Err("it reads or writes XCom or the task context, which KFP does not have".into());
    }
    for stmt in &imports_needed {
        imported.extend(import_modules(stmt));
    }
    for m in inner_imports(body, &c.source) {
        if m.starts_with("airflow") {
            return Err(format!("it imports `{m}`, which a KFP task does not have"));
        }
        imported.push(m);
    }
    imported.sort();
    imported.dedup();
    // the def line, every parameter typed
    let mut sig: Vec<String> = Vec::new();
    for p in &params {
        let d = p
            .default
            .as_ref()
            .map(|v| format!(" = {}", py_literal(v)))
            .unwrap_or_default();
        sig.push(format!("{}: {}{d}", p.name, p.ty.python()));
    }
    let ret = returns.map(|r| format!(" -> {}", r.python())).unwrap_or_default();
    let mut source = format!("def {}({}){ret}:\n", c.name, sig.join(", "));
    for stmt in &imports_needed {
        source.push_str(&format!(
            "    {}\n",
            stmt.split_whitespace().collect::<Vec<_>>().join(" ")
        ));
    }
    source.push_str(&body_text);
    Ok(PythonFunc {
        name: c.name.clone(),
        params,
        returns,
        source,
        imports: imported,
    })
}

fn py_literal(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "None".into(),
        serde_json::Value::Bool(true) => "True".into(),
        serde_json::Value::Bool(false) => "False".into(),
        serde_json::Value::String(s) => super::scaffold::py_str(s),
        other => other.to_string(),
    }
}

fn find<'t>(n: Node<'t>, kind: &str) -> Option<Node<'t>> {
    if n.kind() == kind {
        return Some(n);
    }
    let mut cur = n.walk();
    let children: Vec<Node> = n.named_children(&mut cur).collect();
    children.into_iter().find_map(|c| find(c, kind))
}

/// Identifiers read (`used`) and bound (`bound`) anywhere below `n`.
fn names(n: Node, src: &str, used: &mut BTreeSet<String>, bound: &mut BTreeSet<String>) {
    let mut stack = vec![n];
    while let Some(n) = stack.pop() {
        let text = |m: Node| src[m.byte_range()].to_string();
        match n.kind() {
            "identifier" => {
                let parent = n.parent();
                let pk = parent.map(|p| p.kind()).unwrap_or("");
                let is_field = |f: &str| {
                    parent
                        .and_then(|p| p.child_by_field_name(f))
                        .is_some_and(|c| c.id() == n.id())
                };
                if pk == "attribute" && is_field("attribute") || pk == "keyword_argument" && is_field("name") {
                    continue;
                }
                used.insert(text(n));
            }
            "assignment" | "augmented_assignment" | "for_statement" | "for_in_clause" => {
                if let Some(l) = n.child_by_field_name("left") {
                    targets(l, src, bound);
                }
            }
            "named_expression" => {
                if let Some(l) = n.child_by_field_name("name") {
                    bound.insert(text(l));
                }
            }
            "as_pattern" => {
                if let Some(a) = n.child_by_field_name("alias") {
                    targets(a, src, bound);
                }
            }
            "function_definition" | "class_definition" => {
                if let Some(name) = n.child_by_field_name("name") {
                    bound.insert(text(name));
                }
                if let Some(ps) = n.child_by_field_name("parameters") {
                    targets(ps, src, bound);
                }
            }
            "lambda" => {
                if let Some(ps) = n.child_by_field_name("parameters") {
                    targets(ps, src, bound);
                }
            }
            "import_statement" | "import_from_statement" => {
                let mut cur = n.walk();
                for c in n.children_by_field_name("name", &mut cur) {
                    let b = match c.kind() {
                        "aliased_import" => c.child_by_field_name("alias").map(text),
                        _ => text(c).split('.').next().map(str::to_string),
                    };
                    bound.extend(b);
                }
                continue;
            }
            "global_statement" | "nonlocal_statement" => {
                let mut cur = n.walk();
                for c in n.named_children(&mut cur) {
                    bound.insert(text(c));
                }
                continue;
            }
            "except_clause" => {
                let mut cur = n.walk();
                let kids: Vec<Node> = n.children(&mut cur).collect();
                for w in kids.windows(2) {
                    if &src[w[0].byte_range()] == "as" {
                        bound.insert(text(w[1]));
                    }
                }
            }
            _ => {}
        }
        let mut cur = n.walk();
        for c in n.named_children(&mut cur) {
            stack.push(c);
        }
    }
}

fn targets(n: Node, src: &str, bound: &mut BTreeSet<String>) {
    let mut stack = vec![n];
    while let Some(n) = stack.pop() {
        match n.kind() {
            "identifier" => {
                bound.insert(src[n.byte_range()].to_string());
            }
            "attribute" | "subscript" => {}
            _ => {
                let mut cur = n.walk();
                for c in n.named_children(&mut cur) {
                    stack.push(c);
                }
            }
        }
    }
}

fn import_modules(stmt: &str) -> Vec<String> {
    let s = stmt.trim();
    if let Some(rest) = s.strip_prefix("from ") {
        return rest
            .split_whitespace()
            .next()
            .map(|m| vec![m.to_string()])
            .unwrap_or_default();
    }
    s.trim_start_matches("import ")
        .split(',')
        .filter_map(|p| p.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

fn inner_imports(body: Node, src: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![body];
    while let Some(n) = stack.pop() {
        if matches!(n.kind(), "import_statement" | "import_from_statement") {
            let text = &src[n.byte_range()];
            if !text.trim_start().starts_with("from .") {
                out.extend(import_modules(text));
            }
            continue;
        }
        let mut cur = n.walk();
        for c in n.named_children(&mut cur) {
            stack.push(c);
        }
    }
    out
}

/// The body's lines, re-indented by four spaces.
fn dedented_body(src: &str, body: Node) -> String {
    let line_start = src[..body.start_byte()].rfind('\n').map_or(0, |i| i + 1);
    let mut out = String::new();
    for l in crate::python::dedent(&src[line_start..body.end_byte()]).lines() {
        if !l.trim().is_empty() {
            out.push_str("    ");
            out.push_str(l);
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Span};

    fn callable(src: &str, imports: &[(&str, &str)], names: &[&str]) -> Callable {
        Callable {
            name: "f".into(),
            source: src.into(),
            span: Span::new(FileId(0), 0..0),
            args: Vec::new(),
            module_imports: imports
                .iter()
                .map(|(b, s)| (vec![b.to_string()], s.to_string()))
                .collect(),
            module_names: names.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn self_contained_functions_take_their_imports() {
        let c = callable(
            "def f(path: str, n=3) -> int:\n    \"\"\"Doc.\"\"\"\n    df = pd.read_csv(path)\n    import numpy as np\n    return len([x for x in range(n)]) + int(np.sum(df.x))\n",
            &[("pd", "import pandas as pd")],
            &["helper"],
        );
        let f = analyse(&c, &[], None).unwrap();
        assert_eq!(f.params.len(), 2);
        assert_eq!(f.params[1].ty, ParamType::Integer);
        assert_eq!(f.returns, Some(ParamType::Integer));
        assert!(
            f.source
                .starts_with("def f(path: str, n: int = 3) -> int:\n    import pandas as pd\n    \"\"\"Doc.\"\"\"\n"),
            "{}",
            f.source
        );
        assert_eq!(f.imports, vec!["numpy", "pandas"]);
    }

    #[test]
    fn what_is_not_self_contained() {
        let ctx = callable("def f(**context):\n    pass\n", &[], &[]);
        assert!(analyse(&ctx, &[], None).unwrap_err().contains("**context"));
        let helper = callable("def f():\n    helper(1)\n", &[], &["helper"]);
        assert!(analyse(&helper, &[], None).unwrap_err().contains("defined beside it"));
        let af = callable(
            "def f():\n    Variable.get('x')\n",
            &[("Variable", "from airflow.models import Variable")],
            &[],
        );
        assert!(analyse(&af, &[], None).unwrap_err().contains("Airflow"));
        let xcom = callable(
            "def f(x: str):\n    import os\n    return os.environ['ti'].xcom_pull()\n",
            &[],
            &[],
        );
        assert!(analyse(&xcom, &[], None).is_err());
    }
}
