"""Shared steps of the ranking team's pipelines.

Import from the package, not the modules: `from ranking_steps import ...`.
"""
from .features import build_query_features
from .train import train_ranker
from .settings import RANKER_IMAGE  # noqa: F401  (re-exported for pipelines)
