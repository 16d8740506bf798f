"""The service pages the city writes: one row per page and language."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lahti_pool.core.models import UTCDateTime, str_enum, utcnow
from lahti_pool.extensions import db


class PageSlug(enum.StrEnum):
    """The pages, in the order staff see them."""

    SERVICE = "service"  #: the service description: who may have what, and how
    WHAT_IS = "what-is"  #: "what is työnohjaus"
    FAQ = "faq"  #: frequently asked questions
    WELLBEING = "wellbeing"  #: occupational health and the city's other wellbeing services


class ServicePage(db.Model):
    """A page the administrator writes in Markdown, in one language (fi, sv or en)."""

    __tablename__ = "service_pages"
    __table_args__ = (UniqueConstraint("slug", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[PageSlug] = mapped_column(str_enum(PageSlug))
    #: "fi", "sv" or "en"
    locale: Mapped[str] = mapped_column(String(5))
    title: Mapped[str] = mapped_column(String(200))
    #: Markdown, rendered with raw HTML off and links checked (service_pages/render.py)
    body: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
