# Rapport généré
from datetime import datetime
from airflow.sdk import DAG
with DAG("rapport", schedule=None, start_date=datetime(2024, 1, 1)):
    pass
