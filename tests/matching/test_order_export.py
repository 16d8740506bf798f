"""The order export names no client, an on-duty booking's client included."""

from datetime import timedelta

from tests_support import add_slot

from lahti_pool.core.models import utcnow
from lahti_pool.extensions import db
from lahti_pool.slots import services as slot_services
from lahti_pool.slots.rules import local_date


def test_an_on_duty_booking_is_ordered_without_the_name_of_its_client(
    client, admin, staff, supervisor, school_year
):
    starts_at = (utcnow() + timedelta(days=2)).replace(second=0, microsecond=0)
    slot = add_slot(supervisor, starts_at)
    slot_services.book_slot(staff, slot, {1: "a", 2: "b", 3: "c"}, utcnow())
    db.session.commit()
    client.login(admin)

    today = local_date(utcnow())
    text = client.get(
        "/admin/matching/orders.csv",
        query_string={"start": today - timedelta(days=1), "end": today + timedelta(days=1)},
    ).text
    row = next(line for line in text.splitlines() if ",on_duty," in line)
    assert row.endswith(",on-duty booking by the client")
    assert staff.name not in text


def test_a_finnish_reader_gets_the_orders_in_columns_with_decimal_commas(
    client, admin, staff, supervisor, school_year
):
    import csv
    import io

    starts_at = (utcnow() + timedelta(days=2)).replace(second=0, microsecond=0)
    slot_services.book_slot(
        staff, add_slot(supervisor, starts_at), {1: "a", 2: "b", 3: "c"}, utcnow()
    )
    admin.locale = "fi"
    db.session.commit()
    client.login(admin)
    today = local_date(utcnow())
    raw = client.get(
        "/admin/matching/orders.csv",
        query_string={"start": today - timedelta(days=1), "end": today + timedelta(days=1)},
    ).data
    assert raw.startswith("\ufeff".encode())
    header, row = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert len(row) == len(header) == 14
    price = row[header.index("price_per_session_eur_excl_vat")]
    vat = row[header.index("vat_percent")]
    assert "," in price and "." not in price and vat == "25,50"
