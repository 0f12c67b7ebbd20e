"""One GOV.UK Notify sending budget shared by every e-mail queue and every worker process.

Notify allows 3,000 requests per rolling minute per key type. Each send first reserves a slot
with GCRA (generic cell rate algorithm) in Redis: one key, one Lua call, sends spread evenly at
a small burst, then spread evenly so that any 60 s window holds at most ``per_minute`` (the
steady rate is ``per_minute - burst`` a minute).
A 429 pushes the whole budget back by the time Notify asks, so every process pauses.
Waiting happens inside the job's attempt, so a rate limit never uses up a job's retries.
"""

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

import redis.asyncio as redis
import structlog

from domain.errors import RateLimited
from domain.model import EmailMessage
from ports.email import EmailSender

log = structlog.get_logger(__name__)

BUDGET_KEY = "dsi-jobs:notify:budget"

T = TypeVar("T")

# KEYS[1] budget key; ARGV[1] emission interval (µs); ARGV[2] burst (µs); ARGV[3] pause (µs).
# Returns the µs to wait before sending (0 = now). The reservation is made either way.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local pause = tonumber(ARGV[3])
if pause > 0 then
  if now + pause > tat then tat = now + pause end
  redis.call('SET', KEYS[1], tat, 'PX', math.ceil((tat - now) / 1000) + 1)
  return 0
end
local new_tat = tat + tonumber(ARGV[1])
local wait = new_tat - tonumber(ARGV[2]) - now
if wait < 0 then wait = 0 end
redis.call('SET', KEYS[1], new_tat, 'PX', math.ceil((new_tat - now) / 1000) + 1)
return wait
"""


@dataclass(frozen=True)
class BudgetUsage:
    """How much of the shared budget is spoken for, as operators read it."""

    per_minute: int
    reserved_s: float
    """How far ahead sends are already booked (0: idle); a 429 pause shows here too."""
    burst_s: float
    """Sends booked less than this far ahead go at once; beyond it, every send waits."""

    @property
    def percent_in_use(self) -> int:
        """The share of the next minute's sends already booked, 0 to 100."""
        return min(100, round(100 * self.reserved_s / 60))

    @property
    def waiting_s(self) -> float:
        """How long a send would wait now."""
        return max(0.0, self.reserved_s - self.burst_s)


class RedisSendBudget:
    """``per_minute`` sends with ``burst`` in hand, shared through one Redis key."""

    def __init__(self, client: redis.Redis, *, per_minute: int, burst: int = 20) -> None:
        self._client = client
        self._per_minute = per_minute
        self._script = client.register_script(_RESERVE)
        burst = min(burst, per_minute - 1)
        self._interval_us = round(60_000_000 / (per_minute - burst))
        self._burst_us = burst * self._interval_us

    async def reserve(self) -> float:
        """Seconds to wait before the reserved send may go."""
        wait_us = await self._script(
            keys=[BUDGET_KEY], args=[self._interval_us, self._burst_us, 0]
        )  # fmt: skip
        return int(wait_us) / 1_000_000

    async def pause(self, seconds: float) -> None:
        """Nobody sends for ``seconds`` (after a 429)."""
        await self._script(keys=[BUDGET_KEY], args=[self._interval_us, 0, round(seconds * 1e6)])

    async def usage(self) -> BudgetUsage:
        """The budget's state now, read without reserving anything (for the dashboard)."""
        async with self._client.pipeline(transaction=False) as pipe:
            pipe.time()
            pipe.get(BUDGET_KEY)
            (seconds, micros), booked = await pipe.execute()
        ahead_us = max(0, int(booked or 0) - (int(seconds) * 1_000_000 + int(micros)))
        return BudgetUsage(self._per_minute, ahead_us / 1e6, self._burst_us / 1e6)


class ThrottledEmailSender:
    """``EmailSender`` that spends the shared budget and waits out Notify's 429s in place."""

    def __init__(
        self,
        *,
        inner: EmailSender,
        budget: RedisSendBudget,
        max_rate_limited: int = 3,
        pause_scale: float = 1.0,
        on_wait: Callable[[], None] | None = None,
    ) -> None:
        self._inner = inner
        self._budget = budget
        self._max_rate_limited = max_rate_limited
        self._pause_scale = pause_scale  # JOBS_RETRY_DELAY_SCALE: fault drills shorten pauses
        self._on_wait = on_wait  # counts each wait for the budget (a metric)

    def require_templates(self, template_keys: Iterable[str]) -> None:
        self._inner.require_templates(template_keys)

    async def was_sent(self, reference: str) -> bool:
        # Look-ups count against Notify's limit too, and their 429s wait like a send's.
        return await self._within_budget(lambda: self._inner.was_sent(reference))

    async def send(self, message: EmailMessage) -> str:
        return await self._within_budget(lambda: self._inner.send(message))

    async def _within_budget(self, call: Callable[[], Awaitable[T]]) -> T:
        rate_limited = 0
        while True:
            wait_s = await self._budget.reserve()
            if wait_s > 0:
                if self._on_wait is not None:
                    self._on_wait()
                await asyncio.sleep(wait_s)
            try:
                return await call()
            except RateLimited as limited:
                rate_limited += 1
                pause = (limited.retry_after_s or 60.0) * self._pause_scale
                log.warning("notify_rate_limited", pause_s=pause, times=rate_limited)
                if rate_limited >= self._max_rate_limited:
                    raise
                await self._budget.pause(pause)
