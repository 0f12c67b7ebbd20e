"""``supportrequest_v1`` (docs/email-jobs.md#supportrequest_v1): pass a help request to the support
desk (ServiceNow).

The e-mail goes to the support mailbox, never to the requester. The desk's flood filter trips at 50
e-mails in 5 minutes, so the queue keeps the original's limiter (45 per 5 minutes,
docs/runtime.md#limiter), declared on the job spec and enforced by BullMQ across every worker.
"""

from dataclasses import dataclass

from domain.model import EmailSettings, JobContext, PlatformLinks
from domain.use_cases.email.delivery import EmailDelivery
from domain.use_cases.email.fields import WirePayload, sent_values
from domain.use_cases.email.sending import (
    email_to,
    help_contact_url,
    send_one,
    support_email_address,
)

TEMPLATE = "supportRequest"


class SendSupportRequest(WirePayload):
    """Payload of ``sendSupportRequest(name, email, service, type, typeAdditionalInfo, orgName,
    urn, message)`` and of ``organisationrequest_v1``'s escalation. Nothing is required: the
    recipient is the configured mailbox. A non-string ``typeAdditionalInfo`` is refused."""

    name: str | None = None
    email: str | None = None
    service: str | None = None
    type: str | None = None
    type_additional_info: str | None = None
    org_name: str | None = None
    urn: str | None = None
    message: str | None = None


@dataclass(frozen=True, kw_only=True)
class SendSupportRequestUseCase:
    """One e-mail to the support mailbox describing who needs what."""

    template_keys = frozenset({TEMPLATE})

    delivery: EmailDelivery
    links: PlatformLinks
    settings: EmailSettings

    async def __call__(self, command: SendSupportRequest, context: JobContext) -> dict[str, int]:
        additional_info = (command.type_additional_info or "").strip()
        personalisation = {
            **sent_values(
                command, {"name": "name", "email": "email", "type": "type", "message": "message"}
            ),
            "orgName": command.org_name or "",
            "urn": command.urn or "",
            "service": command.service or "",
            "showAdditionalInfoHeader": additional_info != "",
            "typeAdditionalInfo": additional_info,
            "helpUrl": help_contact_url(self.links),
        }
        recipient = support_email_address(self.settings)
        return await send_one(
            self.delivery, context, email_to(TEMPLATE, recipient, personalisation)
        )
