# -*- pipeline de scoring : équipe données -*-
from kfp import dsl

# Propriétaire : équipe données (Sécurité)


@dsl.component(base_image="python:3.11.9-slim")
def score(rows: int) -> float:
    return rows * 0.5


@dsl.pipeline(name="scoring")
def scoring():
    score(rows=10).set_retry(2)
