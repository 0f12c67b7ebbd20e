"""``changeuserpermissionlevelrequest_v1``
(docs/email-jobs.md#changeuserpermissionlevelrequest_v1)."""

from typing import Any

import pytest

from adapters.memory.email import InMemoryEmailSender
from domain.errors import InvalidPayload
from domain.model import EmailMessage
from domain.use_cases.email.delivery import EmailDelivery
from domain.use_cases.email.send_permission_level_changed import (
    SendPermissionLevelChanged,
    SendPermissionLevelChangedUseCase,
)
from tests.unit.support import LINKS, job, parse

QUEUE = "changeuserpermissionlevelrequest_v1"
PAYLOAD: dict[str, Any] = {
    "email": "jo@example.com",
    "firstName": "Jo",
    "lastName": "Bloggs",
    "orgName": "Acme Academy",
}


async def run(delivery: EmailDelivery, data: dict[str, Any]) -> None:
    use_case = SendPermissionLevelChangedUseCase(delivery=delivery, links=LINKS)
    await use_case(parse(SendPermissionLevelChanged, data), job(QUEUE))


def expected(**changes: Any) -> EmailMessage:
    return EmailMessage(
        template_key="userPermissionLevelChanged",
        recipient="jo@example.com",
        personalisation={
            "firstName": "Jo",
            "lastName": "Bloggs",
            "orgName": "Acme Academy",
            **changes,
            "contactUsUrl": "https://help.test/contact-us",
            "signInUrl": "https://services.test",
            "helpUrl": "https://help.test/contact-us",
            "helpApproverUrl": "https://help.test/approvers",
        },
        reference=f"{QUEUE}:42:0",
        plain_text_fields=("firstName", "lastName", "orgName"),
    )


async def test_promoted_to_approver(delivery: EmailDelivery, email: InMemoryEmailSender) -> None:
    permission = {"id": 10000, "name": "Approver", "oldName": "End User"}

    await run(delivery, {**PAYLOAD, "permission": permission})

    assert email.sent == [
        expected(
            oldPermissionLowercase="end user",
            permissionLowercase="approver",
            isNowApprover=True,
            isReduced=False,
            permissionName="Approver",
        )
    ]


@pytest.mark.parametrize("role_id", [0, "10000", None, True])
async def test_anything_but_the_number_10000_is_a_reduction(
    delivery: EmailDelivery, email: InMemoryEmailSender, role_id: object
) -> None:
    permission = {"id": role_id, "name": "End User", "oldName": "Approver"}

    await run(delivery, {**PAYLOAD, "permission": permission})

    assert email.sent == [
        expected(
            oldPermissionLowercase="approver",
            permissionLowercase="end user",
            isNowApprover=False,
            isReduced=True,
            permissionName="End User",
        )
    ]


@pytest.mark.parametrize(
    ("permission", "field"),
    [
        (None, "permission"),
        ({"id": 0, "oldName": "Approver"}, "permission.name"),
        ({"id": 0, "name": "End User"}, "permission.oldName"),
    ],
)
def test_a_payload_without_the_roles_is_refused_naming_the_field(
    permission: dict[str, Any] | None, field: str
) -> None:
    with pytest.raises(InvalidPayload, match=f"invalid payload: {field}: "):
        parse(SendPermissionLevelChanged, {**PAYLOAD, "permission": permission})
