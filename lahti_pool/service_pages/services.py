"""Writing and reading the service pages."""

from flask import current_app
from sqlalchemy import select

from lahti_pool.core import audit
from lahti_pool.core.errors import N_, DomainError
from lahti_pool.core.models import utcnow
from lahti_pool.extensions import db
from lahti_pool.service_pages.models import PageSlug, ServicePage
from lahti_pool.service_pages.render import MAX_BODY


def page_for(slug: PageSlug, locale: str, fallback: str = "fi") -> ServicePage | None:
    """The page in ``locale``, else in ``fallback`` (the city writes Finnish first)."""
    rows = {
        row.locale: row
        for row in db.session.scalars(select(ServicePage).where(ServicePage.slug == slug))
    }
    return rows.get(locale) or rows.get(fallback)


def written_pages(locale: str, fallback: str = "fi") -> list[ServicePage]:
    """Every written page in the reader's language (or the fallback), in PageSlug order."""
    rows = db.session.scalars(select(ServicePage)).all()
    by_slug: dict[PageSlug, dict[str, ServicePage]] = {}
    for row in rows:
        by_slug.setdefault(row.slug, {})[row.locale] = row
    pages = []
    for slug in PageSlug:
        versions = by_slug.get(slug, {})
        page = versions.get(locale) or versions.get(fallback)
        if page is not None and page.title.strip():
            pages.append(page)
    return pages


def stored_page(slug: PageSlug, locale: str) -> ServicePage | None:
    return db.session.scalar(
        select(ServicePage).where(ServicePage.slug == slug, ServicePage.locale == locale)
    )


def save_page(actor, slug: PageSlug, locale: str, title: str, body: str) -> ServicePage:
    """Write one page in one language; an empty body with an empty title removes it."""
    if locale not in current_app.config["LANGUAGES"]:
        raise DomainError(N_("Choose Finnish, Swedish or English."), field="locale")
    title, body = title.strip(), body.strip()
    if not title:
        raise DomainError(N_("Give the page a title."), field="title")
    if len(body) > MAX_BODY:
        raise DomainError(
            N_("The text is too long: at most %(n)s characters."), field="body", n=MAX_BODY
        )
    page = stored_page(slug, locale)
    if page is None:
        page = ServicePage(slug=slug, locale=locale)
        db.session.add(page)
    page.title, page.body = title, body
    page.updated_by_id = actor.id if actor is not None else None
    page.updated_at = utcnow()
    db.session.flush()
    audit.record(actor, "service_page.saved", page, slug=str(slug), locale=locale)
    return page


def all_pages() -> list[ServicePage]:
    return db.session.scalars(select(ServicePage)).all()
