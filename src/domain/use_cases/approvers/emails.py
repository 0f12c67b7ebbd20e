"""E-mails to an organisation's approvers, and the support desk when it has none.

Each approver is a delivery slot named by their user id (lower-cased), so a retried job e-mails
only the approvers it had not reached. An approver without an e-mail address is skipped and
logged by id: the others still hear about the request.

Requests for an organisation with no active approver were silently dropped by the original
(docs/original-bugs.md#item-31) while organisation requests go to the support desk
(docs/email-jobs.md#organisationrequest_v1); here they go to the support desk too, once per job,
through ``supportrequest_v1``.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import structlog

from domain.directory import DirectoryUser
from domain.model import EmailMessage, JobContext
from domain.use_cases.email.fields import NO_ROLES_SELECTED
from domain.use_cases.publish_once import publish_once
from ports.directories import OrganisationDirectory
from ports.job_publisher import JobPublisher
from ports.state_store import DeliveryLog

log = structlog.get_logger(__name__)

SUPPORT_QUEUE = "supportrequest_v1"
SERVICE_ACCESS_TYPE = "Access to a service"


def approver_names(approver: DirectoryUser, *, first: str, last: str) -> dict[str, Any]:
    """The approver's directory names under the template's keys (absent names left out)."""
    return {
        key: getattr(approver, name)
        for key, name in ((first, "first_name"), (last, "last_name"))
        if approver.is_present(name)
    }


def approver_messages(
    approvers: Sequence[DirectoryUser], build: Callable[[DirectoryUser], EmailMessage]
) -> list[tuple[str, EmailMessage]]:
    """``(user id, e-mail)`` for every approver with an address, in approver-list order."""
    messages = []
    for approver in approvers:
        if not approver.email:
            log.warning("approver_without_email_skipped", user_id=approver.id)
            continue
        messages.append((approver.id.lower(), build(approver)))
    return messages


async def escalate_to_support(
    context: JobContext,
    *,
    organisation_id: str,
    request: Mapping[str, Any],
    organisations: OrganisationDirectory,
    publisher: JobPublisher,
    delivery_log: DeliveryLog,
) -> bool:
    """Enqueue one ``supportrequest_v1`` for this job; ``False`` if an earlier attempt did.

    ``request`` holds the requester's ``name``/``email``, ``orgName``, ``service`` and ``message``
    (values ``None`` are left out); the organisation's URN is looked up as
    ``organisationrequest_v1`` does.
    """
    organisation = await organisations.get_organisation(organisation_id)
    data = {
        **{name: value for name, value in request.items() if value is not None},
        "urn": (organisation.urn if organisation else None) or "",
        "type": SERVICE_ACCESS_TYPE,
    }
    published = await publish_once(
        jobs=publisher,
        delivery_log=delivery_log,
        key=context.reference(SUPPORT_QUEUE),
        queue=SUPPORT_QUEUE,
        data=data,
    )
    if published:
        log.info("request_escalated_to_support", organisation_id=organisation_id)
    return published


def no_approver_message(
    kind: str, service: str | None, org: str | None, roles: Sequence[str] | None
) -> str:
    """What the support desk reads, e.g. ``Service access request for X at Y, no approvers
    exist. Roles requested: a, b``."""
    listed = ", ".join(roles) if roles else NO_ROLES_SELECTED
    return (
        f"{kind} request for {service or ''} at {org or ''}, no approvers exist. "
        f"Roles requested: {listed}"
    )
