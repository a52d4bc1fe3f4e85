//! The interpreter: statements, expressions, calls, and the hooks a host
//! frontend implements for the library it models.

use super::value::{Class, Dict, Func, Instance, Str, Value};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::ops::Range;
use std::rc::{Rc, Weak};
use tree_sitter::Node;

/// A variable scope: a module, a function call, a comprehension.
pub type Scope<'t> = Rc<ScopeData<'t>>;

#[derive(Debug, Default)]
pub struct ScopeData<'t> {
    vars: RefCell<HashMap<String, Value<'t>>>,
    /// Assignment order of module-level names (for `globals()` walks).
    order: RefCell<Vec<String>>,
    globals: RefCell<HashSet<String>>,
    parent: Option<Scope<'t>>,
    /// A `from m import *` of a library brought in names kfr cannot list.
    unlisted_names: std::cell::Cell<bool>,
}

impl<'t> ScopeData<'t> {
    pub fn get(&self, name: &str) -> Option<Value<'t>> {
        if let Some(v) = self.vars.borrow().get(name) {
            return Some(v.clone());
        }
        self.parent.as_ref()?.get(name)
    }

    /// The scope's own variables, in first-assignment order.
    pub fn entries(&self) -> Vec<(String, Value<'t>)> {
        let vars = self.vars.borrow();
        self.order
            .borrow()
            .iter()
            .filter_map(|n| vars.get(n).map(|v| (n.clone(), v.clone())))
            .collect()
    }

    fn set_local(&self, name: &str, v: Value<'t>) {
        let mut vars = self.vars.borrow_mut();
        if vars.insert(name.to_string(), v).is_none() {
            self.order.borrow_mut().push(name.to_string());
        }
    }
}

/// What a statement did to the flow of control.
#[derive(Debug, Clone)]
pub enum Flow<'t> {
    Normal,
    Return(Value<'t>),
    Break,
    Continue,
}

/// Evaluated call arguments, with the nodes they came from.
#[derive(Debug, Clone, Default)]
pub struct Args<'t> {
    pub pos: Vec<(Value<'t>, Option<Node<'t>>)>,
    pub kw: Vec<(String, Value<'t>, Option<Node<'t>>)>,
    /// A `*x` or `**x` whose contents are not known.
    pub unknown_splat: bool,
}

impl<'t> Args<'t> {
    pub fn positional(values: Vec<Value<'t>>) -> Args<'t> {
        Args {
            pos: values.into_iter().map(|v| (v, None)).collect(),
            ..Default::default()
        }
    }

    pub fn kwarg(&self, name: &str) -> Option<&Value<'t>> {
        self.kw.iter().rev().find(|(k, _, _)| k == name).map(|(_, v, _)| v)
    }

    pub fn kwarg_node(&self, name: &str) -> Option<Node<'t>> {
        self.kw
            .iter()
            .rev()
            .find(|(k, _, _)| k == name)
            .and_then(|(_, _, n)| *n)
    }

    /// A parameter given by keyword or at a position.
    pub fn get(&self, name: &str, position: usize) -> Option<&Value<'t>> {
        self.kwarg(name).or_else(|| self.pos.get(position).map(|(v, _)| v))
    }

    pub fn get_node(&self, name: &str, position: usize) -> Option<Node<'t>> {
        self.kwarg_node(name)
            .or_else(|| self.pos.get(position).and_then(|(_, n)| *n))
    }

    /// Every value passed, positional then keyword.
    pub fn values(&self) -> impl Iterator<Item = &Value<'t>> {
        self.pos.iter().map(|(v, _)| v).chain(self.kw.iter().map(|(_, v, _)| v))
    }
}

/// The library a host frontend models. Every hook has a neutral default.
#[allow(unused_variables)]
pub trait Host<'t>: Sized {
    /// A call of an imported name (`BashOperator(...)`, `chain(a, b)`).
    /// None: not modelled; the result is opaque.
    fn call_extern(it: &mut Interp<'t, Self>, qname: &str, args: Args<'t>, node: Node<'t>) -> Option<Value<'t>> {
        None
    }
    /// A call of a class defined in the file. None: not one the host
    /// models; the interpreter makes an instance and runs `__init__`.
    fn call_class(
        it: &mut Interp<'t, Self>,
        class: &Rc<Class<'t>>,
        args: Args<'t>,
        node: Node<'t>,
    ) -> Option<Value<'t>> {
        None
    }
    /// A call of a host object (a decorated function, a decorator).
    fn call_obj(it: &mut Interp<'t, Self>, id: u32, args: Args<'t>, node: Node<'t>) -> Value<'t> {
        Value::Unknown
    }
    /// `obj.name(args)` on a host object; `__getitem__` for `obj[key]`.
    fn method(it: &mut Interp<'t, Self>, id: u32, name: &str, args: Args<'t>, node: Node<'t>) -> Value<'t> {
        Value::Unknown
    }
    /// `obj.name` on a host object.
    fn attr(it: &mut Interp<'t, Self>, id: u32, name: &str, node: Node<'t>) -> Value<'t> {
        Value::Unknown
    }
    /// `>>`, `<<`, `|`, `&` where a host object is involved. None: unknown.
    fn binop(it: &mut Interp<'t, Self>, op: &str, l: Value<'t>, r: Value<'t>, node: Node<'t>) -> Option<Value<'t>> {
        None
    }
    /// `==`, `!=`, `<`, ... where a host object is involved. None: unknown.
    fn compare(it: &mut Interp<'t, Self>, op: &str, l: &Value<'t>, r: &Value<'t>, node: Node<'t>) -> Option<Value<'t>> {
        None
    }
    /// `str(obj)` of a host object, as an f-string shows it. None: unknown.
    fn format(it: &mut Interp<'t, Self>, id: u32) -> Option<String> {
        None
    }
    /// A decorator the interpreter cannot apply (from a library it does
    /// not model) on `func`: what the decorated name is bound to. None:
    /// the function itself.
    fn foreign_decorator(it: &mut Interp<'t, Self>, decorator: Node<'t>, func: &Value<'t>) -> Option<Value<'t>> {
        None
    }
    /// `with value as x:` — what `x` is bound to.
    fn enter(it: &mut Interp<'t, Self>, v: &Value<'t>, node: Node<'t>) -> Value<'t> {
        v.clone()
    }
    fn exit(it: &mut Interp<'t, Self>, v: &Value<'t>) {}
    /// The names `from module import *` brings in, for a library the host
    /// models. Empty: not known (any name may then be bound).
    fn exported_names(module: &str) -> Vec<&'static str> {
        Vec::new()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MethodKind {
    Static,
    Class,
    Property,
}

/// A repository module: its root node, its path, its namespace once run.
type ModuleEntry<'t> = (Node<'t>, String, Option<Scope<'t>>);

/// Reads a data file by path, returning its text.
pub type Reader<'t> = Box<dyn Fn(&str) -> Option<String> + 't>;

/// Bounds on one file's evaluation.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub fuel: u64,
    pub max_depth: u32,
    pub max_items: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            fuel: 1_000_000,
            max_depth: 40,
            max_items: 10_000,
        }
    }
}

/// Every other name Python's builtins module defines (not modelled: only
/// known to exist).
const PYTHON_BUILTINS: &[&str] = &[
    "object",
    "bytes",
    "bytearray",
    "complex",
    "memoryview",
    "slice",
    "callable",
    "chr",
    "ord",
    "hex",
    "oct",
    "bin",
    "divmod",
    "pow",
    "vars",
    "dir",
    "locals",
    "input",
    "issubclass",
    "setattr",
    "delattr",
    "compile",
    "eval",
    "exec",
    "ascii",
    "breakpoint",
    "help",
    "aiter",
    "anext",
    "Ellipsis",
    "NotImplemented",
    "BaseException",
    "Exception",
    "ValueError",
    "TypeError",
    "KeyError",
    "IndexError",
    "RuntimeError",
    "AttributeError",
    "NameError",
    "OSError",
    "IOError",
    "FileNotFoundError",
    "ImportError",
    "ModuleNotFoundError",
    "NotImplementedError",
    "StopIteration",
    "AssertionError",
    "ZeroDivisionError",
    "KeyboardInterrupt",
    "SystemExit",
    "Warning",
    "UserWarning",
    "DeprecationWarning",
    "__import__",
    "__builtins__",
    "__spec__",
    "__loader__",
    "__package__",
];

const BUILTINS: &[&str] = &[
    "range",
    "len",
    "str",
    "int",
    "float",
    "bool",
    "list",
    "dict",
    "tuple",
    "set",
    "frozenset",
    "sorted",
    "reversed",
    "enumerate",
    "zip",
    "min",
    "max",
    "sum",
    "any",
    "all",
    "print",
    "isinstance",
    "globals",
    "getattr",
    "hasattr",
    "map",
    "filter",
    "abs",
    "round",
    "repr",
    "format",
    "open",
    "super",
    "staticmethod",
    "classmethod",
    "property",
    "type",
    "id",
    "hash",
    "iter",
    "next",
];

/// Something the interpreter could not evaluate.
#[derive(Debug, Clone)]
pub struct Note {
    pub range: Range<usize>,
    pub message: String,
    /// A loop whose body did not run (its values, or a `while`, not known
    /// statically): what it would build is missing.
    pub skipped_loop: bool,
}

pub struct Interp<'t, H> {
    pub src: &'t str,
    pub host: H,
    pub module: Scope<'t>,
    /// The file's path as Python would see it in `__file__`.
    pub file_path: String,
    /// What could not be evaluated, with where.
    pub notes: Vec<Note>,
    /// Fuel ran out: the rest of the file was not evaluated.
    pub exhausted: bool,
    /// The repository's own modules this file may import, by name as
    /// written: the module's root node and file path, and its namespace
    /// once it has been run.
    modules: HashMap<String, ModuleEntry<'t>>,
    /// Functions decorated `@staticmethod`, `@classmethod` or `@property`,
    /// by the byte where they are defined.
    method_kinds: HashMap<usize, MethodKind>,
    /// Reads a data file the code opens (`open(path)`, `Path(p).read_text()`),
    /// for `yaml.safe_load` and `json.load`; None: files are not read.
    pub reader: Option<Reader<'t>>,
    limits: Limits,
    fuel: u64,
    depth: u32,
    scopes: Vec<Weak<ScopeData<'t>>>,
    docstring: Option<String>,
    /// The package of the repository module running now (None: the main
    /// file), for its relative imports.
    package: Option<String>,
}

impl<'t, H> Drop for Interp<'t, H> {
    fn drop(&mut self) {
        // functions close over the scopes that hold them: break the cycles
        for s in self.scopes.drain(..) {
            if let Some(s) = s.upgrade() {
                s.vars.borrow_mut().clear();
            }
        }
        self.module.vars.borrow_mut().clear();
        for (_, _, scope) in self.modules.values() {
            if let Some(s) = scope {
                s.vars.borrow_mut().clear();
            }
        }
    }
}

