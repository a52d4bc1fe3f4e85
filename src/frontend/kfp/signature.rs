//! A component's or pipeline's interface from its function signature, as
//! `component_factory.get_name_to_specs` reads it: `Input[...]`/`Output[...]`
//! artifacts, v1-style `InputPath`/`OutputPath`, parameters with their
//! types and defaults, and the outputs a return annotation declares (a
//! single `Output`, or the fields of a `NamedTuple`).
//!
//! Annotations are resolved through the file's imports (so `from kfp.dsl
//! import Input as In` works) but never run.

use super::host::{IoDef, It, Obj};
use super::model::{IoType, ParamType, artifact_schema};
use crate::python::{Func, Value};
use tree_sitter::Node;

/// What an annotation means to the SDK.
#[derive(Debug, Clone)]
enum Ann<'t> {
    Param(ParamType),
    /// An artifact class, by IR schema title.
    Artifact(String),
    List(Option<Box<Ann<'t>>>),
    Input(Box<Ann<'t>>),
    Output(Box<Ann<'t>>),
    /// `InputPath(...)`/`OutputPath(...)`: what it was given.
    InputPath(Option<Box<Ann<'t>>>),
    OutputPath(Option<Box<Ann<'t>>>),
    NamedTuple(Vec<(String, Node<'t>)>),
    /// `PipelineTaskFinalStatus`, `TaskConfig`.
    Status,
    /// `EmbeddedInput[...]`: not part of the interface.
    Embedded,
    ContainerSpec,
    NoneType,
    /// Not known to kfr (a name it cannot follow).
    Unknown,
    /// Known not to be a KFP type (`tuple`, `typing.Any`, `pd.DataFrame`, a
    /// string, a class of the file that is no artifact): the SDK raises a
    /// TypeError. The type as the SDK names it.
    Invalid(String),
    /// A string annotation (`"pd.DataFrame"`): the SDK reads none as a type.
    Quoted(String),
    /// A name that is not defined where the function is: a NameError.
    Undefined(String),
}

/// The mistake an annotation holds, as the error the SDK (or Python)
/// raises, and what to write instead.
fn mistake(a: &Ann) -> Option<(String, String)> {
    match a {
        Ann::Invalid(t) => Some((
            format!(
                "`{t}` is not a type KFP can pass between tasks: the SDK raises a TypeError (\"Artifacts must have both a schema_title and a schema_version, separated by `@`. Got: {t}\")"
            ),
            invalid_type_help(t),
        )),
        Ann::Quoted(t) => Some((
            format!(
                "the annotation \"{t}\" is a string, and KFP reads no string as a type: the SDK raises a TypeError (\"Artifacts must have both a schema_title and a schema_version, separated by `@`. Got: {t}\")"
            ),
            "write the type itself, without quotes".into(),
        )),
        Ann::Undefined(n) => Some((
            format!(
                "name '{n}' is not defined (NameError): Python evaluates annotations when it defines the function, so the file fails to import"
            ),
            undefined_help(n),
        )),
        Ann::List(Some(inner)) | Ann::Input(inner) | Ann::Output(inner) => mistake(inner),
        Ann::InputPath(Some(inner)) | Ann::OutputPath(Some(inner)) => mistake(inner),
        _ => None,
    }
}

fn invalid_type_help(t: &str) -> String {
    if let Some(one) = t.strip_suffix(" | None").or_else(|| t.strip_prefix("None | ")) {
        return format!(
            "write `Optional[{one}]` (from `typing`) with a default: the SDK reads no `X | Y` union as a type"
        );
    }
    if t.contains(" | ") {
        return "give the input one type: the SDK reads no `X | Y` union as a type".into();
    }
    let simple = t.rsplit('.').next().unwrap_or(t);
    match simple {
        "Tuple" | "tuple" => "to return several values, return a `typing.NamedTuple` with a typed field for each".into(),
        "Input" | "Output" => format!("give `{simple}` an artifact class: `{simple}[Dataset]`, `{simple}[Model]`, ..."),
        "DataFrame" | "Series" | "ndarray" | "Table" | "Tensor" => {
            "write the data to an `Output[Dataset]` and read it back from an `Input[Dataset]` in the next component".into()
        }
        "date" | "datetime" | "time" | "timedelta" => {
            "pass the date as a string (ISO 8601, `str`) and parse it inside the component".into()
        }
        _ => "annotate parameters with `str`, `int`, `float`, `bool`, `list` or `dict`, and artifacts with `Input[...]`/`Output[...]` of a `kfp.dsl` artifact class".into(),
    }
}

fn undefined_help(n: &str) -> String {
    const TYPING: &[&str] = &[
        "List",
        "Dict",
        "Optional",
        "NamedTuple",
        "Union",
        "Any",
        "Tuple",
        "Mapping",
        "Sequence",
    ];
    const DSL: &[&str] = &[
        "Input",
        "Output",
        "InputPath",
        "OutputPath",
        "Artifact",
        "Dataset",
        "Model",
        "Metrics",
        "ClassificationMetrics",
        "SlicedClassificationMetrics",
        "HTML",
        "Markdown",
        "ContainerSpec",
        "PipelineTaskFinalStatus",
    ];
    if TYPING.contains(&n) {
        format!("import it: `from typing import {n}`")
    } else if DSL.contains(&n) {
        format!("import it: `from kfp.dsl import {n}`")
    } else {
        format!("import or define `{n}` before the function")
    }
}

/// Libraries whose classes are known not to be KFP types.
const NOT_KFP_TYPES: &[&str] = &[
    "builtins",
    "typing",
    "typing_extensions",
    "collections",
    "numpy",
    "pandas",
    "polars",
    "pyarrow",
    "datetime",
    "decimal",
    "fractions",
    "pathlib",
    "uuid",
    "enum",
    "torch",
    "tensorflow",
    "sklearn",
    "scipy",
    "PIL",
];

type Interface<'t> = (Vec<IoDef<'t>>, Vec<IoDef<'t>>);

/// The inputs and outputs of `f`; an error the SDK raises, with where.
/// What the SDK raises while reading a signature: where, the message, and
/// what to do instead.
pub type SignatureError<'t> = (Node<'t>, String, Option<String>);

pub fn read<'t>(it: &mut It<'t>, f: &Func<'t>, containerized: bool) -> Result<Interface<'t>, SignatureError<'t>> {
    let mut inputs: Vec<IoDef<'t>> = Vec::new();
    let mut outputs: Vec<IoDef<'t>> = Vec::new();
    if let Some(params) = f.params {
        let mut cursor = params.walk();
        let kids: Vec<Node<'t>> = params.named_children(&mut cursor).collect();
        for p in kids {
            let (name_node, ty_node) = match p.kind() {
                "typed_parameter" => (crate::python::first_expr(p), p.child_by_field_name("type")),
                "typed_default_parameter" => (p.child_by_field_name("name"), p.child_by_field_name("type")),
                "identifier" => (Some(p), None),
                "default_parameter" => (p.child_by_field_name("name"), None),
                "list_splat_pattern" | "dictionary_splat_pattern" => (crate::python::first_expr(p), None),
                _ => continue,
            };
            let Some(name_node) = name_node else { continue };
            let name = it.text(name_node).to_string();
            if name == "Output" {
                return Err((
                    name_node,
                    "\"Output\" is an invalid parameter name.".into(),
                    Some("rename the parameter: KFP reserves `Output` for a function's return value".into()),
                ));
            }
            let Some(ty_node) = ty_node.filter(|n| n.kind() != "list_splat_pattern") else {
                return Err((
                    p,
                    format!("Missing type annotation for argument: {name} (the SDK raises a TypeError)"),
                    Some(format!(
                        "annotate `{name}`: `str`, `int`, `float`, `bool`, `list`, `dict`, or `Input[...]`/`Output[...]` of an artifact class"
                    )),
                ));
            };
            let ann = annotation(it, ty_node, f, 0);
            if let Some((m, h)) = mistake(&ann) {
                return Err((ty_node, m, Some(h)));
            }
            let default = f.defaults.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone());
            let has_default = p.kind().ends_with("default_parameter");
            let written = it.text(ty_node).to_string();
            let io = |ty: IoType, optional: bool, path: Option<String>| IoDef {
                name: name.clone(),
                ty,
                default: default.clone(),
                optional,
                path_annotation: path,
                node: ty_node,
            };
            match ann {
                Ann::Embedded => continue,
                Ann::Input(inner) => {
                    let ty = artifact_type(&inner).unwrap_or(IoType::Artifact {
                        schema: "system.Artifact".into(),
                        list: false,
                    });
                    check_artifact_default(&name, &default, ty_node)?;
                    inputs.push(io(ty, has_default, None));
                }
                Ann::InputPath(arg) => {
                    let ty = path_type(arg.as_deref());
                    if containerized && !ty.is_artifact() {
                        return Err((
                            ty_node,
                            format!(
                                "`{written}`: a container component cannot take `InputPath` of a parameter type (the SDK raises a TypeError)"
                            ),
                            Some(format!(
                                "annotate `{name}` with the parameter type itself and pass it on the command line"
                            )),
                        ));
                    }
                    inputs.push(io(ty, has_default, Some(written.clone())));
                }
                Ann::Artifact(_) | Ann::List(Some(_)) if artifact_type(&ann).is_some() => {
                    if containerized {
                        return Err((
                            ty_node,
                            format!(
                                "Container Components must wrap input and output artifact annotations with Input/Output type markers (Input[<artifact>] or Output[<artifact>]). Got function input '{name}' with annotation {written}."
                            ),
                            Some(format!("write `Input[{written}]`")),
                        ));
                    }
                    check_artifact_default(&name, &default, ty_node)?;
                    inputs.push(io(artifact_type(&ann).unwrap(), has_default, None));
                }
                Ann::Output(inner) => {
                    let ty = artifact_type(&inner).unwrap_or(IoType::Artifact {
                        schema: "system.Artifact".into(),
                        list: false,
                    });
                    outputs.push(io(ty, false, None));
                }
                Ann::OutputPath(arg) => {
                    outputs.push(io(path_type(arg.as_deref()), false, Some(written.clone())));
                }
                Ann::Status => inputs.push(io(IoType::Parameter(ParamType::TaskFinalStatus), true, None)),
                other => {
                    let ty = param_type(&other);
                    if matches!(other, Ann::Unknown) {
                        it.host.problems.push((
                            ty_node.byte_range(),
                            format!("the annotation `{written}` is not one kfr knows: read as a string parameter"),
                            None,
                        ));
                    }
                    inputs.push(io(IoType::Parameter(ty), has_default, None));
                }
            }
        }
    }
    // the return annotation
    if let Some(ret) = f.node.child_by_field_name("return_type") {
        let ann = annotation(it, ret, f, 0);
        if let Some((m, h)) = mistake(&ann) {
            return Err((ret, m, Some(h)));
        }
        if containerized {
            if !matches!(ann, Ann::ContainerSpec | Ann::NoneType) {
                return Err((
                    ret,
                    "Return annotation should be either ContainerSpec or omitted for container components.".into(),
                    Some("annotate the return `-> dsl.ContainerSpec`, and declare outputs as `Output[...]` or `OutputPath(...)` parameters".into()),
                ));
            }
        } else {
            match ann {
                Ann::NoneType => {}
                Ann::NamedTuple(fields) => {
                    for (name, node) in fields {
                        let a = annotation(it, node, f, 0);
                        if let Some((m, h)) = mistake(&a) {
                            return Err((node, m, Some(h)));
                        }
                        let ty = artifact_type(&a).unwrap_or_else(|| IoType::Parameter(param_type(&a)));
                        outputs.push(IoDef {
                            name,
                            ty,
                            default: None,
                            optional: false,
                            path_annotation: None,
                            node,
                        });
                    }
                }
                a => {
                    let ty = artifact_type(&a).unwrap_or_else(|| IoType::Parameter(param_type(&a)));
                    outputs.push(IoDef {
                        name: "Output".into(),
                        ty,
                        default: None,
                        optional: false,
                        path_annotation: None,
                        node: ret,
                    });
                }
            }
        }
    }
    Ok((inputs, outputs))
}

fn check_artifact_default<'t>(
    name: &str,
    default: &Option<Value<'t>>,
    node: Node<'t>,
) -> Result<(), SignatureError<'t>> {
    match default {
        None | Some(Value::None) => Ok(()),
        Some(v) => Err((
            node,
            format!(
                "Optional Input artifacts may only have default value None. Got: {} (input `{name}`).",
                v.display()
            ),
            Some(format!(
                "default `{name}` to `None`: an artifact input is either passed or left out"
            )),
        )),
    }
}

/// The IR type of an artifact annotation (`Dataset`, `List[Model]`).
fn artifact_type(a: &Ann) -> Option<IoType> {
    match a {
        Ann::Artifact(s) => Some(IoType::Artifact {
            schema: s.clone(),
            list: false,
        }),
        Ann::List(Some(inner)) => match inner.as_ref() {
            Ann::Artifact(s) => Some(IoType::Artifact {
                schema: s.clone(),
                list: true,
            }),
            _ => None,
        },
        _ => None,
    }
}

/// `InputPath(x)`/`OutputPath(x)`: an artifact unless `x` is a parameter type.
fn path_type(arg: Option<&Ann>) -> IoType {
    match arg {
        Some(Ann::Param(p)) => IoType::Parameter(*p),
        Some(Ann::List(inner)) if !matches!(inner.as_deref(), Some(Ann::Artifact(_))) => {
            IoType::Parameter(ParamType::List)
        }
        Some(Ann::Artifact(s)) => IoType::Artifact {
            schema: s.clone(),
            list: false,
        },
        _ => IoType::Artifact {
            schema: "system.Artifact".into(),
            list: false,
        },
    }
}

fn param_type(a: &Ann) -> ParamType {
    match a {
        Ann::Param(p) => *p,
        Ann::List(_) => ParamType::List,
        Ann::Status => ParamType::TaskFinalStatus,
        _ => ParamType::String,
    }
}

/// A type name as the v1 type system and Python write it.
fn named_type(name: &str) -> Option<Ann<'static>> {
    let p = match name {
        "str" | "String" | "Text" => ParamType::String,
        "int" | "Integer" => ParamType::Integer,
        "float" | "Float" | "Double" => ParamType::Double,
        "bool" | "Boolean" | "Bool" => ParamType::Boolean,
        "list" | "List" | "JsonArray" | "Sequence" => return Some(Ann::List(None)),
        "dict" | "Dict" | "JsonObject" | "Mapping" => ParamType::Struct,
        _ => {
            return artifact_schema(name).map(|s| Ann::Artifact(s.to_string()));
        }
    };
    Some(Ann::Param(p))
}

