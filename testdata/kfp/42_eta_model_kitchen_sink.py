"""Delivery ETA model: weekly retrain per depot, everything in one file.

Structure (it grew, sorry):
  exit handler (always report to #eta-ml)
    └ for each depot (literal list of dicts)
        ├ extract GPS traces (k8s secret for the telematics API)
        ├ if depot.mode == "air": extra flight-delay features (nested pipeline)
        └ train + evaluate (nested pipeline, retries from the helper)
  then pick the global champion from the collected scores.
The road-graph snapshot is imported (same URI for every depot).
"""
from typing import List, NamedTuple

from kfp import compiler, components, dsl, kubernetes
from kfp.dsl import Dataset, Input, Model, Output, PipelineTaskFinalStatus

ETA_IMAGE = "us-docker.pkg.dev/acme-logistics/eta/eta-train:2024.09.1"
TRAIN_RETRIES = 2
ROAD_GRAPH_URI = "gs://acme-logistics-maps/road-graph/2024-09-01.osm.pbf"

DEPOTS = [
    {"depot": "ams-1", "mode": "road", "history_days": "90"},
    {"depot": "fra-2", "mode": "air", "history_days": "60"},
]

# old v1 spec still used by the telematics team
EXTRACT_TRACES_YAML = """
name: Extract GPS traces
inputs:
- {name: depot, type: String}
- {name: history_days, type: String, default: '30'}
outputs:
- {name: traces, type: Dataset}
implementation:
  container:
    image: gcr.io/acme-telematics/extract:4.0.0
    command: [extract-traces, --depot, {inputValue: depot}, --days, {inputValue: history_days}, --out, {outputPath: traces}]
"""
extract_traces_op = components.load_component_from_text(EXTRACT_TRACES_YAML)


@dsl.component(base_image=ETA_IMAGE, packages_to_install=["requests"])
def flight_delay_features(depot: str, traces: Input[Dataset], enriched: Output[Dataset]):
    with open(enriched.path, "w") as fh:
        fh.write(f"{depot}: flight delays joined onto {traces.uri}\n")


@dsl.component(base_image=ETA_IMAGE, packages_to_install=["lightgbm==4.3.0", "osmnx"])
def train_eta(traces: Input[Dataset], road_graph: Input[dsl.Artifact], model: Output[Model]) -> float:
    with open(model.path, "w") as fh:
        fh.write(f"eta gbm on {traces.uri} + {road_graph.uri}")
    return 4.2  # MAE minutes


@dsl.component(base_image="python:3.11-slim")
def depot_code(depot: str) -> str:
    return depot.upper()


@dsl.component(base_image=ETA_IMAGE)
def choose_champion(maes: List[float], max_mae: float = 6.0) -> str:
    return "ok" if min(maes) <= max_mae else "regressed"


@dsl.component(base_image="python:3.11-slim", packages_to_install=["slack_sdk==3.31.0"])
def report_to_slack(status: PipelineTaskFinalStatus, channel: str = "#eta-ml"):
    print(channel, status.state, status.error_message)


@dsl.pipeline(name="eta-air-enrichment")
def air_enrichment(depot: str, traces: Input[Dataset]) -> Dataset:
    fd = flight_delay_features(depot=depot, traces=traces)
    fd.set_caching_options(False)  # flight API data is live
    return fd.outputs["enriched"]


# must be defined before the pipelines: @dsl.pipeline runs the body right away
def configure_training(task):
    task.set_retry(TRAIN_RETRIES, backoff_duration="120s", backoff_factor=2.0, backoff_max_duration="1800s")
    task.set_cpu_limit("8").set_memory_limit("32G")
    return task


@dsl.pipeline(name="eta-train-one-depot")
def train_one_depot(traces: Input[Dataset], road_graph: Input[dsl.Artifact]) -> NamedTuple("DepotResult", [("mae", float), ("model", Model)]):
    t = configure_training(train_eta(traces=traces, road_graph=road_graph))
    Result = NamedTuple("DepotResult", [("mae", float), ("model", Model)])
    return Result(mae=t.outputs["Output"], model=t.outputs["model"])


@dsl.pipeline(name="ETA Weekly Retrain", description="Per-depot ETA retrain with a global champion check.")
def eta_weekly_retrain(max_mae: float = 6.0):
    status = report_to_slack(channel="#eta-ml")
    with dsl.ExitHandler(status, name="eta-retrain"):
        graph = dsl.importer(artifact_uri=ROAD_GRAPH_URI, artifact_class=dsl.Artifact, reimport=False)
        with dsl.ParallelFor(DEPOTS, parallelism=2) as d:
            traces = extract_traces_op(depot=d.depot, history_days=d.history_days)
            kubernetes.use_secret_as_env(traces, secret_name="telematics-api", secret_key_to_env={"token": "TELEMATICS_TOKEN"})
            # Workaround: using d.depot *inside* the If trips an SDK assertion
            # (kfp 2.17: "pipelinechannel--loop-item-param-N not found") for
            # loops over literal lists of dicts, so it goes through a task.
            code = depot_code(depot=d.depot)
            with dsl.If(d.mode == "air", name="air-depot"):
                air_enrichment(depot=code.output, traces=traces.outputs["traces"])
            result = train_one_depot(traces=traces.outputs["traces"], road_graph=graph.output)
            result.set_display_name("train-depot")
        choose_champion(maes=dsl.Collected(result.outputs["mae"]), max_mae=max_mae)


if __name__ == "__main__":
    compiler.Compiler().compile(eta_weekly_retrain, "eta_weekly_retrain.yaml")
