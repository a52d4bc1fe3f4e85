//! The values of the static interpreter.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::rc::Rc;
use tree_sitter::Node;

/// A string value. `origin` is the byte offset of its first character in
/// the source when the value is a verbatim slice of one literal (so a
/// position inside it maps back to the file); `partial` marks an f-string
/// whose unknown parts are shown as `{expr}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Str {
    pub text: String,
    pub origin: Option<usize>,
    pub partial: bool,
}

/// A dict keeps insertion order, as Python's does.
#[derive(Debug, Clone, Default)]
pub struct Dict<'t> {
    pub items: Vec<(Value<'t>, Value<'t>)>,
}

impl<'t> Dict<'t> {
    pub fn get(&self, key: &Value<'t>) -> Option<&Value<'t>> {
        self.items.iter().find(|(k, _)| k.same(key)).map(|(_, v)| v)
    }

    pub fn get_str(&self, key: &str) -> Option<&Value<'t>> {
        self.items.iter().find(|(k, _)| k.as_str() == Some(key)).map(|(_, v)| v)
    }

    pub fn set(&mut self, key: Value<'t>, value: Value<'t>) {
        if let Some(slot) = self.items.iter_mut().find(|(k, _)| k.same(&key)) {
            slot.1 = value;
        } else {
            self.items.push((key, value));
        }
    }

    pub fn remove(&mut self, key: &Value<'t>) -> Option<Value<'t>> {
        let i = self.items.iter().position(|(k, _)| k.same(key))?;
        Some(self.items.remove(i).1)
    }
}

/// A user function (or lambda) and what it closes over.
#[derive(Debug)]
pub struct Func<'t> {
    pub name: String,
    /// The `function_definition` or `lambda` node.
    pub node: Node<'t>,
    pub params: Option<Node<'t>>,
    /// A block, or the expression of a lambda.
    pub body: Node<'t>,
    pub is_lambda: bool,
    /// Default values, evaluated when the function was defined.
    pub defaults: Vec<(String, Value<'t>)>,
    pub closure: super::eval::Scope<'t>,
}

/// A class defined in the file, with its bases as evaluated.
#[derive(Debug)]
pub struct Class<'t> {
    pub name: String,
    pub node: Node<'t>,
    pub bases: Vec<Value<'t>>,
    /// The class body's namespace: methods and class attributes.
    pub attrs: RefCell<std::collections::HashMap<String, Value<'t>>>,
}

/// An instance of a class defined in the file.
#[derive(Debug)]
pub struct Instance<'t> {
    pub class: Rc<Class<'t>>,
    pub attrs: RefCell<std::collections::HashMap<String, Value<'t>>>,
}