impl<'t, H: Host<'t>> Interp<'t, H> {
    pub fn new(src: &'t str, file_path: String, host: H, limits: Limits) -> Self {
        Interp {
            src,
            host,
            module: Rc::new(ScopeData::default()),
            file_path,
            notes: Vec::new(),
            exhausted: false,
            modules: HashMap::new(),
            method_kinds: HashMap::new(),
            reader: None,
            limits,
            fuel: limits.fuel,
            depth: 0,
            scopes: Vec::new(),
            docstring: None,
            package: None,
        }
    }

    pub fn text(&self, node: Node<'t>) -> &'t str {
        self.src.get(node.byte_range()).unwrap_or("")
    }

    pub fn note(&mut self, node: Node<'t>, message: impl Into<String>) {
        self.push_note(node, message.into(), false);
    }

    /// A loop whose body is not run.
    fn note_skipped_loop(&mut self, node: Node<'t>, message: String) {
        self.push_note(node, message, true);
    }

    fn push_note(&mut self, node: Node<'t>, message: String, skipped_loop: bool) {
        if self.notes.len() < 200 {
            self.notes.push(Note {
                range: node.byte_range(),
                message,
                skipped_loop,
            });
        }
    }

    /// Make a repository module importable under `name`; it runs when it
    /// is first imported, with `__file__` set to `path`.
    pub fn add_module(&mut self, name: &str, root: Node<'t>, path: String) {
        self.modules.insert(name.to_string(), (root, path, None));
    }

    /// The namespace of module `name`, running it on first import. None:
    /// not a repository module.
    fn load_module(&mut self, name: &str) -> Option<Scope<'t>> {
        let (root, path, scope) = self.modules.get(name)?.clone();
        if let Some(s) = scope {
            return Some(s);
        }
        let s: Scope<'t> = Rc::new(ScopeData::default());
        // registered before it runs, as in sys.modules: a cycle sees it half-made
        self.modules
            .insert(name.to_string(), (root, path.clone(), Some(s.clone())));
        let package = super::modules::package_of(name, std::path::Path::new(&path));
        let saved = std::mem::replace(&mut self.file_path, path);
        let saved_package = self.package.replace(package);
        let _ = self.exec_block(root, &s);
        self.file_path = saved;
        self.package = saved_package;
        Some(s)
    }

    /// Run the module body.
    pub fn run_module(&mut self, root: Node<'t>) {
        let module = self.module.clone();
        if let Some(first) = first_expr(root)
            && first.kind() == "expression_statement"
            && let Some(s) = first_expr(first)
            && s.kind() == "string"
            && let Some(text) = self.eval(s, &module).as_str()
        {
            self.docstring = Some(text.to_string());
        }
        let _ = self.exec_block(root, &module);
    }

    /// Stop evaluating: the rest of the file is skipped.
    pub fn stop(&mut self) {
        self.fuel = 0;
        self.exhausted = true;
    }

    /// The text of a data file the code reads, relative paths taken from
    /// the file's own directory.
    fn read_text(&self, path: &str) -> Option<String> {
        let reader = self.reader.as_ref()?;
        if std::path::Path::new(path).is_absolute() {
            return reader(path);
        }
        let dir = std::path::Path::new(&self.file_path).parent()?;
        reader(&dir.join(path).to_string_lossy())
    }

    fn tick(&mut self) -> bool {
        if self.fuel == 0 {
            self.exhausted = true;
            return false;
        }
        self.fuel -= 1;
        true
    }

    fn new_scope(&mut self, parent: &Scope<'t>) -> Scope<'t> {
        let s = Rc::new(ScopeData {
            parent: Some(parent.clone()),
            ..Default::default()
        });
        if self.scopes.len() > 4096 {
            self.scopes.retain(|w| w.strong_count() > 0);
        }
        self.scopes.push(Rc::downgrade(&s));
        s
    }

    fn set_var(&self, scope: &Scope<'t>, name: &str, v: Value<'t>) {
        if scope.globals.borrow().contains(name) {
            self.module.set_local(name, v);
        } else {
            scope.set_local(name, v);
        }
    }

    /// Whether `name` is bound where `scope` sees it, as Python would look
    /// it up (a name kfr cannot rule out counts as bound).
    pub fn is_defined(&self, scope: &Scope<'t>, name: &str) -> bool {
        let mut s = Some(scope);
        while let Some(sc) = s {
            if sc.vars.borrow().contains_key(name) || sc.unlisted_names.get() {
                return true;
            }
            s = sc.parent.as_ref();
        }
        matches!(name, "__file__" | "__name__" | "__doc__" | "True" | "False" | "None")
            || BUILTINS.contains(&name)
            || PYTHON_BUILTINS.contains(&name)
    }

    fn lookup(&self, scope: &Scope<'t>, name: &str) -> Value<'t> {
        if let Some(v) = scope.get(name) {
            return v;
        }
        match name {
            "__file__" => Value::str(self.file_path.clone()),
            "__name__" => Value::str("unusual_prefix_dag_module"),
            "__doc__" => self.docstring.clone().map(Value::str).unwrap_or(Value::None),
            "True" => Value::Bool(true),
            "False" => Value::Bool(false),
            "None" => Value::None,
            _ if BUILTINS.contains(&name) => Value::Extern(format!("builtins.{name}").into()),
            _ => Value::Unknown,
        }
    }

    // -----------------------------------------------------------------
    // Statements
    // -----------------------------------------------------------------

    pub fn exec_block(&mut self, block: Node<'t>, scope: &Scope<'t>) -> Flow<'t> {
        let mut cursor = block.walk();
        let children: Vec<Node<'t>> = block.named_children(&mut cursor).collect();
        for stmt in children {
            match self.exec(stmt, scope) {
                Flow::Normal => {}
                other => return other,
            }
            if self.exhausted {
                break;
            }
        }
        Flow::Normal
    }

    fn exec(&mut self, node: Node<'t>, scope: &Scope<'t>) -> Flow<'t> {
        if !self.tick() {
            return Flow::Normal;
        }
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.exec_inner(node, scope))
    }

    fn exec_inner(&mut self, node: Node<'t>, scope: &Scope<'t>) -> Flow<'t> {
        match node.kind() {
            "expression_statement" => {
                let mut cursor = node.walk();
                let kids: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
                for k in kids {
                    self.eval(k, scope);
                }
                Flow::Normal
            }
            "block" | "module" => self.exec_block(node, scope),
            "import_statement" => {
                let mut cursor = node.walk();
                for c in node.children_by_field_name("name", &mut cursor) {
                    if c.kind() == "aliased_import" {
                        let (Some(name), Some(alias)) = (c.child_by_field_name("name"), c.child_by_field_name("alias"))
                        else {
                            continue;
                        };
                        let q = dotted(self.text(name));
                        let v = match self.load_module(&q) {
                            Some(m) => Value::Module(m),
                            None => Value::Extern(q.into()),
                        };
                        self.set_var(scope, self.text(alias), v);
                    } else {
                        let q = dotted(self.text(c));
                        // run the module (and its packages); bind the top name
                        let parts: Vec<&str> = q.split('.').collect();
                        for end in 1..=parts.len() {
                            self.load_module(&parts[..end].join("."));
                        }
                        let top = parts[0].to_string();
                        self.set_var(scope, &top, Value::Extern(top.clone().into()));
                    }
                }
                Flow::Normal
            }
            "import_from_statement" => {
                let written = node
                    .child_by_field_name("module_name")
                    .map(|m| dotted(self.text(m)))
                    .unwrap_or_default();
                // inside a repository module, a relative import is named
                // from its package, as Program::build names it
                let level = written.len() - written.trim_start_matches('.').len();
                let module = match (&self.package, level) {
                    (Some(pkg), 1..) => super::modules::absolute_module(pkg, level, &written[level..])
                        .unwrap_or_else(|| written.clone()),
                    _ => written,
                };
                let mut cursor = node.walk();
                for c in node.children_by_field_name("name", &mut cursor) {
                    let (name, alias) = if c.kind() == "aliased_import" {
                        (c.child_by_field_name("name"), c.child_by_field_name("alias"))
                    } else {
                        (Some(c), Some(c))
                    };
                    let (Some(name), Some(alias)) = (name, alias) else {
                        continue;
                    };
                    let short = dotted(self.text(name));
                    let q = if module.ends_with('.') {
                        format!("{module}{short}")
                    } else {
                        format!("{module}.{short}")
                    };
                    let found = self
                        .load_module(&module)
                        .and_then(|m| m.vars.borrow().get(&short).cloned());
                    let v = match found {
                        Some(v) => v,
                        // `from package import module`
                        None => match self.load_module(&q) {
                            Some(m) => Value::Module(m),
                            None => Value::Extern(q.into()),
                        },
                    };
                    self.set_var(scope, self.text(alias), v);
                }
                // `from m import *`: a repository module's public names, or
                // the names the host knows a library exports
                if node
                    .named_children(&mut node.walk())
                    .any(|c| c.kind() == "wildcard_import")
                {
                    match self.load_module(&module) {
                        Some(m) => {
                            let names: Vec<(String, Value<'t>)> =
                                m.entries().into_iter().filter(|(n, _)| !n.starts_with('_')).collect();
                            for (n, v) in names {
                                self.set_var(scope, &n, v);
                            }
                        }
                        None => {
                            let names = H::exported_names(&module);
                            if names.is_empty() {
                                scope.unlisted_names.set(true);
                            }
                            for n in names {
                                self.set_var(scope, n, Value::Extern(format!("{module}.{n}").into()));
                            }
                        }
                    }
                }
                Flow::Normal
            }
            "future_import_statement"
            | "pass_statement"
            | "delete_statement"
            | "assert_statement"
            | "raise_statement"
            | "print_statement"
            | "exec_statement"
            | "type_alias_statement"
            | "comment" => Flow::Normal,
            "global_statement" | "nonlocal_statement" => {
                if node.kind() == "global_statement" {
                    let mut cursor = node.walk();
                    for c in node.named_children(&mut cursor) {
                        scope.globals.borrow_mut().insert(self.text(c).to_string());
                    }
                }
                Flow::Normal
            }
            "return_statement" => {
                let v = first_expr(node).map(|e| self.eval(e, scope)).unwrap_or(Value::None);
                Flow::Return(v)
            }
            "break_statement" => Flow::Break,
            "continue_statement" => Flow::Continue,
            "if_statement" => self.exec_if(node, scope),
            "for_statement" => self.exec_for(node, scope),
            "while_statement" => {
                self.note_skipped_loop(
                    node,
                    "a `while` loop is not evaluated: what it builds is not known statically".into(),
                );
                Flow::Normal
            }
            "try_statement" => {
                if let Some(body) = node.child_by_field_name("body") {
                    let f = self.exec_block(body, scope);
                    if !matches!(f, Flow::Normal) {
                        return f;
                    }
                }
                let mut cursor = node.walk();
                let kids: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
                for k in kids {
                    if matches!(k.kind(), "else_clause" | "finally_clause") {
                        let body = k
                            .child_by_field_name("body")
                            .or_else(|| k.named_child((k.named_child_count() as u32).saturating_sub(1)));
                        if let Some(b) = body {
                            let f = self.exec_block(b, scope);
                            if !matches!(f, Flow::Normal) {
                                return f;
                            }
                        }
                    }
                }
                Flow::Normal
            }
            "with_statement" => self.exec_with(node, scope),
            "function_definition" => {
                let f = self.define_function(node, scope);
                if let Some(name) = node.child_by_field_name("name") {
                    self.set_var(scope, self.text(name), f);
                }
                Flow::Normal
            }
            "class_definition" => {
                let c = self.define_class(node, scope);
                if let Some(name) = node.child_by_field_name("name") {
                    self.set_var(scope, self.text(name), c);
                }
                Flow::Normal
            }
            "decorated_definition" => {
                let Some(def) = node.child_by_field_name("definition") else {
                    return Flow::Normal;
                };
                let mut cursor = node.walk();
                let decorators: Vec<Node<'t>> = node
                    .named_children(&mut cursor)
                    .filter(|c| c.kind() == "decorator")
                    .collect();
                let decos: Vec<(Value<'t>, Node<'t>)> = decorators
                    .iter()
                    .filter_map(|d| first_expr(*d).map(|e| (self.eval(e, scope), *d)))
                    .collect();
                let mut v = match def.kind() {
                    "function_definition" => self.define_function(def, scope),
                    "class_definition" => self.define_class(def, scope),
                    _ => Value::Unknown,
                };
                if def.kind() == "function_definition" {
                    for (deco, dnode) in decos.into_iter().rev() {
                        let applied = self.call_value(&deco, Args::positional(vec![v.clone()]), dnode);
                        if !applied.is_unknown() && !matches!(applied, Value::Opaque(_)) {
                            v = applied;
                        } else if let Some(wrapped) = H::foreign_decorator(self, dnode, &v) {
                            v = wrapped;
                        }
                    }
                }
                if let Some(name) = def.child_by_field_name("name") {
                    self.set_var(scope, self.text(name), v);
                }
                Flow::Normal
            }
            "match_statement" => {
                self.note(node, "a `match` statement is not evaluated");
                Flow::Normal
            }
            _ => Flow::Normal,
        }
    }

    fn exec_if(&mut self, node: Node<'t>, scope: &Scope<'t>) -> Flow<'t> {
        let mut clauses: Vec<(Option<Node<'t>>, Node<'t>)> = Vec::new();
        if let (Some(c), Some(b)) = (
            node.child_by_field_name("condition"),
            node.child_by_field_name("consequence"),
        ) {
            clauses.push((Some(c), b));
        }
        let mut cursor = node.walk();
        for alt in node.children_by_field_name("alternative", &mut cursor) {
            match alt.kind() {
                "elif_clause" => {
                    if let (Some(c), Some(b)) = (
                        alt.child_by_field_name("condition"),
                        alt.child_by_field_name("consequence"),
                    ) {
                        clauses.push((Some(c), b));
                    }
                }
                _ => {
                    if let Some(b) = alt.child_by_field_name("body") {
                        clauses.push((None, b));
                    }
                }
            }
        }
        for (cond, body) in clauses {
            let take = match cond {
                None => true,
                Some(c) => match self.eval(c, scope).truthy() {
                    Some(t) => t,
                    None => {
                        self.note(
                            c,
                            format!(
                                "the condition `{}` is not known statically: kfr assumes it holds",
                                clip(self.text(c))
                            ),
                        );
                        true
                    }
                },
            };
            if take {
                return self.exec_block(body, scope);
            }
        }
        Flow::Normal
    }

    fn exec_for(&mut self, node: Node<'t>, scope: &Scope<'t>) -> Flow<'t> {
        let (Some(left), Some(right), Some(body)) = (
            node.child_by_field_name("left"),
            node.child_by_field_name("right"),
            node.child_by_field_name("body"),
        ) else {
            return Flow::Normal;
        };
        let iterable = self.eval(right, scope);
        let Some(items) = self.iter_values(&iterable) else {
            self.note_skipped_loop(
                right,
                format!(
                    "the loop over `{}` is not evaluated: its values are not known statically",
                    clip(self.text(right))
                ),
            );
            return Flow::Normal;
        };
        for item in items {
            self.assign(left, item, scope);
            match self.exec_block(body, scope) {
                Flow::Break => return Flow::Normal,
                Flow::Return(v) => return Flow::Return(v),
                _ => {}
            }
            if self.exhausted {
                return Flow::Normal;
            }
        }
        if let Some(alt) = node.child_by_field_name("alternative")
            && let Some(b) = alt.child_by_field_name("body")
        {
            return self.exec_block(b, scope);
        }
        Flow::Normal
    }

    fn exec_with(&mut self, node: Node<'t>, scope: &Scope<'t>) -> Flow<'t> {
        let mut entered = Vec::new();
        if let Some(clause) = node
            .named_children(&mut node.walk())
            .find(|c| c.kind() == "with_clause")
        {
            let mut cursor = clause.walk();
            let items: Vec<Node<'t>> = clause
                .named_children(&mut cursor)
                .filter(|c| c.kind() == "with_item")
                .collect();
            for item in items {
                let Some(value) = item.child_by_field_name("value") else {
                    continue;
                };
                let (expr, target) = if value.kind() == "as_pattern" {
                    let target = value
                        .child_by_field_name("alias")
                        .and_then(|a| first_expr(a).or(Some(a)));
                    (first_expr(value).unwrap_or(value), target)
                } else {
                    (value, None)
                };
                let v = self.eval(expr, scope);
                let bound = H::enter(self, &v, expr);
                if let Some(t) = target {
                    self.assign(t, bound, scope);
                }
                entered.push(v);
            }
        }
        let flow = match node.child_by_field_name("body") {
            Some(b) => self.exec_block(b, scope),
            None => Flow::Normal,
        };
        for v in entered.iter().rev() {
            H::exit(self, v);
        }
        flow
    }

    fn define_function(&mut self, node: Node<'t>, scope: &Scope<'t>) -> Value<'t> {
        let name = node
            .child_by_field_name("name")
            .map(|n| self.text(n).to_string())
            .unwrap_or_else(|| "<lambda>".into());
        let params = node.child_by_field_name("parameters");
        let mut defaults = Vec::new();
        if let Some(p) = params {
            let mut cursor = p.walk();
            let kids: Vec<Node<'t>> = p.named_children(&mut cursor).collect();
            for k in kids {
                if matches!(k.kind(), "default_parameter" | "typed_default_parameter")
                    && let (Some(n), Some(v)) = (k.child_by_field_name("name"), k.child_by_field_name("value"))
                {
                    let dv = self.eval(v, scope);
                    defaults.push((self.text(n).to_string(), dv));
                }
            }
        }
        let Some(body) = node.child_by_field_name("body") else {
            return Value::Unknown;
        };
        Value::Func(Rc::new(Func {
            name,
            node,
            params,
            body,
            is_lambda: node.kind() == "lambda",
            defaults,
            closure: scope.clone(),
        }))
    }

    fn define_class(&mut self, node: Node<'t>, scope: &Scope<'t>) -> Value<'t> {
        let name = node
            .child_by_field_name("name")
            .map(|n| self.text(n).to_string())
            .unwrap_or_default();
        let mut bases = Vec::new();
        if let Some(sup) = node.child_by_field_name("superclasses") {
            let mut cursor = sup.walk();
            let kids: Vec<Node<'t>> = sup.named_children(&mut cursor).collect();
            for k in kids {
                if k.kind() != "keyword_argument" {
                    bases.push(self.eval(k, scope));
                }
            }
        }
        let class = Rc::new(Class {
            name,
            node,
            bases,
            attrs: RefCell::new(HashMap::new()),
        });
        if let Some(body) = node.child_by_field_name("body") {
            let inner = self.new_scope(scope);
            let _ = self.exec_block(body, &inner);
            *class.attrs.borrow_mut() = inner.vars.borrow().clone();
        }
        Value::Class(class)
    }

    /// An attribute of a class, looked up through its bases defined in the
    /// file.
    fn class_attr(&self, class: &Rc<Class<'t>>, name: &str, depth: usize) -> Option<Value<'t>> {
        if depth > 16 {
            return None;
        }
        if let Some(v) = class.attrs.borrow().get(name) {
            return Some(v.clone());
        }
        class.bases.iter().find_map(|b| match b {
            Value::Class(c) => self.class_attr(c, name, depth + 1),
            _ => None,
        })
    }

    fn method_kind(&self, v: &Value<'t>) -> Option<MethodKind> {
        match v {
            Value::Func(f) => self.method_kinds.get(&f.node.start_byte()).copied(),
            _ => None,
        }
    }

    /// `Class(args)`: an instance, with `__init__` run on it.
    fn instantiate(&mut self, class: &Rc<Class<'t>>, args: Args<'t>) -> Value<'t> {
        let inst = Value::Instance(Rc::new(Instance {
            class: class.clone(),
            attrs: RefCell::new(HashMap::new()),
        }));
        if let Some(Value::Func(init)) = self.class_attr(class, "__init__", 0) {
            let mut args = args;
            args.pos.insert(0, (inst.clone(), None));
            self.call_func(&init, args);
        }
        inst
    }

    /// Bind a value to an assignment target.
    pub fn assign(&mut self, target: Node<'t>, v: Value<'t>, scope: &Scope<'t>) {
        match target.kind() {
            "identifier" => self.set_var(scope, self.text(target), v),
            "pattern_list" | "tuple_pattern" | "list_pattern" | "tuple" | "list" | "expression_list" => {
                let mut cursor = target.walk();
                let targets: Vec<Node<'t>> = target.named_children(&mut cursor).collect();
                let items = self.iter_values(&v);
                let star = targets.iter().position(|t| t.kind() == "list_splat_pattern");
                match (items, star) {
                    (Some(items), None) if items.len() == targets.len() => {
                        for (t, item) in targets.into_iter().zip(items) {
                            self.assign(t, item, scope);
                        }
                    }
                    (Some(items), Some(s)) if items.len() + 1 >= targets.len() => {
                        let after = targets.len() - s - 1;
                        for (t, item) in targets[..s].iter().zip(items.iter()) {
                            self.assign(*t, item.clone(), scope);
                        }
                        let mid = items[s..items.len() - after].to_vec();
                        if let Some(inner) = first_expr(targets[s]) {
                            self.assign(inner, Value::list(mid), scope);
                        }
                        for (t, item) in targets[s + 1..].iter().zip(items[items.len() - after..].iter()) {
                            self.assign(*t, item.clone(), scope);
                        }
                    }
                    _ => {
                        for t in targets {
                            let t = if t.kind() == "list_splat_pattern" {
                                first_expr(t).unwrap_or(t)
                            } else {
                                t
                            };
                            self.assign(t, Value::Unknown, scope);
                        }
                    }
                }
            }
            "parenthesized_expression" => {
                if let Some(inner) = first_expr(target) {
                    self.assign(inner, v, scope);
                }
            }
            "attribute" => {
                let (Some(obj), Some(attr)) = (
                    target.child_by_field_name("object"),
                    target.child_by_field_name("attribute"),
                ) else {
                    return;
                };
                let name = self.text(attr).to_string();
                match self.eval(obj, scope) {
                    Value::Instance(i) => {
                        i.attrs.borrow_mut().insert(name, v);
                    }
                    Value::Class(c) => {
                        c.attrs.borrow_mut().insert(name, v);
                    }
                    _ => {}
                }
            }
            "subscript" => {
                let (Some(obj), Some(key)) = (
                    target.child_by_field_name("value"),
                    target.child_by_field_name("subscript"),
                ) else {
                    return;
                };
                let o = self.eval(obj, scope);
                let k = self.eval(key, scope);
                match o {
                    Value::Dict(d) => {
                        if k.is_unknown() {
                            self.note(
                                target,
                                "a dict key that is not known statically: the dict is now partly unknown",
                            );
                        } else {
                            d.borrow_mut().set(k, v);
                        }
                    }
                    Value::List(l) => {
                        if let Some(i) = k.as_int() {
                            let mut l = l.borrow_mut();
                            let len = l.len() as i64;
                            let i = if i < 0 { len + i } else { i };
                            if (0..len).contains(&i) {
                                l[i as usize] = v;
                            }
                        }
                    }
                    Value::Globals => {
                        if let Some(name) = k.as_str() {
                            self.module.set_local(name, v);
                        } else {
                            // still a global, under a name not known statically
                            let n = self.module.order.borrow().len();
                            self.module.set_local(&format!("<global {n}>"), v);
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }

    // -----------------------------------------------------------------
    // Expressions
    // -----------------------------------------------------------------

    pub fn eval(&mut self, node: Node<'t>, scope: &Scope<'t>) -> Value<'t> {
        if !self.tick() {
            return Value::Unknown;
        }
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.eval_inner(node, scope))
    }

    fn eval_inner(&mut self, node: Node<'t>, scope: &Scope<'t>) -> Value<'t> {
        match node.kind() {
            "identifier" => self.lookup(scope, self.text(node)),
            "string" => self.eval_string(node, scope),
            "concatenated_string" => {
                let mut cursor = node.walk();
                let parts: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
                let mut text = String::new();
                let mut partial = false;
                for p in parts {
                    match self.eval(p, scope) {
                        Value::Str(s) => {
                            text.push_str(&s.text);
                            partial |= s.partial;
                        }
                        _ => return Value::Unknown,
                    }
                }
                Value::Str(Rc::new(Str {
                    text,
                    origin: None,
                    partial,
                }))
            }
            "integer" => parse_int(self.text(node)).map_or(Value::Unknown, Value::Int),
            "float" => self
                .text(node)
                .replace('_', "")
                .parse()
                .map_or(Value::Unknown, Value::Float),
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "none" => Value::None,
            "parenthesized_expression" => first_expr(node).map_or(Value::Unknown, |e| self.eval(e, scope)),
            "list" | "set" => Value::list(self.eval_items(node, scope)),
            "tuple" | "expression_list" => Value::Tuple(Rc::new(self.eval_items(node, scope))),
            "dictionary" => {
                let mut d = Dict::default();
                let mut cursor = node.walk();
                let kids: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
                for k in kids {
                    match k.kind() {
                        "pair" => {
                            let (Some(kn), Some(vn)) = (k.child_by_field_name("key"), k.child_by_field_name("value"))
                            else {
                                continue;
                            };
                            let key = self.eval(kn, scope);
                            let value = self.eval(vn, scope);
                            d.set(key, value);
                        }
                        "dictionary_splat" => {
                            let v = first_expr(k).map_or(Value::Unknown, |e| self.eval(e, scope));
                            match v {
                                Value::Dict(other) => {
                                    for (key, value) in other.borrow().items.clone() {
                                        d.set(key, value);
                                    }
                                }
                                _ => {
                                    self.note(k, format!("`{}` is not known statically", clip(self.text(k))));
                                    d.set(Value::str("**"), Value::Unknown);
                                }
                            }
                        }
                        _ => {}
                    }
                }
                Value::Dict(Rc::new(RefCell::new(d)))
            }
            "list_comprehension" | "set_comprehension" | "generator_expression" | "dictionary_comprehension" => {
                self.eval_comprehension(node, scope)
            }
            "binary_operator" => {
                let (Some(l), Some(r), Some(op)) = (
                    node.child_by_field_name("left"),
                    node.child_by_field_name("right"),
                    node.child_by_field_name("operator"),
                ) else {
                    return Value::Unknown;
                };
                let lv = self.eval(l, scope);
                let rv = self.eval(r, scope);
                let op = self.text(op);
                self.binop(op, lv, rv, node)
            }
            "unary_operator" => {
                let v = node
                    .child_by_field_name("argument")
                    .map_or(Value::Unknown, |e| self.eval(e, scope));
                let op = node.child_by_field_name("operator").map_or("", |o| self.text(o));
                match (op, v) {
                    ("-", Value::Int(i)) => Value::Int(i.wrapping_neg()),
                    ("-", Value::Float(f)) => Value::Float(-f),
                    ("+", v @ (Value::Int(_) | Value::Float(_))) => v,
                    ("~", Value::Int(i)) => Value::Int(!i),
                    _ => Value::Unknown,
                }
            }
            "not_operator" => {
                let v = node
                    .child_by_field_name("argument")
                    .map_or(Value::Unknown, |e| self.eval(e, scope));
                v.truthy().map_or(Value::Unknown, |b| Value::Bool(!b))
            }
            "boolean_operator" => {
                let (Some(l), Some(r)) = (node.child_by_field_name("left"), node.child_by_field_name("right")) else {
                    return Value::Unknown;
                };
                let op = node.child_by_field_name("operator").map_or("", |o| self.text(o));
                let lv = self.eval(l, scope);
                match (op, lv.truthy()) {
                    ("and", Some(false)) | ("or", Some(true)) => lv,
                    ("and", Some(true)) | ("or", Some(false)) => self.eval(r, scope),
                    _ => {
                        self.eval(r, scope);
                        Value::Unknown
                    }
                }
            }
            "comparison_operator" => self.eval_comparison(node, scope),
            "conditional_expression" => {
                let mut cursor = node.walk();
                let kids: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
                if kids.len() != 3 {
                    return Value::Unknown;
                }
                match self.eval(kids[1], scope).truthy() {
                    Some(true) => self.eval(kids[0], scope),
                    Some(false) => self.eval(kids[2], scope),
                    None => Value::Unknown,
                }
            }
            "subscript" => {
                let Some(obj) = node.child_by_field_name("value") else {
                    return Value::Unknown;
                };
                let o = self.eval(obj, scope);
                let mut cursor = node.walk();
                let subs: Vec<Node<'t>> = node.children_by_field_name("subscript", &mut cursor).collect();
                if subs.len() != 1 {
                    return Value::Unknown;
                }
                self.eval_subscript(o, subs[0], scope, node)
            }
            "attribute" => {
                let (Some(obj), Some(attr)) = (
                    node.child_by_field_name("object"),
                    node.child_by_field_name("attribute"),
                ) else {
                    return Value::Unknown;
                };
                let o = self.eval(obj, scope);
                self.get_attr(o, self.text(attr), node)
            }
            "call" => self.eval_call(node, scope),
            "lambda" => self.define_function(node, scope),
            "assignment" => {
                let Some(left) = node.child_by_field_name("left") else {
                    return Value::Unknown;
                };
                let Some(right) = node.child_by_field_name("right") else {
                    return Value::None; // `x: int`
                };
                let v = self.eval(right, scope);
                self.assign(left, v.clone(), scope);
                v
            }
            "augmented_assignment" => {
                let (Some(left), Some(right), Some(op)) = (
                    node.child_by_field_name("left"),
                    node.child_by_field_name("right"),
                    node.child_by_field_name("operator"),
                ) else {
                    return Value::Unknown;
                };
                let cur = self.eval(left, scope);
                let rv = self.eval(right, scope);
                let op = self.text(op).trim_end_matches('=').to_string();
                if let (Value::List(l), "+") = (&cur, op.as_str()) {
                    if let Some(items) = self.iter_values(&rv) {
                        l.borrow_mut().extend(items);
                    }
                    return cur;
                }
                let v = self.binop(&op, cur, rv, node);
                self.assign(left, v.clone(), scope);
                v
            }
            "named_expression" => {
                let (Some(name), Some(value)) = (node.child_by_field_name("name"), node.child_by_field_name("value"))
                else {
                    return Value::Unknown;
                };
                let v = self.eval(value, scope);
                self.set_var(scope, self.text(name), v.clone());
                v
            }
            "await" => first_expr(node).map_or(Value::Unknown, |e| self.eval(e, scope)),
            "ellipsis" => Value::Opaque("...".into()),
            _ => Value::Unknown,
        }
    }

    fn eval_items(&mut self, node: Node<'t>, scope: &Scope<'t>) -> Vec<Value<'t>> {
        let mut out = Vec::new();
        let mut cursor = node.walk();
        let kids: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
        for k in kids {
            if k.kind() == "list_splat" {
                let v = first_expr(k).map_or(Value::Unknown, |e| self.eval(e, scope));
                match self.iter_values(&v) {
                    Some(items) => out.extend(items),
                    None => out.push(Value::Unknown),
                }
            } else if k.kind() != "comment" {
                out.push(self.eval(k, scope));
            }
        }
        out
    }

    fn eval_string(&mut self, node: Node<'t>, scope: &Scope<'t>) -> Value<'t> {
        let mut cursor = node.walk();
        let kids: Vec<Node<'t>> = node.children(&mut cursor).collect();
        let (Some(start), Some(end)) = (kids.first(), kids.last()) else {
            return Value::Unknown;
        };
        if start.kind() != "string_start" || end.kind() != "string_end" {
            return Value::Unknown;
        }
        let prefix = self.text(*start).to_ascii_lowercase();
        let raw = prefix.contains('r');
        let fstr = prefix.contains('f') || prefix.contains('t');
        if prefix.contains('b') {
            return Value::Opaque(self.text(node).into());
        }
        let body = start.end_byte()..end.start_byte();
        let mut text = String::new();
        let mut partial = false;
        let mut pos = body.start;
        let mut verbatim = true;
        for k in &kids[1..kids.len() - 1] {
            if k.kind() != "interpolation" {
                continue;
            }
            let lit = &self.src[pos..k.start_byte()];
            push_literal(&mut text, lit, raw, fstr);
            verbatim = false;
            let expr = k.child_by_field_name("expression");
            let v = expr.map_or(Value::Unknown, |e| self.eval(e, scope));
            let conv = k.child_by_field_name("type_conversion").map(|c| self.text(c));
            let spec = k
                .child_by_field_name("format_specifier")
                .map(|s| self.text(s).trim_start_matches(':').to_string());
            let shown = match conv {
                Some("!r") => v.repr(),
                _ => match &v {
                    Value::Str(s) if s.partial => {
                        partial = true;
                        Some(s.text.clone())
                    }
                    Value::Obj(id) => H::format(self, *id),
                    v => format_value(v, spec.as_deref().unwrap_or("")),
                },
            };
            match shown {
                Some(s) => text.push_str(&s),
                None => {
                    partial = true;
                    text.push('{');
                    text.push_str(expr.map_or("", |e| self.text(e)));
                    text.push('}');
                }
            }
            pos = k.end_byte();
        }
        let lit = &self.src[pos..body.end];
        verbatim &= push_literal(&mut text, lit, raw, fstr);
        Value::Str(Rc::new(Str {
            text,
            origin: verbatim.then_some(body.start),
            partial,
        }))
    }

    fn eval_comparison(&mut self, node: Node<'t>, scope: &Scope<'t>) -> Value<'t> {
        let mut cursor = node.walk();
        let operands: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
        let mut ops: Vec<String> = Vec::new();
        let mut cursor = node.walk();
        let mut pending_not = false;
        for c in node.children(&mut cursor) {
            if c.is_named() {
                continue;
            }
            let t = self.text(c);
            match t {
                "not" => pending_not = true,
                "in" if pending_not => {
                    ops.push("not in".into());
                    pending_not = false;
                }
                "is" => ops.push("is".into()),
                _ => {
                    if t.starts_with("is") || t.starts_with("not") {
                        ops.push(t.split_whitespace().collect::<Vec<_>>().join(" "));
                    } else {
                        ops.push(t.to_string());
                    }
                }
            }
        }
        // `is not` comes as two tokens in some grammar versions
        let mut merged: Vec<String> = Vec::new();
        for op in ops {
            if op == "not" && merged.last().is_some_and(|l| l == "is") {
                merged.pop();
                merged.push("is not".into());
            } else {
                merged.push(op);
            }
        }
        if pending_not && merged.last().is_some_and(|l| l == "is") {
            merged.pop();
            merged.push("is not".into());
        }
        if operands.len() != merged.len() + 1 {
            return Value::Unknown;
        }
        let values: Vec<Value<'t>> = operands.iter().map(|o| self.eval(*o, scope)).collect();
        if merged.len() == 1 && values.iter().any(|v| matches!(v, Value::Obj(_))) {
            return H::compare(self, &merged[0], &values[0], &values[1], node).unwrap_or(Value::Unknown);
        }
        let mut result = true;
        for (i, op) in merged.iter().enumerate() {
            match compare(op, &values[i], &values[i + 1]) {
                Some(true) => {}
                Some(false) => result = false,
                None => return Value::Unknown,
            }
        }
        Value::Bool(result)
    }

    fn eval_subscript(&mut self, o: Value<'t>, sub: Node<'t>, scope: &Scope<'t>, node: Node<'t>) -> Value<'t> {
        if sub.kind() == "slice" {
            let mut bounds: [Option<i64>; 3] = [None, None, None];
            // children: [start] ':' [stop] [':' [step]]
            let mut idx = 0;
            let mut cursor = sub.walk();
            for c in sub.children(&mut cursor) {
                if !c.is_named() {
                    if self.text(c) == ":" {
                        idx += 1;
                    }
                    continue;
                }
                if idx < 3 {
                    match self.eval(c, scope).as_int() {
                        Some(v) => bounds[idx] = Some(v),
                        None => return Value::Unknown,
                    }
                }
            }
            return match &o {
                Value::Str(s) if !s.partial => {
                    let chars: Vec<char> = s.text.chars().collect();
                    Value::str(slice(&chars, bounds).into_iter().collect::<String>())
                }
                Value::List(l) => Value::list(slice(&l.borrow(), bounds)),
                Value::Tuple(t) => Value::Tuple(Rc::new(slice(t, bounds))),
                _ => Value::Unknown,
            };
        }
        let k = self.eval(sub, scope);
        match &o {
            Value::Dict(d) => d.borrow().get(&k).cloned().unwrap_or(Value::Unknown),
            Value::List(_) | Value::Tuple(_) => {
                let items = o.items().unwrap_or_default();
                match k.as_int() {
                    Some(i) => {
                        let i = if i < 0 { items.len() as i64 + i } else { i };
                        items.get(i as usize).cloned().unwrap_or(Value::Unknown)
                    }
                    None => Value::Unknown,
                }
            }
            Value::Str(s) if !s.partial => match k.as_int() {
                Some(i) => {
                    let chars: Vec<char> = s.text.chars().collect();
                    let i = if i < 0 { chars.len() as i64 + i } else { i };
                    chars
                        .get(i as usize)
                        .map_or(Value::Unknown, |c| Value::str(c.to_string()))
                }
                None => Value::Unknown,
            },
            Value::Obj(id) => H::method(self, *id, "__getitem__", Args::positional(vec![k]), node),
            Value::Globals => k.as_str().and_then(|n| self.module.get(n)).unwrap_or(Value::Unknown),
            _ => Value::Unknown,
        }
    }

    fn eval_comprehension(&mut self, node: Node<'t>, scope: &Scope<'t>) -> Value<'t> {
        let Some(body) = node.child_by_field_name("body") else {
            return Value::Unknown;
        };
        let mut cursor = node.walk();
        let clauses: Vec<Node<'t>> = node
            .named_children(&mut cursor)
            .filter(|c| matches!(c.kind(), "for_in_clause" | "if_clause"))
            .collect();
        let inner = self.new_scope(scope);
        let mut out = Vec::new();
        let mut ok = true;
        self.comprehend(&clauses, 0, body, &inner, &mut out, &mut ok);
        if !ok {
            self.note(
                node,
                "a comprehension over values not known statically is not evaluated",
            );
            return Value::Unknown;
        }
        if node.kind() == "dictionary_comprehension" {
            let mut d = Dict::default();
            for v in out {
                if let Value::Tuple(kv) = v
                    && kv.len() == 2
                {
                    d.set(kv[0].clone(), kv[1].clone());
                }
            }
            return Value::Dict(Rc::new(RefCell::new(d)));
        }
        Value::list(out)
    }

    fn comprehend(
        &mut self,
        clauses: &[Node<'t>],
        i: usize,
        body: Node<'t>,
        scope: &Scope<'t>,
        out: &mut Vec<Value<'t>>,
        ok: &mut bool,
    ) {
        if !*ok || self.exhausted {
            return;
        }
        let Some(clause) = clauses.get(i) else {
            let v = if body.kind() == "pair" {
                let k = body
                    .child_by_field_name("key")
                    .map_or(Value::Unknown, |n| self.eval(n, scope));
                let v = body
                    .child_by_field_name("value")
                    .map_or(Value::Unknown, |n| self.eval(n, scope));
                Value::Tuple(Rc::new(vec![k, v]))
            } else {
                self.eval(body, scope)
            };
            if out.len() < self.limits.max_items {
                out.push(v);
            }
            return;
        };
        if clause.kind() == "if_clause" {
            let c = first_expr(*clause).map_or(Value::Unknown, |e| self.eval(e, scope));
            match c.truthy() {
                Some(true) => self.comprehend(clauses, i + 1, body, scope, out, ok),
                Some(false) => {}
                None => *ok = false,
            }
            return;
        }
        let (Some(left), Some(right)) = (clause.child_by_field_name("left"), clause.child_by_field_name("right"))
        else {
            *ok = false;
            return;
        };
        let it = self.eval(right, scope);
        let Some(items) = self.iter_values(&it) else {
            *ok = false;
            return;
        };
        for item in items {
            self.assign(left, item, scope);
            self.comprehend(clauses, i + 1, body, scope, out, ok);
        }
    }

    /// The values a `for` loop over `v` sees, when known.
    pub fn iter_values(&mut self, v: &Value<'t>) -> Option<Vec<Value<'t>>> {
        let max = self.limits.max_items;
        let items = match v {
            Value::List(l) => l.borrow().clone(),
            Value::Tuple(t) => t.as_ref().clone(),
            Value::Dict(d) => d.borrow().items.iter().map(|(k, _)| k.clone()).collect(),
            Value::Str(s) if !s.partial => s.text.chars().map(|c| Value::str(c.to_string())).collect(),
            _ => return None,
        };
        if items.len() > max {
            return Some(items[..max].to_vec());
        }
        Some(items)
    }

    // -----------------------------------------------------------------
    // Operators
    // -----------------------------------------------------------------

    fn binop(&mut self, op: &str, l: Value<'t>, r: Value<'t>, node: Node<'t>) -> Value<'t> {
        let host_side = |v: &Value<'t>| match v {
            Value::Obj(_) => true,
            Value::List(l) => l.borrow().iter().any(|x| matches!(x, Value::Obj(_))),
            Value::Tuple(t) => t.iter().any(|x| matches!(x, Value::Obj(_))),
            _ => false,
        };
        if matches!(op, ">>" | "<<" | "|" | "&") && (host_side(&l) || host_side(&r)) {
            return H::binop(self, op, l, r, node).unwrap_or(Value::Unknown);
        }
        match (op, &l, &r) {
            ("+", Value::Str(a), Value::Str(b)) => Value::Str(Rc::new(Str {
                text: format!("{}{}", a.text, b.text),
                origin: None,
                partial: a.partial || b.partial,
            })),
            ("+", Value::List(a), Value::List(b)) => {
                let mut v = a.borrow().clone();
                v.extend(b.borrow().iter().cloned());
                Value::list(v)
            }
            ("+", Value::Tuple(a), Value::Tuple(b)) => {
                let mut v = a.as_ref().clone();
                v.extend(b.iter().cloned());
                Value::Tuple(Rc::new(v))
            }
            ("*", Value::Str(s), Value::Int(n)) | ("*", Value::Int(n), Value::Str(s)) if !s.partial => {
                Value::str(s.text.repeat((*n).clamp(0, 10_000) as usize))
            }
            ("*", Value::List(a), Value::Int(n)) | ("*", Value::Int(n), Value::List(a)) => {
                let items = a.borrow().clone();
                let mut v = Vec::new();
                for _ in 0..(*n).clamp(0, 1000) {
                    v.extend(items.iter().cloned());
                    if v.len() > self.limits.max_items {
                        break;
                    }
                }
                Value::list(v)
            }
            ("/", Value::Str(a), Value::Str(b)) => {
                // pathlib: Path(x) / "y" (strings stand for paths)
                if b.text.starts_with('/') {
                    return Value::Str(b.clone());
                }
                Value::Str(Rc::new(Str {
                    text: format!("{}/{}", a.text.trim_end_matches('/'), b.text),
                    origin: None,
                    partial: a.partial || b.partial,
                }))
            }
            ("%", Value::Str(fmt), args) if !fmt.partial => {
                percent_format(&fmt.text, args).map_or(Value::Unknown, Value::str)
            }
            ("|", Value::Dict(a), Value::Dict(b)) => {
                let mut d = a.borrow().clone();
                for (k, v) in b.borrow().items.iter() {
                    d.set(k.clone(), v.clone());
                }
                Value::Dict(Rc::new(RefCell::new(d)))
            }
            (_, Value::Int(a), Value::Int(b)) => {
                let (a, b) = (*a, *b);
                match op {
                    "+" => a.checked_add(b).map_or(Value::Unknown, Value::Int),
                    "-" => a.checked_sub(b).map_or(Value::Unknown, Value::Int),
                    "*" => a.checked_mul(b).map_or(Value::Unknown, Value::Int),
                    "//" if b != 0 => Value::Int(a.div_euclid(b)),
                    "%" if b != 0 => Value::Int(a.rem_euclid(b)),
                    "/" if b != 0 => Value::Float(a as f64 / b as f64),
                    "**" if (0..64).contains(&b) => a.checked_pow(b as u32).map_or(Value::Unknown, Value::Int),
                    "<<" if (0..63).contains(&b) => a.checked_shl(b as u32).map_or(Value::Unknown, Value::Int),
                    ">>" if (0..63).contains(&b) => Value::Int(a >> b),
                    "|" => Value::Int(a | b),
                    "&" => Value::Int(a & b),
                    "^" => Value::Int(a ^ b),
                    _ => Value::Unknown,
                }
            }
            (_, Value::Float(_) | Value::Int(_), Value::Float(_) | Value::Int(_)) => {
                let a = match l {
                    Value::Int(i) => i as f64,
                    Value::Float(f) => f,
                    _ => unreachable!(),
                };
                let b = match r {
                    Value::Int(i) => i as f64,
                    Value::Float(f) => f,
                    _ => unreachable!(),
                };
                match op {
                    "+" => Value::Float(a + b),
                    "-" => Value::Float(a - b),
                    "*" => Value::Float(a * b),
                    "/" if b != 0.0 => Value::Float(a / b),
                    _ => Value::Unknown,
                }
            }
            _ => Value::Unknown,
        }
    }

    // -----------------------------------------------------------------
    // Calls
    // -----------------------------------------------------------------

    fn eval_args(&mut self, node: Option<Node<'t>>, scope: &Scope<'t>) -> Args<'t> {
        let mut args = Args::default();
        let Some(list) = node else { return args };
        if list.kind() == "generator_expression" {
            let v = self.eval(list, scope);
            args.pos.push((v, Some(list)));
            return args;
        }
        let mut cursor = list.walk();
        let kids: Vec<Node<'t>> = list.named_children(&mut cursor).collect();
        for k in kids {
            match k.kind() {
                "keyword_argument" => {
                    let (Some(n), Some(v)) = (k.child_by_field_name("name"), k.child_by_field_name("value")) else {
                        continue;
                    };
                    let value = self.eval(v, scope);
                    args.kw.push((self.text(n).to_string(), value, Some(v)));
                }
                "list_splat" => {
                    let v = first_expr(k).map_or(Value::Unknown, |e| self.eval(e, scope));
                    match self.iter_values(&v) {
                        Some(items) => args.pos.extend(items.into_iter().map(|i| (i, Some(k)))),
                        None => args.unknown_splat = true,
                    }
                }
                "dictionary_splat" => {
                    let v = first_expr(k).map_or(Value::Unknown, |e| self.eval(e, scope));
                    match v {
                        Value::Dict(d) => {
                            for (key, value) in d.borrow().items.iter() {
                                match key.as_str() {
                                    Some("**") => args.unknown_splat = true,
                                    Some(name) => args.kw.push((name.to_string(), value.clone(), Some(k))),
                                    None => args.unknown_splat = true,
                                }
                            }
                        }
                        _ => args.unknown_splat = true,
                    }
                }
                "comment" => {}
                _ => {
                    let v = self.eval(k, scope);
                    args.pos.push((v, Some(k)));
                }
            }
        }
        args
    }

    fn eval_call(&mut self, node: Node<'t>, scope: &Scope<'t>) -> Value<'t> {
        let Some(func) = node.child_by_field_name("function") else {
            return Value::Unknown;
        };
        if func.kind() == "attribute"
            && let (Some(obj), Some(attr)) = (
                func.child_by_field_name("object"),
                func.child_by_field_name("attribute"),
            )
        {
            let o = self.eval(obj, scope);
            let args = self.eval_args(node.child_by_field_name("arguments"), scope);
            let name = self.text(attr);
            return self.call_method(o, name, args, node);
        }
        let f = self.eval(func, scope);
        let args = self.eval_args(node.child_by_field_name("arguments"), scope);
        self.call_value(&f, args, node)
    }

    /// Call a value: a user function, an imported name, a host object.
    pub fn call_value(&mut self, f: &Value<'t>, args: Args<'t>, node: Node<'t>) -> Value<'t> {
        match f {
            Value::Func(func) => self.call_func(func, args),
            Value::Class(c) => match H::call_class(self, c, args.clone(), node) {
                Some(v) => v,
                None => self.instantiate(c, args),
            },
            Value::Obj(id) => H::call_obj(self, *id, args, node),
            Value::Method(obj, name) => self.call_method((**obj).clone(), name, args, node),
            Value::Extern(q) => {
                if let Some(v) = self.call_known(q, &args) {
                    return v;
                }
                let q = q.clone();
                match H::call_extern(self, &q, args, node) {
                    Some(v) => v,
                    None => Value::Opaque(self.text(node).into()),
                }
            }
            _ => Value::Unknown,
        }
    }

    /// Call a user function with arguments.
    pub fn call_func(&mut self, func: &Rc<Func<'t>>, args: Args<'t>) -> Value<'t> {
        if self.depth >= self.limits.max_depth {
            self.note(func.node, format!("`{}` calls nest too deep to evaluate", func.name));
            return Value::Unknown;
        }
        let scope = self.new_scope(&func.closure);
        self.bind_params(func, args, &scope);
        self.depth += 1;
        let v = if func.is_lambda {
            self.eval(func.body, &scope)
        } else {
            match self.exec_block(func.body, &scope) {
                Flow::Return(v) => v,
                _ => Value::None,
            }
        };
        self.depth -= 1;
        v
    }

    fn bind_params(&mut self, func: &Func<'t>, args: Args<'t>, scope: &Scope<'t>) {
        let Some(params) = func.params else { return };
        let mut cursor = params.walk();
        let kids: Vec<Node<'t>> = params.named_children(&mut cursor).collect();
        let mut pos = args.pos.into_iter().map(|(v, _)| v).collect::<Vec<_>>().into_iter();
        let mut kw: Vec<(String, Value<'t>)> = args.kw.into_iter().map(|(k, v, _)| (k, v)).collect();
        let mut keyword_only = false;
        let mut star_kwargs: Option<String> = None;
        for k in kids {
            let (name, default_ok) = match k.kind() {
                "identifier" => (self.text(k).to_string(), false),
                "default_parameter" | "typed_default_parameter" => (
                    k.child_by_field_name("name").map_or("", |n| self.text(n)).to_string(),
                    true,
                ),
                "typed_parameter" => {
                    let inner = first_expr(k);
                    match inner.map(|i| i.kind()) {
                        Some("list_splat_pattern") => {
                            keyword_only = true;
                            let n = inner.and_then(|i| first_expr(i)).map_or("", |n| self.text(n));
                            let rest: Vec<Value<'t>> = pos.by_ref().collect();
                            self.set_var(scope, n, Value::Tuple(Rc::new(rest)));
                            continue;
                        }
                        Some("dictionary_splat_pattern") => {
                            star_kwargs = inner.and_then(|i| first_expr(i)).map(|n| self.text(n).to_string());
                            continue;
                        }
                        _ => (inner.map_or("", |n| self.text(n)).to_string(), false),
                    }
                }
                "list_splat_pattern" => {
                    keyword_only = true;
                    let n = first_expr(k).map_or("", |n| self.text(n));
                    let rest: Vec<Value<'t>> = pos.by_ref().collect();
                    self.set_var(scope, n, Value::Tuple(Rc::new(rest)));
                    continue;
                }
                "keyword_separator" => {
                    keyword_only = true;
                    continue;
                }
                "dictionary_splat_pattern" => {
                    star_kwargs = first_expr(k).map(|n| self.text(n).to_string());
                    continue;
                }
                _ => continue,
            };
            if name.is_empty() {
                continue;
            }
            let from_kw = kw.iter().position(|(n, _)| *n == name).map(|i| kw.remove(i).1);
            let v = match from_kw {
                Some(v) => v,
                None => match (!keyword_only).then(|| pos.next()).flatten() {
                    Some(v) => v,
                    None if default_ok => func
                        .defaults
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map_or(Value::Unknown, |(_, v)| v.clone()),
                    None => Value::Unknown,
                },
            };
            self.set_var(scope, &name, v);
        }
        if let Some(n) = star_kwargs {
            let d = kw.into_iter().map(|(k, v)| (Value::str(k), v)).collect();
            self.set_var(scope, &n, Value::dict(d));
        }
    }

    fn call_method(&mut self, o: Value<'t>, name: &str, args: Args<'t>, node: Node<'t>) -> Value<'t> {
        match &o {
            Value::Obj(id) => H::method(self, *id, name, args, node),
            Value::Extern(q) => {
                // `import common` then `common.make_task(...)`: the module's function
                let f = match self.get_attr(o.clone(), name, node) {
                    Value::Extern(_) | Value::Unknown => Value::Extern(format!("{q}.{name}").into()),
                    v => v,
                };
                self.call_value(&f, args, node)
            }
            Value::File(t) if matches!(name, "read") => Value::str(t.to_string()),
            Value::File(t) if matches!(name, "readlines") => {
                Value::list(t.split_inclusive('\n').map(|l| Value::str(l.to_string())).collect())
            }
            Value::Str(s) if !s.partial && matches!(name, "read_text" | "open") => match self.read_text(&s.text) {
                Some(t) if name == "read_text" => Value::str(t),
                Some(t) => Value::File(t.into()),
                None => Value::Unknown,
            },
            Value::Str(s) => str_method(s, name, &args, self).unwrap_or(Value::Unknown),
            Value::List(l) => {
                let a0 = args.pos.first().map(|(v, _)| v.clone());
                match (name, a0) {
                    ("append", Some(v)) => {
                        if l.borrow().len() < self.limits.max_items {
                            l.borrow_mut().push(v);
                        }
                        Value::None
                    }
                    ("extend", Some(v)) => {
                        if let Some(items) = self.iter_values(&v) {
                            l.borrow_mut().extend(items);
                        }
                        Value::None
                    }
                    ("insert", _) => {
                        if let (Some(i), Some(v)) = (args.pos.first().and_then(|a| a.0.as_int()), args.pos.get(1)) {
                            let mut l = l.borrow_mut();
                            let i = (i.max(0) as usize).min(l.len());
                            l.insert(i, v.0.clone());
                        }
                        Value::None
                    }
                    ("copy", _) => Value::list(l.borrow().clone()),
                    ("pop", None) => l.borrow_mut().pop().unwrap_or(Value::Unknown),
                    ("index", Some(v)) => l
                        .borrow()
                        .iter()
                        .position(|x| x.same(&v))
                        .map_or(Value::Unknown, |i| Value::Int(i as i64)),
                    _ => Value::Unknown,
                }
            }
            Value::Dict(d) => {
                let a0 = args.pos.first().map(|(v, _)| v.clone());
                match name {
                    "items" => Value::list(
                        d.borrow()
                            .items
                            .iter()
                            .map(|(k, v)| Value::Tuple(Rc::new(vec![k.clone(), v.clone()])))
                            .collect(),
                    ),
                    "keys" => Value::list(d.borrow().items.iter().map(|(k, _)| k.clone()).collect()),
                    "values" => Value::list(d.borrow().items.iter().map(|(_, v)| v.clone()).collect()),
                    "get" => {
                        let default = args.pos.get(1).map_or(Value::None, |a| a.0.clone());
                        match a0 {
                            Some(k) => d.borrow().get(&k).cloned().unwrap_or(default),
                            None => Value::Unknown,
                        }
                    }
                    "copy" => Value::Dict(Rc::new(RefCell::new(d.borrow().clone()))),
                    "update" => {
                        if let Some(v) = a0 {
                            match v {
                                Value::Dict(other) => {
                                    let items = other.borrow().items.clone();
                                    for (k, v) in items {
                                        d.borrow_mut().set(k, v);
                                    }
                                }
                                _ => {
                                    self.note(node, "`update` with a value not known statically");
                                    d.borrow_mut().set(Value::str("**"), Value::Unknown);
                                }
                            }
                        }
                        for (k, v, _) in args.kw {
                            d.borrow_mut().set(Value::str(k), v);
                        }
                        Value::None
                    }
                    "setdefault" => {
                        let Some(k) = a0 else { return Value::Unknown };
                        if let Some(v) = d.borrow().get(&k) {
                            return v.clone();
                        }
                        let v = args.pos.get(1).map_or(Value::None, |a| a.0.clone());
                        d.borrow_mut().set(k, v.clone());
                        v
                    }
                    "pop" => {
                        let Some(k) = a0 else { return Value::Unknown };
                        let default = args.pos.get(1).map_or(Value::Unknown, |a| a.0.clone());
                        d.borrow_mut().remove(&k).unwrap_or(default)
                    }
                    _ => Value::Unknown,
                }
            }
            Value::Globals => {
                if name == "update"
                    && let Some((Value::Dict(d), _)) = args.pos.first()
                {
                    for (k, v) in d.borrow().items.iter() {
                        if let Some(n) = k.as_str() {
                            self.module.set_local(n, v.clone());
                        }
                    }
                }
                if name == "get"
                    && let Some(n) = args.pos.first().and_then(|a| a.0.as_str())
                {
                    return self.module.get(n).unwrap_or(Value::None);
                }
                Value::None
            }
            Value::Module(m) => {
                let f = m.vars.borrow().get(name).cloned().unwrap_or(Value::Unknown);
                self.call_value(&f, args, node)
            }
            Value::Instance(i) => {
                if let Some(f) = i.attrs.borrow().get(name).cloned() {
                    return self.call_value(&f, args, node);
                }
                let Some(f) = self.class_attr(&i.class, name, 0) else {
                    return Value::Unknown;
                };
                let mut args = args;
                match self.method_kind(&f) {
                    Some(MethodKind::Static) => {}
                    Some(MethodKind::Class) => args.pos.insert(0, (Value::Class(i.class.clone()), None)),
                    _ => args.pos.insert(0, (o.clone(), None)),
                }
                self.call_value(&f, args, node)
            }
            Value::Class(c) => {
                let Some(f) = self.class_attr(c, name, 0) else {
                    return Value::Unknown;
                };
                let mut args = args;
                if self.method_kind(&f) == Some(MethodKind::Class) {
                    args.pos.insert(0, (o.clone(), None));
                }
                self.call_value(&f, args, node)
            }
            _ => Value::Unknown,
        }
    }

    fn get_attr(&mut self, o: Value<'t>, name: &str, node: Node<'t>) -> Value<'t> {
        match &o {
            Value::Obj(id) => H::attr(self, *id, name, node),
            Value::Extern(q) => {
                // `import common.defaults` then `common.defaults.X`
                let sub = format!("{q}.{name}");
                if let Some(m) = self.load_module(&sub) {
                    return Value::Module(m);
                }
                if let Some(m) = self.load_module(q) {
                    return m.vars.borrow().get(name).cloned().unwrap_or(Value::Unknown);
                }
                Value::Extern(sub.into())
            }
            Value::Module(m) => m.vars.borrow().get(name).cloned().unwrap_or(Value::Unknown),
            Value::Instance(i) => {
                if let Some(v) = i.attrs.borrow().get(name).cloned() {
                    return v;
                }
                match self.class_attr(&i.class, name, 0) {
                    Some(f @ Value::Func(_)) => match self.method_kind(&f) {
                        Some(MethodKind::Property) => self.call_value(&f, Args::positional(vec![o.clone()]), node),
                        Some(MethodKind::Static) => f,
                        _ => Value::Method(Box::new(o.clone()), name.into()),
                    },
                    Some(v) => v,
                    None => Value::Unknown,
                }
            }
            Value::Class(c) => match self.class_attr(c, name, 0) {
                Some(f @ Value::Func(_)) if self.method_kind(&f) == Some(MethodKind::Class) => {
                    Value::Method(Box::new(o.clone()), name.into())
                }
                Some(v) => v,
                None => Value::Unknown,
            },
            Value::Str(s) if !s.partial => match name {
                "name" => Value::str(basename(&s.text)),
                "stem" => {
                    let b = basename(&s.text);
                    Value::str(splitext(&b).0)
                }
                "suffix" => Value::str(splitext(&basename(&s.text)).1),
                "parent" => Value::str(dirname(&s.text)),
                _ => Value::Method(Box::new(o.clone()), name.into()),
            },
            Value::Unknown | Value::Opaque(_) => Value::Unknown,
            Value::Func(f) if name == "__name__" => Value::str(f.name.clone()),
            _ => Value::Method(Box::new(o.clone()), name.into()),
        }
    }

    /// Builtins and the standard library calls pipeline files use to build
    /// names. None: not one of them.
    fn call_known(&mut self, q: &str, args: &Args<'t>) -> Option<Value<'t>> {
        let a = |i: usize| args.pos.get(i).map(|(v, _)| v.clone());
        let s = |i: usize| args.pos.get(i).and_then(|(v, _)| v.as_str().map(str::to_string));
        let v = match q {
            "builtins.range" => {
                let nums: Vec<i64> = args.pos.iter().filter_map(|(v, _)| v.as_int()).collect();
                if nums.len() != args.pos.len() || nums.is_empty() {
                    return Some(Value::Unknown);
                }
                let (start, stop, step) = match nums.as_slice() {
                    [stop] => (0, *stop, 1),
                    [start, stop] => (*start, *stop, 1),
                    [start, stop, step, ..] => (*start, *stop, *step),
                    [] => return Some(Value::Unknown),
                };
                if step == 0 {
                    return Some(Value::Unknown);
                }
                let mut out = Vec::new();
                let mut i = start;
                while (step > 0 && i < stop) || (step < 0 && i > stop) {
                    out.push(Value::Int(i));
                    if out.len() >= self.limits.max_items {
                        break;
                    }
                    i += step;
                }
                Value::list(out)
            }
            "builtins.len" => match a(0) {
                Some(Value::Str(s)) if !s.partial => Value::Int(s.text.chars().count() as i64),
                Some(Value::Dict(d)) => Value::Int(d.borrow().items.len() as i64),
                Some(v) => v.items().map_or(Value::Unknown, |i| Value::Int(i.len() as i64)),
                None => Value::Unknown,
            },
            "builtins.str" => match a(0) {
                None => Value::str(""),
                Some(Value::Str(s)) => Value::Str(s),
                Some(Value::Obj(id)) => H::format(self, id).map_or(Value::Unknown, Value::str),
                Some(v) => v.to_text().map_or(Value::Unknown, Value::str),
            },
            "builtins.repr" => a(0).and_then(|v| v.repr()).map_or(Value::Unknown, Value::str),
            "builtins.int" => match a(0) {
                None => Value::Int(0),
                Some(Value::Int(i)) => Value::Int(i),
                Some(Value::Float(f)) => Value::Int(f as i64),
                Some(Value::Bool(b)) => Value::Int(b as i64),
                Some(Value::Str(s)) if !s.partial => s.text.trim().parse().map_or(Value::Unknown, Value::Int),
                _ => Value::Unknown,
            },
            "builtins.float" => match a(0) {
                Some(Value::Int(i)) => Value::Float(i as f64),
                Some(Value::Float(f)) => Value::Float(f),
                Some(Value::Str(s)) if !s.partial => s.text.trim().parse().map_or(Value::Unknown, Value::Float),
                _ => Value::Unknown,
            },
            "builtins.bool" => a(0)
                .map_or(Some(false), |v| v.truthy())
                .map_or(Value::Unknown, Value::Bool),
            "builtins.list" | "builtins.tuple" | "builtins.set" | "builtins.frozenset" | "builtins.sorted"
            | "builtins.reversed" => {
                let items = match a(0) {
                    None => Some(Vec::new()),
                    Some(v) => self.iter_values(&v),
                };
                let Some(mut items) = items else {
                    return Some(Value::Unknown);
                };
                if q == "builtins.sorted" {
                    if args.kw.iter().any(|(k, _, _)| k == "key") {
                        return Some(Value::Unknown);
                    }
                    if !sort_values(&mut items) {
                        return Some(Value::Unknown);
                    }
                    if args.kwarg("reverse").and_then(|r| r.truthy()) == Some(true) {
                        items.reverse();
                    }
                }
                if q == "builtins.reversed" {
                    items.reverse();
                }
                if q == "builtins.set" || q == "builtins.frozenset" {
                    let mut uniq: Vec<Value<'t>> = Vec::new();
                    for i in items {
                        if !uniq.iter().any(|u| u.same(&i)) {
                            uniq.push(i);
                        }
                    }
                    items = uniq;
                }
                if q == "builtins.tuple" {
                    Value::Tuple(Rc::new(items))
                } else {
                    Value::list(items)
                }
            }
            "builtins.dict" => {
                let mut d = Dict::default();
                if let Some(v) = a(0) {
                    match v {
                        Value::Dict(other) => d = other.borrow().clone(),
                        v => match self.iter_values(&v) {
                            Some(pairs) => {
                                for p in pairs {
                                    match p.items() {
                                        Some(kv) if kv.len() == 2 => d.set(kv[0].clone(), kv[1].clone()),
                                        _ => return Some(Value::Unknown),
                                    }
                                }
                            }
                            None => return Some(Value::Unknown),
                        },
                    }
                }
                if args.unknown_splat {
                    d.set(Value::str("**"), Value::Unknown);
                }
                for (k, v, _) in &args.kw {
                    d.set(Value::str(k.clone()), v.clone());
                }
                Value::Dict(Rc::new(RefCell::new(d)))
            }
            "builtins.enumerate" => {
                let start = args.get("start", 1).and_then(|v| v.as_int()).unwrap_or(0);
                let Some(items) = a(0).and_then(|v| self.iter_values(&v)) else {
                    return Some(Value::Unknown);
                };
                Value::list(
                    items
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| Value::Tuple(Rc::new(vec![Value::Int(start + i as i64), v])))
                        .collect(),
                )
            }
            "builtins.zip" => {
                let mut lists = Vec::new();
                for (v, _) in &args.pos {
                    match self.iter_values(v) {
                        Some(items) => lists.push(items),
                        None => return Some(Value::Unknown),
                    }
                }
                let n = lists.iter().map(Vec::len).min().unwrap_or(0);
                Value::list(
                    (0..n)
                        .map(|i| Value::Tuple(Rc::new(lists.iter().map(|l| l[i].clone()).collect())))
                        .collect(),
                )
            }
            "builtins.min" | "builtins.max" | "builtins.sum" => {
                let items = if args.pos.len() == 1 {
                    a(0).and_then(|v| self.iter_values(&v))
                } else {
                    Some(args.pos.iter().map(|(v, _)| v.clone()).collect())
                };
                let nums: Option<Vec<i64>> = items.and_then(|i| i.iter().map(Value::as_int).collect());
                match (q, nums) {
                    ("builtins.sum", Some(n)) => Value::Int(n.iter().sum()),
                    ("builtins.min", Some(n)) => n.into_iter().min().map_or(Value::Unknown, Value::Int),
                    ("builtins.max", Some(n)) => n.into_iter().max().map_or(Value::Unknown, Value::Int),
                    _ => Value::Unknown,
                }
            }
            "builtins.abs" => a(0)
                .and_then(|v| v.as_int())
                .map_or(Value::Unknown, |i| Value::Int(i.abs())),
            "builtins.print" => Value::None,
            "builtins.globals" => Value::Globals,
            "builtins.staticmethod" | "builtins.classmethod" | "builtins.property" => {
                let Some(Value::Func(f)) = a(0) else {
                    return Some(Value::Unknown);
                };
                let kind = match q {
                    "builtins.staticmethod" => MethodKind::Static,
                    "builtins.classmethod" => MethodKind::Class,
                    _ => MethodKind::Property,
                };
                self.method_kinds.insert(f.node.start_byte(), kind);
                Value::Func(f)
            }
            "builtins.open" | "io.open" | "codecs.open" => {
                let mode = args.get("mode", 1).and_then(|m| m.as_str().map(str::to_string));
                if mode
                    .as_deref()
                    .is_some_and(|m| m.contains('w') || m.contains('a') || m.contains('b'))
                {
                    return Some(Value::Unknown);
                }
                match s(0).and_then(|p| self.read_text(&p)) {
                    Some(text) => Value::File(text.into()),
                    None => Value::Unknown,
                }
            }
            "yaml.safe_load" | "yaml.load" | "yaml.full_load" | "yaml.unsafe_load" | "json.load" | "json.loads" => {
                let text = match a(0) {
                    Some(Value::File(t)) => t.to_string(),
                    Some(Value::Str(t)) if !t.partial => t.text.clone(),
                    _ => return Some(Value::Unknown),
                };
                let parsed = if q.starts_with("json") {
                    serde_json::from_str::<serde_json::Value>(&text)
                        .ok()
                        .map(|v| from_json(&v, 0))
                } else {
                    serde_yaml::from_str::<serde_yaml::Value>(&text)
                        .ok()
                        .map(|v| from_yaml(&v, 0))
                };
                parsed.unwrap_or(Value::Unknown)
            }
            // a string, whatever it holds: its text when the value is known
            "json.dumps" => match a(0).and_then(|v| json_dumps(&v, 0)) {
                Some(j) => Value::str(j),
                None => Value::Str(Rc::new(Str {
                    text: "{json.dumps(...)}".into(),
                    origin: None,
                    partial: true,
                })),
            },
            "builtins.getattr" => match (a(0), s(1)) {
                (Some(o), Some(n)) => {
                    let node = args.pos[0].1;
                    match node {
                        Some(node) => self.get_attr(o, &n, node),
                        None => Value::Unknown,
                    }
                }
                _ => a(2).unwrap_or(Value::Unknown),
            },
            "builtins.map" => {
                let (Some(f), Some(items)) = (a(0), a(1).and_then(|v| self.iter_values(&v))) else {
                    return Some(Value::Unknown);
                };
                let node = args.pos[0].1?;
                let out = items
                    .into_iter()
                    .map(|i| self.call_value(&f, Args::positional(vec![i]), node))
                    .collect();
                Value::list(out)
            }
            "builtins.filter" => {
                let (Some(f), Some(items)) = (a(0), a(1).and_then(|v| self.iter_values(&v))) else {
                    return Some(Value::Unknown);
                };
                let node = args.pos[0].1?;
                let mut out = Vec::new();
                for i in items {
                    let keep = if matches!(f, Value::None) {
                        i.truthy()
                    } else {
                        self.call_value(&f, Args::positional(vec![i.clone()]), node).truthy()
                    };
                    match keep {
                        Some(true) => out.push(i),
                        Some(false) => {}
                        None => return Some(Value::Unknown),
                    }
                }
                Value::list(out)
            }
            "builtins.format" => match a(0) {
                Some(v) => format_value(&v, s(1).as_deref().unwrap_or("")).map_or(Value::Unknown, Value::str),
                None => Value::Unknown,
            },
            "os.path.basename" => s(0).map_or(Value::Unknown, |p| Value::str(basename(&p))),
            "os.path.dirname" => s(0).map_or(Value::Unknown, |p| Value::str(dirname(&p))),
            "os.path.splitext" => s(0).map_or(Value::Unknown, |p| {
                let (root, ext) = splitext(&p);
                Value::Tuple(Rc::new(vec![Value::str(root), Value::str(ext)]))
            }),
            "os.path.join" | "posixpath.join" => {
                let parts: Option<Vec<String>> = args.pos.iter().map(|(v, _)| v.as_str().map(str::to_string)).collect();
                parts.map_or(Value::Unknown, |parts| {
                    let mut out = String::new();
                    for p in parts {
                        if p.starts_with('/') || out.is_empty() {
                            out = p;
                        } else {
                            if !out.ends_with('/') {
                                out.push('/');
                            }
                            out.push_str(&p);
                        }
                    }
                    Value::str(out)
                })
            }
            "os.path.abspath" | "os.path.realpath" | "os.path.normpath" | "os.fspath" => a(0).unwrap_or(Value::Unknown),
            "os.getenv" | "os.environ.get" => args.get("default", 1).cloned().unwrap_or(Value::None),
            "pathlib.Path" | "pathlib.PurePath" | "pathlib.PosixPath" => {
                let parts: Option<Vec<String>> = args.pos.iter().map(|(v, _)| v.as_str().map(str::to_string)).collect();
                match parts {
                    Some(p) if !p.is_empty() => Value::str(p.join("/")),
                    _ => Value::Unknown,
                }
            }
            "textwrap.dedent" | "inspect.cleandoc" => s(0).map_or(Value::Unknown, |t| Value::str(dedent(&t))),
            _ => return None,
        };
        Some(v)
    }
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// The first named child that is not a comment (a comment can follow any
/// opening bracket: `(  # why\n    call()\n)`).
pub fn first_expr(node: Node) -> Option<Node> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).find(|c| c.kind() != "comment")
}

