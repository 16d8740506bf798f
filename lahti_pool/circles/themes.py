"""Themes passed upward: a group's anonymised theme for management.

One member drafts the text (drafting is their confirmation); it may name nobody; every
member confirms, or one declines and it stops; editing the text starts the confirmations
over. Once all have confirmed it is passed: the development services (and the
administrator) see its text, the month and the kind of group, nothing else.
"""

from datetime import date

from sqlalchemy import select

from lahti_pool.accounts.models import Role, User
from lahti_pool.circles import rules
from lahti_pool.circles.mails import notify_theme_to_confirm
from lahti_pool.circles.models import (
    CircleMember,
    CovisionCircle,
    GroupKind,
    MemberState,
    ThemeConfirmation,
    ThemeState,
    UpwardTheme,
)
from lahti_pool.core import audit
from lahti_pool.core.errors import N_, DomainError, NotPermitted
from lahti_pool.extensions import db
from lahti_pool.requests.models import RequestKind
from lahti_pool.sessions.models import ProcessMember, SupervisionProcess


def group_members(theme_or_group) -> list[User]:
    """The members who agree on a theme: a group process's clients, a circle's members;
    only active accounts (somebody who has left the city cannot confirm)."""
    group = theme_or_group
    if isinstance(group, UpwardTheme):
        group = (
            db.session.get(SupervisionProcess, group.process_id)
            if group.process_id
            else db.session.get(CovisionCircle, group.circle_id)
        )
    rows = group.joined if isinstance(group, CovisionCircle) else group.members
    return [m.user for m in rows if m.user.is_active]


def can_raise(user: User, group) -> bool:
    """A member of a group supervision process, or of a circle."""
    if isinstance(group, SupervisionProcess) and group.kind != RequestKind.GROUP:
        return False
    return user.id in {u.id for u in group_members(group)}


def draft_theme(actor: User, group, text: str) -> UpwardTheme:
    if not can_raise(actor, group):
        raise NotPermitted(N_("Only the group's members can raise a theme."))
    members = group_members(group)
    text = rules.check_theme_text(text, [u.name for u in members])
    is_circle = isinstance(group, CovisionCircle)
    theme = UpwardTheme(
        group_kind=GroupKind.COVISION_CIRCLE if is_circle else GroupKind.SUPERVISION_GROUP,
        circle_id=group.id if is_circle else None,
        process_id=None if is_circle else group.id,
        text=text,
        drafted_by_id=actor.id,
    )
    theme.confirmations.append(ThemeConfirmation(user_id=actor.id))
    db.session.add(theme)
    db.session.flush()
    audit.record(actor, "theme.drafted", theme)
    if not pass_if_agreed(theme, members, date.today()):
        notify_theme_to_confirm(theme, members, actor)
    return theme


def is_member(user: User, theme: UpwardTheme) -> bool:
    return user.id in {u.id for u in group_members(theme)}


def _check_open(actor: User, theme: UpwardTheme) -> list[User]:
    members = group_members(theme)
    if actor.id not in {u.id for u in members}:
        raise NotPermitted(N_("Only the group's members can do this."))
    if theme.state != ThemeState.DRAFT:
        raise DomainError(N_("This theme is no longer open."))
    return members


def edit_theme(actor: User, theme: UpwardTheme, text: str) -> None:
    """A new text: everybody confirms again (the editor's edit is their confirmation)."""
    members = _check_open(actor, theme)
    text = rules.check_theme_text(text, [u.name for u in members])
    if text == theme.text:
        return
    theme.text = text
    theme.confirmations.clear()
    db.session.flush()
    theme.confirmations.append(ThemeConfirmation(user_id=actor.id))
    audit.record(actor, "theme.edited", theme)
    db.session.flush()
    notify_theme_to_confirm(theme, members, actor)


def confirm_theme(actor: User, theme: UpwardTheme, today: date) -> bool:
    """The actor agrees; True when that was the last confirmation and it is passed."""
    members = _check_open(actor, theme)
    if actor.id not in theme.confirmed_ids:
        theme.confirmations.append(ThemeConfirmation(user_id=actor.id))
    audit.record(actor, "theme.confirmed", theme)
    db.session.flush()
    return pass_if_agreed(theme, members, today)


def pass_if_agreed(theme: UpwardTheme, members: list[User], today: date) -> bool:
    if {u.id for u in members} <= theme.confirmed_ids:
        theme.state = ThemeState.PASSED
        theme.passed_month = rules.month_of(today)
        db.session.flush()
        return True
    return False


def decline_theme(actor: User, theme: UpwardTheme) -> None:
    _check_open(actor, theme)
    theme.state = ThemeState.DECLINED
    audit.record(actor, "theme.declined", theme)
    db.session.flush()


def waiting_for(user: User) -> list[UpwardTheme]:
    """Open themes of the user's groups (group processes, joined circles) that wait for
    the user's confirmation."""
    processes = select(ProcessMember.process_id).where(ProcessMember.user_id == user.id)
    circles = select(CircleMember.circle_id).where(
        CircleMember.user_id == user.id, CircleMember.state == MemberState.JOINED
    )
    confirmed = select(ThemeConfirmation.theme_id).where(ThemeConfirmation.user_id == user.id)
    return list(
        db.session.scalars(
            select(UpwardTheme)
            .where(
                UpwardTheme.state == ThemeState.DRAFT,
                UpwardTheme.process_id.in_(processes) | UpwardTheme.circle_id.in_(circles),
                UpwardTheme.id.not_in(confirmed),
            )
            .order_by(UpwardTheme.id)
        )
    )


def themes_of(group) -> list[UpwardTheme]:
    column = UpwardTheme.circle_id if isinstance(group, CovisionCircle) else UpwardTheme.process_id
    return list(db.session.scalars(select(UpwardTheme).where(column == group.id)))


def can_read_passed(user: User) -> bool:
    return user.has_role(Role.REPORTS, Role.ADMIN)


def passed_themes() -> list[tuple[str, date, GroupKind]]:
    """What management sees: the text, the month and the kind of group; newest first."""
    rows = db.session.execute(
        select(UpwardTheme.text, UpwardTheme.passed_month, UpwardTheme.group_kind)
        .where(UpwardTheme.state == ThemeState.PASSED)
        .order_by(UpwardTheme.passed_month.desc(), UpwardTheme.id.desc())
    )
    return [tuple(r) for r in rows]
