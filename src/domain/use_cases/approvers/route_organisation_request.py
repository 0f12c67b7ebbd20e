"""``organisationrequest_v1`` (docs/email-jobs.md#organisationrequest_v1): send a new organisation
request to who can decide.

The organisation's active approvers get it (through ``approveraccessrequest_v1``); when it has
none, the support desk does (through ``supportrequest_v1``). A request, organisation or user that
does not exist fails the job with ``NotFound`` instead of a crash (docs/original-bugs.md#item-32).
The follow-up is enqueued at most once per job, so a redelivered job does not e-mail everyone
twice.
"""

from dataclasses import dataclass
from typing import Any

from domain.errors import NotFound
from domain.model import JobContext
from domain.use_cases.approvers.active import active_approvers
from domain.use_cases.email.fields import RequiredText, WirePayload
from domain.use_cases.publish_once import publish_built_once
from ports.directories import OrganisationDirectory, UserDirectory
from ports.job_publisher import JobPublisher
from ports.state_store import DeliveryLog

APPROVERS_QUEUE = "approveraccessrequest_v1"
SUPPORT_QUEUE = "supportrequest_v1"
SUPPORT_REQUEST_TYPE = "Access to an organisation"


class RouteOrganisationRequest(WirePayload):
    """Payload of ``NotificationClient.sendUserOrganisationRequest``."""

    request_id: RequiredText


@dataclass(frozen=True, kw_only=True)
class RouteOrganisationRequestUseCase:
    """Looks the request up and enqueues exactly one follow-up job."""

    organisations: OrganisationDirectory
    users: UserDirectory
    publisher: JobPublisher
    delivery_log: DeliveryLog

    async def __call__(
        self, command: RouteOrganisationRequest, context: JobContext
    ) -> dict[str, Any]:
        published = await publish_built_once(
            jobs=self.publisher,
            delivery_log=self.delivery_log,
            key=context.reference("follow-up"),
            build=lambda: self._follow_up(command.request_id),
        )
        if published is None:
            return {"enqueued": None, "skipped": 1}
        queue, job_id = published
        return {"enqueued": queue, "job_id": job_id}

    async def _follow_up(self, request_id: str) -> tuple[str, dict[str, Any]]:
        request = await self.organisations.get_organisation_request(request_id)
        if request is None:
            raise NotFound("organisation request (requestId) not found")
        organisation_id = _required(request.organisation_id, "org_id")
        approvers = [
            approver
            for approver in await active_approvers(
                organisation_id, organisations=self.organisations, users=self.users
            )
            if approver.email
        ]
        organisation = await self.organisations.get_organisation(organisation_id)
        if organisation is None:
            raise NotFound("organisation of the request (org_id) not found")
        user = await self.users.get_user(_required(request.user_id, "user_id"))
        if user is None:
            raise NotFound("requesting user of the request (user_id) not found")
        user_name = f"{user.first_name or ''} {user.last_name or ''}"
        if approvers:
            return APPROVERS_QUEUE, {
                "recipients": [
                    {
                        "email": approver.email,
                        "firstName": approver.first_name,
                        "lastName": approver.last_name,
                    }
                    for approver in approvers
                ],
                "orgName": organisation.name,
                "userName": user_name,
                "userEmail": user.email,
                "orgId": organisation_id,
                "requestId": request_id,
            }
        return SUPPORT_QUEUE, {
            "name": user_name,
            "email": user.email,
            "orgName": organisation.name,
            "urn": organisation.urn or "",
            "message": _support_message(organisation.name or "", request.reason),
            "type": SUPPORT_REQUEST_TYPE,
        }


def _required(value: str | None, field: str) -> str:
    if value is None:
        raise NotFound(f"organisation request has no {field}")
    return value


def _support_message(organisation_name: str, reason: str | None) -> str:
    """The original's text; without a reason it stops after the first sentence (not ``null``)."""
    message = f"Organisation request for {organisation_name}, no approvers exist."
    reason_given = "" if reason is None else reason.strip()
    if reason_given:
        message += f" Request reason: {reason_given}"
    return message
