"""What every one-recipient account e-mail job shares: templates checked first, no repeats."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import BaseModel

from adapters.memory.email import InMemoryEmailSender
from adapters.memory.state_store import InMemoryDeliveryLog
from domain.errors import InvalidPayload, TemplateNotConfigured, UpstreamMisconfigured
from domain.model import EmailSettings, JobContext, PlatformLinks
from domain.use_cases.email.delivery import EmailDelivery
from domain.use_cases.email.send_access_request_outcome import (
    SendAccessRequestOutcome,
    SendAccessRequestOutcomeUseCase,
)
from domain.use_cases.email.send_change_email_verification import (
    SendChangeEmailVerification,
    SendChangeEmailVerificationUseCase,
)
from domain.use_cases.email.send_email_change_notice import (
    SendEmailChangeNotice,
    SendEmailChangeNoticeUseCase,
)
from domain.use_cases.email.send_existing_account_notice import (
    SendExistingAccountNotice,
    SendExistingAccountNoticeUseCase,
)
from domain.use_cases.email.send_invitation import SendInvitation, SendInvitationUseCase
from domain.use_cases.email.send_password_reset import SendPasswordReset, SendPasswordResetUseCase
from domain.use_cases.email.send_permission_level_changed import (
    SendPermissionLevelChanged,
    SendPermissionLevelChangedUseCase,
)
from tests.unit.support import LINKS, job, parse

Handler = Callable[[Any, JobContext], Awaitable[dict[str, int]]]


@dataclass(frozen=True)
class Case:
    queue: str
    command: type[BaseModel]
    build: Callable[[EmailDelivery, PlatformLinks], Handler]
    payload: dict[str, Any]
    template: str


USER = {"email": "jo@example.com", "firstName": "Jo", "lastName": "Bloggs"}
CASES = [
    Case(
        "accessrequest_v1",
        SendAccessRequestOutcome,
        lambda d, links: SendAccessRequestOutcomeUseCase(delivery=d, links=links),
        {"email": "jo@example.com", "approved": True},
        "userRequestForOrganisationAccessApproved",
    ),
    Case(
        "verifychangeemail_v1",
        SendChangeEmailVerification,
        lambda d, links: SendChangeEmailVerificationUseCase(delivery=d, links=links),
        {**USER, "code": "ABC123"},
        "verifyChangeEmailAddress",
    ),
    Case(
        "notifychangeemail_v1",
        SendEmailChangeNotice,
        lambda d, links: SendEmailChangeNoticeUseCase(delivery=d, links=links),
        {**USER, "newEmail": "new@example.com"},
        "notifyChangeEmailAddress",
    ),
    Case(
        "changeuserpermissionlevelrequest_v1",
        SendPermissionLevelChanged,
        lambda d, links: SendPermissionLevelChangedUseCase(delivery=d, links=links),
        {**USER, "permission": {"id": 0, "name": "End user", "oldName": "Approver"}},
        "userPermissionLevelChanged",
    ),
    Case(
        "invitation_v2",
        SendInvitation,
        lambda d, links: SendInvitationUseCase(delivery=d, links=links, settings=EmailSettings()),
        {**USER, "invitationId": "inv-1", "code": "ABC123"},
        "inviteNewUser",
    ),
    Case(
        "passwordreset_v1",
        SendPasswordReset,
        lambda d, links: SendPasswordResetUseCase(delivery=d, links=links),
        {**USER, "code": "ABC123", "clientId": "services", "uid": "user-1"},
        "verifyPasswordResetRequest",
    ),
    Case(
        "registerexistinguser_v1",
        SendExistingAccountNotice,
        lambda d, links: SendExistingAccountNoticeUseCase(delivery=d, links=links),
        {**USER, "serviceName": "Teacher services", "returnUrl": "https://rp.test"},
        "notifyExistingUserWhenAttemptingToRegisterAgain",
    ),
]
IDS = [case.queue for case in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_missing_template_sends_nothing(case: Case) -> None:
    email = InMemoryEmailSender(templates={"someOtherTemplate": "id"})
    use_case = case.build(EmailDelivery(email=email, delivery_log=InMemoryDeliveryLog()), LINKS)

    with pytest.raises(TemplateNotConfigured, match=f"'{case.template}'"):
        await use_case(parse(case.command, case.payload), job(case.queue))
    assert email.sent == []


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_a_retried_job_does_not_send_again(case: Case) -> None:
    email = InMemoryEmailSender(templates={case.template: "id"})
    use_case = case.build(EmailDelivery(email=email, delivery_log=InMemoryDeliveryLog()), LINKS)
    command = parse(case.command, case.payload)

    first = await use_case(command, job(case.queue))
    again = await use_case(command, job(case.queue))
    other_job = await use_case(command, job(case.queue, job_id="43"))

    assert (first, again, other_job) == (
        {"sent": 1, "skipped": 0},
        {"sent": 0, "skipped": 1},
        {"sent": 1, "skipped": 0},
    )
    assert [message.reference for message in email.sent] == [
        f"{case.queue}:42:0",
        f"{case.queue}:43:0",
    ]


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_unset_help_site_fails_naming_the_variable(case: Case) -> None:
    email = InMemoryEmailSender()
    links = PlatformLinks(
        interactions_url=LINKS.interactions_url,
        profile_url=LINKS.profile_url,
        services_url=LINKS.services_url,
        setting_names=LINKS.setting_names,
    )
    use_case = case.build(EmailDelivery(email=email, delivery_log=InMemoryDeliveryLog()), links)

    with pytest.raises(UpstreamMisconfigured, match="STANDALONE_HELP_HOST_NAME is not configured"):
        await use_case(parse(case.command, case.payload), job(case.queue))
    assert email.sent == []


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_payload_without_recipient_is_refused(case: Case) -> None:
    data = {key: value for key, value in case.payload.items() if key != "email"}

    with pytest.raises(InvalidPayload, match="invalid payload: email: Field required"):
        parse(case.command, data)
