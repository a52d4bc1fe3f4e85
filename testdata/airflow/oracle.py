"""Airflow's own answer for each fixture, for kfr's comparison test.

Run with a Python that has apache-airflow installed (a throwaway virtualenv,
never a dependency of kfr):

    python testdata/airflow/oracle.py testdata/airflow [FILE.py ...]

Each fixture is loaded alone with Airflow's DagBag and the result is written
to expected/<stem>.json: dag ids, schedules, task ids, upstream task ids and
effective retries, and the first line of any import error.
"""

import json
import os
import sys
import tempfile

home = tempfile.mkdtemp(prefix="kfr-airflow-home-")
os.environ.setdefault("AIRFLOW_HOME", home)
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__LOGGING__LOGGING_LEVEL"] = "ERROR"

import logging  # noqa: E402

logging.disable(logging.CRITICAL)

import airflow  # noqa: E402

try:
    from airflow.dag_processing.dagbag import DagBag  # Airflow 3.1+
except ImportError:  # pragma: no cover
    from airflow.models.dagbag import DagBag


def schedule_of(dag):
    for attr in ("schedule",):
        value = getattr(dag, attr, None)
        if value is None:
            continue
        return value if isinstance(value, str) else repr(value)
    return None


def load(path):
    bag = DagBag(path, safe_mode=False)
    errors = []
    for _, err in sorted(bag.import_errors.items()):
        first = next((l for l in str(err).strip().splitlines()[::-1] if l.strip()), "")
        errors.append(first.strip().replace(os.path.dirname(os.path.abspath(path)) + os.sep, ""))
    dags = {}
    for dag_id, dag in sorted(bag.dags.items()):
        tasks = {}
        for t in dag.tasks:
            tasks[t.task_id] = {
                "operator": type(t).__name__,
                "upstream": sorted(t.upstream_task_ids),
                "retries": int(t.retries or 0),
                "is_setup": bool(getattr(t, "is_setup", False)),
                "is_teardown": bool(getattr(t, "is_teardown", False)),
            }
        dags[dag_id] = {"schedule": schedule_of(dag), "tasks": tasks}
    return {
        "airflow_version": airflow.__version__,
        "file": os.path.basename(path),
        "import_errors": errors,
        "dags": dags,
    }


def main():
    folder = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(__file__))
    # Airflow puts the DAGs folder on sys.path: fixtures import dag_common/ from it
    sys.path.insert(0, folder)
    names = sys.argv[2:] or sorted(
        n for n in os.listdir(folder) if n.endswith(".py") and n != os.path.basename(__file__)
    )
    out_dir = os.path.join(folder, "expected")
    os.makedirs(out_dir, exist_ok=True)
    for name in names:
        path = os.path.join(folder, os.path.basename(name))
        result = load(path)
        stem = os.path.splitext(os.path.basename(name))[0]
        with open(os.path.join(out_dir, stem + ".json"), "w") as f:
            json.dump(result, f, indent=2, sort_keys=True)
            f.write("\n")
        n_tasks = sum(len(d["tasks"]) for d in result["dags"].values())
        print(f"{name}: {len(result['dags'])} DAGs, {n_tasks} tasks, {len(result['import_errors'])} import errors")


if __name__ == "__main__":
    main()
