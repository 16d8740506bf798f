"""Bulk loading: rows buffered per table and written in batches, parents first.

The generator hands over plain dicts (column name → Python value, ids included);
the writer turns them into tuples in the table's column order and writes each
batch with one ``executemany`` on SQLite or one ``COPY`` on PostgreSQL, on the
single connection and transaction of the load. It bypasses SQLAlchemy's per-row
type processing (three times slower at this volume), so the few conversions that
processing would do are done here, for exactly the column types the models use:
dates and UTC datetimes as SQLite's text format, JSON as text, Numeric as float
on SQLite (as SQLAlchemy stores them).

Batches are flushed in the metadata's dependency order, so a row's parents are
always written before it as long as the generator adds parents first.
"""

import json
import queue
import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime
from enum import Enum
from operator import itemgetter

from psycopg import sql as psycopg_sql
from sqlalchemy import JSON, Date, DateTime, Numeric, Table, bindparam, func, select, text
from sqlalchemy.engine import Connection, Dialect

from lahti_pool.extensions import db

#: tables the generator never writes (seeded by migrations, or runtime logs)
SKIPPED = frozenset(
    {"pre_questions", "data_versions", "audit_events", "mail_outbox", "notifications"}
)


def _sqlite_datetime(value: datetime | None) -> str | None:
    # SQLAlchemy's SQLite DATETIME storage format, always with microseconds, in UTC.
    if value is None:
        return None
    if value.utcoffset():
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:26]


def _sqlite_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _json(value) -> str:
    return json.dumps(value)


def _float(value) -> float | None:
    return None if value is None else float(value)


def _converter(column, dialect: str) -> Callable | None:
    kind = column.type
    if isinstance(kind, JSON):
        return _json
    if dialect != "sqlite":
        return None  # psycopg's COPY adapts dates, aware datetimes, Decimal and bool
    if isinstance(kind, DateTime) or isinstance(getattr(kind, "impl", None), DateTime):
        return _sqlite_datetime
    if isinstance(kind, Date):
        return _sqlite_date
    if isinstance(kind, Numeric):
        return _float
    return None


class _TableSpec:
    def __init__(self, table: Table, dialect: Dialect) -> None:
        self.table = table
        self.columns = [c.name for c in table.columns]
        self.getter = itemgetter(*self.columns)
        self.defaults = {}
        for c in table.columns:
            default = c.default
            if default is not None and default.is_scalar:
                value = default.arg
                self.defaults[c.name] = value.value if isinstance(value, Enum) else value
            elif c.nullable:
                self.defaults[c.name] = None
        self.converters = [
            (i, conv)
            for i, c in enumerate(table.columns)
            if (conv := _converter(c, dialect.name)) is not None
        ]
        # SQLite: the compiled INSERT, with its positional parameters in column order.
        self.insert_sql = str(table.insert().compile(dialect=dialect, column_keys=self.columns))
        self.copy_sql = psycopg_sql.SQL("COPY {} ({}) FROM STDIN").format(
            psycopg_sql.Identifier(table.name),
            psycopg_sql.SQL(", ").join(map(psycopg_sql.Identifier, self.columns)),
        )

    def as_tuple(self, row: dict) -> tuple:
        if len(row) != len(self.columns):  # fill in the defaults (complete rows skip this)
            merged = self.defaults.copy()
            merged.update(row)
            row = merged
        values = self.getter(row)
        if self.converters:
            values = list(values)
            for i, conv in self.converters:
                values[i] = conv(values[i])
        return tuple(values)


