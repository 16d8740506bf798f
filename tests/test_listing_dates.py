"""core/listing.py gives exactly what Flask-Babel and ``url_for`` give, only memoised.

``Dates`` composes ``format_datetime`` from memos of the local date and time, and
``link_maker`` splits one ``url_for`` around a marker id. Both are re-implementations, so
each is compared with the library it stands for: in both languages, in the app's time
zone (Europe/Helsinki), across the 2026 daylight-saving changes and local midnight, for
aware and naive (UTC) values, each formatted through one ``Dates`` (whose memos must
never hand back a neighbour's text) and through a fresh one.
"""

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from flask import url_for
from flask_babel import format_date, format_datetime, format_time, get_locale, get_timezone

from lahti_pool.core.listing import Dates, link_maker

FORMATS = ("short", "medium", "long", "full")
HELSINKI = ZoneInfo("Europe/Helsinki")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


#: moments in UTC, each next to the one it could be confused with
MOMENTS = [
    # spring forward, Sunday 29 March 2026: 03:00 EET becomes 04:00 EEST at 01:00 UTC
    utc(2026, 3, 29, 0, 0),
    utc(2026, 3, 29, 0, 59, 59),
    utc(2026, 3, 29, 1, 0),
    utc(2026, 3, 29, 1, 0, 1),
    utc(2026, 3, 29, 1, 30),
    # fall back, Sunday 25 October 2026: 04:00 EEST becomes 03:00 EET at 01:00 UTC, so
    # 03:00-03:59 local comes twice (+03:00 first, then +02:00)
    utc(2026, 10, 25, 0, 0),
    utc(2026, 10, 25, 0, 30),
    utc(2026, 10, 25, 0, 59, 59),
    utc(2026, 10, 25, 1, 0),
    utc(2026, 10, 25, 1, 30),
    utc(2026, 10, 25, 2, 0),
    # local midnight: in winter (UTC+2) and in summer (UTC+3)
    utc(2026, 1, 15, 21, 59),
    utc(2026, 1, 15, 22, 0),
    utc(2026, 1, 15, 22, 30),
    utc(2026, 7, 15, 20, 59),
    utc(2026, 7, 15, 21, 0),
    utc(2026, 7, 15, 21, 30),
    utc(2026, 7, 15, 22, 30),
    # a year and a month end locally before they end in UTC
    utc(2026, 12, 31, 21, 59, 59),
    utc(2026, 12, 31, 22, 30),
    utc(2026, 2, 28, 22, 30),
    # the same local clock time on other days, seconds and microseconds
    utc(2026, 1, 16, 22, 30),
    utc(2026, 5, 4, 9, 15, 42, 123456),
    utc(2026, 5, 4, 9, 15, 42),
    utc(2026, 5, 5, 9, 15, 42),
    utc(2026, 11, 2, 12, 0),
]


@pytest.fixture(params=["fi", "sv", "en"])
def request_in(app, request):
    """A request asking for one of the app's languages; its locale and time zone."""
    with app.test_request_context(headers={"Accept-Language": request.param}):
        assert str(get_locale()) == {"sv": "sv_FI"}.get(request.param, request.param)
        assert str(get_timezone()) == "Europe/Helsinki"
        yield request.param


def values() -> list[datetime]:
    """Each moment as an aware UTC datetime, as the same naive UTC one (what a naive
    value means to Flask-Babel: UTC; the database's UTCDateTime gives aware UTC only),
    and in other time zones."""
    out = []
    for moment in MOMENTS:
        out += [
            moment,
            moment.replace(tzinfo=None),
            moment.astimezone(HELSINKI),
            moment.astimezone(timezone(timedelta(hours=-5))),
        ]
    return out


def test_the_app_context_defaults_are_the_ones_compared(app):
    assert app.config["LANGUAGES"] == ("fi", "sv", "en")
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "Europe/Helsinki"


@pytest.mark.parametrize("format", FORMATS)
def test_datetime_is_format_datetime(request_in, format):
    shared = Dates()
    for value in values():
        expected = format_datetime(value, format)
        assert shared.datetime(value, format) == expected, (request_in, format, value)
        assert Dates().datetime(value, format) == expected, (request_in, format, value)
    # the memos again, in the opposite order
    for value in reversed(values()):
        assert shared.datetime(value, format) == format_datetime(value, format), value


def test_every_format_through_one_dates(request_in):
    """One ``Dates`` for all formats and values, as a page uses it."""
    shared = Dates()
    for value in values():
        for format in FORMATS:
            assert shared.datetime(value, format) == format_datetime(value, format), (
                request_in,
                format,
                value,
            )
            assert shared.date(value, format) == format_date(value, format), (
                request_in,
                format,
                value,
            )


def test_default_formats(request_in):
    """``date()`` stands for ``format_date(value)`` (its default, "medium"); ``datetime()``
    for ``format_datetime(value, "short")``, which the pages called before (Flask-Babel's
    own default there is "medium")."""
    dates = Dates()
    for value in values():
        assert dates.date(value) == format_date(value)
        assert dates.datetime(value) == format_datetime(value, "short")


