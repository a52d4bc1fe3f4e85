"""Table sync generated from YAML/JSON config files next to the DAG.

Adding a table is a config change, not a code change.
"""
import json
import os
from datetime import datetime
from pathlib import Path

import yaml
from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

CONFIG_PATH = os.path.join(os.path.dirname(__file__), "configs", "tables.yaml")
with open(CONFIG_PATH) as f:
    config = yaml.safe_load(f)
extra = json.loads((Path(__file__).parent / "configs" / "extra.json").read_text())

with DAG(
    "yaml_driven_sync",
    schedule=config["schedule"],
    start_date=datetime(2024, 1, 1),
    default_args={"retries": config["default_retries"]},
):
    for table in config["tables"]:
        BashOperator(
            task_id=f"sync_{table['name']}",
            bash_command=f"python sync.py {table['name']}",
            retries=table.get("retries", 1),
        )
    for r in extra["reports"]:
        BashOperator(task_id=f"report_{r}", bash_command=f"python report.py {r}")
