"""``dsi-jobs sync-state``: what legacy sync knows per entity, and the operator's recovery.

* ``list [--failing] [--application ID] [--limit N]``: entities this service has pushed or
  failed to push, newest change first: last action, newest snapshot applied, last failure.
* ``show KIND APPLICATION ENTITY [--organisation LEGACY_ID]``: one entity.
* ``mark-created …``: the legacy service has the entity although no CREATE was recorded (a
  CREATE whose answer was lost, then rejected as a duplicate): the next push is an UPDATE.
* ``mark-new …``: the legacy service lost the entity: the next push is a CREATE.

KIND is ``user`` (ENTITY a user id, ``--organisation`` required), ``role`` (a role id) or
``organisation`` (ENTITY the organisation's ``legacyId``). Values shown are escaped.
"""

import argparse
from datetime import UTC, datetime
from typing import Protocol

from rich.console import Console
from rich.markup import escape

from domain.model import SnapshotOrder, SyncState, SyncStateKey

KINDS = ("user", "role", "organisation")
ACTIONS = {"mark-created": "CREATE", "mark-new": None}
OUTCOMES = {
    "mark-created": "marked created: the next push is an UPDATE",
    "mark-new": "marked new: the next push is a CREATE",
}


class SyncStateAdmin(Protocol):
    """What the command needs of the SQL state store."""

    async def read(self, key: SyncStateKey) -> SyncState: ...

    async def entities(
        self, *, failing_only: bool, service_id: str | None, limit: int
    ) -> list[tuple[SyncStateKey, SyncState]]: ...

    async def set_last_action(self, key: SyncStateKey, action: str | None) -> None: ...


class SyncStateUsageError(Exception):
    """The entity named on the command line is incomplete."""


def add_sync_state_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    sync_state = commands.add_parser(
        "sync-state", help="legacy-sync state per entity; mark an entity created or new"
    )
    actions = sync_state.add_subparsers(dest="sync_action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="entities, newest change first")
    listing.add_argument("--failing", action="store_true", help="only entities whose push failed")
    listing.add_argument("--application", help="only this application (service id)")
    listing.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    for name, description in (
        ("show", "one entity's state"),
        ("mark-created", "record CREATE as sent: the next push is an UPDATE"),
        ("mark-new", "forget what was sent: the next push is a CREATE"),
    ):
        one = actions.add_parser(name, help=description)
        one.add_argument("kind", choices=KINDS)
        one.add_argument("application", help="the application (service id) of the push queue")
        one.add_argument("entity", help="user id, role id or organisation legacyId")
        one.add_argument("--organisation", type=int, help="organisation legacyId (users)")


async def run_sync_state(args: argparse.Namespace, store: SyncStateAdmin) -> int:
    console = Console(highlight=False, soft_wrap=True)
    if args.sync_action == "list":
        found = await store.entities(
            failing_only=args.failing, service_id=args.application, limit=args.limit
        )
        for key, state in found:
            _print(console, key, state)
        console.print(f"{len(found)} shown")
        return 0
    key = _key(args)
    if args.sync_action in ACTIONS:
        await store.set_last_action(key, ACTIONS[args.sync_action])
        console.print(escape(f"{_describe(key)}: {OUTCOMES[args.sync_action]}"))
    _print(console, key, await store.read(key))
    return 0


def _key(args: argparse.Namespace) -> SyncStateKey:
    if args.kind == "user" and args.organisation is None:
        raise SyncStateUsageError("a user is synced per organisation: give --organisation")
    organisation = args.organisation if args.kind == "user" else None
    return SyncStateKey(args.kind, args.application, args.entity, organisation)


def _describe(key: SyncStateKey) -> str:
    where = f" in organisation {key.organisation_id}" if key.organisation_id is not None else ""
    return f"{key.kind} {key.entity_id}{where} at application {key.service_id}"


def _print(console: Console, key: SyncStateKey, state: SyncState) -> None:
    """One entity as a block of lines, every value escaped."""
    lines = [
        _describe(key),
        f"  last action sent  {state.last_action or '(none: the next push is a CREATE)'}",
        f"  snapshot applied  {_order(state.applied)}",
    ]
    if state.last_failure is not None:
        lines.append(f"  last failure      {_time(state.failed_at)} job {state.failed_job or '?'}")
        lines.append(f"                    {state.last_failure}")
    for line in lines:
        console.print(escape(line))


def _order(order: SnapshotOrder | None) -> str:
    if order is None:
        return "(unknown)"
    produced = datetime.fromtimestamp(order.produced_at_ms / 1000, UTC)
    return f"produced {produced.isoformat(timespec='milliseconds')}, job #{order.sequence}"


def _time(value: datetime | None) -> str:
    return "?" if value is None else value.replace(tzinfo=UTC).isoformat(timespec="seconds")
