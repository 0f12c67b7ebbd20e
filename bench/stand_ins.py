"""The Notify and platform-API stand-ins of the e-mail bench, in a process of their own.

Notify sits behind ``RollingLimit``: at most 3,000 requests (sends and look-ups) in any rolling
60 s, as GOV.UK Notify allows per API key type; beyond that it answers Notify's 429. It prints
one JSON line (URLs, API key) when serving, and answers ``GET /_bench/stats`` on the Notify port.
Usage: python -m bench.stand_ins [LIMIT]   (0: no limit, to measure the worker's own ceiling)
"""

import asyncio
import json
import signal
import sys
import time
from collections import deque
from typing import Any

from starlette.responses import JSONResponse
from tests.support.asgi_server import serve
from tests.support.notify_stand_in import NotifyApiKey, NotifyStandIn, Reply
from tests.support.platform_stand_in import PlatformStandIn, sample_platform_data

BENCH_ORG = "0b5e6f70-0000-4000-8000-0000000000cc"
APPROVERS = [f"7a1b2c3d-0000-4000-8000-00000000010{n}" for n in range(5)]


def bench_platform_data() -> dict[str, Any]:
    """The sample data plus an organisation with five active approvers."""
    data = sample_platform_data()
    for n, user_id in enumerate(APPROVERS):
        data["users"][user_id] = {
            "sub": user_id,
            "given_name": f"Approver{n}",
            "family_name": "Bench",
            "email": f"approver{n}@example.org",
            "status": 1,
        }
    data["organisations"][BENCH_ORG] = {"id": BENCH_ORG, "name": "Bench Academy", "urn": "100003"}
    data["approvers"][BENCH_ORG] = APPROVERS
    return data


class RollingLimit:
    """ASGI wrapper: Notify's rolling-window request limit, and the counts the bench reads."""

    def __init__(self, app: Any, limit: int, window_s: float = 60.0) -> None:
        self._app = app
        self._limit = limit
        self._window_s = window_s
        self._recent: deque[float] = deque()
        self.requests: list[float] = []
        self.sends: list[float] = []
        self.rejected = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and path == "/_bench/stats":
            stats = {"requests": self.requests, "sends": self.sends, "rejected_429": self.rejected}
            await JSONResponse(stats)(scope, receive, send)
            return
        if scope["type"] != "http" or not path.startswith("/v2/notifications"):
            await self._app(scope, receive, send)
            return
        now = time.monotonic()
        while self._recent and now - self._recent[0] >= self._window_s:
            self._recent.popleft()
        if self._limit and len(self._recent) >= self._limit:
            self.rejected += 1
            reply = Reply.rate_limited()
            body = {
                "errors": [{"error": reply.error, "message": reply.message}],
                "status_code": 429,
            }
            await JSONResponse(body, status_code=429)(scope, receive, send)
            return
        self._recent.append(now)
        self.requests.append(time.time())
        is_send = scope["method"] == "POST" and path == "/v2/notifications/email"

        async def recording_send(message: dict[str, Any]) -> None:
            if is_send and message["type"] == "http.response.start" and message["status"] == 201:
                self.sends.append(time.time())
            await send(message)

        await self._app(scope, receive, recording_send)


async def main(limit: int) -> None:
    api_key = NotifyApiKey.generate("dsi-jobs-bench")
    notify = NotifyStandIn(api_key)
    platform = PlatformStandIn(data=bench_platform_data())
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with (
        serve(RollingLimit(notify.app, limit)) as notify_url,
        serve(platform.app()) as platform_url,
    ):
        ready = {"notify": notify_url, "platform": platform_url, "api_key": api_key.value}
        sys.stdout.write(json.dumps(ready) + "\n")
        sys.stdout.flush()
        await stop.wait()
        notify.release_hung()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000))