fn dotted(text: &str) -> String {
    text.split_whitespace().collect::<String>()
}

pub fn clip(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    let mut s: String = line.chars().take(60).collect();
    if s.len() < text.len() {
        s.push('…');
    }
    s
}

fn parse_int(text: &str) -> Option<i64> {
    let t = text.replace('_', "").to_ascii_lowercase();
    let t = t.trim_end_matches('l');
    if let Some(h) = t.strip_prefix("0x") {
        i64::from_str_radix(h, 16).ok()
    } else if let Some(o) = t.strip_prefix("0o") {
        i64::from_str_radix(o, 8).ok()
    } else if let Some(b) = t.strip_prefix("0b") {
        i64::from_str_radix(b, 2).ok()
    } else {
        t.parse().ok()
    }
}

/// Append a literal piece of a string, resolving escapes (and `{{` in
/// f-strings). Returns whether the text was copied verbatim.
fn push_literal(out: &mut String, lit: &str, raw: bool, fstr: bool) -> bool {
    let mut verbatim = true;
    let mut chars = lit.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' | '}' if fstr && chars.peek() == Some(&c) => {
                chars.next();
                out.push(c);
                verbatim = false;
            }
            '\\' if !raw => {
                verbatim = false;
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some('r') => out.push('\r'),
                    Some('0') => out.push('\0'),
                    Some('\\') => out.push('\\'),
                    Some('\'') => out.push('\''),
                    Some('"') => out.push('"'),
                    Some('\n') => {}
                    Some('x') => {
                        let h: String = chars.by_ref().take(2).collect();
                        if let Some(c) = u32::from_str_radix(&h, 16).ok().and_then(char::from_u32) {
                            out.push(c);
                        }
                    }
                    Some('u') => {
                        let h: String = chars.by_ref().take(4).collect();
                        if let Some(c) = u32::from_str_radix(&h, 16).ok().and_then(char::from_u32) {
                            out.push(c);
                        }
                    }
                    Some(other) => {
                        out.push('\\');
                        out.push(other);
                    }
                    None => out.push('\\'),
                }
            }
            c => out.push(c),
        }
    }
    verbatim
}

