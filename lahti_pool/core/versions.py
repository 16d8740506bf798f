"""Data versions, and a per-process cache of SQL aggregates keyed by them.

A page such as the budget page sums a whole year of sessions. At city scale (a million
sessions) that is hundreds of milliseconds of database work, while the numbers change a
few hundred times a day and are read far more often. So the aggregates are computed by
SQL as before, and their results are kept in each worker process under the *version* of
the data they were computed from:

- ``data_versions`` holds one counter per group of tables (:data:`GROUPS`).
- Every transaction that inserts, updates or deletes rows of a watched table raises its
  group's counter as its last statement before COMMIT, inside the same transaction. A
  reader that sees version *v* therefore sees at least the data of *v*, and a value is
  never cached under a version newer than its data. The counter row is locked only from
  that last statement until the commit, so it cannot take part in a deadlock.
- A cached read (:func:`cached_read`) names the tables its query reads; it reads the
  counters of their groups (one small query per request) and recomputes only when one
  of them moved. A test runs every cached read and fails when a statement of it reads a
  table it did not name, so a declaration cannot fall behind its query. A time limit
  bounds how stale a value can be if someone changes the database outside the app
  (psql, a restore).

Only aggregates go through the cache (sums and counts, never confidential text), and
every entry is local to the worker process, so nothing crosses users or processes.
"""

import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, ParamSpec, TypeVar

from flask import g, has_app_context
from sqlalchemy import String, Table, event, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from lahti_pool.extensions import db

#: group name → the tables whose writes change it
GROUPS: dict[str, frozenset[str]] = {
    "sessions": frozenset(
        {
            "supervision_sessions",
            "session_costs",
            "session_attendance",
            "supervision_processes",
            "process_members",
        }
    ),
    "budgets": frozenset({"budgets"}),
    "feedback": frozenset({"feedback_responses"}),
    "requests": frozenset(
        {"supervision_requests", "request_members", "request_events", "school_years"}
    ),
    "slots": frozenset({"on_duty_slots"}),
    # users: a supervisor's name is the user's name
    "supervisors": frozenset(
        {"supervisors", "supervisor_loads", "units", "divisions", "users", "user_roles"}
    ),
}
_GROUP_OF = {table: name for name, tables in GROUPS.items() for table in tables}

#: seconds after which a cached value is recomputed even if no version moved
MAX_AGE = 600
#: entries kept per process (oldest used go first)
MAX_ENTRIES = 512

_DIRTY = "lahti_pool_dirty_groups"


class DataVersion(db.Model):
    __tablename__ = "data_versions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(default=0)


# --- Writers: mark what a transaction changed, raise the counters before COMMIT --------


def _note_write(conn: Connection, cursor, statement, parameters, context, executemany):
    if context is None or not (context.isinsert or context.isupdate or context.isdelete):
        return
    # A conditional UPDATE or DELETE that changed nothing. Not an INSERT: one that ran
    # wrote its row, and with RETURNING (server defaults to fetch) SQLite's cursor says 0
    # rows until they are read.
    if not executemany and not context.isinsert and cursor.rowcount == 0:
        return
    table = getattr(getattr(context.compiled, "statement", None), "table", None)
    group = _GROUP_OF.get(getattr(table, "name", None))
    if group is not None:
        conn.info.setdefault(_DIRTY, set()).add(group)


def _raise_versions(session: Session) -> None:
    """Before COMMIT: flush, then raise the counters of the groups written to."""
    session.flush()
    conn = session.connection()
    dirty = conn.info.pop(_DIRTY, None)
    if dirty:
        conn.execute(
            update(DataVersion.__table__)
            .where(DataVersion.name.in_(sorted(dirty)))  # one order: no deadlock
            .values(version=DataVersion.version + 1)
        )


def _forget(conn: Connection) -> None:
    conn.info.pop(_DIRTY, None)


def _after_commit(session: Session) -> None:
    if has_app_context():
        g.pop("_data_versions", None)


