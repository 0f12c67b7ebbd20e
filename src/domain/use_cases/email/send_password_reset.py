"""``passwordreset_v1`` (docs/email-jobs.md#passwordreset_v1): send the code and link that reset a
password.

The link carries a fresh random UUID as the original's did. ``uid`` and ``clientId`` are required
and percent-encoded instead of becoming the text ``undefined`` (docs/original-bugs.md#item-35).
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from domain.model import JobContext, PlatformLinks
from domain.use_cases.email.delivery import EmailDelivery
from domain.use_cases.email.fields import (
    NAMES,
    RequiredText,
    UserEmailPayload,
    path_segment,
    sent_values,
)
from domain.use_cases.email.sending import email_to, help_contact_url, link, send_one

TEMPLATE = "verifyPasswordResetRequest"


class SendPasswordReset(UserEmailPayload):
    """Payload of ``sendPasswordReset``."""

    code: RequiredText
    client_id: RequiredText
    uid: RequiredText


def _random_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True, kw_only=True)
class SendPasswordResetUseCase:
    """One e-mail to the user with the code and the page to enter it on."""

    template_keys = frozenset({TEMPLATE})

    delivery: EmailDelivery
    links: PlatformLinks
    new_id: Callable[[], str] = _random_id

    async def __call__(self, command: SendPasswordReset, context: JobContext) -> dict[str, int]:
        return_url = (
            f"{link(self.links, 'interactions_url')}/{self.new_id()}/resetpassword/"
            f"{path_segment(command.uid)}/confirm?clientid={path_segment(command.client_id)}"
        )
        personalisation = {
            **sent_values(command, NAMES),
            "code": command.code,
            "returnUrl": return_url,
            "helpUrl": help_contact_url(self.links),
        }
        return await send_one(
            self.delivery, context, email_to(TEMPLATE, command.email, personalisation)
        )
