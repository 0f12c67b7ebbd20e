"""Building a job's e-mails and sending them: free text marked for Notify to sanitise, links
from the platform's base URLs, one e-mail sent at most once (docs/email-jobs.md#sending,
#links).

A setting a job needs but the deployment did not give fails that job, naming the setting as
the deployment calls it (``PlatformLinks.setting_names``, given by the entrypoints). Outside
``dev`` start-up already refuses such a deployment (``entrypoints.required_settings``); in
``dev`` the worker starts and only the jobs that need the value fail, permanently.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from domain.errors import UpstreamMisconfigured
from domain.model import EmailMessage, EmailSettings, JobContext, PlatformLinks, setting_name
from domain.use_cases.email.delivery import EmailDelivery
from domain.use_cases.email.fields import plain_text

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


def link(links: PlatformLinks, name: str) -> str:
    """The base URL ``name`` (a ``PlatformLinks`` field), or a permanent failure."""
    value: str | None = getattr(links, name)
    if not value:
        raise UpstreamMisconfigured(f"{setting_name(links.setting_names, name)} is not configured")
    return value


def help_contact_url(links: PlatformLinks) -> str:
    """The help site's contact page (``/contact-us``, docs/original-bugs.md#item-34)."""
    return link(links, "help_url") + "/contact-us"


def support_email_address(settings: EmailSettings) -> str:
    """The support desk's address, or a permanent failure."""
    if not settings.support_email_address:
        variable = setting_name(settings.setting_names, "support_email_address")
        raise UpstreamMisconfigured(f"{variable} is not configured")
    return settings.support_email_address


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
