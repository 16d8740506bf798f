"""Helpers for long lists: pages of plain rows, links and dates built cheaply for every
row.

A 50-row table built from ORM objects, ``url_for`` and Flask-Babel for every cell costs
more than its queries. These helpers give the same rows, links and formatted dates: rows
as tuples, one ``url_for`` per link kind and page, and each distinct local day and time
formatted once by Babel.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime

from babel.dates import format_date as babel_format_date
from babel.dates import format_time, get_datetime_format
from flask import url_for
from flask_babel import get_locale, get_timezone
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy import func, select

from lahti_pool.core.models import MAX_ROW_ID
from lahti_pool.extensions import db

#: stands for the row's id while a link's URL is built once
_MARK = 7_919_000_000_000_000_013


def bounded_page(page: int, per_page: int) -> int:
    """``page`` (1 or more), lowered so that its rows' offset is no larger than a row id:
    a page number from the address can be any size, and SQLite cannot bind an offset past
    64 bits nor PostgreSQL one past its bigint. A page past the end shows no rows either
    way."""
    return max(1, min(page, MAX_ROW_ID // per_page + 1))


class BoundedPagination(Pagination):
    """``Pagination`` whose page number, however large in the address, gives an offset
    the database can bind (``bounded_page``)."""

    @staticmethod
    def _prepare_page_args(**kwargs) -> tuple[int, int]:
        page, per_page = Pagination._prepare_page_args(**kwargs)
        return bounded_page(page, per_page), per_page


class SelectPage(BoundedPagination, SelectPagination):
    """``db.paginate``'s page of an ORM select, with a bounded page number."""


def paginate(query, **kwargs) -> SelectPage:
    """``db.paginate(query, **kwargs)``, a page number too large for the database being
    an empty page past the end instead of a server error."""
    return SelectPage(select=query, session=db.session(), **kwargs)


class RowPage(BoundedPagination):
    """A page of a select of columns as rows (``db.paginate`` keeps only the first column):
    ``RowPage(select=…, per_page=50, error_out=False)``; ``page`` comes from the request
    as with ``db.paginate``. ``count_select=``: a select whose rows are counted instead (the same
    rows without the columns only shown, when those cost something); ``total=``: their
    number, known already (from an aggregate the page has anyway); ``scalars=True``: the
    first column of each row (an ORM entity) instead of the rows.
    """

    def _query_items(self) -> list:
        query = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        if self._query_args.get("scalars"):
            return list(db.session.scalars(query))
        return db.session.execute(query).all()

    def _query_count(self) -> int:
        if "total" in self._query_args:
            return self._query_args["total"]
        counted = self._query_args.get("count_select", self._query_args["select"])
        rows = counted.order_by(None).subquery()
        return db.session.scalar(select(func.count()).select_from(rows))


class FetchedPage(BoundedPagination):
    """A page whose rows a function fetches: ``fetch(limit, offset)`` gives the rows and
    their total when it has it (a window count, a cached report), else ``None``, and then
    ``total()`` counts them: ``FetchedPage(fetch=…, total=…, per_page=50, error_out=False)``
    (not ``count=``: that is ``Pagination``'s own flag).
    """

    def _query_items(self) -> list:  # runs before _query_count
        items, self._total = self._query_args["fetch"](self.per_page, self._query_offset)
        return items

    def _query_count(self) -> int:
        return self._total if self._total is not None else self._query_args["total"]()


class Memo(dict):
    """Texts made once per distinct value of a page: ``texts[value]`` is ``make(value)``."""

    def __init__(self, make: Callable) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key):
        value = self[key] = self.make(key)
        return value


def link_maker(endpoint: str, key: str, **values) -> Callable[[int], str]:
    """``url_for(endpoint, key=id, **values)`` as a function of the id, built once."""
    before, after = url_for(endpoint, **{key: _MARK}, **values).split(str(_MARK), 1)
    return lambda ident: f"{before}{ident}{after}"


class Dates:
    """Flask-Babel's ``format_datetime``/``format_date`` with the standard formats, for many
    values of one request: each distinct local day and time is formatted once.

    ``format_datetime(value, "short")`` is Babel's date-time pattern around the short
    date and the short time of the value in the request's time zone; this composes the
    same parts from memos. ``hhmm`` is the short time alone ("9.00" in Finnish).
    """

    def __init__(self) -> None:
        self.locale = get_locale()
        self.tz = get_timezone()
        self._dates: dict[tuple[date, str], str] = {}
        self._times: dict[tuple, str] = {}
        self._glue: dict[str, str] = {}

    def local(self, value: datetime) -> datetime:
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        local = value.astimezone(self.tz)
        if hasattr(self.tz, "normalize"):  # pytz
            local = self.tz.normalize(local)
        return local

    def date(self, value: date, format: str = "medium") -> str:
        """``format_date(value, format)``; a datetime by its local date, as there."""
        if isinstance(value, datetime):
            value = self.local(value).date()
        key = (value, format)
        text = self._dates.get(key)
        if text is None:
            text = self._dates[key] = babel_format_date(value, format, locale=self.locale)
        return text

    def datetime(self, value: datetime, format: str = "short") -> str:
        """``format_datetime(value, format)`` for "short", "medium", "long" or "full"."""
        local = self.local(value)
        glue = self._glue.get(format)
        if glue is None:
            glue = self._glue[format] = get_datetime_format(format, locale=self.locale).replace(
                "'", ""
            )
        key = (local.time(), local.utcoffset(), local.tzname(), format)
        time_text = self._times.get(key)
        if time_text is None:
            time_text = self._times[key] = format_time(
                local, format, tzinfo=None, locale=self.locale
            )
        return glue.replace("{0}", time_text).replace("{1}", self.date(local.date(), format))

    def hhmm(self, value: datetime) -> str:
        """``format_time(value, "short")``: the locale's clock ("9.00" in Finnish)."""
        local = self.local(value)
        key = (local.time(), local.utcoffset(), local.tzname(), "short")
        text = self._times.get(key)
        if text is None:
            text = self._times[key] = format_time(local, "short", tzinfo=None, locale=self.locale)
        return text
