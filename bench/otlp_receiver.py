"""A local OTLP/HTTP receiver in its own process, so decoding spans costs the worker nothing.

Prints ``{"url": ...}`` when ready; ``GET /_bench/count`` answers how many spans arrived.
Usage: python -m bench.otlp_receiver   (stops on SIGTERM)
"""

import asyncio
import json
import signal
import sys

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from tests.support.asgi_server import serve
from tests.support.otlp_receiver import OtlpReceiver


async def main() -> None:
    receiver = OtlpReceiver(keep=False)

    async def count(request: Request) -> JSONResponse:
        return JSONResponse({"spans": receiver.count})

    receiver.app.router.routes.append(Route("/_bench/count", count))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with serve(receiver.app) as url:
        sys.stdout.write(json.dumps({"url": url}) + "\n")
        sys.stdout.flush()
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