/// What an annotation node means, resolving names through the scope the
/// function was defined in.
fn annotation<'t>(it: &mut It<'t>, node: Node<'t>, f: &Func<'t>, depth: usize) -> Ann<'t> {
    if depth > 16 {
        return Ann::Unknown;
    }
    match node.kind() {
        "type" | "parenthesized_expression" => match crate::python::first_expr(node) {
            Some(c) => annotation(it, c, f, depth + 1),
            None => Ann::Unknown,
        },
        "none" => Ann::NoneType,
        // the SDK takes a string annotation for a type name, and no
        // string names a type it supports
        "string" => Ann::Quoted(crate::python::literal_string(it.src, node).unwrap_or_default()),
        "generic_type" | "subscript" if let Some(name) = undefined_base(it, node, f) => Ann::Undefined(name),
        "generic_type" => {
            let base = crate::python::first_expr(node);
            let params = node.named_child(1);
            let base_ann = base.map(|b| resolve(it, b, f)).unwrap_or_default();
            let args: Vec<Node<'t>> = params
                .map(|p| {
                    let mut c = p.walk();
                    p.named_children(&mut c).collect()
                })
                .unwrap_or_default();
            generic(it, &base_ann, &args, f, depth)
        }
        "subscript" => {
            let base = node.child_by_field_name("value");
            let base_ann = base.map(|b| resolve(it, b, f)).unwrap_or_default();
            let mut cursor = node.walk();
            let args: Vec<Node<'t>> = node.children_by_field_name("subscript", &mut cursor).collect();
            generic(it, &base_ann, &args, f, depth)
        }
        // `str | None`: a `types.UnionType`, which the SDK (2.17) reads as no
        // type at all, `Optional` included
        "binary_operator" => Ann::Invalid(it.text(node).split_whitespace().collect::<Vec<_>>().join(" ")),
        "call" => {
            let func = node.child_by_field_name("function");
            let name = func.map(|fnode| resolve(it, fnode, f)).unwrap_or_default();
            let args = node.child_by_field_name("arguments");
            let first = args.and_then(crate::python::first_expr);
            match name.as_str() {
                "InputPath" | "OutputPath" => {
                    let inner = first.map(|n| {
                        let n = if n.kind() == "keyword_argument" {
                            n.child_by_field_name("value").unwrap_or(n)
                        } else {
                            n
                        };
                        // a v1 type name (`InputPath("CSV")`), or a type
                        Box::new(match n.kind() {
                            "string" => {
                                let s = crate::python::literal_string(it.src, n).unwrap_or_default();
                                named_type(s.trim()).unwrap_or(Ann::Unknown)
                            }
                            _ => annotation(it, n, f, depth + 1),
                        })
                    });
                    if name == "InputPath" {
                        Ann::InputPath(inner)
                    } else {
                        Ann::OutputPath(inner)
                    }
                }
                "NamedTuple" => {
                    let v = it.eval(node, &f.closure);
                    named_tuple_fields(it, &v).map_or(Ann::Unknown, Ann::NamedTuple)
                }
                _ => Ann::Unknown,
            }
        }
        "identifier" | "attribute" => {
            let mut base = node;
            while base.kind() == "attribute"
                && let Some(o) = base.child_by_field_name("object")
            {
                base = o;
            }
            if base.kind() == "identifier" && !it.is_defined(&f.closure, it.text(base)) {
                return Ann::Undefined(it.text(base).to_string());
            }
            let v = it.eval(node, &f.closure);
            // builtin types the interpreter does not model
            if node.kind() == "identifier"
                && v.is_unknown()
                && matches!(
                    it.text(node),
                    "bytes" | "object" | "complex" | "bytearray" | "memoryview" | "slice"
                )
            {
                return Ann::Invalid(it.text(node).to_string());
            }
            value_annotation(it, &v)
        }
        _ => Ann::Unknown,
    }
}