/// `format(value, spec)` for the specs pipeline ids use.
fn format_value(v: &Value, spec: &str) -> Option<String> {
    let base = match v {
        Value::Str(s) if s.partial => return None,
        _ => v.to_text()?,
    };
    if spec.is_empty() {
        return Some(base);
    }
    let (fill, align, rest) = {
        let chars: Vec<char> = spec.chars().collect();
        if chars.len() >= 2 && matches!(chars[1], '<' | '>' | '^') {
            (chars[0], Some(chars[1]), chars[2..].iter().collect::<String>())
        } else if matches!(chars[0], '<' | '>' | '^') {
            (' ', Some(chars[0]), chars[1..].iter().collect::<String>())
        } else {
            (' ', None, spec.to_string())
        }
    };
    let (zero, rest) = match rest.strip_prefix('0') {
        Some(r) if align.is_none() => (true, r.to_string()),
        _ => (false, rest),
    };
    let (width_txt, kind) = rest.split_at(rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len()));
    let width: usize = width_txt.parse().unwrap_or(0);
    let body = match (kind, v) {
        ("" | "d" | "s", _) => base,
        (k, Value::Float(f)) if k.starts_with('.') && k.ends_with('f') => {
            let p: usize = k[1..k.len() - 1].parse().ok()?;
            format!("{f:.p$}")
        }
        _ => return None,
    };
    let len = body.chars().count();
    if len >= width {
        return Some(body);
    }
    let pad = width - len;
    let numeric = matches!(v, Value::Int(_) | Value::Float(_));
    Some(match (zero, align) {
        (true, _) => format!("{}{body}", "0".repeat(pad)),
        (false, Some('<')) => format!("{body}{}", fill.to_string().repeat(pad)),
        (false, Some('^')) => {
            let left = pad / 2;
            format!(
                "{}{body}{}",
                fill.to_string().repeat(left),
                fill.to_string().repeat(pad - left)
            )
        }
        (false, Some(_)) => format!("{}{body}", fill.to_string().repeat(pad)),
        (false, None) if numeric => format!("{}{body}", " ".repeat(pad)),
        (false, None) => format!("{body}{}", " ".repeat(pad)),
    })
}

