"""``userserviceadded_v2`` (docs/email-jobs.md#userserviceadded_v2): tell a user their service
request was approved.

The original linked help to ``/contact``, unlike every other template's ``/contact-us``
(docs/original-bugs.md#item-34); this job uses ``/contact-us`` like the rest.
"""

from dataclasses import dataclass

from domain.model import JobContext, PlatformLinks
from domain.use_cases.email.delivery import EmailDelivery
from domain.use_cases.email.fields import (
    NAMES,
    Permission,
    ServiceDecisionPayload,
    is_approver,
    permission_name,
    sent_values,
)
from domain.use_cases.email.sending import email_to, help_contact_url, link, send_one

TEMPLATE = "userRequestForServiceApprovedV2"


class NotifyServiceAddedV2(ServiceDecisionPayload):
    """Payload of ``sendServiceRequestApproved(email, firstName, lastName, orgName, serviceName,
    requestedSubServices, permission = {})``."""

    permission: Permission | None = None


@dataclass(frozen=True, kw_only=True)
class NotifyServiceAddedV2UseCase:
    """One e-mail to the user: service, roles, role in the organisation, links."""

    template_keys = frozenset({TEMPLATE})

    delivery: EmailDelivery
    links: PlatformLinks

    async def __call__(self, command: NotifyServiceAddedV2, context: JobContext) -> dict[str, int]:
        personalisation = {
            **sent_values(
                command,
                {
                    **NAMES,
                    "orgName": "org_name",
                    "serviceName": "service_name",
                    "subServices": "requested_sub_services",
                },
            ),
            "permissionName": permission_name(command.permission),
            "isApprover": is_approver(command.permission),
            "signInUrl": link(self.links, "services_url") + "/my-services",
            "helpUrl": help_contact_url(self.links),
        }
        return await send_one(
            self.delivery, context, email_to(TEMPLATE, command.email, personalisation)
        )
