"""The quotes feature's e-mails: a request for quotes, and a decided one (no client names)."""

from flask_babel import lazy_gettext as _l

from lahti_pool.core.mailer import absolute_url, active, queue_mail


def notify_quotes_asked(quote_round) -> None:
    """To each supervisor asked: the numbers and a link; never names nor the need's text
    (a contracted supervisor's mailbox is outside the city)."""
    for quote in quote_round.quotes:
        for user in active([quote.supervisor.user]):
            queue_mail(
                user,
                "quote_requested",
                "quotes/quote_requested",
                _l("Request for quotes: group supervision"),
                sessions=quote_round.sessions,
                group_size=quote_round.group_size,
                period_from=quote_round.period_from,
                period_to=quote_round.period_to,
                link=absolute_url("quotes.answer", quote_id=quote.id),
            )


def notify_quote_closed(quote) -> None:
    """To a supervisor whose quote was not chosen (or who declined or did not answer)."""
    for user in active([quote.supervisor.user]):
        queue_mail(
            user,
            "quote_closed",
            "quotes/quote_closed",
            _l("Request for quotes decided"),
            link=absolute_url("quotes.answer", quote_id=quote.id),
        )