/// The name a generic annotation starts with (`List` of `List[int]`,
/// `typing` of `typing.List[int]`), when it is not defined.
fn undefined_base<'t>(it: &It<'t>, node: Node<'t>, f: &Func<'t>) -> Option<String> {
    let mut base = match node.kind() {
        "subscript" => node.child_by_field_name("value")?,
        _ => crate::python::first_expr(node)?,
    };
    while base.kind() == "attribute" {
        base = base.child_by_field_name("object")?;
    }
    (base.kind() == "identifier" && !it.is_defined(&f.closure, it.text(base))).then(|| it.text(base).to_string())
}

/// The last name of what a node resolves to (`dsl.Input` → `Input`).
fn resolve<'t>(it: &mut It<'t>, node: Node<'t>, f: &Func<'t>) -> String {
    match it.eval(node, &f.closure) {
        Value::Extern(q) => q.rsplit('.').next().unwrap_or(&q).to_string(),
        Value::Class(c) => c.name.clone(),
        _ => it.text(node).rsplit('.').next().unwrap_or("").to_string(),
    }
}

fn generic<'t>(it: &mut It<'t>, base: &str, args: &[Node<'t>], f: &Func<'t>, depth: usize) -> Ann<'t> {
    let first = args.first().map(|a| annotation(it, *a, f, depth + 1));
    match base {
        "Input" => Ann::Input(Box::new(first.unwrap_or(Ann::Artifact("system.Artifact".into())))),
        "Output" => Ann::Output(Box::new(first.unwrap_or(Ann::Artifact("system.Artifact".into())))),
        "List" | "list" | "Sequence" => Ann::List(first.map(Box::new)),
        "Dict" | "dict" | "Mapping" => Ann::Param(ParamType::Struct),
        "Optional" => first.unwrap_or(Ann::NoneType),
        "Union" => {
            let all: Vec<Ann> = args.iter().map(|a| annotation(it, *a, f, depth + 1)).collect();
            let mut types: Vec<Ann> = all.into_iter().filter(|a| !matches!(a, Ann::NoneType)).collect();
            match types.len() {
                0 => Ann::NoneType,
                1 => types.remove(0),
                // Optional[X] only: a union of types is none of them
                _ => Ann::Invalid("typing.Union".into()),
            }
        }
        "EmbeddedInput" => Ann::Embedded,
        "Tuple" | "tuple" | "Set" | "set" | "FrozenSet" | "frozenset" | "Callable" | "Iterable" | "Iterator"
        | "Type" | "type" | "Literal" => Ann::Invalid(base.to_string()),
        _ => named_type(base).unwrap_or(Ann::Unknown),
    }
}

