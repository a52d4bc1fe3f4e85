from kfp import dsl
from kfp.dsl import Dataset, Input, Output

IMAGE = "python:3.11.9-slim@sha256:7d3e5f2a9c1b4e6d8f0a2c4e6b8d0f2a4c6e8b0d2f4a6c8e0b2d4f6a8c0e2b4d"


@dsl.component(base_image=IMAGE)
def prepare(rows: Output[Dataset]):
    open(rows.path, "w").write("a\n")


@dsl.component(base_image=IMAGE)
def train(rows: Input[Dataset]):
    print(open(rows.path).read())


@dsl.pipeline(name="neighbour")
def neighbour():
    rows = prepare()
    train(rows=rows.outputs["rows"]).set_retry(2)
