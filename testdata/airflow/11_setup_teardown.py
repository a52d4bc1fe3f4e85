"""Spark training on an ephemeral cluster (setup / teardown)."""
from datetime import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG, setup, task, teardown

with DAG("ephemeral_cluster_train", schedule="@daily", start_date=datetime(2024, 1, 1), default_args={"retries": 2}):

    @setup
    def create_cluster():
        return "cluster-1"

    @task
    def run_job(cluster_id):
        print(cluster_id)

    @teardown
    def delete_cluster(cluster_id):
        print("deleting", cluster_id)

    cluster = create_cluster()
    job = run_job(cluster)
    job >> delete_cluster(cluster)

    mount = BashOperator(task_id="mount_volume", bash_command="./mount.sh").as_setup()
    copy = BashOperator(task_id="copy_data", bash_command="rsync -a /mnt/in/ /data/in/")
    unmount = BashOperator(task_id="unmount_volume", bash_command="./umount.sh")
    mount >> copy >> unmount.as_teardown(setups=mount)
    copy >> job
