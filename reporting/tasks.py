from celery import shared_task

from reporting import services


@shared_task(name="reporting.rollup_recent_days", acks_late=True, ignore_result=True)
def rollup_recent_days() -> int:
    return services.kpi_rollup_recent()
