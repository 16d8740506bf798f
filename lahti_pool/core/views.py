"""Helpers shared by views."""

from urllib.parse import urlsplit

from flask import flash
from flask_wtf import FlaskForm

from lahti_pool.core.errors import DomainError
from lahti_pool.core.listing import BoundedPagination
from lahti_pool.core.models import CREATED_ON_THE_WAY
from lahti_pool.extensions import db


def is_safe_next(target: str | None) -> bool:
    """Only local paths: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(c) < 32 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def show_domain_error(form: FlaskForm | None, error: DomainError) -> None:
    """Undo the failed change and put the message next to its field, or flash it."""
    db.session.rollback()
    field = getattr(form, error.field, None) if form is not None and error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "danger")


def commit_created() -> None:
    """Commit the rows a page created while reading (a school year, a quota account).

    Only when there are some: a commit expires every loaded object, the logged-in user
    included, and reloading them costs queries on every page view.
    """
    session = db.session
    if session.info.pop(CREATED_ON_THE_WAY, False) or session.new or session.dirty:
        session.commit()


class ListPage(BoundedPagination):
    """A page of rows already in a list (filtered or aggregated in Python), for the same
    ``pager`` macro as ``db.paginate``: ``ListPage(per_page=50, error_out=False, rows=…)``."""

    def _query_items(self) -> list:
        return self._query_args["rows"][self._query_offset : self._query_offset + self.per_page]

    def _query_count(self) -> int:
        return len(self._query_args["rows"])
