"""How ``NotifyEmailSender`` maps GOV.UK Notify's answers, over real HTTP to the stand-in."""

import asyncio
import itertools
import socket
import time
import traceback
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager

import httpx
import jwt
import pytest
from pydantic import SecretStr

from adapters.notify.email_sender import RATE_LIMIT_WINDOW_S, NotifyEmailSender
from domain.errors import (
    RateLimited,
    RecipientRejected,
    UpstreamMisconfigured,
    UpstreamUnavailable,
    WorkerError,
)
from domain.model import EmailMessage
from tests.support.notify_stand_in import (
    NotifyApiKey,
    NotifyStandIn,
    Reply,
    running_notify_stand_in,
)

pytestmark = pytest.mark.real

TEMPLATES = {"verifyPasswordResetRequest": "2c6a2d4b-3b0e-4a8e-9d6f-1f0f3c2b7a11"}
RECIPIENT = "zoe.obrien@example.com"
MESSAGE = EmailMessage(
    template_key="verifyPasswordResetRequest",
    recipient=RECIPIENT,
    personalisation={"code": "ABC123"},
    reference="passwordreset_v1:42:0",
)
TIMEOUT_S = 0.5
HANG_S = 10.0


@pytest.fixture
async def stand_in() -> AsyncIterator[tuple[NotifyStandIn, str]]:
    async with running_notify_stand_in() as served:
        yield served


@contextmanager
def notify_sender(
    base_url: str, api_key: str, timeout_s: float = TIMEOUT_S
) -> Iterator[NotifyEmailSender]:
    sender = NotifyEmailSender(
        api_key=SecretStr(api_key), base_url=base_url, templates=TEMPLATES, timeout_s=timeout_s
    )
    try:
        yield sender
    finally:
        sender.close()


async def send_failing(stand_in: tuple[NotifyStandIn, str], reply: Reply) -> WorkerError:
    notify, base_url = stand_in
    notify.reply_next(reply)
    with (
        notify_sender(base_url, notify.api_key.value) as sender,
        pytest.raises(WorkerError) as caught,
    ):
        await sender.send(MESSAGE)
    return caught.value


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (Reply.bad_request(), RecipientRejected),
        (Reply.forbidden(), UpstreamMisconfigured),
        (Reply.rate_limited(), RateLimited),
        (Reply.server_error(), UpstreamUnavailable),
    ],
    ids=["400", "403", "429", "500"],
)
async def test_status_maps_to_the_taxonomy(
    stand_in: tuple[NotifyStandIn, str], reply: Reply, expected: type[WorkerError]
) -> None:
    error = await send_failing(stand_in, reply)

    assert type(error) is expected
    assert str(error) == (
        f"GOV.UK Notify {reply.status} for template 'verifyPasswordResetRequest': "
        f"{reply.error}: {reply.message}"
    )
    assert stand_in[0].accepted == []


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (Reply.forbidden(), UpstreamMisconfigured),
        (Reply.rate_limited(), RateLimited),
        (Reply.server_error(), UpstreamUnavailable),
        (Reply.hang(HANG_S), UpstreamUnavailable),
    ],
    ids=["403", "429", "500", "hang"],
)
async def test_look_up_by_reference_maps_errors_the_same_way(
    stand_in: tuple[NotifyStandIn, str], reply: Reply, expected: type[WorkerError]
) -> None:
    notify, base_url = stand_in
    notify.reply_next(reply)

    started = time.monotonic()
    with notify_sender(base_url, notify.api_key.value) as sender, pytest.raises(expected) as caught:
        await sender.was_sent("passwordreset_v1:42:0")

    assert type(caught.value) is expected
    assert time.monotonic() - started < TIMEOUT_S + 1.5
    assert notify.received == 0


async def test_rate_limit_says_how_long_to_wait(stand_in: tuple[NotifyStandIn, str]) -> None:
    error = await send_failing(stand_in, Reply.rate_limited())

    assert isinstance(error, RateLimited)
    assert error.retry_after_s == RATE_LIMIT_WINDOW_S


async def test_daily_limit_waits_for_midnight_utc_without_pausing_the_budget(
    stand_in: tuple[NotifyStandIn, str],
) -> None:
    error = await send_failing(stand_in, Reply.daily_limit())

    assert type(error) is UpstreamUnavailable, "not RateLimited: a 60 s pause cannot help"
    assert error.retry_after_s is not None
    assert 0 < error.retry_after_s <= 24 * 3600


async def test_scripted_failures_end_after_n_calls(stand_in: tuple[NotifyStandIn, str]) -> None:
    notify, base_url = stand_in
    notify.reply_next(Reply.server_error(), times=2)

    with notify_sender(base_url, notify.api_key.value) as sender:
        for _ in range(2):
            with pytest.raises(UpstreamUnavailable):
                await sender.send(MESSAGE)
        notification_id = await sender.send(MESSAGE)

    assert [email.notification_id for email in notify.accepted] == [notification_id]
    assert notify.received == 3


async def test_every_send_either_fails_or_is_accepted(stand_in: tuple[NotifyStandIn, str]) -> None:
    notify, base_url = stand_in
    notify.reply_share(Reply.server_error(), share=0.5)

    failed = 0
    with notify_sender(base_url, notify.api_key.value) as sender:
        for _ in range(20):
            try:
                await sender.send(MESSAGE)
            except UpstreamUnavailable:
                failed += 1

    assert 0 < failed < 20
    assert failed == notify.scripted_replies
    assert len(notify.accepted) == 20 - failed


