"""The single queued task: "run job N". What a job does lives in its app's services."""
from django_tasks import task

from chizai.core import jobs


@task()
def run_job(job_id: int) -> str:
    return jobs.execute(job_id)