class BulkWriter:
    """Buffers rows per table and writes them in batches, parents before children.

    On PostgreSQL a thread of its own sends the batches (COPY) while the generator
    makes the next ones: the server's work and Python's overlap on two cores. At most
    two batches wait, so memory stays flat. ``close()`` waits until all is written.
    """

    def __init__(self, conn: Connection, batch_rows: int = 20_000) -> None:
        self.conn = conn
        self.dialect = conn.dialect.name
        self.order = self.tables()
        self.specs = {
            name: _TableSpec(db.metadata.tables[name], conn.dialect) for name in self.order
        }
        self.buffers: dict[str, list[tuple]] = {name: [] for name in self.order}
        self.batch_rows = batch_rows
        self.buffered = 0
        self.counts: Counter[str] = Counter()
        self._queue: queue.Queue | None = None
        self._error: BaseException | None = None
        if self.dialect == "postgresql":
            self._raw = conn.connection.driver_connection
            self._queue = queue.Queue(maxsize=2)
            self._thread = threading.Thread(target=self._send, name="city-copy", daemon=True)
            self._thread.start()

    @staticmethod
    def tables() -> list[str]:
        """The tables the generator writes, parents before children."""
        return [t.name for t in db.metadata.sorted_tables if t.name not in SKIPPED]

    def add(self, table: str, row: dict) -> None:
        self.buffers[table].append(self.specs[table].as_tuple(row))
        self.buffered += 1
        if self.buffered >= self.batch_rows:
            self.flush()

    def flush(self) -> None:
        batch = []
        for name in self.order:
            rows = self.buffers[name]
            if rows:
                batch.append((self.specs[name], rows))
                self.counts[name] += len(rows)
                self.buffers[name] = []
        self.buffered = 0
        if not batch:
            return
        if self._queue is None:
            for spec, rows in batch:
                self.conn.exec_driver_sql(spec.insert_sql, rows)
        else:
            self._check()
            self._queue.put(batch)

    def _send(self) -> None:
        """The COPY thread: writes batches in order until told to stop (None)."""
        while (batch := self._queue.get()) is not None:
            try:
                if self._error is None:
                    for spec, rows in batch:
                        with self._raw.cursor() as cursor, cursor.copy(spec.copy_sql) as copy:
                            for row in rows:
                                copy.write_row(row)
            except BaseException as error:  # reported to the generator by _check()
                self._error = error
            finally:
                self._queue.task_done()
        self._queue.task_done()

    def _check(self) -> None:
        if self._error is not None:
            raise RuntimeError("writing the generated rows failed") from self._error

    def close(self) -> None:
        """Write what is buffered and wait until everything is in the database."""
        self.flush()
        if self._queue is not None:
            self._queue.put(None)
            self._queue.join()
            self._thread.join()
            self._queue = None
            self._check()

    def abort(self) -> None:
        """Stop the COPY thread after a failure (the transaction is rolled back)."""
        if self._queue is not None:
            self._error = self._error or RuntimeError("aborted")
            self._queue.put(None)
            self._thread.join()
            self._queue = None

    def update(self, table: str, key: str, rows: list[dict]) -> None:
        """Change a few columns of rows already written (e.g. final counters), by ``key``.

        Call after ``close()``: the connection is the generator's again.
        """
        if not rows:
            return
        target = db.metadata.tables[table]
        columns = [c for c in rows[0] if c != key]
        statement = (
            target.update()
            .where(target.c[key] == bindparam("match_key"))
            .values({c: bindparam(f"new_{c}") for c in columns})
        )
        self.conn.execute(
            statement,
            [{"match_key": r[key]} | {f"new_{c}": r[c] for c in columns} for r in rows],
        )


# --- The load connection ----------------------------------------------------------------


def prepare(conn: Connection) -> dict:
    """Speed the load connection up; returns what ``restore`` puts back.

    SQLite: no fsync during the load, a large page cache, and foreign keys checked
    once at the end (``check_foreign_keys``) instead of row by row.
    """
    if conn.dialect.name != "sqlite":
        return {}
    saved = {
        name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
        for name in ("synchronous", "cache_size", "foreign_keys")
    }
    conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # outside the transaction, or ignored
    conn.exec_driver_sql("PRAGMA synchronous=OFF")
    conn.exec_driver_sql("PRAGMA cache_size=-100000")  # 100 MB, this connection only
    return saved


def drop_indexes_and_keys(conn: Connection, tables: list[str]) -> list[str]:
    """Drop the plain indexes (and on PostgreSQL the foreign keys) of ``tables``.

    Building an index once over the loaded rows is much faster than keeping it up to
    date row by row, and a foreign key is checked once over all rows when it is added
    back (PostgreSQL's "Populating a Database"). Returns the statements that recreate
    exactly what was dropped, read from the database itself; run them with
    ``run_all`` before commit, in the same transaction, so a failed load leaves the
    schema as it was.
    """
    quote = conn.dialect.identifier_preparer.quote
    names = bindparam("names", list(tables), expanding=True)
    if conn.dialect.name == "sqlite":
        rows = conn.execute(text(_SQLITE_INDEXES).bindparams(names)).all()
        for name, _sql in rows:
            conn.exec_driver_sql("DROP INDEX " + quote(name))
        return [sql for _name, sql in rows]
    # Memory for sorting when the indexes are built again (this transaction only).
    conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
    indexes = conn.execute(text(_PG_INDEXES).bindparams(names)).all()
    keys = conn.execute(text(_PG_FOREIGN_KEYS).bindparams(names)).all()
    for table, name, _definition in keys:
        conn.exec_driver_sql(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
    for name, _definition in indexes:
        conn.exec_driver_sql("DROP INDEX " + quote(name))
    return [definition for _name, definition in indexes] + [
        f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}"
        for table, name, definition in keys
    ]


