"""The KFP SDK's own answer for each fixture, for kfr's comparison tests.

Run with a Python that has kfp installed (a throwaway virtualenv, never a
dependency of kfr):

    python testdata/kfp/oracle.py testdata/kfp [FILE.py ...]
    python testdata/kfp/oracle.py --check testdata/kfp   # compare, write nothing

Each fixture is imported alone (from the fixture folder, as `python x.py`
would be run there) and every pipeline it defines at module level
(`@dsl.pipeline`) is compiled with `kfp.compiler.Compiler`. The compiled
PipelineSpec goes to compiled/<stem>/<pipeline name>.yaml, and what the
comparison needs is read back out of that IR into expected/<stem>.json:

- for every task of the root DAG and of the DAGs of its loop, condition and
  exit-handler groups (not the inside of a nested pipeline, which is
  compiled on its own): its group, its kind, `dependentTasks`, the
  `taskOutputArtifact`/`taskOutputParameter` inputs it consumes, the retry
  count, whether caching is on, the container image, the packages the
  executor installs (read out of the executor's pip command), and its
  component's inputs and outputs with their IR types;
- the error the SDK raised while importing the file, with its line.

With --check, nothing is written: the compiled YAML and JSON are produced
in memory and compared with the committed files; the exit status is 1 when
they differ (the SDK changed its answer, or a fixture changed without its
expectations).
"""

import importlib.util
import inspect
import json
import os
import re
import shlex
import sys
import tempfile
import traceback
import warnings

