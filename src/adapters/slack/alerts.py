"""Alerts to a Slack incoming webhook, rate-limited so an outage does not flood the channel.

Messages are ``{"text": "<environment> - <message>"}``, the shape the original's pm2 launcher
posted to ``PLATFORM_GLOBAL_SLACK_FEED``. Per alert key (e.g. one queue's failures) at most one
message goes out per window; what was held back in a window is posted as one summary when the
window ends. Posting is fire-and-forget: a failure is logged (never the URL: it is a secret) and
ignored, because an alert must never break the job that triggered it.
"""

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx
import structlog
from pydantic import SecretStr

from adapters.common.tls import default_tls_context

log = structlog.get_logger(__name__)

DEFAULT_WINDOW_S = 300.0


@dataclass
class _Window:
    sent_at: float
    message: str
    held_back: int = 0
    flush: asyncio.TimerHandle | None = None


class SlackAlerts:
    """``alert(key, message)`` from synchronous hooks; ``aclose()`` when the process stops."""

    def __init__(
        self,
        *,
        webhook_url: SecretStr,
        environment: str,
        timeout_s: float,
        window_s: float = DEFAULT_WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = webhook_url
        self._environment = environment
        self._window_s = window_s
        self._clock = clock
        self._http = httpx.AsyncClient(
            verify=default_tls_context(), timeout=timeout_s, follow_redirects=False
        )
        self._windows: dict[str, _Window] = {}
        self._sending: set[asyncio.Task[None]] = set()

    def alert(self, key: str, message: str) -> None:
        """Post ``message`` now, or count it into the summary of ``key``'s current window."""
        now = self._clock()
        window = self._windows.get(key)
        if window is None or now - window.sent_at >= self._window_s:
            if window is not None and window.flush is not None:
                window.flush.cancel()
            self._windows[key] = _Window(sent_at=now, message=message)
            self._post(message)
            return
        window.held_back += 1
        window.message = message
        if window.flush is None:
            delay = max(0.0, window.sent_at + self._window_s - now)
            window.flush = asyncio.get_running_loop().call_later(delay, self._flush, key)

    def _flush(self, key: str) -> None:
        window = self._windows.pop(key, None)
        if window is None or not window.held_back:
            return
        minutes = f"{self._window_s / 60:g}"
        self._post(f"{window.message} ({window.held_back} more in the last {minutes} minutes)")
        self._windows[key] = _Window(sent_at=self._clock(), message=window.message)

    def _post(self, message: str) -> None:
        task = asyncio.get_running_loop().create_task(self._send(message))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send(self, message: str) -> None:
        text = f"{self._environment} - {message}"
        try:
            answer = await self._http.post(self._url.get_secret_value(), json={"text": text})
            answer.raise_for_status()
        except httpx.HTTPStatusError as error:
            log.warning("slack_alert_failed", status=error.response.status_code)
        except httpx.HTTPError as error:
            log.warning("slack_alert_failed", error_type=type(error).__name__)

    async def aclose(self, grace_s: float = 5.0) -> None:
        """Post pending summaries now, let posts in flight finish within ``grace_s``, close."""
        for key, window in list(self._windows.items()):
            if window.flush is not None:
                window.flush.cancel()
                self._flush(key)
        if self._sending:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(grace_s):
                    await asyncio.gather(*self._sending, return_exceptions=True)
        for task in self._sending:
            task.cancel()
        await self._http.aclose()


async def open_slack_alerts(
    *, webhook_url: SecretStr | None, environment: str, timeout_s: float
) -> AsyncIterator[SlackAlerts | None]:
    """Container resource: the alerts (``None`` when no feed is configured), closed when the
    container stops."""
    if webhook_url is None:
        yield None
        return
    alerts = SlackAlerts(webhook_url=webhook_url, environment=environment, timeout_s=timeout_s)
    try:
        yield alerts
    finally:
        await alerts.aclose()
