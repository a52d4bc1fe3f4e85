"""Per-region demand forecast fan-out.

Two loops:
  * over the `regions` pipeline parameter (list of strings), and
  * over a hard-coded list of model configs (dicts) - we read item.field.

The same `preprocess_sales` component is called several times on purpose:
once for the global rollup and once per region inside the loop.
"""
from kfp import compiler, dsl
from kfp.dsl import Dataset, Input, Output

# model configs the forecasting team currently cares about
# (keep in sync with configs/forecast_models.yaml ... which nobody does)
MODEL_CONFIGS = [
    {"model": "prophet", "horizon": 14, "seasonality": "weekly"},
    {"model": "arima", "horizon": 7, "seasonality": "none"},
    {"model": "lgbm", "horizon": 28, "seasonality": "monthly"},
]


@dsl.component(packages_to_install=["pandas>=2.0", "gcsfs"])
def preprocess_sales(raw_uri: str, region: str, cleaned: Output[Dataset]):
    import pandas as pd

    df = pd.read_csv(raw_uri)
    if region != "ALL":
        df = df[df["region"] == region]
    df = df.dropna(subset=["units"])
    df.to_csv(cleaned.path, index=False)


@dsl.component(packages_to_install=["pandas>=2.0"])
def fit_forecaster(
    sales: Input[Dataset], model_name: str, horizon: str, seasonality: str
) -> str:
    # horizon is a str because loop items over dicts come through as strings
    # (KFP refused `int` here: "Argument type 'STRING' is incompatible")
    import pandas as pd

    horizon = int(horizon)

    df = pd.read_csv(sales.path)
    print(f"fitting {model_name} h={horizon} s={seasonality} on {len(df)} rows")
    return f"{model_name}-h{horizon}"


@dsl.component
def publish_forecast(region: str, model_tag: str, dry_run: bool = True):
    print(("DRY RUN " if dry_run else "") + f"publishing {model_tag} for {region}")


@dsl.pipeline(name="regional-demand-forecast")
def demand_forecast(
    raw_uri: str = "gs://acme-sales/exports/daily_sales.csv",
    regions: list = ["emea", "amer", "apac"],
    dry_run: bool = True,
):
    # global rollup first
    rollup = preprocess_sales(raw_uri=raw_uri, region="ALL")

    with dsl.ParallelFor(items=regions) as region:
        regional = preprocess_sales(raw_uri=raw_uri, region=region)
        fit = fit_forecaster(
            sales=regional.outputs["cleaned"], model_name="lgbm", horizon="28", seasonality="weekly"
        )
        publish_forecast(region=region, model_tag=fit.output, dry_run=dry_run)

    with dsl.ParallelFor(items=MODEL_CONFIGS) as cfg:
        fit_forecaster(
            sales=rollup.outputs["cleaned"],
            model_name=cfg.model,
            horizon=cfg.horizon,
            seasonality=cfg.seasonality,
        )

    # and one more cleaned copy for the finance export (yes, third call)
    finance = preprocess_sales(raw_uri=raw_uri, region="FINANCE")
    finance.set_display_name("finance-export-clean")


if __name__ == "__main__":
    compiler.Compiler().compile(demand_forecast, "demand_forecast.yaml")
