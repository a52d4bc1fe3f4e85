use super::*;

struct NoHost;
impl<'t> Host<'t> for NoHost {}

/// Evaluate a module and return the text of a module-level variable.
fn var(src: &str, name: &str) -> String {
    let tree = parse(src).unwrap();
    let mut it = Interp::new(src, "/repo/dags/etl_daily.py".into(), NoHost, Limits::default());
    it.run_module(tree.root_node());
    let v = it.module.get(name).unwrap_or(Value::Unknown);
    match &v {
        Value::Str(s) if s.partial => format!("partial:{}", s.text),
        _ => v.repr().unwrap_or_else(|| format!("{v:?}").chars().take(30).collect()),
    }
}

#[test]
fn strings_and_fstrings() {
    assert_eq!(var("P = 'a'\nx = f\"{P}_{1+2:03d}\" 'z'", "x"), "'a_003z'");
    assert_eq!(var("x = 'load_' + 'orders'.upper()", "x"), "'load_ORDERS'");
    assert_eq!(var("x = '{}-{name}'.format(1, name='b')", "x"), "'1-b'");
    assert_eq!(var("x = 'd_%s_%02d' % ('a', 7)", "x"), "'d_a_07'");
    assert_eq!(
        var("x = f'{unknown_thing}/data.csv'", "x"),
        "partial:{unknown_thing}/data.csv"
    );
    assert_eq!(
        var("x = 'a\\tb' + r'\\n' + f'{{x}}'", "x"),
        "'a\\tb\\\\n{x}'".replace("\\t", "\t")
    );
}

#[test]
fn file_names_from_dunder_file() {
    let src = "import os\nfrom pathlib import Path\nA = os.path.basename(__file__).replace('.py', '')\nB = Path(__file__).stem + '_backfill'\nC = os.path.splitext(os.path.basename(__file__))[0]";
    assert_eq!(var(src, "A"), "'etl_daily'");
    assert_eq!(var(src, "B"), "'etl_daily_backfill'");
    assert_eq!(var(src, "C"), "'etl_daily'");
}

#[test]
fn containers_loops_functions() {
    let src = r#"
TABLES = ["orders", "users"]
CFG = {"a": {"n": 1}, "b": {"n": 2}}
ids = []
for t in TABLES:
    ids.append(f"load_{t}")
for name, cfg in CFG.items():
    ids.append(name + str(cfg["n"]))
def make(prefix, *rest, sep="_", **kw):
    return sep.join([prefix, *rest]) + kw.get("suffix", "")
ids.append(make("x", "y", suffix="!"))
ids += [f"r{i}" for i in range(3) if i != 1]
base = {"owner": "ml", "retries": 1}
args = {**base, "retries": 5}
other = base.copy(); other.update({"retries": 2}); other["pool"] = "p"
d = dict(owner="x", retries=3)
a, (b, c) = 1, (2, 3)
def g():
    global G
    G = "set"
g()
n = len(ids) if ids else 0
"#;
    assert_eq!(
        var(src, "ids"),
        "['load_orders', 'load_users', 'a1', 'b2', 'x_y!', 'r0', 'r2']"
    );
    assert_eq!(var(src, "args"), "{'owner': 'ml', 'retries': 5}");
    assert_eq!(var(src, "base"), "{'owner': 'ml', 'retries': 1}");
    assert_eq!(var(src, "other"), "{'owner': 'ml', 'retries': 2, 'pool': 'p'}");
    assert_eq!(var(src, "d"), "{'owner': 'x', 'retries': 3}");
    assert_eq!(var(src, "c"), "3");
    assert_eq!(var(src, "G"), "'set'");
    assert_eq!(var(src, "n"), "7");
}

#[test]
fn unknown_conditions_and_loops_are_noted_not_fatal() {
    let src = "import os\nif os.environ['X'] == 'prod':\n    a = 1\nelse:\n    a = 2\nfor x in something():\n    b = x\nwhile True:\n    pass\n";
    let tree = parse(src).unwrap();
    let mut it = Interp::new(src, "f.py".into(), NoHost, Limits::default());
    it.run_module(tree.root_node());
    assert_eq!(it.module.get("a").and_then(|v| v.as_int()), Some(1));
    assert!(it.module.get("b").is_none());
    assert_eq!(it.notes.len(), 3, "{:?}", it.notes);
}

