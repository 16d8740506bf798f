"""Every main page issues the same bounded number of SQL queries on a city ten times larger.

Two generated cities, at factors 0.002 (about 100 staff, 2,000 sessions) and 0.02 (about
1,000 staff, 20,000 sessions), are loaded one after the other; each known login opens
its main pages, and the statements each page sends are counted twice: with the
aggregate cache empty (core/versions.py), and again with it warm. A count that grows
with the data is an N+1 query or a list that is not paged.
"""

from datetime import date

from sqlalchemy import select
from tests_support import counted_queries, empty_all_tables

from lahti_dev.scale import generate_city
from lahti_pool.accounts.models import User
from lahti_pool.core import versions
from lahti_pool.extensions import db

#: the main pages of each known login (issue 7, plus the lists each role opens most)
PAGES = {
    "staff": ["/dashboard", "/my-sessions", "/slots/", "/slots/mine", "/supervisors/"],
    "admin": [
        "/admin/matching/",
        "/admin/matching/capacity",
        "/admin/approvals",
        "/budget",
        "/admin/requests",
        "/admin/statements",
        "/admin/supervisors/",
        "/admin/users/",
        "/slots/utilisation",
        "/reports/reach",
        "/reports/availability",
    ],
    "reports": [
        "/reports/feedback",
        "/slots/utilisation",
        "/budget",
        "/reports/reach",
        "/reports/availability",
    ],
    "supervisor": ["/workspace", "/slots/manage", "/statements", "/feedback/mine"],
}
#: no page may need more statements than this, however big the city
BOUND = 20


def _measure(app, today: date) -> dict[tuple[str, str], tuple[int, int]]:
    """(cold, warm) statement counts per (login, page)."""
    counts = {}
    with counted_queries() as statements:
        for login, paths in PAGES.items():
            user = db.session.scalar(select(User).where(User.email == f"{login}@city.example.fi"))
            client = app.test_client()
            client.login(user)
            client.get("/notifications")  # the first request of a client warms Flask itself
            for path in paths:
                versions.clear()
                statements.clear()
                cold = client.get(path)
                n_cold = len(statements)
                statements.clear()
                warm = client.get(path)
                assert (cold.status_code, warm.status_code) == (200, 200), (login, path)
                counts[login, path] = (n_cold, len(statements))
    return counts


def test_main_pages_query_counts_do_not_grow_with_the_city(ctx, client):
    app = ctx
    app.test_client_class = type(client)
    today = date.today()

    generate_city(factor=0.002, seed=7, today=today)
    small = _measure(app, today)
    db.session.remove()
    empty_all_tables()
    versions.clear()
    generate_city(factor=0.02, seed=7, today=today)
    large = _measure(app, today)

    grown = {page: (small[page], large[page]) for page in small if large[page] != small[page]}
    assert not grown, f"query counts changed with 10x data (small, large): {grown}"
    too_many = {page: n for page, n in large.items() if max(n) > BOUND}
    assert not too_many, f"pages over {BOUND} statements: {too_many}"
    # The cache does its work: the budget page's yearly sums are not recomputed.
    cold, warm = large["admin", "/budget"]
    assert warm < cold
