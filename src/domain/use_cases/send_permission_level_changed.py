"""``changeuserpermissionlevelrequest_v1`` (catalogue §2.8): a user's organisation role changed.

The original crashed on a missing ``permission``, ``name`` or ``oldName`` (§6 item 36); the
payload model now refuses such a job, naming the missing field.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from domain.model import EmailMessage, JobContext, PlatformLinks
from domain.use_cases.email_delivery import EmailDelivery
from domain.use_cases.email_fields import Recipient, plain_text, sent_values
from domain.use_cases.settings_required import link

TEMPLATE = "userPermissionLevelChanged"
APPROVER_ROLE_ID = 10000


class Permission(BaseModel):
    """The new role (``id``, ``name``) and the name of the old one.

    ``id`` is any JSON value: only the number 10000 means approver (the original's ``===``).
    """

    model_config = ConfigDict(frozen=True, extra="ignore", alias_generator=to_camel)

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


class SendPermissionLevelChanged(BaseModel):
    """Payload of ``sendUserPermissionChanged``."""

    model_config = ConfigDict(frozen=True, extra="ignore", alias_generator=to_camel)

    email: Recipient
    first_name: str | None = None
    last_name: str | None = None
    org_name: str | None = None
    permission: Permission


class SendPermissionLevelChangedUseCase:
    """One e-mail to the user: now an approver, or reduced to end user."""

    def __init__(self, *, delivery: EmailDelivery, links: PlatformLinks) -> None:
        self._delivery = delivery
        self._links = links

    async def __call__(
        self, command: SendPermissionLevelChanged, context: JobContext
    ) -> dict[str, int]:
        permission = command.permission
        help_url = link(self._links, "help_url")
        personalisation = {
            **sent_values(
                command,
                {"firstName": "first_name", "lastName": "last_name", "orgName": "org_name"},
            ),
            "oldPermissionLowercase": permission.old_name.lower(),
            "permissionLowercase": permission.name.lower(),
            "isNowApprover": permission.is_approver,
            "isReduced": not permission.is_approver,
            "contactUsUrl": help_url + "/contact-us",
            "permissionName": permission.name,
            "signInUrl": link(self._links, "services_url"),
            "helpUrl": help_url + "/contact-us",
            "helpApproverUrl": help_url + "/approvers",
        }
        message = EmailMessage(
            template_key=TEMPLATE,
            recipient=command.email,
            personalisation=personalisation,
            plain_text_fields=plain_text(personalisation, "firstName", "lastName", "orgName"),
        )
        report = await self._delivery.send_all(context, [("0", message)])
        return report.as_result()