fn percent_format(fmt: &str, args: &Value) -> Option<String> {
    let items: Vec<Value> = match args {
        Value::Tuple(t) => t.as_ref().clone(),
        v => vec![v.clone()],
    };
    let mut out = String::new();
    let mut it = items.iter();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'(') {
            chars.next();
            let key: String = chars.by_ref().take_while(|c| *c != ')').collect();
            let Value::Dict(d) = args else { return None };
            let v = d.borrow().get_str(&key).cloned()?;
            let conv = chars.next()?;
            out.push_str(&if conv == 'r' { v.repr()? } else { v.to_text()? });
            continue;
        }
        let mut spec = String::new();
        while let Some(&n) = chars.peek() {
            if n.is_ascii_digit() || n == '-' || n == '.' {
                spec.push(n);
                chars.next();
            } else {
                break;
            }
        }
        match chars.next()? {
            '%' => out.push('%'),
            'r' => out.push_str(&it.next()?.repr()?),
            's' | 'd' | 'i' => {
                let v = it.next()?;
                let t = v.to_text()?;
                let spec = spec.trim_start_matches('-');
                let fmt = if let Some(w) = spec.strip_prefix('0') {
                    format!("0{w}")
                } else {
                    format!(">{spec}")
                };
                out.push_str(
                    &format_value(&Value::str(t.clone()), if spec.is_empty() { "" } else { &fmt }).unwrap_or(t),
                );
            }
            _ => return None,
        }
    }
    Some(out)
}

