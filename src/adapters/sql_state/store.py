"""``SyncStateStore`` on the §4.1 tables: one primary-key read, one native upsert."""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.sql_state.engine import create_state_tables, database_label
from adapters.sql_state.errors import translate_db_errors
from adapters.sql_state.keys import row_key
from adapters.sql_state.tables import ACTION_MAX_LENGTH
from adapters.sql_state.upsert import upsert_statement
from domain.model import SyncStateKey

OPERATION_TIMEOUT_S = 30.0


def utc_now() -> datetime:
    """Naive UTC, as the original stored ``datetime2`` values."""
    return datetime.now(UTC).replace(tzinfo=None)


class SqlSyncStateStore:
    """Reads and upserts ``last_action_sent`` through a shared async engine (pooled).

    The tables are created before the first query if start-up could not create them.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        timeout_s: float = OPERATION_TIMEOUT_S,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._engine = engine
        self._database = database_label(engine.url)
        self._timeout_s = timeout_s
        self._clock = clock
        self._tables_ready = False
        self._tables_lock = asyncio.Lock()

    async def last_action_sent(self, key: SyncStateKey) -> str | None:
        table, columns = row_key(key)
        query = select(table.c.last_action_sent).where(
            *(table.c[name] == value for name, value in columns.items())
        )
        async with self._transaction("read the last action sent") as connection:
            action: str | None = await connection.scalar(query)
        return action or None

    async def record_action_sent(self, key: SyncStateKey, action: str) -> None:
        if len(action) > ACTION_MAX_LENGTH:
            raise ValueError(f"action longer than {ACTION_MAX_LENGTH} characters")
        table, columns = row_key(key)
        async with self._transaction("store the action sent") as connection:
            statement = upsert_statement(
                connection.dialect.name, table, columns, action, self._clock()
            )
            await connection.execute(statement)

    @asynccontextmanager
    async def _transaction(self, action: str) -> AsyncIterator[AsyncConnection]:
        with translate_db_errors(self._database, action):
            async with asyncio.timeout(self._timeout_s):
                await self._ensure_tables()
                async with self._engine.begin() as connection:
                    yield connection

    async def _ensure_tables(self) -> None:
        async with self._tables_lock:
            if not self._tables_ready:
                await create_state_tables(self._engine)
                self._tables_ready = True