#[derive(Debug, Clone, Default)]
pub enum Value<'t> {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<Str>),
    List(Rc<RefCell<Vec<Value<'t>>>>),
    Tuple(Rc<Vec<Value<'t>>>),
    Dict(Rc<RefCell<Dict<'t>>>),
    Func(Rc<Func<'t>>),
    Class(Rc<Class<'t>>),
    Instance(Rc<Instance<'t>>),
    /// A module or a name imported from one, by its qualified name
    /// (`airflow.sdk.task`, `os.path`), or a builtin (`builtins.range`).
    Extern(Rc<str>),
    /// `obj.name`, not yet called.
    Method(Box<Value<'t>>, Rc<str>),
    /// An object the host built (a DAG, a task, a task group...).
    Obj(u32),
    /// A value that exists but is not modelled (a `datetime(...)`); the
    /// source text is kept for display.
    Opaque(Rc<str>),
    /// A file opened for reading (`open(path)`), with its text.
    File(Rc<str>),
    /// A module of the repository, imported (its namespace).
    Module(super::eval::Scope<'t>),
    /// What `globals()` returns.
    Globals,
    #[default]
    Unknown,
}

impl<'t> Value<'t> {
    pub fn str(text: impl Into<String>) -> Value<'t> {
        Value::Str(Rc::new(Str {
            text: text.into(),
            origin: None,
            partial: false,
        }))
    }

    pub fn list(items: Vec<Value<'t>>) -> Value<'t> {
        Value::List(Rc::new(RefCell::new(items)))
    }

    pub fn dict(items: Vec<(Value<'t>, Value<'t>)>) -> Value<'t> {
        Value::Dict(Rc::new(RefCell::new(Dict { items })))
    }

    /// A fully known string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) if !s.partial => Some(&s.text),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Bool(b) => Some(*b as i64),
            _ => None,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    /// The items of a list or tuple.
    pub fn items(&self) -> Option<Vec<Value<'t>>> {
        match self {
            Value::List(l) => Some(l.borrow().clone()),
            Value::Tuple(t) => Some(t.as_ref().clone()),
            _ => None,
        }
    }

    /// Python truthiness, when known.
    pub fn truthy(&self) -> Option<bool> {
        Some(match self {
            Value::None => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) if !s.partial => !s.text.is_empty(),
            Value::Str(_) => true,
            Value::List(l) => !l.borrow().is_empty(),
            Value::Tuple(t) => !t.is_empty(),
            Value::Dict(d) => !d.borrow().items.is_empty(),
            Value::Func(_) | Value::Class(_) | Value::Extern(_) | Value::Method(..) | Value::Obj(_) => true,
            Value::Instance(_) => true,
            Value::Opaque(_) | Value::Globals | Value::File(_) | Value::Module(_) => true,
            Value::Unknown => return None,
        })
    }

    /// Equality for known scalar values (dict keys, `==`); None when it
    /// cannot be decided.
    pub fn equals(&self, other: &Value<'t>) -> Option<bool> {
        Some(match (self, other) {
            (Value::None, Value::None) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::Int(a), Value::Float(b)) | (Value::Float(b), Value::Int(a)) => (*a as f64) == *b,
            (Value::Str(a), Value::Str(b)) if !a.partial && !b.partial => a.text == b.text,
            (Value::Tuple(a), Value::Tuple(b)) => return items_equal(a, b),
            (Value::List(a), Value::List(b)) => return items_equal(&a.borrow(), &b.borrow()),
            (Value::Obj(a), Value::Obj(b)) => a == b,
            (Value::Instance(a), Value::Instance(b)) => Rc::ptr_eq(a, b),
            (Value::Extern(a), Value::Extern(b)) => a == b,
            (Value::Unknown, _) | (_, Value::Unknown) | (Value::Opaque(_), _) | (_, Value::Opaque(_)) => return None,
            (Value::Str(a), Value::Str(b)) if a.partial || b.partial => return None,
            (Value::None, _) | (_, Value::None) => false,
            (Value::Str(_), Value::Int(_) | Value::Float(_) | Value::Bool(_))
            | (Value::Int(_) | Value::Float(_) | Value::Bool(_), Value::Str(_)) => false,
            _ => return None,
        })
    }

    /// Same dict key.
    pub fn same(&self, other: &Value<'t>) -> bool {
        self.equals(other) == Some(true)
    }

    /// `str(value)` when known.
    pub fn to_text(&self) -> Option<String> {
        Some(match self {
            Value::None => "None".into(),
            Value::Bool(true) => "True".into(),
            Value::Bool(false) => "False".into(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => {
                if f.fract() == 0.0 && f.abs() < 1e16 {
                    format!("{f:.1}")
                } else {
                    f.to_string()
                }
            }
            Value::Str(s) if !s.partial => s.text.clone(),
            Value::List(l) => format!("[{}]", repr_items(&l.borrow())?),
            Value::Tuple(t) if t.len() == 1 => format!("({},)", repr_items(t)?),
            Value::Tuple(t) => format!("({})", repr_items(t)?),
            _ => return None,
        })
    }

    /// `repr(value)` when known.
    pub fn repr(&self) -> Option<String> {
        match self {
            Value::Str(s) if !s.partial => {
                let mut out = String::from("'");
                for c in s.text.chars() {
                    match c {
                        '\'' => out.push_str("\\'"),
                        '\\' => out.push_str("\\\\"),
                        '\n' => out.push_str("\\n"),
                        c => out.push(c),
                    }
                }
                out.push('\'');
                Some(out)
            }
            Value::Dict(d) => {
                let mut out = String::from("{");
                for (i, (k, v)) in d.borrow().items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    let _ = write!(out, "{}: {}", k.repr()?, v.repr()?);
                }
                out.push('}');
                Some(out)
            }
            _ => self.to_text(),
        }
    }

    /// Text for display: the value when known, else what is known of it.
    pub fn display(&self) -> String {
        match self {
            Value::Str(s) => s.text.clone(),
            Value::Opaque(t) => t.to_string(),
            Value::Extern(q) => q.to_string(),
            v => v.to_text().unwrap_or_else(|| "<unknown>".into()),
        }
    }
}

/// The reprs of items joined as Python prints a list or tuple.
fn repr_items(items: &[Value]) -> Option<String> {
    let reprs: Option<Vec<String>> = items.iter().map(Value::repr).collect();
    Some(reprs?.join(", "))
}

/// Element-wise equality of two sequences, when known.
fn items_equal<'t>(a: &[Value<'t>], b: &[Value<'t>]) -> Option<bool> {
    if a.len() != b.len() {
        return Some(false);
    }
    for (x, y) in a.iter().zip(b.iter()) {
        if !x.equals(y)? {
            return Some(false);
        }
    }
    Some(true)
}
