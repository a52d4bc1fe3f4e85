"""Check what `kfr migrate` wrote with the real KFP SDK.

usage: python kfp_migrate_check.py OUT_DIR [OUT_DIR ...]

For every migration directory (one holding pipeline.yaml):
  1. every components/*.yaml loads with kfp.components.load_component_from_file,
     is used inside a new @dsl.pipeline (its artifact inputs fed by importers of
     the declared type, twice, the second after the first), and that pipeline
     compiles and loads again;
  2. pipeline.yaml loads;
  3. pipeline.py compiles (imported as a module, its @dsl.pipeline compiled);
  4. the emitted pipeline.yaml and the compiled pipeline.py have the same
     tasks, dependencies, retry policies, caching, artifact and parameter
     types, task inputs, and (for container components) the same image,
     command and args.
Prints one line per directory and exits 1 on any failure.
"""
import importlib.util
import json
import os
import sys
import tempfile
import warnings

warnings.filterwarnings("ignore")

import yaml  # noqa: E402
from kfp import compiler, components, dsl  # noqa: E402
from kfp.dsl import types  # noqa: E402

CLASSES = {
    "system.Dataset": dsl.Dataset,
    "system.Model": dsl.Model,
    "system.Metrics": dsl.Metrics,
    "system.HTML": dsl.HTML,
    "system.Markdown": dsl.Markdown,
    "system.Artifact": dsl.Artifact,
}
SAMPLES = {"String": "x", "Integer": 1, "Float": 1.0, "Boolean": True, "List": [], "Dict": {}}


def load_yaml(path):
    with open(path) as f:
        return next(d for d in yaml.safe_load_all(f) if d is not None)


def check_component(path):
    comp = components.load_component_from_file(path)
    doc = load_yaml(path)
    name = doc["pipelineInfo"]["name"]
    arts = doc["components"]["comp-" + name].get("inputDefinitions", {}).get("artifacts", {})
    kwargs = {}
    for k, spec in (comp.component_spec.inputs or {}).items():
        if spec.optional:
            continue
        if types.type_utils.is_parameter_type(spec.type):
            kwargs[k] = SAMPLES.get(str(spec.type).split("[")[0].replace("typing.", ""), "x")

    @dsl.pipeline(name="wrapper")
    def wrapper():
        kw = dict(kwargs)
        for a, d in arts.items():
            cls = CLASSES[d["artifactType"]["schemaTitle"]]
            kw[a] = dsl.importer(artifact_uri="gs://bucket/" + a, artifact_class=cls).output
        t1 = comp(**kw)
        t2 = comp(**kw)
        t2.after(t1)

    out = tempfile.mktemp(suffix=".yaml")
    compiler.Compiler().compile(wrapper, out)
    components.load_component_from_file(out)
    os.remove(out)


def compile_pipeline_py(path):
    spec = importlib.util.spec_from_file_location("migrated_pipeline", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    pipelines = [v for v in vars(module).values() if type(v).__name__ == "GraphComponent"]
    if len(pipelines) != 1:
        raise AssertionError(f"pipeline.py defines {len(pipelines)} pipelines, expected 1")
    out = tempfile.mktemp(suffix=".yaml")
    compiler.Compiler().compile(pipelines[0], out)
    doc = load_yaml(out)
    os.remove(out)
    return doc


def shape(doc):
    """What must agree between the emitted and the compiled pipeline."""
    comps = doc["components"]
    execs = doc["deploymentSpec"]["executors"]
    out = {"name": doc["pipelineInfo"]["name"], "tasks": {}, "inputs": {}}
    for n, p in doc["root"].get("inputDefinitions", {}).get("parameters", {}).items():
        out["inputs"][n] = {"type": p["parameterType"], "default": p.get("defaultValue")}
    for key, t in doc["root"]["dag"]["tasks"].items():
        c = comps[t["componentRef"]["name"]]
        iface = {}
        for side in ("inputDefinitions", "outputDefinitions"):
            d = c.get(side, {})
            iface[side] = {
                "artifacts": {k: v["artifactType"]["schemaTitle"] for k, v in d.get("artifacts", {}).items()},
                "parameters": {k: v["parameterType"] for k, v in d.get("parameters", {}).items()},
            }
        ex = execs[c["executorLabel"]]["container"]
        is_python = "--executor_input" in (ex.get("args") or [])
        entry = {
            "dependentTasks": sorted(t.get("dependentTasks", [])),
            "retryPolicy": t.get("retryPolicy"),
            "cachingOptions": t.get("cachingOptions"),
            "inputs": t.get("inputs", {}),
            "interface": iface,
            "image": ex["image"],
            "env": sorted((e["name"], e["value"]) for e in ex.get("env", [])),
        }
        if not is_python:
            entry["command"] = ex.get("command")
            entry["args"] = ex.get("args")
        out["tasks"][key] = entry
    return out


def normalise(x):
    """Numbers compare as floats (the SDK writes 300 as 300.0)."""
    if isinstance(x, dict):
        return {k: normalise(v) for k, v in x.items()}
    if isinstance(x, list):
        return [normalise(v) for v in x]
    if isinstance(x, bool) or x is None or isinstance(x, str):
        return x
    if isinstance(x, (int, float)):
        return float(x)
    return x


def diff(a, b, path=""):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                yield f"{path}.{k}: only in {'compiled' if k in b else 'emitted'}"
            else:
                yield from diff(a[k], b[k], f"{path}.{k}")
    elif a != b:
        yield f"{path}: emitted {json.dumps(a)[:200]} != compiled {json.dumps(b)[:200]}"


def check_dir(d):
    problems = []
    comp_dir = os.path.join(d, "components")
    names = sorted(f for f in os.listdir(comp_dir) if f.endswith(".yaml"))
    for f in names:
        try:
            check_component(os.path.join(comp_dir, f))
        except Exception as e:  # noqa: BLE001
            problems.append(f"components/{f}: {type(e).__name__}: {e}")
    try:
        components.load_component_from_file(os.path.join(d, "pipeline.yaml"))
    except Exception as e:  # noqa: BLE001
        problems.append(f"pipeline.yaml does not load: {type(e).__name__}: {e}")
    try:
        compiled = compile_pipeline_py(os.path.join(d, "pipeline.py"))
        emitted = load_yaml(os.path.join(d, "pipeline.yaml"))
        problems.extend(diff(normalise(shape(emitted)), normalise(shape(compiled))))
        if len(emitted["root"]["dag"]["tasks"]) != len(names):
            problems.append("not one component file per task")
    except Exception as e:  # noqa: BLE001
        problems.append(f"pipeline.py: {type(e).__name__}: {e}")
    return len(names), problems


def main():
    bad = 0
    for d in sys.argv[1:]:
        n, problems = check_dir(d)
        print(f"{'FAIL' if problems else 'ok  '} {d}: {n} components")
        for p in problems:
            print("   ", p)
        bad += bool(problems)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
