"""A text-message channel for tests: it stands where a real SMS gateway would, and keeps what it would send.

Plug it in with `settings.SHEQU_SMS_CHANNEL = "shequ.accounts.testing.CapturingChannel"` (the `sms` fixture of
shequ/accounts/tests does). Like a gateway it is not transactional and not a demo channel: it receives the secret
apart from the body and is the only place where the two are put together, as a gateway's adapter would.
"""

from __future__ import annotations

from dataclasses import dataclass

from .channels import SECRET


@dataclass(frozen=True)
class Sent:
    recipient: str
    text: str
    purpose: str
    secret: str

    @property
    def code(self) -> str:
        """The six digits of a sign-in code in the text."""
        digits = "".join(ch for ch in self.text if ch.isdigit())
        return self.secret or digits[:6]


SENT: list[Sent] = []


class CapturingChannel:
    name = "capture"
    transactional = False
    demo = False

    def send(self, *, recipient: str, body: str, purpose: str, secret: str = "") -> None:
        SENT.append(Sent(recipient, body.replace(SECRET, secret) if secret else body, purpose, secret))
