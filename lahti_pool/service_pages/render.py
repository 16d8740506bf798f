"""Markdown to safe HTML for the service pages.

The administrator writes the pages, but a page is shown to every staff member, so it is
rendered as if anybody had written it: raw HTML is off (a ``<script>`` is shown as text),
images are off (the CSP would block outside ones anyway), and a link keeps its address
only if it is relative or ``http``, ``https``, ``mailto`` or ``tel``: ``javascript:``,
``data:``, ``vbscript:`` and any other scheme, however spelled or encoded, are refused and
stay plain text.
"""

import re

from markdown_it import MarkdownIt
from markupsafe import Markup

#: the schemes a link may use; anything else with a scheme is refused
SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
#: the part of an address before the first "/", "?" or "#": where a scheme would be
_HEAD = re.compile(r"^[^/?#]*")

MAX_BODY = 20_000


def is_safe_link(url: str) -> bool:
    """Relative addresses and the ``SAFE_SCHEMES``; markdown-it passes the address
    already decoded from entities and percent-encoded."""
    head = _HEAD.match(url.strip()).group(0)
    if ":" not in head:
        return True  # relative: a path, a query or a fragment
    scheme, _, _rest = head.partition(":")
    return scheme.lower() in SAFE_SCHEMES


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable("image")
    md.validateLink = is_safe_link
    return md


_MD = _parser()


def render(text: str) -> Markup:
    """The page's Markdown as HTML that is safe to put in a page as is."""
    # markdown-it escapes every character of the text (html off); links are checked above
    return Markup(_MD.render(text))  # noqa: S704  # nosec B704
