"""Fraud model training pipeline (bash edition).

This is the "just run the scripts" version the DS team wrote before we had a
proper platform: every step is a shell command in the repo checkout on the
worker. It works, mostly. Known issues:

* ``pip install pandas`` is unpinned (KFR should complain, that's the point)
* the model and metrics are handed between steps as bare local paths
* no retries on training because "it's expensive" (it's 4 minutes)
"""
from datetime import datetime, timedelta

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

REPO_DIR = "/opt/ml/fraud-model"
VENV_ACTIVATE = "source .venv/bin/activate && "
FEATURES = "data/features.parquet"
MODEL_PATH = "models/model.pkl"
METRICS_PATH = "reports/metrics.json"

args = dict(
    owner="fraud-ds",
    retries=2,
    retry_delay=timedelta(minutes=3),
    depends_on_past=False,
)

dag = DAG(
    "fraud_model_training",
    default_args=args,
    schedule=timedelta(days=1),
    start_date=datetime(2023, 11, 1),
    catchup=False,
    max_active_runs=1,
    tags=["fraud", "training", "legacy"],
)

setup_env = BashOperator(
    task_id="setup_env",
    bash_command="""
        set -euo pipefail
        cd /opt/ml/fraud-model
        python -m venv .venv
        source .venv/bin/activate
        pip install -r requirements.txt
        pip install pandas
    """,
    dag=dag,
)

build_features = BashOperator(
    task_id="build_features",
    bash_command="cd " + REPO_DIR + " && " + VENV_ACTIVATE + "python pipelines/features.py --date {{ ds }} --output " + FEATURES,
    dag=dag,
)

train = BashOperator(
    task_id="train_model",
    bash_command="""
    set -e
    cd /opt/ml/fraud-model
    source .venv/bin/activate
    python pipelines/train.py --input data/features.parquet --output models/model.pkl \\
        --seed 42 --n-estimators 400
    ls -la models/
    """,
    retries=0,
    dag=dag,
)

evaluate = BashOperator(
    task_id="evaluate_model",
    bash_command="""cd /opt/ml/fraud-model && source .venv/bin/activate && \
python pipelines/evaluate.py models/model.pkl reports/metrics.json""",
    dag=dag,
)

# publish only if the metrics file says we beat the threshold
publish = BashOperator(
    task_id="publish_model",
    bash_command="cd " + REPO_DIR + " && "
    + "python -c \"import json,sys; m=json.load(open('" + METRICS_PATH + "')); sys.exit(0 if m['auc']>0.9 else 99)\" && "
    + "aws s3 cp " + MODEL_PATH + " s3://acme-fraud-models/{{ ds }}/model.pkl",
    skip_on_exit_code=99,
    dag=dag,
)

cleanup = BashOperator(
    task_id="cleanup_workspace",
    bash_command="rm -rf " + REPO_DIR + "/data/tmp_*",
    trigger_rule="all_done",
    retries=0,
    dag=dag,
)

# old smoke test, the script was deleted in the repo
# smoke = BashOperator(task_id="smoke", bash_command="python pipelines/smoke.py", dag=dag)

setup_env >> build_features >> train >> evaluate >> publish >> cleanup
