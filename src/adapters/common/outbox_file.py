"""The JSON-lines files local stand-ins write instead of calling out (e-mail, webhooks, SOAP).

One JSON object per line, appended off the event loop and one append at a time, so a reader
(a person, a test) always sees whole lines.
"""

import asyncio
import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def timestamp() -> str:
    """Now, as each line's ``at``."""
    return datetime.now(UTC).isoformat()


class OutboxFile:
    """Appends records to ``path`` (created with its folder on first write)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = asyncio.Lock()

    async def append(self, record: Mapping[str, Any]) -> None:
        line = json.dumps(dict(record), ensure_ascii=False)
        async with self._lock:
            await asyncio.to_thread(self._append, line)

    async def any(self, matches: Callable[[dict[str, Any]], bool]) -> bool:
        """Whether a record written so far ``matches``."""
        async with self._lock:
            return await asyncio.to_thread(self._any, matches)

    def _append(self, line: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as outbox:
            outbox.write(line + "\n")

    def _any(self, matches: Callable[[dict[str, Any]], bool]) -> bool:
        if not self.path.exists():
            return False
        with self.path.open(encoding="utf-8") as outbox:
            return any(matches(json.loads(line)) for line in outbox)
