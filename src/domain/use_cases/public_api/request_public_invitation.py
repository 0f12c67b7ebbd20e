"""``publicinvitationrequest_v1`` (docs/public-api-jobs.md#publicinvitationrequest_v1): a service
asked, via the public API, to invite a person.

First match wins: an existing user is linked to the organisation and its relying party is told
at once; an existing invitation gets the caller's callback (once) and the organisation; otherwise
a new invitation is created, and the directories API sends the invitation e-mail itself (it
enqueues ``invitation_v2``), so this job sends none.

Callbacks and origin use the directories API's own field names (``callbacks[].callback``,
``callbacks[].clientId``, ``origin``), not the ``callbackUri``/flat ``clientId`` the original wrote
(docs/original-bugs.md#item-28), so the URL survives and the duplicate check compares like with
like. The directories API stores no ``state``, so none is written. Every step is safe to repeat: a
retry after a partial failure finds the user or the invitation and completes the remaining steps.
"""

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from domain.directory import Invitation, InvitationCallback, NewInvitation
from domain.model import JobContext
from domain.use_cases.public_api.notify_relying_party import NOTIFY_RELYING_PARTY_QUEUE, SourceId
from domain.use_cases.publish_once import publish_once
from ports.directories import OrganisationDirectory, UserDirectory
from ports.job_publisher import JobPublisher
from ports.state_store import DeliveryLog

END_USER_ROLE_ID = 0


class RequestPublicInvitation(BaseModel):
    """Wire payload as the public API enqueues it.

    Only ``email`` is required, as in the original, which read nothing else before acting: the
    public API sends no ``userRedirect`` when the calling service has no redirect URI, and a
    field left out is left out of what is written (JSON drops ``undefined``), never refused.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    firstName: str | None = None
    lastName: str | None = None
    email: str = Field(min_length=1)
    organisation: str | None = None
    sourceId: SourceId | None = None
    callback: str | None = None
    userRedirect: str | None = None
    clientId: str | None = None
    inviteSubjectOverride: str | None = None
    inviteBodyOverride: str | None = None

    def invitation_callback(self) -> InvitationCallback:
        """This request's callback (values the producer left out are left out)."""
        return InvitationCallback(
            **_present(source_id=self.sourceId, callback=self.callback, client_id=self.clientId)
        )


@dataclass(frozen=True, kw_only=True)
class RequestPublicInvitationUseCase:
    """Existing user, existing invitation or new invitation
    (docs/public-api-jobs.md#publicinvitationrequest_v1 steps 1-3)."""

    users: UserDirectory
    organisations: OrganisationDirectory
    jobs: JobPublisher
    delivery_log: DeliveryLog

    async def __call__(
        self, command: RequestPublicInvitation, context: JobContext
    ) -> dict[str, str]:
        user = await self.users.get_user(command.email)
        if user is not None:
            await self._existing_user(command, context, user.id)
            return {"outcome": "existing_user"}
        invitation = await self.users.get_invitation_by_email(command.email)
        if invitation is not None:
            await self._existing_invitation(command, invitation)
            return {"outcome": "existing_invitation"}
        invitation_id = await self.users.create_invitation(_new_invitation(command))
        await self._link_invitation(command, invitation_id)
        return {"outcome": "new_invitation"}

    async def _existing_user(
        self, command: RequestPublicInvitation, context: JobContext, user_id: str
    ) -> None:
        if command.organisation:
            await self.organisations.add_user_to_organisation(
                command.organisation, user_id, END_USER_ROLE_ID
            )
        if not command.callback:
            return
        await publish_once(
            jobs=self.jobs,
            delivery_log=self.delivery_log,
            key=context.reference("notify-relying-party"),
            queue=NOTIFY_RELYING_PARTY_QUEUE,
            data=_present(
                userId=user_id,
                sourceId=command.sourceId,
                callback=command.callback,
                state="EXISTING_USER",
                clientId=command.clientId,
            ),
        )

    async def _existing_invitation(
        self, command: RequestPublicInvitation, invitation: Invitation
    ) -> None:
        if command.callback and not invitation.has_callback(command.sourceId, command.callback):
            await self.users.set_invitation_callbacks(
                invitation.id, [*invitation.callbacks, command.invitation_callback()]
            )
        await self._link_invitation(command, invitation.id)

    async def _link_invitation(self, command: RequestPublicInvitation, invitation_id: str) -> None:
        if command.organisation:
            await self.organisations.add_invitation_to_organisation(
                command.organisation, invitation_id, END_USER_ROLE_ID
            )


def _new_invitation(command: RequestPublicInvitation) -> NewInvitation:
    return NewInvitation(
        email=command.email,
        first_name=command.firstName,
        last_name=command.lastName,
        client_id=command.clientId,
        redirect_uri=command.userRedirect,
        callbacks=(command.invitation_callback(),) if command.callback else (),
        subject_override=command.inviteSubjectOverride or None,
        body_override=command.inviteBodyOverride or None,
    )


def _present(**values: Any) -> dict[str, Any]:
    """The values the producer sent: absent ones are left out, as ``JSON.stringify`` did."""
    return {key: value for key, value in values.items() if value is not None}