def listen(engine: Engine) -> None:
    """Install the listeners (once per engine; the session ones once per process)."""
    if not event.contains(engine, "after_cursor_execute", _note_write):
        event.listen(engine, "after_cursor_execute", _note_write)
        event.listen(engine, "rollback", _forget)
        event.listen(engine, "commit", _forget)
    if not event.contains(Session, "before_commit", _raise_versions):
        event.listen(Session, "before_commit", _raise_versions)
        event.listen(Session, "after_commit", _after_commit)


# --- Readers ---------------------------------------------------------------------------


def current() -> dict[str, int]:
    """Every group's version, read once per request (and again after a commit)."""
    versions = g.get("_data_versions") if has_app_context() else None
    if versions is None:
        versions = dict(db.session.execute(select(DataVersion.name, DataVersion.version)).all())
        if has_app_context():
            g._data_versions = versions
    return versions


P = ParamSpec("P")
T = TypeVar("T")
_cache: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
_lock = threading.Lock()


def _cached(groups: tuple[str, ...], key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``'s value, reused while the versions of ``groups`` stay the same."""
    versions = current()
    full_key = (key, tuple(versions.get(name, 0) for name in groups))
    now = time.monotonic()
    with _lock:
        hit = _cache.get(full_key)
        if hit is not None and now - hit[0] < MAX_AGE:
            _cache.move_to_end(full_key)
            return hit[1]
    value = compute()
    with _lock:
        _cache[full_key] = (now, value)
        _cache.move_to_end(full_key)
        while len(_cache) > MAX_ENTRIES:
            _cache.popitem(last=False)
    return value


TableLike = str | Table | type


def _table_name(table: TableLike) -> str:
    if isinstance(table, str):
        return table
    if isinstance(table, Table):
        return table.name
    return table.__table__.name  # a mapped class


class CachedRead(Generic[P, T]):
    """A function whose value is kept under the versions of the tables it reads.

    Made by :func:`cached_read`; calling it calls the function only when one of the
    groups of its tables moved since the value for these arguments was computed.
    """

    def __init__(
        self,
        function: Callable[P, T],
        tables: frozenset[str],
        key: Callable[..., Hashable] | None = None,
    ):
        if not tables:
            raise ValueError(f"{function.__qualname__}: name the tables it reads")
        unwatched = sorted(t for t in tables if t not in _GROUP_OF)
        if unwatched:
            raise ValueError(
                f"{function.__qualname__} reads {', '.join(unwatched)}, which no data-version "
                "group watches: add the table to versions.GROUPS or do not cache the read"
            )
        functools.update_wrapper(self, function)
        self.function = function
        self.name = f"{function.__module__}.{function.__qualname__}"
        #: the tables the function reads, as declared
        self.tables = tables
        #: the groups whose versions the value is kept under
        self.groups = tuple(sorted({_GROUP_OF[t] for t in tables}))
        self.key = key

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> T:
        if self.key is not None:
            key = (self.name, self.key(*args, **kwargs))
        else:
            key = (self.name, args, tuple(sorted(kwargs.items())))
        return _cached(self.groups, key, lambda: self.function(*args, **kwargs))

    def __repr__(self) -> str:
        return f"<cached read {self.name} of {', '.join(sorted(self.tables))}>"


#: every cached read by name, as :func:`cached_read` declared them (the tests run each
#: and compare the tables its statements read with the ones it declares)
READS: dict[str, CachedRead] = {}


def cached_read(
    *tables: TableLike, key: Callable[..., Hashable] | None = None
) -> Callable[[Callable[P, T]], CachedRead[P, T]]:
    """Cache a read's value per worker until one of ``tables`` is written to.

    Name every table the function's statements read (models, tables or table names),
    next to its query: the value is kept under the versions of their groups
    (:data:`GROUPS`), so a write to any of them makes the next call read again. The
    arguments make the cache key, or what ``key(*args, **kwargs)`` makes of them (e.g. an
    object's id); the value must be plain data (numbers, tuples, dataclasses), never ORM
    objects, which belong to one session.
    """
    names = frozenset(_table_name(t) for t in tables)

    def decorate(function: Callable[P, T]) -> CachedRead[P, T]:
        read = CachedRead(function, names, key)
        READS[read.name] = read
        return read

    return decorate


def clear() -> None:
    """Forget every cached value (tests)."""
    with _lock:
        _cache.clear()
