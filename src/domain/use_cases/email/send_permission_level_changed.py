"""``changeuserpermissionlevelrequest_v1``
(docs/email-jobs.md#changeuserpermissionlevelrequest_v1): a user's organisation role changed.

The original crashed on a missing ``permission``, ``name`` or ``oldName``
(docs/original-bugs.md#item-36); the payload model now refuses such a job, naming the missing
field.
"""

from dataclasses import dataclass
from typing import Any

from domain.model import JobContext, PlatformLinks
from domain.use_cases.email.delivery import EmailDelivery
from domain.use_cases.email.fields import NAMES, UserEmailPayload, WirePayload, sent_values
from domain.use_cases.email.sending import email_to, link, send_one

TEMPLATE = "userPermissionLevelChanged"
APPROVER_ROLE_ID = 10000


class Permission(WirePayload):
    """The new role (``id``, ``name``) and the name of the old one.

    ``id`` is any JSON value: only the number 10000 means approver (the original's ``===``).
    """

    id: Any = None
    name: str
    old_name: str

    @property
    def is_approver(self) -> bool:
        return (
            isinstance(self.id, int | float)
            and not isinstance(self.id, bool)
            and self.id == APPROVER_ROLE_ID
        )


class SendPermissionLevelChanged(UserEmailPayload):
    """Payload of ``sendUserPermissionChanged``."""

    org_name: str | None = None
    permission: Permission


@dataclass(frozen=True, kw_only=True)
class SendPermissionLevelChangedUseCase:
    """One e-mail to the user: now an approver, or reduced to end user."""

    template_keys = frozenset({TEMPLATE})

    delivery: EmailDelivery
    links: PlatformLinks

    async def __call__(
        self, command: SendPermissionLevelChanged, context: JobContext
    ) -> dict[str, int]:
        permission = command.permission
        help_url = link(self.links, "help_url")
        personalisation = {
            **sent_values(command, {**NAMES, "orgName": "org_name"}),
            "oldPermissionLowercase": permission.old_name.lower(),
            "permissionLowercase": permission.name.lower(),
            "isNowApprover": permission.is_approver,
            "isReduced": not permission.is_approver,
            "contactUsUrl": help_url + "/contact-us",
            "permissionName": permission.name,
            "signInUrl": link(self.links, "services_url"),
            "helpUrl": help_url + "/contact-us",
            "helpApproverUrl": help_url + "/approvers",
        }
        return await send_one(
            self.delivery, context, email_to(TEMPLATE, command.email, personalisation)
        )
