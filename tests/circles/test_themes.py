"""Themes passed upward: drafted without names, confirmed by every member (or stopped by
one), seen by the development services as text, month and kind of group only."""

from datetime import date

import pytest
from sqlalchemy import func, select

from lahti_pool.circles import rules, themes
from lahti_pool.circles.models import GroupKind, ThemeState, UpwardTheme
from lahti_pool.core.errors import DomainError, NotPermitted
from lahti_pool.extensions import db

TEXT = "Lasten päivähoidon aukioloajat eivät vastaa vuorotyötä tekevien vanhempien tarpeita."


def _themes() -> int:
    return db.session.scalar(select(func.count()).select_from(UpwardTheme))


@pytest.mark.parametrize(
    "text",
    [
        "Anna kertoi, että aukioloajat ovat liian lyhyet.",  # a first name
        "Sanoi CARLSSON: aukioloajat",  # a surname, any case
        "Ota yhteyttä: anna@lahti.fi",  # an e-mail address
        "Kysy osoitteesta someone.else@example.org",  # anybody's address
    ],
)
def test_a_text_with_a_members_name_or_an_address_is_refused(closed_process, members, text):
    with pytest.raises(DomainError) as refused:
        themes.draft_theme(members[1], closed_process, text)
    assert "name" in refused.value.msgid or "e-mail" in refused.value.msgid
    db.session.rollback()
    assert _themes() == 0


def test_a_word_that_only_contains_a_name_passes():
    # "Anna" is a member; "annatut" (given) is another word, and "Berg" inside "Bergamo"
    assert rules.named_in("Annatut resurssit Bergamossa", ["Anna Aalto", "Bertta Berg"]) == []
    assert rules.named_in("anna aalto sanoi", ["Anna Aalto"]) == ["Anna Aalto"]


def test_every_member_confirms_and_the_theme_passes_to_management(closed_process, members, today):
    theme = themes.draft_theme(members[0], closed_process, TEXT)
    assert theme.confirmed_ids == {members[0].id}  # drafting is the drafter's confirmation
    assert themes.confirm_theme(members[1], theme, today) is False
    assert themes.passed_themes() == []
    assert themes.confirm_theme(members[2], theme, today) is True
    db.session.commit()
    assert theme.state == ThemeState.PASSED
    assert themes.passed_themes() == [(TEXT, today.replace(day=1), GroupKind.SUPERVISION_GROUP)]


def test_editing_the_text_starts_the_confirmations_over(closed_process, members, today):
    theme = themes.draft_theme(members[0], closed_process, TEXT)
    themes.confirm_theme(members[1], theme, today)
    themes.edit_theme(members[2], theme, TEXT + " Iltaisin.")
    db.session.commit()
    assert theme.confirmed_ids == {members[2].id}
    assert theme.state == ThemeState.DRAFT
    with pytest.raises(DomainError, match="names a member"):
        themes.edit_theme(members[0], theme, "Bertta ehdotti tätä.")
    db.session.rollback()
    assert db.session.get(UpwardTheme, theme.id).text == TEXT + " Iltaisin."


def test_one_member_declining_stops_the_theme(closed_process, members, today):
    theme = themes.draft_theme(members[0], closed_process, TEXT)
    themes.decline_theme(members[1], theme)
    with pytest.raises(DomainError, match="no longer open"):
        themes.confirm_theme(members[2], theme, today)
    assert themes.passed_themes() == []


def test_only_the_groups_members_raise_and_confirm(closed_process, members, make_user, today):
    outsider = make_user(name="Olli Ulkopuolinen")
    with pytest.raises(NotPermitted):
        themes.draft_theme(outsider, closed_process, TEXT)
    theme = themes.draft_theme(members[0], closed_process, TEXT)
    with pytest.raises(NotPermitted):
        themes.confirm_theme(outsider, theme, today)


def test_a_circles_theme_is_confirmed_by_its_joined_members(circle, members):
    theme = themes.draft_theme(members[0], circle, TEXT)
    for member in members[1:]:
        themes.confirm_theme(member, theme, date(2026, 11, 20))
    db.session.commit()
    assert themes.passed_themes() == [(TEXT, date(2026, 11, 1), GroupKind.COVISION_CIRCLE)]


def test_the_reports_page_shows_text_month_and_kind_only(
    client, closed_process, members, reports_user, admin, staff, supervisor, today
):
    theme = themes.draft_theme(members[0], closed_process, TEXT)
    for member in members[1:]:
        themes.confirm_theme(member, theme, today)
    db.session.commit()
    for reader in (reports_user, admin):
        client.login(reader)
        page = client.get("/circles/themes/passed").text
        assert TEXT in page and "A supervision group" in page
        for name in [m.name for m in members] + [supervisor.name, closed_process.reference]:
            assert name not in page
    for outsider in (staff, supervisor.user, members[0]):
        client.login(outsider)
        assert client.get("/circles/themes/passed").status_code == 403


def test_a_member_who_left_the_city_does_not_hold_a_theme_back(closed_process, members, today):
    members[2].is_active_account = False
    theme = themes.draft_theme(members[0], closed_process, TEXT)
    assert themes.confirm_theme(members[1], theme, today) is True


def test_the_other_members_are_told_a_theme_waits_for_them_without_its_text(
    client, closed_process, members
):
    from lahti_pool.core.outbox import MailMessage

    theme = themes.draft_theme(members[0], closed_process, TEXT)
    db.session.commit()
    mails = db.session.scalars(select(MailMessage).where(MailMessage.kind == "theme_to_confirm"))
    mails = list(mails)
    assert sorted(m.to_address for m in mails) == ["bertta@lahti.fi", "cecilia@hollola.fi"]
    assert all(TEXT not in m.body_text and TEXT not in m.body_html for m in mails)
    client.login(members[1])
    assert f"/circles/themes/{theme.id}" in client.get("/circles/").text
    themes.confirm_theme(members[1], theme, date.today())
    db.session.commit()
    assert f"/circles/themes/{theme.id}" not in client.get("/circles/").text
