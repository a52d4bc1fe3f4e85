"""Insurance claims triage: fraud screen + fast-track routing (BROKEN).

What's wrong: in `claims_triage`, `route_claims` sits *outside* the
`dsl.If` block but consumes `deep.outputs["risk_report"]`, produced by a
task *inside* it. When the condition is false that output never exists, so
the compiler raises InvalidTopologyException ("Illegal task dependency
across DSL context managers"). Wrapping route_claims in the If, or using
dsl.OneOf with an Else branch, fixes it.

`claims_intake` (first pipeline) is fine.
"""
from kfp import compiler, dsl
from kfp.dsl import Dataset, HTML, Input, Output

CLAIMS_IMAGE = "europe-docker.pkg.dev/acme-insure/claims/triage:7.2.0"


@dsl.component(base_image=CLAIMS_IMAGE, packages_to_install=["pandas==2.2.2"])
def ingest_claims(batch_id: str, claims_bucket: str, claims: Output[Dataset]) -> int:
    with open(claims.path, "w") as fh:
        fh.write(f"{claims_bucket}/{batch_id}\n")
    return 1200


@dsl.component(base_image=CLAIMS_IMAGE, packages_to_install=["xgboost==2.0.3"])
def quick_fraud_screen(claims: Input[Dataset], threshold: float) -> float:
    print(f"screening {claims.uri} at {threshold}")
    return 0.08


@dsl.component(base_image=CLAIMS_IMAGE)
def deep_investigation(claims: Input[Dataset], risk_report: Output[HTML], analysts: int = 3):
    with open(risk_report.path, "w") as fh:
        fh.write(f"<p>{analysts} analysts assigned to {claims.uri}</p>")


@dsl.component(base_image=CLAIMS_IMAGE)
def route_claims(claims: Input[Dataset], risk_report: Input[HTML], fast_track_limit: int):
    print(f"routing {claims.uri}, report {risk_report.uri}, fast-track <= {fast_track_limit}")


@dsl.pipeline(name="claims-intake")
def claims_intake(batch_id: str = "2024-08-01-am", claims_bucket: str = "gs://acme-insure-claims/incoming"):
    ing = ingest_claims(batch_id=batch_id, claims_bucket=claims_bucket)
    ing.set_caching_options(False)
    quick_fraud_screen(claims=ing.outputs["claims"], threshold=0.5)


@dsl.pipeline(name="claims-triage")
def claims_triage(
    batch_id: str = "2024-08-01-am",
    claims_bucket: str = "gs://acme-insure-claims/incoming",
    suspicious_rate: float = 0.05,
):
    ing = ingest_claims(batch_id=batch_id, claims_bucket=claims_bucket)
    screen = quick_fraud_screen(claims=ing.outputs["claims"], threshold=0.7)

    with dsl.If(screen.output > suspicious_rate, name="suspicious-batch"):
        deep = deep_investigation(claims=ing.outputs["claims"], analysts=5)
        deep.set_display_name("deep-investigation")

    # BUG: consumes an output produced inside the If above
    route_claims(claims=ing.outputs["claims"], risk_report=deep.outputs["risk_report"], fast_track_limit=2000)


if __name__ == "__main__":
    compiler.Compiler().compile(claims_triage, "claims_triage.yaml")
