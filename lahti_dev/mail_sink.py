"""``make run``'s e-mail: a local SMTP sink and an outbox sender beside the dev server.

Production sends the outbox with ``flask pool send-mail --loop`` to the city's mail
server. In development nothing would send it (the outbox page then showed mail waiting
for ever) and no mail server listens; here a thread sends the outbox every few seconds
to an SMTP server on loopback (aiosmtpd) that prints each message and saves it as a
``.eml`` file a developer can open.
"""

import email
import itertools
import threading
import time
from email import policy
from pathlib import Path

import click
from flask import Flask

from lahti_pool.core.jobs import send_due
from lahti_pool.extensions import db


class _SaveAndPrint:
    """aiosmtpd handler: each message into ``directory`` and its text onto the console."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.numbers = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{time.strftime('%Y%m%d-%H%M%S')}-{next(self.numbers):04d}.eml"
        path.write_bytes(envelope.content)
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        click.echo(
            f"\n--- e-mail to {', '.join(envelope.rcpt_tos)}: {message['subject']}"
            f" (saved as {path})\n{text.rstrip()}\n---",
        )
        return "250 Message accepted for delivery"


class MailSink:
    """An SMTP server on loopback that keeps every message (aiosmtpd's Controller)."""

    def __init__(self, directory: Path, port: int = 0, host: str = "127.0.0.1") -> None:
        from aiosmtpd.controller import Controller  # a development dependency

        if not port:
            import socket

            with socket.socket() as probe:
                probe.bind((host, 0))
                port = probe.getsockname()[1]
        self.host, self.port, self.directory = host, port, directory
        self.controller = Controller(_SaveAndPrint(directory), hostname=host, port=port)

    def start(self) -> "MailSink":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


def route_mail_to(app: Flask, sink: MailSink) -> None:
    """Point the app's outgoing mail at the sink (plain SMTP, no login)."""
    app.config.update(
        MAIL_SERVER=sink.host,
        MAIL_PORT=sink.port,
        MAIL_USE_TLS=False,
        MAIL_USE_SSL=False,
        MAIL_USERNAME=None,
        MAIL_PASSWORD=None,
        MAIL_SUPPRESS_SEND=False,
    )


def start_sender(app: Flask, interval: float = 5.0) -> threading.Thread:
    """A daemon thread that sends the outbox's due messages every ``interval`` seconds."""

    def loop() -> None:
        while True:
            with app.app_context():
                try:
                    send_due()
                except Exception as exc:  # keep sending after a passing failure
                    click.echo(f"--- e-mail sender: {type(exc).__name__}: {exc}", err=True)
                finally:
                    db.session.remove()
            time.sleep(interval)

    thread = threading.Thread(target=loop, name="dev-mail-sender", daemon=True)
    thread.start()
    return thread
