"""``SyncStateStore`` on the §4.1 tables: one primary-key read, one native upsert."""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import Connection, select

from adapters.sql_state.engine import StateEngine, create_state_tables
from adapters.sql_state.errors import translate_db_errors
from adapters.sql_state.keys import row_key
from adapters.sql_state.tables import ACTION_MAX_LENGTH
from adapters.sql_state.upsert import upsert_statement
from domain.model import SyncStateKey

OPERATION_TIMEOUT_S = 30.0
T = TypeVar("T")


def utc_now() -> datetime:
    """Naive UTC, as the original stored ``datetime2`` values."""
    return datetime.now(UTC).replace(tzinfo=None)


class SqlSyncStateStore:
    """Reads and upserts ``last_action_sent`` through a shared engine (pooled, non-blocking).

    The tables are created before the first query if start-up could not create them.
    """

    def __init__(
        self,
        engine: StateEngine,
        *,
        timeout_s: float = OPERATION_TIMEOUT_S,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._engine = engine
        self._database = engine.label
        self._timeout_s = timeout_s
        self._clock = clock
        self._tables_ready = False
        self._tables_lock = asyncio.Lock()

    async def last_action_sent(self, key: SyncStateKey) -> str | None:
        table, columns = row_key(key)
        query = select(table.c.last_action_sent).where(
            *(table.c[name] == value for name, value in columns.items())
        )
        action: str | None = await self._run(
            "read the last action sent", lambda connection: connection.scalar(query)
        )
        return action or None

    async def record_action_sent(self, key: SyncStateKey, action: str) -> None:
        if len(action) > ACTION_MAX_LENGTH:
            raise ValueError(f"action longer than {ACTION_MAX_LENGTH} characters")
        table, columns = row_key(key)
        statement = upsert_statement(
            self._engine.dialect_name, table, columns, action, self._clock()
        )
        await self._run("store the action sent", lambda connection: connection.execute(statement))

    async def _run(self, action: str, work: Callable[[Connection], T]) -> T:
        with translate_db_errors(self._database, action):
            async with asyncio.timeout(self._timeout_s):
                await self._ensure_tables()
                return await self._engine.transaction(work)

    async def _ensure_tables(self) -> None:
        async with self._tables_lock:
            if not self._tables_ready:
                await create_state_tables(self._engine)
                self._tables_ready = True