fn compare<'t>(op: &str, a: &Value<'t>, b: &Value<'t>) -> Option<bool> {
    Some(match op {
        "==" => a.equals(b)?,
        "!=" => !a.equals(b)?,
        "is" => match (a, b) {
            (Value::None, Value::None) | (Value::Bool(true), Value::Bool(true)) => true,
            (Value::Bool(false), Value::Bool(false)) => true,
            (Value::Unknown | Value::Opaque(_), _) | (_, Value::Unknown | Value::Opaque(_)) => return None,
            (Value::None, _) | (_, Value::None) => false,
            _ => return None,
        },
        "is not" => !compare("is", a, b)?,
        "in" => contains(b, a)?,
        "not in" => !contains(b, a)?,
        "<" | ">" | "<=" | ">=" => {
            let ord = match (a, b) {
                (Value::Int(x), Value::Int(y)) => x.cmp(y),
                (Value::Str(x), Value::Str(y)) if !x.partial && !y.partial => x.text.cmp(&y.text),
                _ => return None,
            };
            match op {
                "<" => ord.is_lt(),
                ">" => ord.is_gt(),
                "<=" => ord.is_le(),
                _ => ord.is_ge(),
            }
        }
        _ => return None,
    })
}

fn contains<'t>(container: &Value<'t>, item: &Value<'t>) -> Option<bool> {
    match container {
        Value::Str(s) if !s.partial => Some(s.text.contains(item.as_str()?)),
        Value::List(_) | Value::Tuple(_) => {
            let items = container.items()?;
            let mut unknown = false;
            for i in &items {
                match i.equals(item) {
                    Some(true) => return Some(true),
                    Some(false) => {}
                    None => unknown = true,
                }
            }
            if unknown { None } else { Some(false) }
        }
        Value::Dict(d) => {
            if d.borrow().get_str("**").is_some() {
                return None;
            }
            Some(d.borrow().get(item).is_some())
        }
        _ => None,
    }
}

