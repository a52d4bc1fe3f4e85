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
