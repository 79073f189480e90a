from celery import shared_task

from reporting import services


@shared_task(name="reporting.rollup_recent_days", acks_late=True, ignore_result=True)
def rollup_recent_days() -> int:
    return services.kpi_rollup_recent()


@shared_task(name="reporting.activity_flush", acks_late=True, ignore_result=True)
def activity_flush() -> int:
    """Every five minutes (beat): the day's activity counted in Redis goes to the database (absolute
    values, upserted: a rerun or two at once write the same rows)."""
    return services.activity_flush()
