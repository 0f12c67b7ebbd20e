"""Port: send one templated e-mail."""

from collections.abc import Iterable
from typing import Protocol

from domain.model import EmailMessage


class EmailSender(Protocol):
    """Sends templated e-mails (GOV.UK Notify in production).

    ``require_templates`` raises ``TemplateNotConfigured`` before anything is sent, so a job
    whose template is missing sends nothing. ``send`` raises ``RecipientRejected`` or
    ``UpstreamMisconfigured`` (permanent), ``RateLimited`` or ``UpstreamUnavailable`` (retryable).
    """

    def require_templates(self, template_keys: Iterable[str]) -> None:
        """Fail fast unless every key maps to a template."""
        ...

    async def send(self, message: EmailMessage) -> str:
        """Send and return the provider's notification id."""
        ...

    async def was_sent(self, reference: str) -> bool:
        """True when a message with this ``reference`` was already accepted.

        Asked only for redelivered jobs, whose earlier attempt may have died between the
        provider accepting a message and the delivery being recorded.
        """
        ...
