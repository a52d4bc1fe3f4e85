"""Bid-shading model refresh for the programmatic ads exchanges.

Written before dsl.If existed in our SDK version, so it still uses the
deprecated dsl.Condition. For every exchange (pipeline param) we try every
shading strategy (hard-coded below), keep the best one per exchange and
then write a combined report -- but only when `retrain` is set.

Retry budgets per tier: tier-1 exchanges get more retries (their APIs are
flakier, not because they matter more... ok, also because they matter more).
"""
from typing import List

from kfp import compiler, dsl
from kfp.dsl import Dataset, Input, Output

BIDDING_IMAGE = "us-docker.pkg.dev/acme-ads/bidding/shader:3.4.1"
MAX_RETRIES = 4

SHADING_STRATEGIES = [
    {"strategy": "linear", "alpha": "0.8"},
    {"strategy": "logistic", "alpha": "1.2"},
]
EXCHANGE_TIERS = ["tier-1", "tier-2", "tier-3"]


@dsl.component(base_image=BIDDING_IMAGE, packages_to_install=["google-cloud-bigquery[pandas]==3.11.4"])
def pull_auction_logs(exchange: str, hours: int, logs: Output[Dataset]):
    with open(logs.path, "w") as fh:
        fh.write(f"{exchange} last {hours}h\n")


@dsl.component(base_image=BIDDING_IMAGE)
def fit_bid_shader(logs: Input[Dataset], strategy: str, alpha: str) -> float:
    print(f"fitting {strategy}(alpha={alpha}) on {logs.uri}")
    return 0.93 if strategy == "logistic" else 0.9


@dsl.component(base_image=BIDDING_IMAGE)
def pick_best_strategy(surplus_scores: List[float], exchange: str) -> str:
    best = max(range(len(surplus_scores)), key=lambda i: surplus_scores[i])
    return f"{exchange}:{best}"


@dsl.component(base_image=BIDDING_IMAGE)
def write_shading_report(winners: List[str], report: Output[Dataset]):
    with open(report.path, "w") as fh:
        fh.write("\n".join(winners))


@dsl.component(base_image=BIDDING_IMAGE)
def refresh_tier_floor_prices(tier: str) -> float:
    return {"tier-1": 0.5, "tier-2": 0.3}.get(tier, 0.1)


@dsl.pipeline(name="bid-shading-refresh")
def bid_shading_refresh(
    exchanges: List[str] = ["adx", "openx", "magnite"],
    hours: int = 24,
    retrain: bool = True,
):
    for i, tier in enumerate(EXCHANGE_TIERS):
        floors = refresh_tier_floor_prices(tier=tier)
        floors.set_retry(MAX_RETRIES - i, backoff_duration="30s")
        floors.set_caching_options(True)

    with dsl.Condition(retrain == True, name="retrain-enabled"):  # noqa: E712
        with dsl.ParallelFor(exchanges, parallelism=3) as exchange:
            logs = pull_auction_logs(exchange=exchange, hours=hours)
            logs.set_caching_options(False)
            with dsl.ParallelFor(SHADING_STRATEGIES) as s:
                fit = fit_bid_shader(logs=logs.outputs["logs"], strategy=s.strategy, alpha=s.alpha)
                fit.set_retry(num_retries=MAX_RETRIES)
            best = pick_best_strategy(surplus_scores=dsl.Collected(fit.output), exchange=exchange)
        write_shading_report(winners=dsl.Collected(best.output))


if __name__ == "__main__":
    compiler.Compiler().compile(bid_shading_refresh, "bid_shading_refresh.yaml")