@pytest.mark.parametrize("format", FORMATS)
def test_date_of_a_datetime_is_its_local_date(request_in, format):
    dates = Dates()
    for value in values():
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        local_day = aware.astimezone(HELSINKI).date()
        assert dates.date(value, format) == format_date(value, format), (request_in, value)
        assert dates.date(value, format) == dates.date(local_day, format)
        assert dates.date(local_day, format) == format_date(local_day, format)


@pytest.mark.parametrize(
    "value, day",
    [
        (utc(2026, 1, 15, 21, 59), date(2026, 1, 15)),
        (utc(2026, 1, 15, 22, 0), date(2026, 1, 16)),
        (utc(2026, 1, 15, 22, 30), date(2026, 1, 16)),
        (utc(2026, 7, 15, 20, 59), date(2026, 7, 15)),
        (utc(2026, 7, 15, 21, 0), date(2026, 7, 16)),
        (utc(2026, 12, 31, 22, 30), date(2027, 1, 1)),
        (utc(2026, 3, 28, 22, 30), date(2026, 3, 29)),
        (utc(2026, 10, 24, 21, 30), date(2026, 10, 25)),
        (datetime(2026, 1, 15, 22, 30), date(2026, 1, 16)),  # naive: UTC
    ],
)
def test_date_is_the_helsinki_day(request_in, value, day):
    dates = Dates()
    assert dates.local(value).date() == day
    assert dates.date(value, "short") == format_date(day, "short")
    assert dates.date(value) == format_date(day)


def test_plain_dates(request_in):
    dates = Dates()
    for day in [date(2026, 1, 1), date(2026, 3, 29), date(2026, 10, 25), date(2026, 12, 31)]:
        for format in FORMATS:
            assert dates.date(day, format) == format_date(day, format), (request_in, day)


@pytest.mark.parametrize(
    "value, text",
    [
        (utc(2026, 3, 29, 0, 59, 59), "2.59"),
        (utc(2026, 3, 29, 1, 0), "4.00"),
        (utc(2026, 10, 25, 0, 30), "3.30"),
        (utc(2026, 10, 25, 1, 30), "3.30"),
        (utc(2026, 10, 25, 2, 0), "4.00"),
        (utc(2026, 1, 15, 22, 30), "0.30"),
        (utc(2026, 7, 15, 21, 5), "0.05"),
        (datetime(2026, 7, 15, 21, 5), "0.05"),
        (utc(2026, 5, 4, 9, 15, 42), "12.15"),
    ],
)
def test_hhmm(request_in, value, text):
    """The locale's short time: "9.00" in Finnish (and in Finland's Swedish)."""
    assert Dates().hhmm(value) == format_time(value, "short")
    if request_in in ("fi", "sv"):
        assert Dates().hhmm(value) == text


def test_hhmm_is_format_time_everywhere(request_in):
    dates = Dates()
    for value in values():
        assert dates.hhmm(value) == format_time(value, "short"), value


def test_the_twice_lived_hour_tells_its_offsets_apart(request_in):
    """03:30 on 25 October 2026 happens at +03:00 and at +02:00: the long formats
    show it, so the memo of the first must not answer for the second."""
    dates = Dates()
    first, second = utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30)
    for format in ("long", "full"):
        assert dates.datetime(first, format) != dates.datetime(second, format)
    # Swedish (sv_FI) names the zone's summer and winter time where the others give offsets
    summer, winter = ("EEST", "EET") if request_in == "sv" else ("+0300", "+0200")
    assert dates.datetime(first, "long").endswith(summer)
    assert dates.datetime(second, "long").endswith(winter)


# --- link_maker -------------------------------------------------------------------------

IDS = [0, 1, 12345, 2**31, 2**63 - 1, 7_919_000_000_000_000_013, 10**30]


@pytest.mark.parametrize(
    "endpoint, key, extra",
    [
        ("slots.book", "slot_id", {}),
        ("requests.detail", "request_id", {}),
        ("sessions.plan", "process_id", {}),
        ("budget.statement_csv", "statement_id", {}),  # text after the id: ".csv"
        ("slots.book", "slot_id", {"next": "/slots/?day=2026-03-29&mode=video", "page": 2}),
        ("matching.offer_group", "run_id", {"group_no": 3}),  # two ids in the path
        ("matching.offer_group", "group_no", {"run_id": 12345, "lang": "fi"}),
        ("slots.browse", "supervisor", {"day": "2026-10-25", "mode": "video"}),  # a query id
        ("requests.detail", "request_id", {"_anchor": "answers"}),
        ("slots.detail", "slot_id", {"_external": True, "q": "ä ö & ="}),
    ],
)
@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_link_maker_is_url_for(app, endpoint, key, extra, lang):
    with app.test_request_context(headers={"Accept-Language": lang}):
        link = link_maker(endpoint, key, **extra)
        for ident in IDS:
            assert link(ident) == url_for(endpoint, **{key: ident}, **extra), (endpoint, ident)


def test_link_maker_examples(app):
    with app.test_request_context():
        assert link_maker("slots.book", "slot_id")(0) == "/slots/0/book"
        assert link_maker("slots.book", "slot_id")(12345) == "/slots/12345/book"
        assert link_maker("budget.statement_csv", "statement_id")(7) == "/statements/7.csv"
        assert (
            link_maker("slots.book", "slot_id", page=2, next="/x?a=1")(1)
            == "/slots/1/book?page=2&next=/x?a%3D1"
        )
