"""``sync_progress`` reads and writes, in portable statements (one form for every backend).

Writes are an ``UPDATE`` and, when no row matched, an ``INSERT``. The snapshot order is only
ever raised: its ``UPDATE`` matches a row whose recorded order is older, so a push that raced
past the stale check cannot lower it (the database is the fence).
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Update, and_, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from adapters.sql_state.tables import FAILURE_MAX_LENGTH, sync_progress
from domain.errors import UpstreamUnavailable
from domain.model import SnapshotOrder, SyncState

_NO_FAILURE = {"last_failure": None, "last_failure_job": None, "failed_at": None}


def read_progress(connection: Connection, key: Mapping[str, Any]) -> dict[str, Any]:
    """The row's columns, or ``{}`` when there is none."""
    result = connection.execute(select(sync_progress).where(*_matching(key)))
    row = result.mappings().first()
    return dict(row) if row is not None else {}


def progress_state(last_action: str | None, row: Mapping[str, Any]) -> SyncState:
    """A ``SyncState`` from the original's action and a ``sync_progress`` row (maybe ``{}``)."""
    produced_at = row.get("snapshot_produced_at")
    applied = None
    if produced_at is not None:
        applied = SnapshotOrder(int(produced_at), int(row.get("snapshot_sequence") or 0))
    return SyncState(
        last_action=last_action or None,
        applied=applied,
        last_failure=row.get("last_failure"),
        failed_job=row.get("last_failure_job"),
        failed_at=row.get("failed_at"),
    )


def record_applied(
    connection: Connection,
    key: Mapping[str, Any],
    snapshot: SnapshotOrder | None,
    now: datetime,
) -> None:
    """A push succeeded: clear the failure and raise the order to ``snapshot``."""
    if not _update(connection, key, {**_NO_FAILURE, "updated_at": now}):
        if snapshot is not None:
            _insert(connection, {**key, **_order(snapshot), "updated_at": now})
        return
    if snapshot is not None:
        connection.execute(raise_order(key, snapshot, now))


def raise_order(key: Mapping[str, Any], snapshot: SnapshotOrder, now: datetime) -> Update:
    """The ``UPDATE`` that sets the order to ``snapshot`` where the recorded one is older."""
    return (
        update(sync_progress)
        .where(*_matching(key), _older_than(snapshot))
        .values(**_order(snapshot), updated_at=now)
    )


def record_failure(
    connection: Connection, key: Mapping[str, Any], reason: str, job: str, now: datetime
) -> None:
    """A push failed: remember why and which job."""
    values = {
        "last_failure": reason[:FAILURE_MAX_LENGTH],
        "last_failure_job": job[:200],
        "failed_at": now,
        "updated_at": now,
    }
    if not _update(connection, key, values):
        _insert(connection, {**key, **values})


def clear_failure(connection: Connection, key: Mapping[str, Any], now: datetime) -> None:
    """An operator dealt with the entity: forget its failure (the order is kept)."""
    _update(connection, key, {**_NO_FAILURE, "updated_at": now})


def _matching(key: Mapping[str, Any]) -> list[ColumnElement[bool]]:
    return [sync_progress.c[name] == value for name, value in key.items()]


def _older_than(snapshot: SnapshotOrder) -> ColumnElement[bool]:
    produced_at, sequence = sync_progress.c.snapshot_produced_at, sync_progress.c.snapshot_sequence
    return or_(
        produced_at.is_(None),
        produced_at < snapshot.produced_at_ms,
        and_(produced_at == snapshot.produced_at_ms, sequence < snapshot.sequence),
    )


def _order(snapshot: SnapshotOrder) -> dict[str, int]:
    return {
        "snapshot_produced_at": snapshot.produced_at_ms,
        "snapshot_sequence": snapshot.sequence,
    }


def _update(connection: Connection, key: Mapping[str, Any], values: Mapping[str, Any]) -> bool:
    """Whether a row matched ``key`` (and was updated)."""
    result = connection.execute(update(sync_progress).where(*_matching(key)).values(values))
    return bool(result.rowcount)


def _insert(connection: Connection, values: Mapping[str, Any]) -> None:
    try:
        connection.execute(insert(sync_progress).values(values))
    except IntegrityError:  # another push wrote the row first: retry the job, it will update it
        raise UpstreamUnavailable("sync progress row written concurrently; retrying") from None
