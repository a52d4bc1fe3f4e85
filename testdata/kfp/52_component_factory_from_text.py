"""Shard exports: one export component per warehouse region.

The component text is templated per region (the image tag and the bucket
differ), so every call of `export_op` loads a component of its own. The
spec is kept inline because the platform team's component registry
does not do v2 yet.
"""
from kfp import compiler, components, dsl

_EXPORT_TEMPLATE = """
name: Export shard
description: Export one region's shard of the events table.
inputs:
- {name: day, type: String}
- {name: limit, type: Integer, default: '0', optional: true}
outputs:
- {name: shard, type: Dataset}
- {name: row_count, type: Integer}
implementation:
  container:
    image: registry.acme.io/exporter:%(tag)s
    command: [python, -m, exporter.run]
    args:
    - --bucket=gs://acme-%(region)s-events
    - --day
    - {inputValue: day}
    - if:
        cond: {isPresent: limit}
        then: [--limit, {inputValue: limit}]
    - --out
    - {outputPath: shard}
    - --count-file
    - {outputPath: row_count}
"""


def export_op(region, tag="2024.06.1"):
    # TODO(data-eng): move to load_component_from_file once the registry has v2
    return components.load_component_from_text(_EXPORT_TEMPLATE % {"region": region, "tag": tag})


@dsl.component(base_image="python:3.11.9-slim")
def merge_counts(eu: int, us: int) -> int:
    return eu + us


@dsl.pipeline(name="regional-shard-export")
def regional_export(day: str = "2024-06-01"):
    eu = export_op("eu")(day=day).set_retry(2)
    us = export_op("us", tag="2024.06.2")(day=day, limit=5000).set_retry(2)
    merge_counts(eu=eu.outputs["row_count"], us=us.outputs["row_count"]).set_retry(1)


if __name__ == "__main__":
    compiler.Compiler().compile(regional_export, "regional_export.yaml")
