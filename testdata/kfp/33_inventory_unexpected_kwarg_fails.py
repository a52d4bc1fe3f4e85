"""Inventory replenishment suggestions per distribution center (BROKEN).

What's wrong: `compute_reorder_points` was changed to take
`service_level` but the second pipeline still passes the old `safety_days=`
keyword, which the component doesn't have. KFP raises
'TypeError: compute-reorder-points() got an unexpected keyword argument "safety_days"'.
The first pipeline was updated and compiles.
"""
from typing import Dict

from kfp import compiler, dsl
from kfp.dsl import Dataset, Input, Output

SCM_IMAGE = "python:3.11-slim"
DCS = {"dc-east": 0.98, "dc-west": 0.95}


@dsl.component(base_image=SCM_IMAGE, packages_to_install=["pandas==2.2.2", "sqlalchemy<2.1"])
def load_stock_levels(warehouse_db_url: str, dc: str, stock: Output[Dataset]):
    # warehouse_db_url is a postgres:// DSN read live; caching should be off
    with open(stock.path, "w") as fh:
        fh.write(f"{dc} from {warehouse_db_url}\n")


@dsl.component(base_image=SCM_IMAGE, packages_to_install=["pandas==2.2.2", "scipy"])
def compute_reorder_points(stock: Input[Dataset], service_level: float, lead_time_days: int, reorder: Output[Dataset]):
    with open(reorder.path, "w") as fh:
        fh.write(f"z({service_level}) lt={lead_time_days} src={stock.uri}\n")


@dsl.component(base_image=SCM_IMAGE)
def push_purchase_suggestions(reorder: Input[Dataset], erp_endpoint: str, dry_run: bool = True) -> Dict[str, int]:
    print(f"{'DRY ' if dry_run else ''}POST {erp_endpoint} <- {reorder.uri}")
    return {"lines": 0}


@dsl.pipeline(name="dc-replenishment")
def dc_replenishment(warehouse_db_url: str = "postgresql://scm-ro@wh-db.acme.internal/wms", lead_time_days: int = 5):
    for dc, level in DCS.items():
        stock = load_stock_levels(warehouse_db_url=warehouse_db_url, dc=dc)
        stock.set_caching_options(False)
        rp = compute_reorder_points(stock=stock.outputs["stock"], service_level=level, lead_time_days=lead_time_days)
        push_purchase_suggestions(reorder=rp.outputs["reorder"], erp_endpoint="https://erp.acme.internal/po")


@dsl.pipeline(name="dc-replenishment-emergency")
def emergency_replenishment(warehouse_db_url: str = "postgresql://scm-ro@wh-db.acme.internal/wms", dc: str = "dc-east"):
    stock = load_stock_levels(warehouse_db_url=warehouse_db_url, dc=dc)
    # BUG: safety_days was renamed to service_level two sprints ago
    rp = compute_reorder_points(stock=stock.outputs["stock"], safety_days=3, lead_time_days=1)
    push_purchase_suggestions(reorder=rp.outputs["reorder"], erp_endpoint="https://erp.acme.internal/po", dry_run=False)


if __name__ == "__main__":
    compiler.Compiler().compile(dc_replenishment, "dc_replenishment.yaml")
    compiler.Compiler().compile(emergency_replenishment, "emergency_replenishment.yaml")
