"""Sensor anomaly detection for the factory-floor IoT fleet.

This pipeline is where we try out the component packaging options before
rolling them out elsewhere:
  * the scorer is a containerized component (target_image, built with
    `kfp component build`),
  * the feature step installs from our internal index + a git URL,
  * the alerting step runs in a venv because the base image has an
    ancient system `requests`,
  * the report step skips the kfp install (image already has it).
"""
from typing import List

import kfp
from kfp import dsl
from kfp.dsl import Dataset, Input, Metrics, Model, Output

INTERNAL_INDEX = "https://pypi.acme-iot.internal/simple"
PUBLIC_INDEX = "https://pypi.org/simple"


@dsl.component(
    base_image="python:3.11-slim",
    packages_to_install=[
        "pandas",
        "numpy>=1.26",
        "scikit-learn~=1.4",
        "acme-sensor-utils==0.9.3",
        "git+https://github.com/acme-iot/tsfeatures.git@v0.4.1",
    ],
    pip_index_urls=[INTERNAL_INDEX, PUBLIC_INDEX],
    pip_trusted_hosts=["pypi.acme-iot.internal"],
)
def build_window_features(readings_uri: str, window_minutes: int, features: Output[Dataset]):
    import pandas as pd

    df = pd.read_parquet(readings_uri)
    df.rolling(f"{window_minutes}min", on="ts").mean().to_parquet(features.path)


@dsl.component(
    base_image="python:3.11-slim",
    target_image="europe-docker.pkg.dev/acme-iot/components/isoforest-scorer:v3",
    packages_to_install=["scikit-learn~=1.4", "joblib"],
)
def score_isolation_forest(features: Input[Dataset], contamination: float, model: Output[Model], metrics: Output[Metrics]) -> int:
    from sklearn.ensemble import IsolationForest

    clf = IsolationForest(contamination=contamination)
    print(clf, features.path, model.path)
    metrics.log_metric("anomalies", 3)
    return 3


@dsl.component(base_image="python:3.8", packages_to_install=["requests==2.32.3"], use_venv=True)
def page_plant_manager(plant: str, anomalies: int, recipients: List[str]):
    import requests  # noqa: F401

    print(f"{plant}: {anomalies} anomalies -> {', '.join(recipients)}")


@dsl.component(
    base_image="europe-docker.pkg.dev/acme-iot/base/kfp-runtime:2.7",
    packages_to_install=["tabulate"],
    install_kfp_package=False,
)
def weekly_report(anomalies: int, plant: str) -> str:
    return f"{plant}: {anomalies} anomalies this week"


@dsl.component(install_kfp_package=False, base_image="europe-docker.pkg.dev/acme-iot/base/kfp-runtime:2.7")
def heartbeat(plant: str):
    print("alive", plant)


@dsl.pipeline(name="iot-anomaly-detection")
def iot_anomaly(
    readings_uri: str = "gs://acme-iot-raw/plant-7/readings/latest.parquet",
    plant: str = "plant-7",
    window_minutes: int = 15,
    contamination: float = 0.01,
    recipients: List[str] = ["ops-lead@acme.example", "oncall@acme.example"],
):
    heartbeat(plant=plant)
    feats = build_window_features(readings_uri=readings_uri, window_minutes=window_minutes)
    scored = score_isolation_forest(features=feats.outputs["features"], contamination=contamination)
    with dsl.If(scored.outputs["Output"] > 0):
        page_plant_manager(plant=plant, anomalies=scored.outputs["Output"], recipients=recipients)
    weekly_report(anomalies=scored.outputs["Output"], plant=plant)


if __name__ == "__main__":
    kfp.compiler.Compiler().compile(iot_anomaly, "iot_anomaly.yaml")
