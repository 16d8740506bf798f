"""A test population and a test mapping subject, registered for a test and removed after."""

import pytest
from sqlalchemy import select

from lahti_pool.accounts.models import User
from lahti_pool.core import mapping, populations

GROUP = "test_group"


@pytest.fixture
def group(make_user):
    """A registered population "test_group" with subject 7 ("Pedagogical leadership"):
    ``members`` answer, ``coordinator`` may survey them."""
    members = [make_user(name=f"Member {n}") for n in range(6)]
    coordinator = make_user(name="Coordinator")
    ids = [m.id for m in members]
    populations.register_population(
        GROUP,
        "Test group",
        lambda subject_id: select(User.id).where(User.id.in_(ids if subject_id == 7 else [])),
        choices=lambda: [(7, "Pedagogical leadership"), (8, "HR developers")],
        organisers=lambda subject_id: select(User.id).where(
            User.id == (coordinator.id if subject_id == 7 else -1)
        ),
        subject_kind="testnet",
    )
    yield members, coordinator
    populations._KINDS.pop(GROUP, None)


@pytest.fixture
def mapping_row():
    """A mapping subject "testnet" 7 with members, events and attendance."""
    row = mapping.MappingRow(
        kind="testnet",
        subject_id=7,
        name="Pedagogical leadership",
        members_by_role={"Teacher": 4, "Principal": 2},
        members_by_organisation={"City of Lahti": 5, "Hollola": 1},
        events_held=3,
        attendances=14,
    )
    mapping.register_mapping_subjects("testnet", "Test network", lambda start, end: [row])
    yield row
    mapping._SUBJECTS.pop("testnet", None)
