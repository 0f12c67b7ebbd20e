"""``SyncStateStore`` on the original's state tables (one primary-key read, one native upsert) and
the ``sync_progress`` side table (snapshot order, last failure); each call is one transaction."""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Executable, Select, select, update

from adapters.sql_state.engine import StateEngine, create_state_tables
from adapters.sql_state.errors import translate_db_errors
from adapters.sql_state.keys import guid, progress_key, row_key, state_key
from adapters.sql_state.progress import (
    clear_failure,
    progress_state,
    read_progress,
    record_applied,
    record_failure,
)
from adapters.sql_state.tables import ACTION_MAX_LENGTH, sync_progress
from adapters.sql_state.upsert import upsert_statement
from domain.model import SnapshotOrder, SyncState, SyncStateKey

OPERATION_TIMEOUT_S = 30.0
T = TypeVar("T")


def utc_now() -> datetime:
    """Naive UTC, as the original stored ``datetime2`` values."""
    return datetime.now(UTC).replace(tzinfo=None)


class SqlSyncStateStore:
    """Reads and writes the sync state through a shared engine (pooled, non-blocking).

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

    async def read(self, key: SyncStateKey) -> SyncState:
        last_action = _last_action_query(key)
        progress = progress_key(key)

        def work(connection: Connection) -> SyncState:
            action: str | None = connection.scalar(last_action)
            return progress_state(action, read_progress(connection, progress))

        return await self._run("read the sync state", work)

    async def record_sent(
        self, key: SyncStateKey, action: str, snapshot: SnapshotOrder | None
    ) -> None:
        if len(action) > ACTION_MAX_LENGTH:
            raise ValueError(f"action longer than {ACTION_MAX_LENGTH} characters")
        table, columns = row_key(key)
        progress = progress_key(key)
        now = self._clock()
        upsert = upsert_statement(self._engine.dialect_name, table, columns, action, now)

        def work(connection: Connection) -> None:
            connection.execute(upsert)
            record_applied(connection, progress, snapshot, now)

        await self._run("store the action sent", work)

    async def record_failure(self, key: SyncStateKey, reason: str, job: str) -> None:
        progress = progress_key(key)
        now = self._clock()
        await self._run(
            "store the push failure",
            lambda connection: record_failure(connection, progress, reason, job, now),
        )

    async def entities(
        self, *, failing_only: bool, service_id: str | None, limit: int
    ) -> list[tuple[SyncStateKey, SyncState]]:
        """Entities with a ``sync_progress`` row (failing ones only, if asked), most recently
        changed first, with their state; for the operator's ``dsi-jobs sync-state list``."""
        query = select(sync_progress).order_by(sync_progress.c.updated_at.desc()).limit(limit)
        if failing_only:
            query = query.where(sync_progress.c.last_failure.is_not(None))
        if service_id is not None:
            query = query.where(sync_progress.c.service_id == guid(service_id, "application"))

        def work(connection: Connection) -> list[tuple[SyncStateKey, SyncState]]:
            found = []
            for row in connection.execute(query).mappings():
                key = state_key(row)
                action: str | None = connection.scalar(_last_action_query(key))
                found.append((key, progress_state(action, dict(row))))
            return found

        return await self._run("list the sync state", work)

    async def set_last_action(self, key: SyncStateKey, action: str | None) -> None:
        """Operator recovery: ``CREATE`` marks the entity created (the next push is an UPDATE),
        ``None`` marks it new (the next push is a CREATE); the failure is cleared."""
        table, columns = row_key(key)
        progress = progress_key(key)
        now = self._clock()
        change: Executable
        if action is None:
            change = (
                update(table)
                .where(*(table.c[name] == value for name, value in columns.items()))
                .values(last_action_sent=None, updatedAt=now)
            )
        else:
            change = upsert_statement(self._engine.dialect_name, table, columns, action, now)

        def work(connection: Connection) -> None:
            connection.execute(change)
            clear_failure(connection, progress, now)

        await self._run("change the sync state", work)

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


def _last_action_query(key: SyncStateKey) -> Select[Any]:
    table, columns = row_key(key)
    return select(table.c.last_action_sent).where(
        *(table.c[name] == value for name, value in columns.items())
    )
