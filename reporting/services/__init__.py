"""Every write of reporting: the activity moved from Redis, the daily rollups, the surveys."""

from reporting.services.activity import activity_flush, activity_purge
from reporting.services.rollups import kpi_rollup, kpi_rollup_recent
from reporting.services.surveys import surveys_start

__all__ = ["activity_flush", "activity_purge", "kpi_rollup", "kpi_rollup_recent", "surveys_start"]
