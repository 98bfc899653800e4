"""SMTP delivery (aiosmtplib): one message per call; any failure raises ``MailNotSent``."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import aiosmtplib

from csa_identity.notices.settings import MailSettings
from csa_shared.clock import LUXEMBOURG


class MailNotSent(Exception):
    """The server could not be reached or refused the message: it stays queued."""


class SmtpMailer:
    def __init__(self, settings: MailSettings, *, timeout: float = 10.0) -> None:
        self._settings = settings
        self._timeout = timeout

    @property
    def configured(self) -> bool:
        return bool(self._settings.host)

    async def send(self, *, recipient: str, subject: str, body: str, language: str) -> None:
        settings = self._settings
        mail = EmailMessage()
        mail["From"] = settings.sender
        mail["To"] = recipient
        mail["Subject"] = subject
        # the headers a receiving server's spam filter expects of every message
        mail["Date"] = format_datetime(datetime.now(LUXEMBOURG))  # with its UTC offset
        mail["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or None)
        mail.set_content(body)
        mail["Content-Language"] = language  # after set_content, which clears Content-*
        password = settings.password.get_secret_value() if settings.password else None
        try:
            await aiosmtplib.send(
                mail,
                hostname=settings.host,
                port=settings.port,
                username=settings.username,
                password=password,
                use_tls=settings.tls == "tls",
                start_tls=settings.tls == "starttls",
                timeout=self._timeout,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise MailNotSent(str(exc)) from exc
