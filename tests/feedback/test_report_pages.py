"""The feedback report at scale: cells and comments paged, the same queries for more data."""

import re

import pytest
from tests_support import queries_for

from lahti_pool.extensions import db
from lahti_pool.feedback import services
from lahti_pool.feedback.models import FeedbackResponse
from lahti_pool.feedback.rules import term_of


def row_headers(page: str) -> int:
    return page.split("<tbody>", 1)[1].split("</tbody>", 1)[0].count('<th scope="row">')


def answers(supervisor, division, n, month, comment="", kind="individual"):
    for _ in range(n):
        db.session.add(
            FeedbackResponse(
                supervisor_id=supervisor.id,
                division_id=division.id if division else None,
                month=month,
                kind=kind,
                usefulness=4,
                atmosphere=5,
                arrangements=3,
                comment=comment,
            )
        )
    db.session.commit()


@pytest.fixture
def month(reported_month):
    return reported_month


def _period(month) -> str:
    return f"term={term_of(month).key}"


def test_the_report_pages_its_rows_fifty_at_a_time(client, reports_user, make_supervisor, month):
    people = [make_supervisor(name=f"Ohjaaja {n:02d}") for n in range(51)]
    for sup in people:
        answers(sup, None, 5, month)
    client.login(reports_user)
    url = f"/reports/feedback?by=supervisor&{_period(month)}"

    first, second = client.get(url).text, client.get(url + "&page=2").text

    assert row_headers(first) == 50 and row_headers(second) == 1
    for page in (first, second):
        assert "<td>255</td>" in page  # the total of every row, on every page
    assert "by=supervisor" in first.split('aria-label="Pages of the report"', 1)[1]


def test_comments_are_paged_apart_from_the_rows(
    client, reports_user, make_supervisor, division, month
):
    sup = make_supervisor(name="Aila")
    for n in range(60):
        answers(sup, division, 1, month, comment=f"Kommentti {n:02d}")
    client.login(reports_user)
    url = f"/reports/feedback?by=supervisor&{_period(month)}"

    first, second = client.get(url).text, client.get(url + "&comments=2").text

    shown = set(re.findall(r"Kommentti \d\d", first))
    assert len(shown) == 50
    assert len(set(re.findall(r"Kommentti \d\d", second)) - shown) == 10
    assert "comments=2" in first
    assert "<td>60</td>" in second  # the rows stay on their first page


def test_comments_without_a_division_are_shown_under_no_division(
    client, reports_user, make_supervisor, division, month
):
    sup = make_supervisor()
    answers(sup, None, 6, month, comment="Ei yksikköä")
    answers(sup, division, 6, month)
    client.login(reports_user)
    page = client.get(f"/reports/feedback?by=division&{_period(month)}").text
    comments = page.split('id="comments-heading"', 1)[1]
    assert "No division" in comments and "Ei yksikköä" in comments


def test_comments_of_hidden_cells_stay_hidden(make_supervisor, division, month):
    shown, hidden = make_supervisor(name="Shown"), make_supervisor(name="Hidden")
    answers(shown, division, 9, month, comment="visible")
    answers(hidden, division, 3, month, comment="SECRET")
    answers(make_supervisor(), division, 8, month)
    cells, _total = services.aggregate("supervisor", month, month, 5)
    comments = db.session.execute(services.comments_query("supervisor", month, month, cells))
    assert {r.comment for r in comments} == {"visible"}


@pytest.mark.parametrize(
    "url", ["/reports/feedback?by=supervisor", "/reports/feedback?by=month", "/feedback/mine"]
)
def test_report_pages_need_the_same_queries_for_ten_times_the_data(
    client, reports_user, make_supervisor, division, month, url
):
    own = make_supervisor()

    def grow(n):
        for _ in range(n):
            sup = make_supervisor()
            answers(sup, division, 6, month, comment="Hyvä")
            answers(own, division, 6, month, comment="Oma")

    grow(2)
    client.login(own.user if url == "/feedback/mine" else reports_user)
    few = queries_for(client, url)
    grow(20)
    assert queries_for(client, url) == few
