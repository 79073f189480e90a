"""Themes added beside the first four (reporting.services.rollups, reporting.reports): each module holds
its rollup tables' computation (registered with theme_register) and its report (report_register), and is
imported when the app is ready so that beat, the backfill command and the pages all know it."""