fn sort_values(items: &mut [Value]) -> bool {
    // only sort what Python would sort the same way
    for w in items.windows(2) {
        if cmp_values(&w[0], &w[1]).is_none() {
            return false;
        }
    }
    items.sort_by(|a, b| cmp_values(a, b).unwrap_or(std::cmp::Ordering::Equal));
    true
}

/// Python's ordering for strings, numbers and tuples of them; None when
/// Python would raise or kfr cannot tell.
fn cmp_values(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Str(x), Value::Str(y)) if !x.partial && !y.partial => Some(x.text.cmp(&y.text)),
        (Value::Tuple(_) | Value::List(_), Value::Tuple(_) | Value::List(_)) => {
            let (xs, ys) = (a.items()?, b.items()?);
            for (x, y) in xs.iter().zip(ys.iter()) {
                match cmp_values(x, y)? {
                    std::cmp::Ordering::Equal => {}
                    o => return Some(o),
                }
            }
            Some(xs.len().cmp(&ys.len()))
        }
        _ => None,
    }
}

fn slice<T: Clone>(items: &[T], bounds: [Option<i64>; 3]) -> Vec<T> {
    let len = items.len() as i64;
    let step = bounds[2].unwrap_or(1);
    if step == 0 {
        return Vec::new();
    }
    let norm = |v: i64| if v < 0 { (len + v).max(0) } else { v.min(len) };
    let mut out = Vec::new();
    if step > 0 {
        let (mut i, stop) = (bounds[0].map_or(0, norm), bounds[1].map_or(len, norm));
        while i < stop {
            out.push(items[i as usize].clone());
            i += step;
        }
    } else {
        let mut i = bounds[0].map_or(len - 1, |v| norm(v).min(len - 1));
        let stop = bounds[1].map_or(-1, norm);
        while i > stop && i >= 0 {
            out.push(items[i as usize].clone());
            i += step;
        }
    }
    out
}