@pytest.mark.parametrize(
    "wrong_key",
    [
        lambda key: NotifyApiKey(key.name, key.service_id, str(uuid.uuid4())),
        lambda key: NotifyApiKey(key.name, str(uuid.uuid4()), key.secret),
    ],
    ids=["wrong-secret", "unknown-service"],
)
async def test_a_wrong_api_key_is_a_misconfiguration(
    stand_in: tuple[NotifyStandIn, str], wrong_key: Callable[[NotifyApiKey], NotifyApiKey]
) -> None:
    notify, base_url = stand_in
    key = wrong_key(notify.api_key)

    with (
        notify_sender(base_url, key.value) as sender,
        pytest.raises(UpstreamMisconfigured) as caught,
    ):
        await sender.send(MESSAGE)

    assert str(caught.value).startswith("GOV.UK Notify 403 for template")
    assert key.secret not in str(caught.value)
    assert notify.accepted == []


async def test_a_hanging_notify_is_unavailable_within_the_timeout(
    stand_in: tuple[NotifyStandIn, str],
) -> None:
    started = time.monotonic()
    error = await send_failing(stand_in, Reply.hang(HANG_S))
    elapsed = time.monotonic() - started

    assert isinstance(error, UpstreamUnavailable)
    assert TIMEOUT_S <= elapsed < TIMEOUT_S + 1.5


async def test_a_refused_connection_is_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    key = NotifyApiKey.generate()

    with (
        notify_sender(f"http://127.0.0.1:{port}", key.value) as sender,
        pytest.raises(UpstreamUnavailable) as caught,
    ):
        await sender.send(MESSAGE)

    assert "GOV.UK Notify 503" in str(caught.value)


@pytest.mark.parametrize(
    "reply",
    [
        Reply.bad_request(f"Can't send to this recipient using a team-only API key: {RECIPIENT}"),
        Reply.forbidden(),
        Reply.rate_limited(),
        Reply.server_error(),
        Reply.hang(HANG_S),
    ],
    ids=["400-echoing-the-address", "403", "429", "500", "hang"],
)
async def test_errors_carry_neither_the_recipient_nor_the_key(
    stand_in: tuple[NotifyStandIn, str], reply: Reply
) -> None:
    error = await send_failing(stand_in, reply)

    key = stand_in[0].api_key
    for text in (str(error), repr(error), "".join(traceback.format_exception(error))):
        assert RECIPIENT not in text
        assert key.value not in text
        assert key.secret not in text


async def test_a_hanging_send_does_not_block_the_event_loop(
    stand_in: tuple[NotifyStandIn, str],
) -> None:
    ticks: list[float] = []

    async def tick() -> None:
        while True:
            ticks.append(time.monotonic())
            await asyncio.sleep(0.01)

    ticker = asyncio.create_task(tick())
    started = time.monotonic()
    try:
        error = await send_failing(stand_in, Reply.hang(HANG_S))
    finally:
        finished = time.monotonic()
        ticker.cancel()

    assert isinstance(error, UpstreamUnavailable)
    marks = [started, *ticks, finished]
    longest_gap = max(later - earlier for earlier, later in itertools.pairwise(marks))
    assert longest_gap < 0.2
    assert len(ticks) > 20


# The stand-in is only worth trusting if it refuses what Notify refuses.


def token(key: NotifyApiKey, *, iat_offset_s: int = 0) -> str:
    claims = {"iss": key.service_id, "iat": int(time.time()) + iat_offset_s}
    return jwt.encode(claims, key.secret, algorithm="HS256", headers={"typ": "JWT"})


async def post(base_url: str, body: object, authorization: str | None) -> httpx.Response:
    headers = {"Authorization": authorization} if authorization else {}
    async with httpx.AsyncClient(base_url=base_url, timeout=5.0) as client:
        return await client.post("/v2/notifications/email", json=body, headers=headers)


VALID_BODY = {"email_address": RECIPIENT, "template_id": TEMPLATES["verifyPasswordResetRequest"]}


@pytest.mark.parametrize("skew_s", [-45, 45])
async def test_stand_in_refuses_a_clock_out_by_more_than_30_s(
    stand_in: tuple[NotifyStandIn, str], skew_s: int
) -> None:
    notify, base_url = stand_in

    response = await post(
        base_url, VALID_BODY, f"Bearer {token(notify.api_key, iat_offset_s=skew_s)}"
    )

    assert response.status_code == 403
    assert response.json() == {
        "errors": [
            {
                "error": "AuthError",
                "message": "Error: Your system clock must be accurate to within 30 seconds",
            }
        ],
        "status_code": 403,
    }


async def test_stand_in_accepts_a_clock_within_30_s(stand_in: tuple[NotifyStandIn, str]) -> None:
    notify, base_url = stand_in

    response = await post(base_url, VALID_BODY, f"Bearer {token(notify.api_key, iat_offset_s=-20)}")

    assert response.status_code == 201
    assert response.json()["template"]["id"] == VALID_BODY["template_id"]
    assert response.json()["id"] == notify.accepted[0].notification_id


async def test_stand_in_wants_a_bearer_token(stand_in: tuple[NotifyStandIn, str]) -> None:
    notify, base_url = stand_in

    response = await post(base_url, VALID_BODY, None)

    assert response.status_code == 401
    assert response.json()["errors"][0]["error"] == "AuthError"
    assert notify.received == 1
    assert notify.accepted == []


async def test_stand_in_validates_the_body_like_notify(stand_in: tuple[NotifyStandIn, str]) -> None:
    notify, base_url = stand_in
    body = {"email_address": RECIPIENT, "personalisation": {}, "sms_sender_id": "x"}

    response = await post(base_url, body, f"Bearer {token(notify.api_key)}")

    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {"error": "ValidationError", "message": "template_id is a required property"},
            {
                "error": "ValidationError",
                "message": "Additional properties are not allowed ('sms_sender_id' was unexpected)",
            },
        ],
        "status_code": 400,
    }
    assert notify.accepted == []
