"""Store-level sales forecasting: tasks generated from Python config.

Instead of ParallelFor we unroll the store clusters in Python so each one
gets its own resources and retry budget (the big clusters OOM on the
default node pool). The config dict below is the source of truth;
ops edits it directly (yes, really).
"""
from typing import Dict

from kfp import compiler, dsl
from kfp.dsl import Dataset, Input, Model, Output

FORECAST_IMAGE = "gcr.io/acme-forecast/lgbm-runner:3.1"
DEFAULT_RETRIES = 3
ENABLE_BACKTEST = True
ENABLE_SHADOW_MODEL = False

STORE_CLUSTERS = ["metro", "suburban", "rural"]

CLUSTER_CONFIG: Dict[str, dict] = {
    "metro": {"memory": "32G", "cpu": "8", "retries": 5, "horizon": 28},
    "suburban": {"memory": "16G", "cpu": "4", "retries": 2, "horizon": 28},
    "rural": {"memory": "8G", "cpu": "2", "retries": 1, "horizon": 14},
}


@dsl.component(base_image=FORECAST_IMAGE)
def extract_sales(cluster: str, history_weeks: int, sales: Output[Dataset]):
    with open(sales.path, "w") as fh:
        fh.write(f"cluster={cluster},weeks={history_weeks}\n")


@dsl.component(base_image=FORECAST_IMAGE, packages_to_install=["lightgbm==4.3.0", "pandas>=2.1"])
def train_forecaster(sales: Input[Dataset], horizon: int, model: Output[Model]) -> float:
    with open(model.path, "w") as fh:
        fh.write(f"h={horizon} data={sales.uri}")
    return 0.12  # wMAPE on the last fold


@dsl.component(base_image=FORECAST_IMAGE)
def backtest(model: Input[Model], folds: int = 4) -> float:
    print(f"backtesting {model.uri} over {folds} folds")
    return 0.14


@dsl.component(base_image=FORECAST_IMAGE)
def publish_forecasts(cluster: str, wmape: float, table: str = "acme-forecast.serving.store_forecasts"):
    print(f"{cluster}: wmape={wmape:.3f} -> {table}")


def add_cluster_training(cluster: str, cfg: dict, history_weeks: int):
    """Creates extract + train for one cluster and applies its resources."""
    sales = extract_sales(cluster=cluster, history_weeks=history_weeks)
    sales.set_display_name(f"extract-{cluster}")
    sales.set_retry(DEFAULT_RETRIES)

    train = train_forecaster(sales=sales.outputs["sales"], horizon=cfg["horizon"])
    train.set_display_name(f"train-{cluster}-h{cfg['horizon']}")
    train.set_memory_limit(cfg["memory"]).set_cpu_limit(cfg["cpu"])
    train.set_retry(num_retries=cfg["retries"], backoff_duration="60s", backoff_factor=2.0)
    return train


@dsl.pipeline(name="store-sales-forecast")
def store_forecast(history_weeks: int = 104):
    for cluster in STORE_CLUSTERS:
        train = add_cluster_training(cluster, CLUSTER_CONFIG[cluster], history_weeks)
        if ENABLE_BACKTEST:
            bt = backtest(model=train.outputs["model"])
            bt.set_display_name(f"backtest-{cluster}")
        pub = publish_forecasts(cluster=cluster, wmape=train.outputs["Output"])
        if ENABLE_BACKTEST:
            pub.after(bt)

    if ENABLE_SHADOW_MODEL:
        # disabled until the shadow serving table exists
        add_cluster_training("shadow", CLUSTER_CONFIG["metro"], history_weeks)


# retries escalate per attempt number: 0, 1, 2 ... (ops asked for this, don't ask)
@dsl.pipeline(name="forecast-extract-smoke")
def extract_smoke(history_weeks: int = 4):
    for attempt, cluster in enumerate(STORE_CLUSTERS):
        extract_sales(cluster=cluster, history_weeks=history_weeks).set_retry(attempt + 1).set_caching_options(True)


if __name__ == "__main__":
    compiler.Compiler().compile(store_forecast, "store_forecast.yaml")
    compiler.Compiler().compile(extract_smoke, "extract_smoke.yaml")