/// An annotation given as a value (a name): a type, an artifact class, a
/// NamedTuple, `ContainerSpec`.
fn value_annotation<'t>(it: &mut It<'t>, v: &Value<'t>) -> Ann<'t> {
    match v {
        Value::Extern(q) if q.starts_with("google_cloud_pipeline_components.") && q.contains("artifact_types") => {
            artifact_class_schema(v).map_or(Ann::Unknown, Ann::Artifact)
        }
        Value::Extern(q) => {
            let name = q.rsplit('.').next().unwrap_or(q);
            let top = q.split('.').next().unwrap_or("");
            match name {
                "ContainerSpec" => Ann::ContainerSpec,
                "PipelineTaskFinalStatus" | "TaskConfig" => Ann::Status,
                "Input" | "Output" => Ann::Invalid(name.to_string()),
                "InputPath" => Ann::InputPath(None),
                "OutputPath" => Ann::OutputPath(None),
                _ => match named_type(name) {
                    Some(a) => a,
                    None if NOT_KFP_TYPES.contains(&top) => Ann::Invalid(name.to_string()),
                    None => Ann::Unknown,
                },
            }
        }
        Value::None => Ann::NoneType,
        Value::Class(c) => {
            // a class-style NamedTuple, or an artifact subclass
            let named_tuple = c
                .bases
                .iter()
                .any(|b| matches!(b, Value::Extern(q) if q.rsplit('.').next() == Some("NamedTuple")));
            if named_tuple {
                return Ann::NamedTuple(class_fields(it, c.node));
            }
            // a class of the file's that is no artifact is no type KFP knows
            artifact_class_schema(v).map_or_else(|| Ann::Invalid(c.name.clone()), Ann::Artifact)
        }
        v => match named_tuple_fields(it, v) {
            Some(fields) => Ann::NamedTuple(fields),
            None => Ann::Unknown,
        },
    }
}

