"""Every write of reporting: the activity moved from Redis, and the daily rollups."""

from reporting.services.activity import activity_flush
from reporting.services.rollups import kpi_rollup, kpi_rollup_recent

__all__ = ["activity_flush", "kpi_rollup", "kpi_rollup_recent"]
