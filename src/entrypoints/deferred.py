"""An adapter opened on its first call instead of at start-up.

The legacy-sync state store loads SQLAlchemy and a database driver and opens a pool: about half
of the worker's start-up, for queues that may see no job for hours. Behind ``Deferred`` the
worker is ready without it; the first call opens it (once, whoever calls first), and
``warm_up`` opens it in the background right after start-up, so the tables are still created
early and a broken database still shows in the log within seconds.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any


class Deferred:
    """Stands for the adapter ``opener`` yields; every public method is awaited through it."""

    def __init__(self, opener: Callable[[], AsyncIterator[Any]]) -> None:
        self._opener = opener
        self._opened: AsyncIterator[Any] | None = None
        self._adapter: Any = None
        self._lock = asyncio.Lock()

    async def adapter(self) -> Any:
        """The adapter, opened now if it is not yet (a failed opening is tried again next time)."""
        async with self._lock:
            if self._adapter is None:
                opened = self._opener()
                self._adapter = await anext(opened)
                self._opened = opened
        return self._adapter

    async def warm_up(self) -> None:
        """Open it now; a failure is the adapter's own to report (it retries on first use)."""
        await self.adapter()

    async def aclose(self) -> None:
        """Close what the opener opened (nothing, if it never was)."""
        if self._opened is not None:
            await self._opened.aclose()  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        if name.startswith("_"):
            raise AttributeError(name)

        async def call(*args: Any, **kwargs: Any) -> Any:
            return await getattr(await self.adapter(), name)(*args, **kwargs)

        return call
