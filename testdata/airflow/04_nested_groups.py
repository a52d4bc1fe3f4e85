"""Image model training with nested task groups."""
from datetime import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG, TaskGroup

with DAG(
    dag_id="vision_train",
    start_date=datetime(2024, 1, 1),
    schedule=None,
    default_args={"owner": "vision", "retries": 1},
) as dag:
    begin = EmptyOperator(task_id="begin")

    with TaskGroup("prepare", tooltip="download and split") as prepare:
        download = BashOperator(task_id="download", bash_command="python dl.py --out data/images.tar")
        with TaskGroup("split") as split:
            train_split = BashOperator(task_id="train", bash_command="python split.py train")
            val_split = BashOperator(task_id="val", bash_command="python split.py val")
        download >> split

    with TaskGroup("fit", prefix_group_id=False, default_args={"retries": 4}) as fit:
        resnet = BashOperator(task_id="fit_resnet", bash_command="python fit.py resnet")
        vit = BashOperator(task_id="fit_vit", bash_command="python fit.py vit", retries=2)

    done = EmptyOperator(task_id="done")
    begin >> prepare >> fit >> done
