"""DAG ids from the file name -- the pattern every platform template uses."""
import os
from datetime import datetime
from pathlib import Path

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

DAG_ID = os.path.basename(__file__).replace(".py", "")
BACKFILL_ID = Path(__file__).stem + "_backfill"

with DAG(DAG_ID, schedule="@daily", start_date=datetime(2024, 1, 1), default_args={"retries": 1}):
    BashOperator(task_id="run", bash_command="python job.py")

with DAG(dag_id=BACKFILL_ID, schedule=None, start_date=datetime(2024, 1, 1)):
    BashOperator(task_id="run", bash_command="python job.py --backfill")
