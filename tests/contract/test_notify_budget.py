"""The shared Notify budget on a real Redis: even spacing, bursts, 429 pauses across senders."""

import time
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis

from adapters.memory.email import InMemoryEmailSender
from adapters.notify.budget import BUDGET_KEY, RedisSendBudget, ThrottledEmailSender
from domain.errors import RateLimited
from domain.model import EmailMessage

pytestmark = pytest.mark.real

MESSAGE = EmailMessage("supportRequest", "desk@example.com", {"name": "x"})


@pytest.fixture
async def budget_client(redis_client: redis.Redis) -> AsyncIterator[redis.Redis]:
    await redis_client.delete(BUDGET_KEY)
    yield redis_client
    await redis_client.delete(BUDGET_KEY)


async def test_reservations_are_spaced_at_the_rate_after_the_burst(
    budget_client: redis.Redis,
) -> None:
    budget = RedisSendBudget(budget_client, per_minute=600, burst=2)  # one per 100 ms
    waits = [await budget.reserve() for _ in range(6)]
    assert waits[:2] == [0.0, 0.0], "the burst goes at once"
    assert waits[2:] == pytest.approx([0.1, 0.2, 0.3, 0.4], abs=0.03)


async def test_two_senders_share_one_budget(budget_client: redis.Redis) -> None:
    first = RedisSendBudget(budget_client, per_minute=600, burst=0)
    second = RedisSendBudget(budget_client, per_minute=600, burst=0)
    waits = [await first.reserve(), await second.reserve(), await first.reserve()]
    assert waits == pytest.approx([0.1, 0.2, 0.3], abs=0.03)


async def test_a_429_pauses_everyone_then_the_send_succeeds_in_the_same_attempt(
    budget_client: redis.Redis,
) -> None:
    inner = InMemoryEmailSender(
        fail_with=RateLimited("notify 429", retry_after_s=0.3), fail_times=1
    )
    sender = ThrottledEmailSender(
        inner=inner, budget=RedisSendBudget(budget_client, per_minute=60_000, burst=10)
    )
    started = time.monotonic()
    notification_id = await sender.send(MESSAGE)
    assert notification_id.startswith("memory-")
    assert inner.sent == [MESSAGE]
    assert time.monotonic() - started >= 0.28, "waited for the pause Notify asked for"
    other = RedisSendBudget(budget_client, per_minute=60_000, burst=10)
    assert await other.reserve() == pytest.approx(0.0, abs=0.01), "pause is over for everyone"


async def test_persistent_429s_surface_as_rate_limited(budget_client: redis.Redis) -> None:
    inner = InMemoryEmailSender(fail_with=RateLimited("notify 429", retry_after_s=0.05))
    sender = ThrottledEmailSender(
        inner=inner,
        budget=RedisSendBudget(budget_client, per_minute=60_000),
        max_rate_limited=2,
    )
    with pytest.raises(RateLimited):
        await sender.send(MESSAGE)
    assert inner.sent == []


async def test_usage_says_how_much_of_the_next_minute_is_booked(budget_client: redis.Redis) -> None:
    budget = RedisSendBudget(budget_client, per_minute=600, burst=2)  # one per 100 ms
    idle = await budget.usage()
    assert (idle.percent_in_use, idle.waiting_s, idle.per_minute) == (0, 0.0, 600)
    for _ in range(32):
        await budget.reserve()
    busy = await budget.usage()
    assert busy.reserved_s == pytest.approx(3.2, abs=0.1)
    assert busy.percent_in_use == 5
    assert busy.waiting_s == pytest.approx(3.0, abs=0.1), "past the burst, sends wait"


async def test_each_wait_for_the_budget_is_counted(budget_client: redis.Redis) -> None:
    waits: list[None] = []
    sender = ThrottledEmailSender(
        inner=InMemoryEmailSender(),
        budget=RedisSendBudget(budget_client, per_minute=1200, burst=1),  # one per 50 ms
        on_wait=lambda: waits.append(None),
    )
    for _ in range(3):
        await sender.send(MESSAGE)
    assert len(waits) == 2, "the burst's send went at once, the next two waited their turn"