#[test]
fn runaway_code_stops_on_fuel() {
    let src = "def f(n):\n    return f(n) + f(n)\nx = f(1)\nL = list(range(10**9))\nfor i in range(10000):\n    for j in range(10000):\n        y = i\n";
    let tree = parse(src).unwrap();
    let mut it = Interp::new(
        src,
        "f.py".into(),
        NoHost,
        Limits {
            fuel: 100_000,
            ..Limits::default()
        },
    );
    it.run_module(tree.root_node());
    assert!(it.exhausted);
}

#[test]
fn classes_instances_and_methods() {
    let src = r#"
class Base:
    KIND = "base"
    def __init__(self, name, size=1):
        self.name = name
        self.size = size
    @property
    def label(self):
        return f"{self.KIND}:{self.name}"
    @staticmethod
    def double(x):
        return x * 2
    @classmethod
    def make(cls, name):
        return cls(name, 3)
    def grown(self):
        return self.double(self.size)

class Child(Base):
    KIND = "child"

a = Base("a")
b = Child.make("b")
labels = [a.label, b.label]
sizes = [a.grown(), b.grown(), Base.double(5)]
"#;
    assert_eq!(var(src, "labels"), "['base:a', 'child:b']");
    assert_eq!(var(src, "sizes"), "[2, 6, 10]");
}

#[test]
fn json_dumps_writes_what_python_writes() {
    // expected strings from CPython 3.11: json.dumps(...)
    let src = r#"
import json
A = json.dumps({"b": 1, "a": [1.5, True, None], "c": "é\n"})
B = json.dumps([1, "x"])
C = json.dumps({1: 2.0, None: "q\"s"})
D = json.dumps(unknown)
"#;
    assert_eq!(
        var(src, "A"),
        r#"'{"b": 1, "a": [1.5, true, null], "c": "\\u00e9\\n"}'"#
    );
    assert_eq!(var(src, "B"), r#"'[1, "x"]'"#);
    assert_eq!(var(src, "C"), r#"'{"1": 2.0, "null": "q\\"s"}'"#);
    assert_eq!(var(src, "D"), "partial:{json.dumps(...)}");
}

#[test]
fn await_and_async_blocks_need_an_async_function() {
    let error = |src: &str| {
        let tree = parse(src).unwrap();
        first_syntax_error(&tree, src).map(|(r, m)| (src[..r.start].matches('\n').count() + 1, m))
    };
    assert_eq!(
        error("def f():\n    await g()\n"),
        Some((2, "Python syntax error: 'await' outside async function".into()))
    );
    assert_eq!(
        error("x = 1\nawait g()\n"),
        Some((2, "Python syntax error: 'await' outside function".into()))
    );
    assert_eq!(
        error("def f():\n    async with g() as h:\n        pass\n"),
        Some((2, "Python syntax error: 'async with' outside async function".into()))
    );
    assert_eq!(
        error("async def f():\n    h = lambda: await g()\n"),
        Some((2, "Python syntax error: 'await' outside async function".into()))
    );
    assert_eq!(
        error("async def f():\n    await g()\n    async for x in y:\n        pass\n"),
        None
    );
}

#[test]
fn relative_imports_from_a_package() {
    use super::modules::{absolute_module, package_of};
    use std::path::Path;
    assert_eq!(package_of("steps.train", Path::new("steps/train.py")), "steps");
    assert_eq!(package_of("steps", Path::new("steps/__init__.py")), "steps");
    assert_eq!(package_of(".common", Path::new("common.py")), "");
    assert_eq!(absolute_module("steps", 1, "io"), Some("steps.io".into()));
    assert_eq!(absolute_module("a.b", 2, "c"), Some("a.c".into()));
    assert_eq!(absolute_module("a", 3, "c"), None);
    assert_eq!(absolute_module(".pkg", 1, "io"), Some(".pkg.io".into()));
    assert_eq!(absolute_module("", 1, "io"), Some(".io".into()));
}

#[test]
fn docstrings_cleaned_as_inspect_cleandoc() {
    assert_eq!(
        cleandoc("  Retrain churn.\n\n    Runs nightly.\n      indented\n  "),
        "Retrain churn.\n\nRuns nightly.\n  indented"
    );
}
