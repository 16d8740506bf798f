"""Shared model helpers."""

import enum
from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum, TypeDecorator, false
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lahti_pool.extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC)


def upsert(model):
    """An INSERT into ``model`` of the session's database, with its ``on_conflict_do_*``."""
    dialect = db.session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(model)


#: ``session.info`` key set by code that inserts a row a read-only page needs
CREATED_ON_THE_WAY = "created_on_the_way"

#: the largest value of an Integer primary key; a bigger id sent in a form names no row
#: (and SQLite cannot even bind one past 64 bits)
MAX_ROW_ID = 2**31 - 1


def is_row_id(value: int | None) -> bool:
    """Whether ``value`` could be a row's id (1 to ``MAX_ROW_ID``): an id from the address
    or a form outside this names no row, and the database may not even bind it."""
    return value is not None and 0 < value <= MAX_ROW_ID


def id_is(column, value: int):
    """``column == value``, or a condition no row meets when ``value`` is no row's id
    (an unknown id matches nothing; one past the database's integers is not sent to it)."""
    return column == value if is_row_id(value) else false()


def mark_created(session) -> None:
    """Note that reading created a row (a school year, a quota account) to be committed."""
    session.info[CREATED_ON_THE_WAY] = True


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given; use an aware UTC datetime")
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def str_enum(enum_cls: type[enum.Enum], length: int = 20) -> Enum:
    """An enum column that stores the member's value as a plain string."""
    return Enum(
        enum_cls,
        native_enum=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
