from celery import shared_task

from reporting import services
from reporting.services import kpi_mail


@shared_task(name="reporting.rollup_recent_days", acks_late=True, ignore_result=True)
def rollup_recent_days() -> int:
    """Every hour (beat): today's and yesterday's rollups, and members' days past their keeping time."""
    services.activity_purge()
    return services.kpi_rollup_recent()


@shared_task(name="reporting.activity_flush", acks_late=True, ignore_result=True)
def activity_flush() -> int:
    """Every five minutes (beat): the day's activity counted in Redis goes to the database (absolute
    values, upserted: a rerun or two at once write the same rows)."""
    return services.activity_flush()


@shared_task(name="reporting.surveys_start", acks_late=True, ignore_result=True)
def surveys_start() -> int:
    """Every hour (beat): start the satisfaction surveys' rounds that are due (once each: a conditional
    update moves the survey's next date)."""
    return services.surveys_start()


@shared_task(name="reporting.kpi_mail_queue", acks_late=True, ignore_result=True)
def kpi_mail_queue() -> int:
    """Every hour (beat): on the first day of a week (or month), the KPI e-mail of the one that ended,
    once per member of the marketing group."""
    return kpi_mail.kpi_mail_queue()