# the SDK's answer for some files depends on set iteration order (a loop over
# dicts whose keys clash with the loop argument's attributes): fix the hash
# seed, and keep the fixture folder free of bytecode
if os.environ.get("PYTHONHASHSEED") != "0" or not os.environ.get("PYTHONDONTWRITEBYTECODE"):
    env = dict(os.environ, PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1")
    os.execve(sys.executable, [sys.executable, *sys.argv], env)
sys.dont_write_bytecode = True

warnings.simplefilter("ignore")

import yaml  # noqa: E402
import kfp  # noqa: E402
from kfp import compiler  # noqa: E402
from kfp.dsl import graph_component  # noqa: E402

SCRATCH = tempfile.mkdtemp(prefix="kfr-kfp-oracle-")
GROUP_KEY = re.compile(r"^(for-loop|condition|condition-branches|exit-handler)-[0-9]+$")


def pip_packages(command):
    """The packages a lightweight component's executor installs itself,
    without the kfp install the SDK adds."""
    packages = []
    for part in command:
        if "pip install" not in part:
            continue
        for segment in re.split(r"&&|\|\||\n|;", part):
            if "pip install" not in segment:
                continue
            try:
                words = shlex.split(segment)
            except ValueError:
                continue
            at = next((i for i in range(1, len(words)) if words[i] == "install" and words[i - 1] == "pip"), None)
            if at is None:
                continue
            args = words[at + 1 :]
            names, skip = [], False
            for w in args:
                if skip:
                    skip = False
                    continue
                if w in ("--index-url", "--extra-index-url", "--trusted-host", "-i"):
                    skip = True
                    continue
                if w.startswith("-") or w in ('"$0"', '"$@"', "$0", "$@"):
                    continue
                names.append(w)
            injected = "--no-deps" in args and any(n == f"kfp=={kfp.__version__}" for n in names)
            if not injected:
                packages.extend(names)
    return packages


def task_summary(spec, key, task, group):
    comps = spec.get("components", {})
    executors = spec.get("deploymentSpec", {}).get("executors", {})
    ref = task.get("componentRef", {}).get("name", "")
    comp = comps.get(ref, {})
    if GROUP_KEY.match(key) and ref == f"comp-{key}":
        kind = "group"
    elif "dag" in comp:
        kind = "pipeline"
    else:
        executor = executors.get(comp.get("executorLabel", ""), {})
        kind = "importer" if "importer" in executor else "container"
    image, packages = None, []
    if kind == "container":
        container = executors.get(comp.get("executorLabel", ""), {}).get("container", {})
        image = container.get("image")
        packages = pip_packages(container.get("command", []))
    consumes = []
    inputs = task.get("inputs", {})
    for section, field, out_key in (
        ("artifacts", "taskOutputArtifact", "outputArtifactKey"),
        ("parameters", "taskOutputParameter", "outputParameterKey"),
    ):
        for _, value in sorted(inputs.get(section, {}).items()):
            src = value.get(field)
            if src:
                consumes.append(f"{src['producerTask']}.{src[out_key]}")
    retry = task.get("retryPolicy")
    interface = {}
    if kind != "group":
        for side, defs in (("inputs", comp.get("inputDefinitions", {})), ("outputs", comp.get("outputDefinitions", {}))):
            types = {}
            for name, d in defs.get("parameters", {}).items():
                types[name] = d.get("parameterType")
            for name, d in defs.get("artifacts", {}).items():
                title = d.get("artifactType", {}).get("schemaTitle")
                types[name] = f"{title}[]" if d.get("isArtifactList") else title
            interface[side] = types
    return {
        "group": group,
        "kind": kind,
        "display_name": task.get("taskInfo", {}).get("name"),
        "dependentTasks": task.get("dependentTasks", []),
        "consumes": sorted(set(consumes)),
        "retries": int(retry.get("maxRetryCount", 0)) if retry else None,
        "caching": bool(task.get("cachingOptions", {}).get("enableCache", False)) if kind != "group" else None,
        "image": image,
        "packages": packages,
        "interface": interface,
    }


def summarize(spec):
    """Every task of the root DAG and of its group DAGs, by task key."""
    comps = spec.get("components", {})
    tasks = {}

    def walk(dag, group, depth=0):
        for key, task in sorted(dag.get("tasks", {}).items()):
            tasks[key] = task_summary(spec, key, task, group)
            ref = task.get("componentRef", {}).get("name", "")
            if tasks[key]["kind"] == "group" and depth < 64:
                walk(comps.get(ref, {}).get("dag", {}), key, depth + 1)

    walk(spec.get("root", {}).get("dag", {}), None)
    return {
        "display_name": spec.get("pipelineInfo", {}).get("displayName"),
        "description": spec.get("pipelineInfo", {}).get("description"),
        "tasks": tasks,
    }


def import_error(exc, path):
    tb = traceback.extract_tb(exc.__traceback__)
    line = getattr(exc, "lineno", None) if isinstance(exc, SyntaxError) else None
    for frame in tb:
        if os.path.abspath(frame.filename) == os.path.abspath(path):
            line = frame.lineno
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return {"type": type(exc).__name__, "message": message, "line": line}


def run_fixture(folder, name):
    path = os.path.join(folder, name)
    stem = os.path.splitext(name)[0]
    spec = importlib.util.spec_from_file_location(f"kfr_fixture_{stem}", path)
    module = importlib.util.module_from_spec(spec)
    errors = []
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - the error is the answer
        errors.append(import_error(exc, path))
    finally:
        os.chdir(cwd)
    pipelines, compiled, seen = {}, {}, set()
    for attr, value in sorted(vars(module).items()):
        if not isinstance(value, graph_component.GraphComponent) or id(value) in seen:
            continue
        seen.add(id(value))
        out = os.path.join(folder, "compiled", stem, f"{value.name}.yaml")
        tmp = os.path.join(SCRATCH, f"{stem}.{value.name}.yaml")
        try:
            compiler.Compiler().compile(value, tmp)
        except Exception as exc:  # noqa: BLE001 - the error is the answer
            error = import_error(exc, path)
            if error["line"] is None:
                # raised by the compiler, not by the file: at the pipeline's decorator
                try:
                    error["line"] = inspect.getsourcelines(value.pipeline_func)[1]
                except (OSError, TypeError):
                    pass
            errors.append(error)
            continue
        with open(tmp) as f:
            text = f.read()
        os.remove(tmp)
        docs = list(yaml.safe_load_all(text))
        summary = summarize(docs[0])
        summary["function"] = attr
        pipelines[value.name] = summary
        compiled[out] = text
    answer = {
        "kfp_version": kfp.__version__,
        "file": name,
        "errors": errors,
        "pipelines": pipelines,
    }
    return stem, answer, compiled


def main():
    args = sys.argv[1:]
    check = "--check" in args
    args = [a for a in args if a != "--check"]
    folder = os.path.abspath(args[0] if args else os.path.dirname(__file__))
    # fixtures import their shared modules from the fixture folder
    sys.path.insert(0, folder)
    names = args[1:] or sorted(
        n for n in os.listdir(folder) if n.endswith(".py") and n != os.path.basename(__file__)
    )
    out_dir = os.path.join(folder, "expected")
    differ = []
    for name in names:
        name = os.path.basename(name)
        stem, answer, compiled = run_fixture(folder, name)
        text = json.dumps(answer, indent=2, sort_keys=True) + "\n"
        expected_path = os.path.join(out_dir, f"{stem}.json")
        if check:
            files = [(expected_path, text)] + sorted(compiled.items())
            for p, t in files:
                old = open(p).read() if os.path.exists(p) else None
                if old != t:
                    differ.append(os.path.relpath(p, folder))
            continue
        os.makedirs(out_dir, exist_ok=True)
        with open(expected_path, "w") as f:
            f.write(text)
        for p, t in compiled.items():
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w") as f:
                f.write(t)
        n = sum(len(p["tasks"]) for p in answer["pipelines"].values())
        err = f", error: {answer['errors'][0]['type']}" if answer["errors"] else ""
        print(f"{name}: {len(answer['pipelines'])} pipelines, {n} tasks{err}")
    if check:
        if differ:
            print("differs from the committed answer:", *differ, sep="\n  ")
            sys.exit(1)
        print(f"{len(names)} fixtures: the KFP SDK {kfp.__version__} agrees with the committed answers")


if __name__ == "__main__":
    main()
