"""The service pages: read by everybody logged in, written by the administrator."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from lahti_pool.accounts.models import Role
from lahti_pool.core.errors import DomainError
from lahti_pool.core.permissions import roles_required
from lahti_pool.core.views import show_domain_error
from lahti_pool.extensions import db
from lahti_pool.requests.labels import LANGUAGE_LABELS
from lahti_pool.service_pages import services
from lahti_pool.service_pages.forms import ServicePageForm
from lahti_pool.service_pages.models import PageSlug
from lahti_pool.service_pages.render import render

bp = Blueprint("service_pages", __name__)

#: what each page is for, as the administrator's list names it
SLUG_LABELS = {
    PageSlug.SERVICE: _l("Service description"),
    PageSlug.WHAT_IS: _l("What is work supervision"),
    PageSlug.FAQ: _l("Frequently asked questions"),
    PageSlug.WELLBEING: _l("Occupational health and other wellbeing services"),
}


def _slug_or_404(slug: str) -> PageSlug:
    try:
        return PageSlug(slug)
    except ValueError:
        abort(404)


def _locale_or_404(locale: str) -> str:
    if locale not in current_app.config["LANGUAGES"]:
        abort(404)
    return locale


@bp.get("/service")
@login_required
def index():
    pages = services.written_pages(get_locale().language)
    return render_template("service_pages/index.html", pages=pages)


@bp.get("/service/<slug>")
@login_required
def page(slug: str):
    found = services.page_for(_slug_or_404(slug), get_locale().language)
    if found is None:
        abort(404)
    pages = services.written_pages(get_locale().language)
    return render_template(
        "service_pages/page.html", page=found, html=render(found.body), pages=pages
    )


@bp.get("/admin/service-pages")
@roles_required(Role.ADMIN)
def admin_index():
    stored = {(p.slug, p.locale): p for p in services.all_pages()}
    return render_template(
        "service_pages/admin_index.html",
        slugs=list(PageSlug),
        labels=SLUG_LABELS,
        languages=current_app.config["LANGUAGES"],
        language_labels=LANGUAGE_LABELS,
        stored=stored,
    )


def _edit_page(slug: PageSlug, locale: str, form: ServicePageForm, preview=None):
    return render_template(
        "service_pages/edit.html",
        form=form,
        slug=slug,
        locale=locale,
        label=SLUG_LABELS[slug],
        language=LANGUAGE_LABELS.get(locale, locale),
        preview=preview,
    )


@bp.get("/admin/service-pages/<slug>/<locale>")
@roles_required(Role.ADMIN)
def edit(slug: str, locale: str):
    slug, locale = _slug_or_404(slug), _locale_or_404(locale)
    stored = services.stored_page(slug, locale)
    form = ServicePageForm(obj=stored)
    return _edit_page(slug, locale, form)


@bp.post("/admin/service-pages/<slug>/<locale>")
@roles_required(Role.ADMIN)
def save(slug: str, locale: str):
    slug, locale = _slug_or_404(slug), _locale_or_404(locale)
    form = ServicePageForm()
    if not form.validate():
        return _edit_page(slug, locale, form), 400
    if form.preview.data:  # shown, not saved
        return _edit_page(slug, locale, form, preview=render(form.body.data or ""))
    try:
        services.save_page(current_user, slug, locale, form.title.data, form.body.data or "")
    except DomainError as error:
        show_domain_error(form, error)
        return _edit_page(slug, locale, form), 400
    db.session.commit()
    flash(_("The page is saved."), "success")
    return redirect(url_for("service_pages.admin_index"))
