"""E-mail through an SMTP server configured by the environment:
CHITHI_SMTP_HOST, CHITHI_SMTP_PORT (25), CHITHI_SMTP_USER, CHITHI_SMTP_PASSWORD, CHITHI_SMTP_FROM,
CHITHI_SMTP_STARTTLS (1 to upgrade the connection), CHITHI_SMTP_TIMEOUT (seconds, 20).
Without CHITHI_SMTP_HOST nothing is sent by e-mail (notifications stay in the app)."""
from __future__ import annotations

import os
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 25
    user: str | None = None
    password: str | None = None
    sender: str = "chithi@localhost"
    starttls: bool = False
    timeout: float = 20.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SmtpConfig | None:
        """The server named by the environment, or None when e-mail is not configured."""
        env = os.environ if env is None else env
        host = (env.get("CHITHI_SMTP_HOST") or "").strip()
        if not host:
            return None
        return cls(host=host, port=int(env.get("CHITHI_SMTP_PORT") or 25), user=env.get("CHITHI_SMTP_USER") or None,
                   password=env.get("CHITHI_SMTP_PASSWORD") or None,
                   sender=env.get("CHITHI_SMTP_FROM") or "chithi@localhost",
                   starttls=(env.get("CHITHI_SMTP_STARTTLS") or "") in ("1", "true", "yes"),
                   timeout=float(env.get("CHITHI_SMTP_TIMEOUT") or 20))


class Mailer:
    """Sends one message per call over a fresh connection (a sweep sends few)."""

    def __init__(self, config: SmtpConfig):
        self.config = config

    def send(self, to: str, subject: str, body: str, message_id_key: str) -> None:
        """Send a plain-text message; raises OSError / smtplib.SMTPException on failure."""
        msg = EmailMessage()
        msg["From"] = formataddr(("Hệ thống chỉ thị", self.config.sender))
        msg["To"] = to
        msg["Subject"] = subject
        msg["Message-ID"] = make_msgid(idstring=message_id_key)
        msg.set_content(body)
        with smtplib.SMTP(self.config.host, self.config.port, timeout=self.config.timeout) as smtp:
            if self.config.starttls:
                smtp.starttls()
            if self.config.user:
                smtp.login(self.config.user, self.config.password or "")
            smtp.send_message(msg)
