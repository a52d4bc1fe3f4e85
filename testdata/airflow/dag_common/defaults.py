"""Settings shared by the team's DAGs."""
from datetime import timedelta

from dag_common.owners import OWNER

DEFAULT_ARGS = {
    "owner": OWNER,
    "retries": 3,
    "retry_delay": timedelta(minutes=5),
}
REGIONS = ["eu", "us", "apac"]
NIGHTLY = "30 1 * * *"
