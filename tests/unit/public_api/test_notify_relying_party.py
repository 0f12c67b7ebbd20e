"""publicinvitationnotifyrelyingparty_v1
(docs/public-api-jobs.md#publicinvitationnotifyrelyingparty_v1): sign and post to the callback."""

import pytest
from pydantic import SecretStr

from adapters.memory.directories import InMemoryDirectories
from adapters.memory.webhook import InMemoryWebhookSender, PostedWebhook
from domain.errors import NotFound, RateLimited, UpstreamMisconfigured, UpstreamRejected
from domain.model import JobContext
from domain.use_cases.public_api.notify_relying_party import (
    NotifyRelyingParty,
    NotifyRelyingPartyUseCase,
)
from entrypoints.settings import CONFIG_VARIABLES

CONTEXT = JobContext(queue="publicinvitationnotifyrelyingparty_v1", job_id="3")
PLATFORM_SECRET = "platform-secret-of-at-least-32-bytes"
RP_SECRET = "relying-party-secret-32-bytes-long"
SERVICE = {"id": "svc-1", "relyingParty": {"client_id": "rp-client", "api_secret": RP_SECRET}}


def use_case(
    directories: InMemoryDirectories,
    webhook: InMemoryWebhookSender,
    default_secret: str | None = PLATFORM_SECRET,
) -> NotifyRelyingPartyUseCase:
    return NotifyRelyingPartyUseCase(
        applications=directories,
        webhook=webhook,
        default_secret=SecretStr(default_secret) if default_secret is not None else None,
        default_secret_setting=CONFIG_VARIABLES["public_api.jwt_secret"],
    )


def command(**wire: object) -> NotifyRelyingParty:
    return NotifyRelyingParty.model_validate(
        {"userId": "user-1", "sourceId": "src-1", "callback": "https://rp.example.org/cb", **wire}
    )


async def test_posts_signed_with_the_services_api_secret(
    directories: InMemoryDirectories, webhook: InMemoryWebhookSender
) -> None:
    directories.services.append(SERVICE)

    result = await use_case(directories, webhook)(
        command(state="EXISTING_USER", clientId="rp-client"), CONTEXT
    )

    assert result == {"notified": True}
    assert webhook.posted == [
        PostedWebhook(
            "https://rp.example.org/cb",
            {"sub": "user-1", "sourceId": "src-1", "state": "EXISTING_USER"},
            RP_SECRET,
        )
    ]


async def test_without_client_id_signs_with_job_jwt_secret_and_omits_absent_values(
    directories: InMemoryDirectories, webhook: InMemoryWebhookSender
) -> None:
    await use_case(directories, webhook)(command(sourceId=None), CONTEXT)

    assert webhook.posted == [
        PostedWebhook("https://rp.example.org/cb", {"sub": "user-1"}, PLATFORM_SECRET)
    ]


@pytest.mark.parametrize("callback", [None, ""])
async def test_no_callback_succeeds_without_posting_or_needing_a_secret(
    directories: InMemoryDirectories, webhook: InMemoryWebhookSender, callback: str | None
) -> None:
    result = await use_case(directories, webhook, default_secret=None)(
        command(callback=callback, clientId="unknown"), CONTEXT
    )

    assert result == {"notified": False}
    assert webhook.posted == []


async def test_unknown_client_id_fails_permanently(
    directories: InMemoryDirectories, webhook: InMemoryWebhookSender
) -> None:
    with pytest.raises(NotFound, match=r"^Cannot find application with client id nobody$"):
        await use_case(directories, webhook)(command(clientId="nobody"), CONTEXT)
    assert webhook.posted == []


async def test_service_without_api_secret_fails_naming_it(
    directories: InMemoryDirectories, webhook: InMemoryWebhookSender
) -> None:
    directories.services.append({"id": "svc-1", "relyingParty": {"client_id": "rp-client"}})

    with pytest.raises(
        UpstreamMisconfigured, match=r"^No api secret configured for svc-1 \(clientId rp-client\)$"
    ):
        await use_case(directories, webhook)(command(clientId="rp-client"), CONTEXT)
    assert webhook.posted == []


@pytest.mark.parametrize("secret", [None, ""])
async def test_missing_job_jwt_secret_fails_naming_the_variable(
    directories: InMemoryDirectories, webhook: InMemoryWebhookSender, secret: str | None
) -> None:
    with pytest.raises(UpstreamMisconfigured, match=r"^JOB_JWT_SECRET is not configured$"):
        await use_case(directories, webhook, default_secret=secret)(command(), CONTEXT)
    assert webhook.posted == []


@pytest.mark.parametrize(
    "error",
    [
        RateLimited("webhook https://rp.example.org answered 429", retry_after_s=5),
        UpstreamRejected("webhook https://rp.example.org refused: it contains credentials"),
    ],
)
async def test_webhook_errors_keep_their_class(
    directories: InMemoryDirectories,
    webhook: InMemoryWebhookSender,
    error: RateLimited | UpstreamRejected,
) -> None:
    webhook.fail_with = error

    with pytest.raises(type(error)) as raised:
        await use_case(directories, webhook)(command(), CONTEXT)
    assert raised.value is error


def test_user_id_is_required() -> None:
    with pytest.raises(ValueError, match="userId"):
        NotifyRelyingParty.model_validate({"callback": "https://rp.example.org/cb"})
