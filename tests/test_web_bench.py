"""benchmarks/web_bench.py runs end to end on the demo data; no speed is asserted here."""

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lahti_pool.extensions import db

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "web_bench.py"

#: a tiny load, enough to see every page answer: 1 s per page, no warm-up
SMOKE = ["--duration", "1", "--warmup", "0", "--workers", "2", "--connections", "2"]


def _web_bench():
    spec = importlib.util.spec_from_file_location("web_bench", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("web_bench", module)
    spec.loader.exec_module(module)
    return module


web_bench = _web_bench()


def _run(database_url: str, *args: str) -> subprocess.CompletedProcess:
    # The benchmark needs wrk; a missing wrk is a broken setup, not a reason to skip.
    assert shutil.which("wrk"), (
        "wrk is missing: apt-get install wrk (scripts/install-system-deps.sh)"
    )
    command = [sys.executable, str(SCRIPT), "--database-url", database_url, *SMOKE, *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=150)


@pytest.fixture
def demo_database(ctx, database_url):
    """The demo city in the test database (the ``ctx`` fixture empties it afterwards)."""
    result = ctx.test_cli_runner().invoke(args=["pool", "demo"])
    assert result.exit_code == 0, result.output
    db.session.remove()  # hold no connection or lock while gunicorn uses the database
    return database_url


@pytest.mark.slow
def test_web_bench_measures_every_main_page_as_its_role(demo_database, tmp_path):
    report_path = tmp_path / "bench.json"
    done = _run(demo_database, "--email-domain", "demo.lahti.fi", "--json", str(report_path))
    assert done.returncode == 0, done.stderr + done.stdout

    report = json.loads(report_path.read_text())
    assert report["hello"]["path"] == web_bench.HELLO_PATH
    assert report["hello"]["requests_per_s"] > 0
    assert report["hello"]["statuses"] == {"200": report["hello"]["requests"]}
    floor = report["floor"]  # the layout around no content, logged in: 200, not a redirect
    assert (floor["path"], floor["role"]) == (web_bench.FLOOR_PATH, "staff")
    assert floor["statuses"] == {"200": floor["requests"]} and floor["requests"] > 0
    pages = [(row["path"], row["role"]) for row in report["pages"]]
    assert pages == [(page.path, page.role) for page in web_bench.PAGES]
    for row in report["pages"]:
        assert row["requests_per_s"] > 0, row
        # Every answer was 200: no redirect to /login, no 403 for a wrong role.
        assert row["statuses"] == {"200": row["requests"]}, row
        assert row["percent_of_hello"] > 0, row
    rows = [report["hello"], floor, *report["pages"]]
    # The whole machine's CPU includes the workers' own (summed: a 1 s run is a few ticks).
    assert all(row["machine_cpu_ms_per_request"] > 0 for row in rows)
    machine = sum(row["machine_cpu_ms_per_request"] * row["requests"] for row in rows)
    own = sum(row["worker_cpu_ms_per_request"] * row["requests"] for row in rows)
    assert machine >= 0.9 * own
    assert 0 <= report["setup"]["background_cpu_percent"] <= 100
    assert report["worker_memory"]["peak_rss_mb"] > 0
    assert report["worker_memory"]["workers_seen"] >= 2
    assert "| `/dashboard` | staff |" in done.stdout  # the Markdown table


@pytest.mark.slow
def test_web_bench_refuses_a_login_that_fails(demo_database):
    done = _run(
        demo_database,
        "--only",
        "/dashboard",
        "--staff-email",
        "nobody@demo.lahti.fi",
        "--email-domain",
        "demo.lahti.fi",
    )
    assert done.returncode == 2, done.stderr + done.stdout
    assert "logging in as staff (nobody@demo.lahti.fi) failed" in done.stderr


def test_the_bench_routes_are_not_in_the_production_app(app):
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    assert web_bench.HELLO_PATH not in rules
    assert web_bench.FLOOR_PATH not in rules


WRK_OUTPUT = """\
Running 1s test @ http://127.0.0.1:8000/dashboard
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.01ms    3.05ms  41.61ms   87.33%
    Req/Sec   330.90    149.89   410.00     60.00%
  Latency Distribution
     50%  826.00us
     75%    1.40ms
     90%    2.60ms
     99%    1.05s
  1798 requests in 1.00s, 0.89MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 3
Requests/sec:   1796.42
Transfer/sec:      0.89MB
STATUS_COUNTS {"200": 1790, "302": 5, "500": 3}
"""


def test_wrk_output_is_read_with_units_errors_and_redirects():
    result = web_bench.parse_wrk(WRK_OUTPUT)
    assert result.median_ms == pytest.approx(0.826)
    assert result.p99_ms == pytest.approx(1050.0)
    assert result.requests_per_s == pytest.approx(1796.42)
    assert result.requests == 1798
    assert result.non_2xx_3xx == 3
    assert result.socket_errors == {"connect": 0, "read": 2, "write": 0, "timeout": 1}
    assert result.non_200 == 8  # wrk counts redirects as success; the script does not


def test_machine_cpu_counts_every_state_but_idle_and_iowait_as_busy():
    ticks = web_bench.CLOCK_TICKS
    # user nice system idle iowait irq softirq steal guest guest_nice
    stat = "cpu  100 20 30 800 50 5 10 0 40 0\ncpu0 50 10 15 400 25 2 5 0 20 0\n"
    busy, total = web_bench.parse_proc_stat(stat)
    assert busy == pytest.approx(165 / ticks)  # guests are inside user already
    assert total == pytest.approx(1015 / ticks)


def _result(requests_per_s: float, p99_ms: float, statuses=None) -> "web_bench.WrkResult":
    statuses = statuses or {"200": 100}
    return web_bench.WrkResult(
        median_ms=p99_ms / 2,
        p99_ms=p99_ms,
        requests_per_s=requests_per_s,
        requests=sum(statuses.values()),
        non_2xx_3xx=0,
        socket_errors={"connect": 0, "read": 0, "write": 0, "timeout": 0},
        statuses=statuses,
    )


def test_a_page_is_judged_by_its_own_throughput_and_p99_not_by_its_share_of_hello():
    page = web_bench.Page("budget page", "/budget", "admin")
    hello = _result(3000, 1)
    slow_share = web_bench.page_row(page, _result(150, 30), hello)  # 5 % of hello
    assert slow_share["passed"], slow_share["failures"]
    assert slow_share["percent_of_hello"] == 5.0
    assert slow_share["below_reported_share_of_hello"]

    too_few = web_bench.page_row(page, _result(40, 30), hello)
    assert not too_few["passed"]
    assert too_few["failures"] == ["40 req/s < 50 req/s"]

    too_slow = web_bench.page_row(page, _result(2000, 120), hello)
    assert too_slow["failures"] == ["p99 120 ms >= 100 ms"]
    assert not too_slow["below_reported_share_of_hello"]

    redirected = web_bench.page_row(page, _result(800, 5, {"200": 90, "302": 10}), hello)
    assert not redirected["passed"]
