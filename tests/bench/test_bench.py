"""The benchmark's own pieces: the trivial view, wrk's output, the report."""

from __future__ import annotations

from bench.run import markdown, parse_wrk
from config.views import TRIVIAL_BODY, bench_trivial

WRK_OUTPUT = """\
Running 20s test @ http://127.0.0.1:40123/bench/trivial/
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.12ms    2.01ms  31.77ms   80.12%
    Req/Sec   380.12     40.00   470.00     70.00%
  Latency Distribution
     50%    4.76ms
     75%    6.01ms
     90%    7.90ms
     99%    1.02s
  15140 requests in 20.00s, 78.56MB read
  Non-2xx or 3xx responses: 3
Requests/sec:    757.00
Transfer/sec:      3.93MB
"""


def test_trivial_view_answers_five_kilobytes(rf):
    response = bench_trivial(rf.get("/bench/trivial/"))

    assert response.status_code == 200
    assert len(response.content) == len(TRIVIAL_BODY.encode()) == 5120


def test_trivial_view_is_not_routed_unless_benchmark_views_are_on(client, db):
    assert client.get("/bench/trivial/").status_code == 404


def test_wrk_output_gives_requests_per_second_latency_percentiles_and_errors():
    result = parse_wrk(WRK_OUTPUT)

    assert result["requests_per_s"] == 757.0
    assert result["p50_ms"] == 4.76
    assert result["p90_ms"] == 7.9
    assert result["p99_ms"] == 1020.0
    assert result["requests"] == 15140
    assert result["non_2xx"] == 3


def test_report_table_gives_each_page_its_ratio_to_the_trivial_view_and_notes_skipped_pages():
    report = {
        "date": "2026-11-22T03:50:11+00:00",
        "duration_s": 20,
        "machine": {"cpus": 2, "memory_gib": 23.5, "python": "3.11.7", "postgresql": "16.2"},
        "pages": [
            {"name": "trivial view (5 KB)", "queries": 0, "requests_per_s": 800.0, "p50_ms": 4, "p90_ms": 6,
             "p99_ms": 9, "non_2xx": 0},
            {"name": "home", "queries": 3, "requests_per_s": 200.0, "p50_ms": 18, "p90_ms": 30, "p99_ms": 40,
             "non_2xx": 0},
            {"name": "whole view", "queries": 2, "requests_per_s": 400.0, "per_unit": 2, "p50_ms": 9,
             "p90_ms": 12, "p99_ms": 20, "non_2xx": 1, "shared_stored": 1500},
            {"name": "search", "note": "not on this branch yet"},
        ],
    }  # fmt: skip

    table = markdown(report)

    assert "| home | 3 | 200 |  | 18 | 30 | 40 | 25.0% |  | 0 |  |" in table
    # A whole view is two requests: its rate and ratio are of views.
    assert "| whole view | 2 | 400 | 200 | 9 | 12 | 20 | 25.0% | 1,500 | 1 |  |" in table
    assert "| search | | | | | | | | | | not on this branch yet |" in table
