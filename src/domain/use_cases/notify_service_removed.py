"""``userserviceremoved_v1`` (catalogue §2.14): tell a user a service was removed, then ask
legacy sync to re-send their remaining access (best effort)."""

from domain.model import JobContext, PlatformLinks
from domain.use_cases.email_delivery import EmailDelivery
from domain.use_cases.email_fields import sent_values
from domain.use_cases.service_emails import (
    NAMES,
    UserEmailPayload,
    email_to,
    help_contact_url,
    send_one,
)
from domain.use_cases.settings_required import link
from domain.use_cases.user_update_follow_up import request_user_update
from ports.directories import UserDirectory
from ports.job_publisher import JobPublisher

TEMPLATE = "userServiceRemoved"


class NotifyServiceRemoved(UserEmailPayload):
    """Payload of ``sendUserServiceRemoved(email, firstName, lastName, serviceName, orgName)``."""

    service_name: str | None = None
    org_name: str | None = None


class NotifyServiceRemovedUseCase:
    """The e-mail must go out (its failure fails the job); the follow-up may fail quietly."""

    def __init__(
        self,
        *,
        delivery: EmailDelivery,
        links: PlatformLinks,
        users: UserDirectory,
        publisher: JobPublisher,
    ) -> None:
        self._delivery = delivery
        self._links = links
        self._users = users
        self._publisher = publisher

    async def __call__(self, command: NotifyServiceRemoved, context: JobContext) -> dict[str, int]:
        personalisation = {
            **sent_values(command, {**NAMES, "serviceName": "service_name", "orgName": "org_name"}),
            "signInUrl": link(self._links, "services_url"),
            "helpUrl": help_contact_url(self._links),
        }
        result = await send_one(
            self._delivery, context, email_to(TEMPLATE, command.email, personalisation)
        )
        requested = await request_user_update(
            command.email, users=self._users, publisher=self._publisher, after="service_removal"
        )
        return {**result, "user_updates_requested": int(requested)}