/// The IR schema title of an artifact class: a `dsl` class, a class of
/// google_cloud_pipeline_components' `artifact_types`, or a class of the
/// file's with its own `schema_title` (or a base that has one).
pub fn artifact_class_schema(v: &Value) -> Option<String> {
    fn class_schema(c: &crate::python::Class, depth: usize) -> Option<String> {
        if depth > 16 {
            return None;
        }
        if let Some(Value::Str(s)) = c.attrs.borrow().get("schema_title")
            && !s.partial
        {
            return Some(s.text.clone());
        }
        c.bases.iter().find_map(|b| match b {
            Value::Class(base) => class_schema(base, depth + 1),
            b => artifact_class_schema(b),
        })
    }
    match v {
        Value::Extern(q) => {
            let name = q.rsplit('.').next().unwrap_or(q);
            if q.starts_with("google_cloud_pipeline_components.") && q.contains("artifact_types") {
                return Some(format!("google.{name}"));
            }
            artifact_schema(name).map(str::to_string)
        }
        Value::Class(c) => class_schema(c, 0),
        _ => None,
    }
}

fn named_tuple_fields<'t>(it: &It<'t>, v: &Value<'t>) -> Option<Vec<(String, Node<'t>)>> {
    match v {
        Value::Obj(id) => match it.host.objs.get(*id as usize) {
            Some(Obj::NamedTuple(fields)) => Some(fields.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// `class Outputs(NamedTuple): a: float` → the annotated fields.
fn class_fields<'t>(it: &It<'t>, class: Node<'t>) -> Vec<(String, Node<'t>)> {
    let mut out = Vec::new();
    let Some(body) = class.child_by_field_name("body") else {
        return out;
    };
    let mut cursor = body.walk();
    for stmt in body.named_children(&mut cursor) {
        if stmt.kind() != "expression_statement" {
            continue;
        }
        let Some(a) = crate::python::first_expr(stmt).filter(|a| a.kind() == "assignment") else {
            continue;
        };
        if let (Some(l), Some(t)) = (a.child_by_field_name("left"), a.child_by_field_name("type"))
            && l.kind() == "identifier"
        {
            out.push((it.text(l).to_string(), t));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::source::SourceDb;
    use std::path::Path;

    /// The message and help of the first error kfr reports for `src`.
    fn first_error(src: &str) -> (String, String) {
        let db = SourceDb::new();
        let file = db.add_virtual(Path::new("pipeline.py"), src.to_string());
        let (_, frag) = super::super::read_python(&db, &file);
        let d = frag
            .diagnostics
            .iter()
            .find(|d| d.severity == crate::diagnostic::Severity::Error)
            .unwrap_or_else(|| panic!("no error for:\n{src}"));
        (d.message.clone(), d.help.clone().unwrap_or_default())
    }

    fn component(params: &str, ret: &str) -> String {
        format!(
            "from kfp import dsl\nimport datetime\nimport pandas as pd\n\n@dsl.component\ndef step({params}){ret}:\n    pass\n\n@dsl.pipeline(name=\"p\")\ndef p():\n    step()\n"
        )
    }

    #[test]
    fn annotation_mistakes_say_what_to_write_instead() {
        let cases = [
            (
                component("xs: List[str]", ""),
                "name 'List' is not defined",
                "from typing import List",
            ),
            (
                component("d: Input[Dataset]", ""),
                "name 'Input' is not defined",
                "from kfp.dsl import Input",
            ),
            (
                component("x: Frobnicator", ""),
                "name 'Frobnicator'",
                "import or define `Frobnicator`",
            ),
            (
                component("t: str", " -> datetime.date"),
                "`date` is not a type",
                "ISO 8601",
            ),
            (
                component("df: pd.DataFrame", ""),
                "`DataFrame` is not a type",
                "Output[Dataset]",
            ),
            (
                component("t: str", " -> tuple"),
                "`tuple` is not a type",
                "typing.NamedTuple",
            ),
            (component("df: \"pd.DataFrame\"", ""), "is a string", "without quotes"),
            (
                component("x", ""),
                "Missing type annotation for argument: x",
                "annotate `x`",
            ),
        ];
        for (src, message, help) in cases {
            let (m, h) = first_error(&src);
            assert!(m.contains(message), "message {m:?} lacks {message:?} for\n{src}");
            assert!(h.contains(help), "help {h:?} lacks {help:?} for\n{src}");
        }
    }
}
