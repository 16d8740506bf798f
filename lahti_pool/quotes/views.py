"""Pages of quotes for a group: ask, answer (the supervisor), compare and accept."""

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from lahti_pool.accounts.models import Role
from lahti_pool.budget.cost_keys import request_organisations
from lahti_pool.budget.costkey import shares_from_form
from lahti_pool.budget.labels import budget_warning_text
from lahti_pool.core.errors import DomainError
from lahti_pool.core.permissions import roles_required
from lahti_pool.core.views import show_domain_error
from lahti_pool.extensions import db
from lahti_pool.quotes import services
from lahti_pool.quotes.forms import AcceptForm, AskForm, DeclineForm, QuoteForm
from lahti_pool.quotes.labels import quote_status_label
from lahti_pool.quotes.models import Quote, QuoteRound
from lahti_pool.requests.models import RequestKind, SupervisionRequest

bp = Blueprint("quotes", __name__)
bp.add_app_template_global(quote_status_label)


def today() -> date:
    return date.today()


@bp.app_template_global()
def quote_rounds_of(sup_request: SupervisionRequest) -> list[QuoteRound]:
    """The requests for quotes of a group request (for its page's links)."""
    return list(
        db.session.scalars(
            select(QuoteRound)
            .where(QuoteRound.request_id == sup_request.id)
            .order_by(QuoteRound.id.desc())
        )
    )


def get_group_request(request_id: int) -> SupervisionRequest:
    """:raises 404: no such group request  :raises 403: not its organiser nor the administrator"""
    sup_request = db.get_or_404(SupervisionRequest, request_id)
    if sup_request.kind != RequestKind.GROUP:
        abort(404)
    if current_user.id != sup_request.requester_id and not current_user.has_role(Role.ADMIN):
        abort(403)
    return sup_request


def get_round(round_id: int) -> QuoteRound:
    """:raises 404: no such round  :raises 403: not the organiser nor the administrator"""
    quote_round = db.get_or_404(QuoteRound, round_id)
    if not services.can_compare(current_user, quote_round):
        abort(403)
    return quote_round


def get_quote(quote_id: int) -> Quote:
    """:raises 404: no such quote  :raises 403: not the supervisor asked"""
    quote = db.get_or_404(Quote, quote_id)
    if not services.is_quote_supervisor(current_user, quote):
        abort(403)
    return quote


@bp.route("/requests/<int:request_id>/quotes/new", methods=["GET", "POST"])
@login_required
def ask(request_id: int):
    sup_request = get_group_request(request_id)
    form = AskForm()
    if request.method == "GET":
        form.sessions.data = sup_request.sessions_requested
        form.period_from.data = max(sup_request.wanted_from, today())
        form.period_to.data = sup_request.school_year.ends_on
    elif form.validate():
        try:
            quote_round = services.ask_for_quotes(
                current_user, sup_request, form.as_input(), today()
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The supervisors are asked for their quotes."), "success")
            return redirect(url_for("quotes.round_page", round_id=quote_round.id))
    candidates = services.candidates(sup_request, today())
    page = render_template(
        "quotes/round_new.html",
        r=sup_request,
        form=form,
        candidates=candidates,
        chosen=set(form.supervisors.data or ()),
        can_ask=services.can_ask(current_user, sup_request),
        open_round=services.open_round(sup_request),
    )
    return page, 400 if form.errors else 200


@bp.get("/quote-rounds/<int:round_id>")
@login_required
def round_page(round_id: int):
    quote_round = get_round(round_id)
    return _round_page(quote_round, AcceptForm(formdata=None))


def _round_page(quote_round: QuoteRound, form: AcceptForm, status: int = 200):
    page = render_template(
        "quotes/round_compare.html",
        q=quote_round,
        rows=services.compare(quote_round, today()),
        form=form,
        can_accept=services.can_accept(current_user) and quote_round.is_open,
        today=today(),
        organisations=request_organisations(quote_round.request),
        shares=request.form,
    )
    return page, status


#: the services' refusals → the form's fields (the budget guard's own name)
_ACCEPT_FIELDS = {
    "reason": "reason",
    "override_reason": "budget_override_reason",
    "cost_key": "cost_key",
    "shares": "cost_key",
}


@bp.post("/quote-rounds/<int:round_id>/accept")
@roles_required(Role.ADMIN)
def accept(round_id: int):
    quote_round = get_round(round_id)
    form = AcceptForm()
    if not form.validate():
        return _round_page(quote_round, form, 400)
    quote = next((q for q in quote_round.quotes if q.id == form.quote.data), None)
    if quote is None:
        abort(404)
    try:
        key = form.cost_key.data or "attendance"
        opened = services.accept_quote(
            current_user,
            quote,
            form.reason.data or "",
            today(),
            budget_override_reason=form.budget_override_reason.data or "",
            cost_key=key,
            cost_shares=shares_from_form(request.form) if key == "shares" else {},
        )
    except DomainError as error:
        error.field = _ACCEPT_FIELDS.get(error.field)
        show_domain_error(form, error)
        return _round_page(db.get_or_404(QuoteRound, round_id), form, 400)
    db.session.commit()
    flash(_("The quote is accepted and the group's process is opened."), "success")
    for warning in opened.warnings:
        flash(budget_warning_text(warning), "warning")
    return redirect(url_for("quotes.round_page", round_id=round_id))


@bp.get("/quotes/<int:quote_id>")
@login_required
def answer(quote_id: int):
    quote = get_quote(quote_id)
    form = QuoteForm(formdata=None)
    form.valid_until.data = today() + timedelta(days=30)
    return _answer_page(quote, form, DeclineForm(formdata=None, prefix="decline"))


def _answer_page(quote: Quote, form: QuoteForm, decline_form: DeclineForm, status: int = 200):
    page = render_template(
        "quotes/quote_answer.html",
        quote=quote,
        q=quote.round,
        form=form,
        decline_form=decline_form,
        answerable=quote.round.is_open and quote.status in ("asked", "given"),
    )
    return page, status


@bp.post("/quotes/<int:quote_id>")
@login_required
def give(quote_id: int):
    quote = get_quote(quote_id)
    form = QuoteForm()
    if form.validate():
        try:
            services.give_quote(current_user, quote, form.as_input(), today())
        except DomainError as error:
            show_domain_error(form, error)
            quote = db.get_or_404(Quote, quote_id)
        else:
            db.session.commit()
            flash(_("Your quote is recorded."), "success")
            return redirect(url_for("quotes.answer", quote_id=quote_id))
    return _answer_page(quote, form, DeclineForm(formdata=None, prefix="decline"), 400)


@bp.post("/quotes/<int:quote_id>/decline")
@login_required
def decline(quote_id: int):
    quote = get_quote(quote_id)
    form = DeclineForm(prefix="decline")
    if form.validate():
        try:
            services.decline_quote(current_user, quote, form.note.data or "")
        except DomainError as error:
            show_domain_error(None, error)
        else:
            db.session.commit()
            flash(_("You declined to give a quote."), "success")
        return redirect(url_for("quotes.answer", quote_id=quote_id))
    return _answer_page(quote, QuoteForm(formdata=None), form, 400)
