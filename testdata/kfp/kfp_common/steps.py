"""Steps every feature pipeline ends up needing."""
from kfp import dsl
from kfp.dsl import Dataset, Input

from kfp_common.images import BASE_IMAGE, FEAST_VERSION


def platform_component(**kwargs):
    """dsl.component pinned to the platform base image."""
    return dsl.component(base_image=BASE_IMAGE, **kwargs)


@platform_component(packages_to_install=[f"feast=={FEAST_VERSION}"])
def materialize_feature_view(features: Input[Dataset], feature_view: str, start: str, end: str) -> int:
    print(f"materializing {feature_view} [{start}, {end}) from {features.uri}")
    return 0


@dsl.component(base_image=BASE_IMAGE)
def write_audit_log(pipeline_name: str, message: str, audit_table: str = "acme-platform.audit.pipeline_events"):
    print(f"{audit_table} <- {pipeline_name}: {message}")
