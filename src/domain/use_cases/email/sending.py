"""Shared pieces of the e-mail jobs (catalogue §2.2-§2.25): payload bases, building and sending.

The payload base keeps the Node producers' wire names; fields a job only passes on to Notify are
optional, so an absent field is left out of the personalisation and an explicit null is kept
(§1.12). Free text typed by people is listed in ``FREE_TEXT_KEYS`` so Notify sanitises it.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from domain.model import EmailMessage, JobContext, PlatformLinks
from domain.use_cases.email.delivery import EmailDelivery
from domain.use_cases.email.fields import Recipient, plain_text
from domain.use_cases.email.settings_required import link

APPROVER_ROLE_ID = 10000
NO_ROLES_SELECTED = "No roles selected."
NOT_APPLICABLE = "n/a"

FREE_TEXT_KEYS = (
    "firstName",
    "lastName",
    "name",
    "senderName",
    "endUserName",
    "approverFirstName",
    "approverLastName",
    "orgName",
    "reason",
    "message",
    "typeAdditionalInfo",
    "serviceName",
    "requestedServiceName",
    "service",
)
"""Personalisation keys holding names and text people typed: Notify renders them as plain text
(no Markdown, no links). Links and e-mail addresses are not listed."""

NAMES = {"firstName": "first_name", "lastName": "last_name"}


class WirePayload(BaseModel):
    """Base of the payload models: camelCase wire names, unknown fields ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore", alias_generator=to_camel)


class UserEmailPayload(WirePayload):
    """An e-mail to one user: the address is required, the names are passed on as sent."""

    email: Recipient
    first_name: str | None = None
    last_name: str | None = None


class ServiceDecisionPayload(UserEmailPayload):
    """A user told the outcome of a request for a service or for roles within one."""

    org_name: str | None = None
    service_name: str | None = None
    requested_sub_services: list[str] | None = None


SERVICE_DECISION_FIELDS = {
    **NAMES,
    "orgName": "org_name",
    "serviceName": "service_name",
    "requestedSubServices": "requested_sub_services",
}
"""Personalisation key → field of ``ServiceDecisionPayload``, passed on as sent."""


class Permission(WirePayload):
    """The user's role in the organisation as the services app sends it (``{}`` by default)."""

    id: int | str | None = None
    name: str | None = None


def permission_name(permission: Permission | None) -> str:
    """The role's name, ``n/a`` when the producer gave none."""
    return (permission.name if permission else None) or NOT_APPLICABLE


def is_approver(permission: Permission | None) -> bool:
    """The original's ``permission.id === 10000``: the number, not the string ``"10000"``."""
    return (
        permission is not None and type(permission.id) is int and permission.id == APPROVER_ROLE_ID
    )


def roles_or_default(roles: list[str] | None) -> list[str]:
    """The requested roles, or the one line ``No roles selected.`` when there are none."""
    return list(roles) if roles else [NO_ROLES_SELECTED]


def help_contact_url(links: PlatformLinks) -> str:
    """The help site's contact page (``/contact-us``, catalogue §6 item 34)."""
    return link(links, "help_url") + "/contact-us"


def email_to(
    template_key: str,
    recipient: str,
    personalisation: Mapping[str, Any],
    plain_text_keys: Sequence[str] = FREE_TEXT_KEYS,
) -> EmailMessage:
    """An e-mail whose free-text personalisation Notify must sanitise.

    ``plain_text_keys`` lists the candidate keys in the order the job reports them.
    """
    return EmailMessage(
        template_key=template_key,
        recipient=recipient,
        personalisation=personalisation,
        plain_text_fields=plain_text(personalisation, *plain_text_keys),
    )


async def send_one(
    delivery: EmailDelivery, context: JobContext, message: EmailMessage
) -> dict[str, int]:
    """Send a job's single e-mail (slot ``0``), at most once across retries."""
    report = await delivery.send_all(context, [("0", message)])
    return report.as_result()
