"""Count, time and trace every call the service makes to an upstream, without touching the
adapters.

Each adapter method is one upstream call (a Notify send, a platform-API request, a SOAP
provision, a webhook POST, a state-database query), so wrapping the port implementation is
enough: the container hands the use cases ``ObservedCalls`` proxies
(``entrypoints.container.ObservedAdapters``), and the outcome comes from the error taxonomy the
adapters already raise. With tracing on, each call is also a span, the parent of the HTTP spans
it makes.
"""

import functools
import inspect
import time
from collections.abc import Callable
from typing import Any

from domain.errors import PermanentError, RateLimited, RetryableError
from entrypoints.tracing import NO_TRACING, Tracing

Observe = Callable[[str, str, float], None]
"""``(name, outcome, seconds)`` after a job attempt (name: its queue; outcome: completed,
retried, failed…) or an upstream call (name: the upstream; outcome: ok, rate_limited,
retryable, permanent or error): the metrics hooks."""


class ObservedCalls:
    """A transparent proxy: coroutine methods of ``inner`` are timed and reported."""

    def __init__(
        self, inner: Any, upstream: str, on_call: Observe, tracing: Tracing = NO_TRACING
    ) -> None:
        self._inner = inner
        self._upstream = upstream
        self._on_call = on_call
        self._tracing = tracing

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if not inspect.iscoroutinefunction(attribute):
            return attribute

        @functools.wraps(attribute)
        async def observed(*args: Any, **kwargs: Any) -> Any:
            started = time.monotonic()
            outcome = "error"
            with self._tracing.call(self._upstream, name) as record_outcome:
                try:
                    result = await attribute(*args, **kwargs)
                    outcome = "ok"
                    return result
                except RateLimited:
                    outcome = "rate_limited"
                    raise
                except RetryableError:
                    outcome = "retryable"
                    raise
                except PermanentError:
                    outcome = "permanent"
                    raise
                finally:
                    record_outcome(outcome)
                    self._on_call(self._upstream, outcome, time.monotonic() - started)

        return observed
