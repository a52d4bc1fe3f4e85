from kfp import components, dsl

# the component spec lives in another repository; nobody copied it here
validate = components.load_component_from_file("specs/validate_schema.yaml")


@dsl.component(base_image="python:3.11.9-slim")
def load(table: str) -> int:
    return 0


@dsl.pipeline(name="schema-gate")
def schema_gate(table: str = "ops.orders"):
    rows = load(table=table).set_retry(2).set_caching_options(False)
    validate(rows=rows.output)
