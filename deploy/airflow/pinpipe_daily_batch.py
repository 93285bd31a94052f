"""Example Airflow DAG for teams that already run Airflow: the same
land-flush -> batch -> verify workflow as `pinpipe scheduler`, each step a
`pinpipe` command. Every step is idempotent for its date, so retries and
backfills are safe. pinpipe itself does not need Airflow."""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

PINPIPE = "pinpipe --config /etc/pinpipe/pinpipe.toml"

with DAG(
    dag_id="pinpipe_daily_batch",
    schedule="0 8 * * *",
    start_date=datetime(2026, 11, 1),
    catchup=True,
    default_args={"retries": 2, "retry_delay": timedelta(seconds=30), "retry_exponential_backoff": True},
) as dag:
    land_flush = BashOperator(task_id="land_flush", bash_command=f"{PINPIPE} land --once")
    batch = BashOperator(task_id="batch", bash_command=f"{PINPIPE} batch --date {{{{ ds }}}}")
    verify = BashOperator(task_id="verify", bash_command=f"{PINPIPE} batch --date {{{{ ds }}}} --verify")
    land_flush >> batch >> verify
