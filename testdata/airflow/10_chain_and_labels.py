"""Model promotion with branching, labels, chain and cross_downstream."""
from datetime import datetime

from airflow.models.baseoperator import chain as af_chain, cross_downstream
from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.providers.standard.operators.python import BranchPythonOperator
from airflow.sdk import DAG, Label, TaskGroup


def _choose(**ctx):
    return "promote"


with DAG("model_promotion", schedule="@weekly", start_date=datetime(2024, 1, 1), default_args={"retries": 1}):
    e1 = BashOperator(task_id="eval_offline", bash_command="python eval.py offline")
    e2 = BashOperator(task_id="eval_shadow", bash_command="python eval.py shadow")
    r1 = BashOperator(task_id="report_md", bash_command="python report.py md")
    r2 = BashOperator(task_id="report_html", bash_command="python report.py html")
    cross_downstream([e1, e2], [r1, r2])

    decide = BranchPythonOperator(task_id="decide", python_callable=_choose)
    promote = BashOperator(task_id="promote", bash_command="python promote.py")
    hold = EmptyOperator(task_id="hold")
    [r1, r2] >> decide
    decide >> Label("metrics improved") >> promote
    decide >> Label("regression") >> hold

    with TaskGroup("notify") as notify:
        slack = BashOperator(task_id="slack", bash_command="python notify.py slack")
        email = BashOperator(task_id="email", bash_command="python notify.py email")

    s1 = EmptyOperator(task_id="s1")
    s2 = EmptyOperator(task_id="s2")
    t1 = EmptyOperator(task_id="t1")
    t2 = EmptyOperator(task_id="t2")
    af_chain(promote, [s1, s2], [t1, t2], notify)
    hold.set_downstream([slack])
    email.set_upstream(hold)