def set_triggers_aside(conn: Connection, tables: list[str]) -> list[str]:
    """Drop the triggers on ``tables``; returns the statements that create them again.

    The budget ledger's triggers (migration 0007) would add each loaded cost one upsert at
    a time; the load fills the ledger once instead (``budget.ledger.fill``). As with
    ``drop_indexes_and_keys``, the statements are read from the database itself and run
    with ``run_all`` in the same transaction.
    """
    quote = conn.dialect.identifier_preparer.quote
    names = bindparam("names", list(tables), expanding=True)
    if conn.dialect.name == "sqlite":
        rows = conn.execute(text(_SQLITE_TRIGGERS).bindparams(names)).all()
        for name, _table, _sql in rows:
            conn.exec_driver_sql("DROP TRIGGER " + quote(name))
    else:
        rows = conn.execute(text(_PG_TRIGGERS).bindparams(names)).all()
        for name, table, _sql in rows:
            conn.exec_driver_sql(f"DROP TRIGGER {quote(name)} ON {quote(table)}")
    return [sql for _name, _table, sql in rows]


_SQLITE_TRIGGERS = """
    SELECT name, tbl_name, sql FROM sqlite_master
    WHERE type = 'trigger' AND tbl_name IN :names"""
_PG_TRIGGERS = """
    SELECT g.tgname, t.relname, pg_get_triggerdef(g.oid) FROM pg_trigger g
    JOIN pg_class t ON t.oid = g.tgrelid
    WHERE NOT g.tgisinternal AND t.relnamespace = current_schema()::regnamespace
      AND t.relname IN :names"""
_SQLITE_INDEXES = """
    SELECT name, sql FROM sqlite_master
    WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'
      AND tbl_name IN :names"""
_PG_INDEXES = """
    SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i
    JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
    WHERE NOT i.indisunique AND NOT i.indisprimary
      AND t.relnamespace = current_schema()::regnamespace AND t.relname IN :names"""
_PG_FOREIGN_KEYS = """
    SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c
    JOIN pg_class t ON t.oid = c.conrelid
    WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace
      AND t.relname IN :names"""


def run_all(conn: Connection, statements: list[str]) -> None:
    for statement in statements:
        conn.exec_driver_sql(statement)


def restore(conn: Connection, saved: dict) -> None:
    for name, value in saved.items():
        conn.exec_driver_sql(f"PRAGMA {name}={int(value)}")


def check_foreign_keys(conn: Connection) -> None:
    """SQLite: refuse to commit a load that breaks a foreign key.

    (PostgreSQL checks every row when ``run_all`` adds its foreign keys back.)
    """
    if conn.dialect.name != "sqlite":
        return
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchmany(5)
    if broken:
        raise RuntimeError(f"the generated rows break foreign keys: {broken}")


def reset_sequences(conn: Connection) -> None:
    """PostgreSQL: move each id sequence past the ids the generator chose itself."""
    if conn.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        column = table.columns.get("id")
        # an integer key with a sequence (survey answers' ids are random strings)
        if column is None or not column.primary_key or column.type.python_type is not int:
            continue
        last = func.max(table.c.id)
        sequence = func.pg_get_serial_sequence(table.name, "id")
        conn.execute(select(func.setval(sequence, func.coalesce(last, 1), last.is_not(None))))


def bump_data_versions(conn: Connection) -> None:
    """Tell the app's aggregate cache (core/versions.py) that every table changed."""
    table = db.metadata.tables.get("data_versions")
    if table is not None:
        conn.execute(table.update().values(version=table.c.version + 1))


def analyze(conn: Connection) -> None:
    """Give the query planner statistics of the loaded tables."""
    conn.exec_driver_sql("ANALYZE")


class Ids:
    """The next free id of each table: the database is empty, so ids start at 1."""

    def __init__(self) -> None:
        self._next: Counter[str] = Counter()

    def take(self, table: str, n: int = 1) -> int:
        """Reserve ``n`` consecutive ids and return the first."""
        first = self._next[table] + 1
        self._next[table] += n
        return first
