"""Outbound calls are counted by upstream and outcome, whatever the adapter."""

import pytest
from dependency_injector import containers, providers

from adapters.memory.email import InMemoryEmailSender
from domain.errors import RateLimited, RecipientRejected, UpstreamUnavailable
from domain.model import EmailMessage
from entrypoints.container import ObservedAdapters
from entrypoints.telemetry import ObservedCalls
from entrypoints.tracing import NO_TRACING

MESSAGE = EmailMessage("supportRequest", "desk@example.com", {})


class Calls:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def __call__(self, upstream: str, outcome: str, seconds: float) -> None:
        assert seconds >= 0
        self.seen.append((upstream, outcome))


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (None, "ok"),
        (RateLimited("429"), "rate_limited"),
        (UpstreamUnavailable("503"), "retryable"),
        (RecipientRejected("400"), "permanent"),
    ],
)
async def test_outcome_follows_the_error_taxonomy(error: Exception | None, outcome: str) -> None:
    calls = Calls()
    sender = ObservedCalls(InMemoryEmailSender(fail_with=error), "notify", calls)  # type: ignore[arg-type]
    if error is None:
        await sender.send(MESSAGE)
    else:
        with pytest.raises(type(error)):
            await sender.send(MESSAGE)
    assert calls.seen == [("notify", outcome)]


async def test_sync_methods_pass_through_uncounted() -> None:
    calls = Calls()
    inner = InMemoryEmailSender(templates={"supportRequest": "id"})
    ObservedCalls(inner, "notify", calls).require_templates(["supportRequest"])
    assert calls.seen == []


async def test_the_container_hands_the_use_cases_the_proxy() -> None:
    calls = Calls()
    inner = InMemoryEmailSender()
    adapters = containers.DynamicContainer()
    adapters.email = providers.Object(inner)
    observed = ObservedAdapters(
        adapters=adapters, on_call=providers.Object(calls), tracing=providers.Object(NO_TRACING)
    )
    observed.config.from_dict({"notify": {"mode": "notify"}})
    await observed.email().send(MESSAGE)
    assert inner.sent == [MESSAGE]
    assert calls.seen == [("notify", "ok")]