pub(crate) fn basename(p: &str) -> String {
    p.trim_end_matches('/').rsplit('/').next().unwrap_or(p).to_string()
}

fn dirname(p: &str) -> String {
    match p.trim_end_matches('/').rsplit_once('/') {
        Some(("", _)) => "/".into(),
        Some((d, _)) => d.to_string(),
        None => String::new(),
    }
}

fn splitext(name: &str) -> (String, String) {
    let base_start = name.rfind('/').map_or(0, |i| i + 1);
    match name[base_start..].rfind('.') {
        Some(i) if i > 0 => (name[..base_start + i].to_string(), name[base_start + i..].to_string()),
        _ => (name.to_string(), String::new()),
    }
}

/// `textwrap.dedent`: the common leading whitespace of the non-blank lines
/// removed.
pub fn dedent(text: &str) -> String {
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    text.lines()
        .map(|l| {
            if l.len() >= indent {
                &l[indent..]
            } else {
                l.trim_start()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + if text.ends_with('\n') { "\n" } else { "" }
}

fn str_method<'t, H: Host<'t>>(s: &Rc<Str>, name: &str, args: &Args<'t>, it: &mut Interp<'t, H>) -> Option<Value<'t>> {
    let a = |i: usize| args.pos.get(i).and_then(|(v, _)| v.as_str().map(str::to_string));
    if s.partial {
        return match name {
            // what is known of a partly known string stays partly known
            "strip" | "lstrip" | "rstrip" | "lower" | "upper" => Some(Value::Str(s.clone())),
            _ => None,
        };
    }
    let t = &s.text;
    Some(match name {
        "format" => Value::str(str_format(t, args)?),
        "replace" => {
            let (from, to) = (a(0)?, a(1)?);
            Value::str(t.replace(&from, &to))
        }
        "lower" => Value::str(t.to_lowercase()),
        "upper" => Value::str(t.to_uppercase()),
        "title" => Value::str(
            t.split('_')
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_uppercase().collect::<String>() + &c.as_str().to_lowercase())
                        .unwrap_or_default()
                })
                .collect::<Vec<_>>()
                .join("_"),
        ),
        "capitalize" => {
            let mut c = t.chars();
            Value::str(
                c.next()
                    .map(|f| f.to_uppercase().collect::<String>() + &c.as_str().to_lowercase())
                    .unwrap_or_default(),
            )
        }
        "strip" | "lstrip" | "rstrip" => {
            let chars: Option<Vec<char>> = a(0).map(|c| c.chars().collect());
            let pred = |c: char| match &chars {
                Some(cs) => cs.contains(&c),
                None => c.is_whitespace(),
            };
            Value::str(match name {
                "strip" => t.trim_matches(pred),
                "lstrip" => t.trim_start_matches(pred),
                _ => t.trim_end_matches(pred),
            })
        }
        "removeprefix" => Value::str(t.strip_prefix(a(0)?.as_str()).unwrap_or(t)),
        "removesuffix" => Value::str(t.strip_suffix(a(0)?.as_str()).unwrap_or(t)),
        "startswith" => Value::Bool(t.starts_with(a(0)?.as_str())),
        "endswith" => Value::Bool(t.ends_with(a(0)?.as_str())),
        "split" | "rsplit" => {
            let parts: Vec<Value> = match a(0) {
                Some(sep) if !sep.is_empty() => t.split(sep.as_str()).map(Value::str).collect(),
                _ => t.split_whitespace().map(Value::str).collect(),
            };
            Value::list(parts)
        }
        "splitlines" => Value::list(t.lines().map(Value::str).collect()),
        "join" => {
            let items = it.iter_values(&args.pos.first()?.0)?;
            let parts: Option<Vec<String>> = items.iter().map(|v| v.as_str().map(str::to_string)).collect();
            Value::str(parts?.join(t))
        }
        "zfill" => {
            let w = args.pos.first()?.0.as_int()? as usize;
            Value::str(format!("{}{t}", "0".repeat(w.saturating_sub(t.chars().count()))))
        }
        "encode" | "resolve" | "absolute" | "expanduser" | "as_posix" | "__str__" => Value::Str(s.clone()),
        "joinpath" => Value::str(format!("{}/{}", t.trim_end_matches('/'), a(0)?)),
        "with_suffix" => Value::str(format!("{}{}", splitext(t).0, a(0)?)),
        "isdigit" => Value::Bool(!t.is_empty() && t.chars().all(|c| c.is_ascii_digit())),
        "count" => Value::Int(t.matches(a(0)?.as_str()).count() as i64),
        "find" => Value::Int(t.find(a(0)?.as_str()).map_or(-1, |i| t[..i].chars().count() as i64)),
        _ => return None,
    })
}

fn str_format(fmt: &str, args: &Args) -> Option<String> {
    let mut out = String::new();
    let mut auto = 0;
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let field: String = chars.by_ref().take_while(|c| *c != '}').collect();
                let (name, spec) = field.split_once(':').unwrap_or((&field, ""));
                let (name, conv) = name.split_once('!').unwrap_or((name, ""));
                let v = if name.is_empty() {
                    auto += 1;
                    args.pos.get(auto - 1)?.0.clone()
                } else if let Ok(i) = name.parse::<usize>() {
                    args.pos.get(i)?.0.clone()
                } else if name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    args.kwarg(name)?.clone()
                } else {
                    return None;
                };
                let s = if conv == "r" {
                    v.repr()?
                } else {
                    format_value(&v, spec)?
                };
                out.push_str(&s);
            }
            c => out.push(c),
        }
    }
    Some(out)
}

/// A parsed YAML document as a Python value (what `yaml.safe_load` gives).
fn from_yaml<'t>(v: &serde_yaml::Value, depth: usize) -> Value<'t> {
    use serde_yaml::Value as Y;
    if depth > 32 {
        return Value::Unknown;
    }
    match v {
        Y::Null => Value::None,
        Y::Bool(b) => Value::Bool(*b),
        Y::Number(n) => n
            .as_i64()
            .map(Value::Int)
            .or_else(|| n.as_f64().map(Value::Float))
            .unwrap_or(Value::Unknown),
        Y::String(s) => Value::str(s.clone()),
        Y::Sequence(items) => Value::list(items.iter().map(|i| from_yaml(i, depth + 1)).collect()),
        Y::Mapping(m) => Value::dict(
            m.iter()
                .map(|(k, v)| (from_yaml(k, depth + 1), from_yaml(v, depth + 1)))
                .collect(),
        ),
        Y::Tagged(t) => from_yaml(&t.value, depth + 1),
    }
}

/// What `json.dumps(v)` writes with its defaults (`", "` and `": "`
/// separators, keys in insertion order, non-ASCII escaped), when the value
/// is known.
fn json_dumps(v: &Value, depth: usize) -> Option<String> {
    if depth > 16 {
        return None;
    }
    Some(match v {
        Value::None => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) if f.is_nan() => "NaN".into(),
        Value::Float(f) if f.is_infinite() => if *f > 0.0 { "Infinity" } else { "-Infinity" }.into(),
        Value::Float(_) => v.to_text()?,
        Value::Str(s) if !s.partial => json_string(&s.text),
        Value::List(_) | Value::Tuple(_) => {
            let items: Option<Vec<String>> = v.items()?.iter().map(|i| json_dumps(i, depth + 1)).collect();
            format!("[{}]", items?.join(", "))
        }
        Value::Dict(d) => {
            let mut fields = Vec::new();
            for (k, x) in d.borrow().items.iter() {
                // Python writes int, float, bool and None keys as strings
                let key = match k {
                    Value::Str(_) => json_dumps(k, depth + 1)?,
                    Value::None | Value::Bool(_) | Value::Int(_) | Value::Float(_) => {
                        json_string(&json_dumps(k, depth + 1)?)
                    }
                    _ => return None,
                };
                fields.push(format!("{key}: {}", json_dumps(x, depth + 1)?));
            }
            format!("{{{}}}", fields.join(", "))
        }
        _ => return None,
    })
}

/// A JSON string as Python's `json.dumps` writes it (`ensure_ascii`: every
/// character outside printable ASCII as `\uXXXX`).
pub fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{u:04x}");
                }
            }
        }
    }
    out.push('"');
    out
}

/// A parsed JSON document as a Python value (what `json.load` gives).
fn from_json<'t>(v: &serde_json::Value, depth: usize) -> Value<'t> {
    use serde_json::Value as J;
    if depth > 32 {
        return Value::Unknown;
    }
    match v {
        J::Null => Value::None,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => n
            .as_i64()
            .map(Value::Int)
            .or_else(|| n.as_f64().map(Value::Float))
            .unwrap_or(Value::Unknown),
        J::String(s) => Value::str(s.clone()),
        J::Array(items) => Value::list(items.iter().map(|i| from_json(i, depth + 1)).collect()),
        J::Object(m) => Value::dict(
            m.iter()
                .map(|(k, v)| (Value::str(k.clone()), from_json(v, depth + 1)))
                .collect(),
        ),
    }
}
