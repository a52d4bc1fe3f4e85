"""Multi-tenant report generation (BROKEN -- does not compile).

Each tenant config is a dict with a "name" key. Looping over the literal list
and reading `tenant.name` looks fine, but `name` is an attribute of the loop
variable itself, so KFP does not treat it as a dict field and compilation
blows up. Kept as-is so the linter has a known-bad fixture.
"""
from kfp import compiler, dsl

TENANTS = [
    {"name": "globex", "bucket": "gs://acme-tenants/globex", "tier": "gold"},
    {"name": "initech", "bucket": "gs://acme-tenants/initech", "tier": "silver"},
]


@dsl.component(base_image="python:3.11-slim", packages_to_install=["jinja2>=3.1"])
def render_report(tenant_name: str, bucket: str, tier: str) -> str:
    import jinja2

    tpl = jinja2.Template("Report for {{ t }} ({{ tier }})")
    out = f"{bucket}/reports/latest.html"
    with open("/tmp/report.html", "w") as fh:
        fh.write(tpl.render(t=tenant_name, tier=tier))
    return out


@dsl.component(base_image="python:3.11-slim")
def email_report(tenant_name: str, report_uri: str):
    print(f"emailing {report_uri} to admins of {tenant_name}")


@dsl.pipeline(name="tenant-reports")
def tenant_reports():
    with dsl.ParallelFor(TENANTS, parallelism=4) as tenant:
        rep = render_report(tenant_name=tenant.name, bucket=tenant.bucket, tier=tenant.tier)
        email_report(tenant_name=tenant.name, report_uri=rep.output)


if __name__ == "__main__":
    compiler.Compiler().compile(tenant_reports, "tenant_reports.yaml")
