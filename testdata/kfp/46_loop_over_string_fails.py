"""Per-region backtests (BROKEN -- does not compile).

`list_regions` returns the regions as one comma-separated string, and the
loop iterates over it: dsl.ParallelFor needs a list, so the SDK raises
"Cannot iterate over a single parameter".
"""
from typing import List

from kfp import dsl

IMAGE = "us-docker.pkg.dev/acme-forecast/ml/backtest:1.3.0"


@dsl.component(base_image=IMAGE)
def list_regions(market: str) -> str:
    return "emea,amer,apac"


@dsl.component(base_image=IMAGE)
def list_horizons() -> List[int]:
    return [7, 28]


@dsl.component(base_image=IMAGE)
def backtest(region: str, horizon: int) -> float:
    return 0.1


@dsl.pipeline(name="regional-backtests")
def regional_backtests(market: str = "retail"):
    regions = list_regions(market=market).set_retry(2)
    horizons = list_horizons().set_retry(2)
    with dsl.ParallelFor(horizons.output) as h:
        backtest(region="global", horizon=h).set_retry(1)
    with dsl.ParallelFor(
        regions.output,
        parallelism=3,
    ) as region:
        backtest(region=region, horizon=28).set_retry(1)
