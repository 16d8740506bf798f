"""Networks: the administrator creates them and grants coordinators; membership is open
and voluntary: staff and the officials of guest organisations taking part join and leave
themselves."""

import pytest
from sqlalchemy import select

from lahti_pool.accounts.models import Role
from lahti_pool.core.errors import DomainError, NotPermitted
from lahti_pool.core.models import utcnow
from lahti_pool.extensions import db
from lahti_pool.networks import services
from lahti_pool.networks.models import NetworkKind, NetworkMember, PeerNetwork
from lahti_pool.organisation.models import Division, Organisation, Unit


def test_staff_member_joins_and_leaves_a_themed_network(client, staff, network):
    client.login(staff)
    page = client.get(f"/networks/{network.id}").get_data(as_text=True)
    assert "Join the network" in page
    response = client.post(f"/networks/{network.id}/join")
    assert response.status_code == 302
    assert services.is_member(staff, network)
    page = client.get(f"/networks/{network.id}").get_data(as_text=True)
    assert "Leave the network" in page and "Discussion board" in page
    client.post(f"/networks/{network.id}/leave")
    assert not services.is_member(staff, network)
    row = db.session.scalar(select(NetworkMember).where(NetworkMember.user_id == staff.id))
    assert row.left_at is not None  # kept for the period's mapping


def test_joining_again_after_leaving_starts_a_new_membership(staff, network):
    services.join(staff, network, utcnow())
    services.leave(staff, network, utcnow())
    services.join(staff, network, utcnow())
    db.session.commit()
    assert services.member_count(network) == 1


def test_joining_twice_is_refused(staff, network):
    services.join(staff, network, utcnow())
    with pytest.raises(DomainError):
        services.join(staff, network, utcnow())


def test_guest_official_of_an_organisation_taking_part_may_join(make_guest, network):
    guest = make_guest(name="Helmi Hollola")
    services.join(guest, network, utcnow())
    db.session.commit()
    assert services.is_member(guest, network)


def test_guest_official_of_an_organisation_not_taking_part_is_refused(client, make_user, network):
    org = Organisation(name="Orimattilan kaupunki")
    division = Division(code="ORI", name_fi="Orimattila", name_en="Orimattila", organisation=org)
    unit = Unit(code="ORI-1", name="Sivistys", division=division)
    db.session.add_all([org, unit])
    db.session.commit()
    outsider = make_user(roles={Role.GUEST}, unit_id=unit.id)
    assert not services.can_join(outsider, network)
    client.login(outsider)
    response = client.post(f"/networks/{network.id}/join", follow_redirects=True)
    assert "You cannot join this network." in response.get_data(as_text=True)
    assert not services.is_member(outsider, network)


def test_a_supervisor_or_the_reports_role_cannot_join(make_user, network):
    reports = make_user(roles={Role.REPORTS})
    with pytest.raises(NotPermitted):
        services.join(reports, network, utcnow())


def test_network_of_organisations_has_no_membership(staff, org_network):
    with pytest.raises(NotPermitted):
        services.join(staff, org_network, utcnow())


def test_administrator_creates_a_network_and_grants_a_coordinator(client, admin, staff):
    client.login(admin)
    response = client.post(
        "/admin/networks",
        data={"name": "Pedagogical leadership", "kind": "themed", "parent_id": "0"},
    )
    assert response.status_code == 302
    network = db.session.scalar(
        select(PeerNetwork).where(PeerNetwork.name == "Pedagogical leadership")
    )
    assert network.kind == NetworkKind.THEMED
    response = client.post(
        f"/admin/networks/{network.id}/coordinators", data={"email": staff.email}
    )
    assert response.status_code == 302
    assert services.is_coordinator(staff, network)
    client.post(f"/admin/networks/{network.id}/coordinators/{staff.id}/revoke")
    assert not services.is_coordinator(staff, network)


def test_granting_to_an_unknown_address_says_so_and_changes_nothing(client, admin, network):
    client.login(admin)
    response = client.post(
        f"/admin/networks/{network.id}/coordinators", data={"email": "nobody@lahti.fi"}
    )
    assert response.status_code == 400
    assert "No active user has this e-mail address." in response.get_data(as_text=True)


def test_duplicate_network_name_is_refused_with_a_message(client, admin, network):
    client.login(admin)
    response = client.post(
        "/admin/networks", data={"name": network.name, "kind": "themed", "parent_id": "0"}
    )
    assert response.status_code == 400
    assert "A network with this name exists already." in response.get_data(as_text=True)


def test_board_link_must_be_https(client, admin, network):
    client.login(admin)
    response = client.post(
        f"/admin/networks/{network.id}",
        data={"description": "x", "board_url": "javascript:alert(1)"},
    )
    assert response.status_code == 400
    db.session.refresh(network)
    assert network.board_url == ""


def test_only_the_administrator_creates_networks(staff):
    with pytest.raises(NotPermitted):
        services.create_network(staff, "Mine", NetworkKind.THEMED, "", None)


def test_two_join_clicks_at_once_make_one_membership(app, staff, network):
    import threading

    staff_id, network_id = staff.id, network.id
    db.session.remove()
    barrier = threading.Barrier(2)
    outcomes = []

    def click():
        with app.app_context():
            from lahti_pool.accounts.models import User

            person, target = db.session.get(User, staff_id), db.session.get(PeerNetwork, network_id)
            target.organisations  # noqa: B018 - loaded before the race, as a page would
            barrier.wait()
            try:
                services.join(person, target, utcnow())
                db.session.commit()
                outcomes.append("joined")
            except DomainError:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["joined", "refused"]
    rows = db.session.scalars(select(NetworkMember).where(NetworkMember.user_id == staff_id)).all()
    assert len(rows) == 1


def test_own_data_download_includes_networks_events_and_posts(
    client, make_member, make_event, network
):
    from lahti_pool.networks import board, events

    member = make_member()
    event = make_event()
    events.register(member, event, utcnow())
    board.post(member, network, "My own words", utcnow())
    db.session.commit()
    client.login(member)
    data = client.get("/account/data.json").get_json()
    assert data["peer_networks"]["memberships"][0]["network"] == network.name
    assert data["peer_networks"]["event_registrations"][0]["status"] == "registered"
    assert data["peer_networks"]["board_posts"][0]["text"] == "My own words"
