"""The stale-snapshot rule: a push older than the snapshot already applied is skipped, so a
retried or late push never rolls an entity back; failures are recorded per entity."""

from typing import Any

import pytest
from structlog.testing import capture_logs

from adapters.memory.legacy_service import InMemoryLegacyWebService
from adapters.memory.state_store import InMemoryDeliveryLog, InMemorySyncStateStore
from domain.errors import UpstreamRejected, UpstreamUnavailable
from domain.model import JobContext, SnapshotOrder, SyncState, SyncStateKey
from domain.use_cases.legacy_sync.organisation import PushOrganisationUpdate
from domain.use_cases.legacy_sync.push import PushToLegacyUseCase
from entrypoints.jobs.sync import push_outcome
from entrypoints.worker.runner import parse_payload
from tests.unit.sync.test_push_updates import APP, ORGANISATION

KEY = SyncStateKey("organisation", "app-1", "4567")
QUEUE = "sendwsorganisationupdated_v1_APP-1"


class Rig:
    """One application's organisation pushes against in-memory fakes; each push is a new job."""

    def __init__(self) -> None:
        self.legacy = InMemoryLegacyWebService()
        self.state = InMemorySyncStateStore()
        self.use_case = PushToLegacyUseCase(
            application=APP,
            legacy_service=self.legacy,
            sync_state=self.state,
            delivery_log=InMemoryDeliveryLog(),
        )
        self.jobs = 0

    async def push(
        self, name: str, order: tuple[int, int] | None, *, job_id: str | None = None
    ) -> Any:
        """Push the organisation named ``name``, stamped with ``order`` (producedAt, sequence)."""
        data: dict[str, Any] = {"organisation": {**ORGANISATION, "name": name}}
        if order is not None:
            data["snapshotOrder"] = {"producedAt": order[0], "sequence": order[1]}
        if job_id is None:
            self.jobs += 1
            job_id = str(self.jobs)
        context = JobContext(queue=QUEUE, job_id=job_id)
        return await self.use_case(parse_payload(PushOrganisationUpdate, data), context)

    def applied(self) -> list[tuple[str, str]]:
        """(action, organisation name) of every message the legacy service accepted."""
        return [(m.action, m.fields["organisationName"]) for _, m in self.legacy.sent]


async def test_a_newer_snapshot_is_sent_and_an_older_one_then_skipped() -> None:
    rig = Rig()

    assert await rig.push("v1", (1000, 1)) == {"action": "CREATE"}
    assert await rig.push("v3", (3000, 3)) == {"action": "UPDATE"}
    with capture_logs() as logs:
        result = await rig.push("v2", (2000, 2))

    assert result == {"skipped": "stale", "applied": {"producedAt": 3000, "sequence": 3}}
    assert push_outcome(result) == "stale"
    assert rig.applied() == [("CREATE", "v1"), ("UPDATE", "v3")]
    assert (await rig.state.read(KEY)).applied == SnapshotOrder(3000, 3)
    [line] = [entry for entry in logs if entry["event"] == "legacy_push_skipped_stale"]
    assert line["log_level"] == "info"
    assert (line["produced_at_ms"], line["applied_produced_at_ms"]) == (2000, 3000)


async def test_within_one_millisecond_the_producer_queues_job_id_decides() -> None:
    rig = Rig()

    await rig.push("second", (5000, 12))
    assert await rig.push("first", (5000, 11)) == {
        "skipped": "stale",
        "applied": {"producedAt": 5000, "sequence": 12},
    }
    assert await rig.push("third", (5000, 13)) == {"action": "UPDATE"}
    assert rig.applied() == [("CREATE", "second"), ("UPDATE", "third")]


async def test_a_duplicate_of_the_applied_snapshot_is_skipped_unless_the_entity_is_new() -> None:
    rig = Rig()
    await rig.push("v1", (1000, 1))

    assert (await rig.push("v1", (1000, 1)))["skipped"] == "stale"  # a second push job of it
    rig.state.rows[KEY] = SyncState(None, SnapshotOrder(1000, 1))  # an operator marked it new
    assert await rig.push("v1", (1000, 1)) == {"action": "CREATE"}
    assert rig.applied() == [("CREATE", "v1"), ("CREATE", "v1")]


async def test_a_push_without_order_is_sent_and_leaves_the_recorded_order_alone() -> None:
    rig = Rig()
    await rig.push("ordered", (3000, 3))

    assert await rig.push("from a Node fan-out", None) == {"action": "UPDATE"}
    assert (await rig.state.read(KEY)).applied == SnapshotOrder(3000, 3)
    assert await rig.push("older", (2000, 2)) == {
        "skipped": "stale",
        "applied": {"producedAt": 3000, "sequence": 3},
    }


async def test_a_retried_push_does_not_roll_the_entity_back_and_one_create_is_sent() -> None:
    """The issue's case: v1 fails (503) and waits for its retry; v2 is sent meanwhile (as the
    CREATE, since nothing was accepted yet); v1's retry is then skipped, not sent."""
    rig = Rig()
    rig.legacy.fail_with = UpstreamUnavailable("ProvisionOrganisation: HTTP 503")
    with pytest.raises(UpstreamUnavailable):
        await rig.push("v1", (1000, 1), job_id="1")
    rig.legacy.fail_with = None

    assert await rig.push("v2", (2000, 2), job_id="2") == {"action": "CREATE"}
    assert (await rig.push("v1", (1000, 1), job_id="1"))["skipped"] == "stale"  # the retry
    assert rig.applied() == [("CREATE", "v2")]


async def test_a_failed_push_is_recorded_against_the_entity_until_one_succeeds() -> None:
    rig = Rig()
    rig.legacy.fail_with = UpstreamRejected(
        "application APP-1: ProvisionOrganisation: SOAP fault Client (HTTP 200): ada@example.com"
        " already exists"
    )
    with pytest.raises(UpstreamRejected):
        await rig.push("v1", (1000, 1), job_id="7")

    failed = await rig.state.read(KEY)
    assert failed.last_action is None
    assert failed.last_failure == (
        "UpstreamRejected: application APP-1: ProvisionOrganisation: SOAP fault Client"
        " (HTTP 200): [email] already exists"
    )
    assert failed.failed_job == f"{QUEUE}:7"
    assert failed.failed_at is not None

    rig.legacy.fail_with = None
    await rig.push("v2", (2000, 2))
    recovered = await rig.state.read(KEY)
    assert (recovered.last_action, recovered.last_failure, recovered.failed_job) == (
        "CREATE",
        None,
        None,
    )


async def test_a_state_store_that_cannot_record_the_failure_does_not_hide_the_push_error() -> None:
    class DownOnFailure(InMemorySyncStateStore):
        async def record_failure(self, key: SyncStateKey, reason: str, job: str) -> None:
            raise UpstreamUnavailable("state database down")

    rig = Rig()
    rig.legacy.fail_with = UpstreamUnavailable("ProvisionOrganisation: HTTP 503")
    rig.use_case = PushToLegacyUseCase(
        application=APP,
        legacy_service=rig.legacy,
        sync_state=DownOnFailure(),
        delivery_log=InMemoryDeliveryLog(),
    )

    with capture_logs() as logs, pytest.raises(UpstreamUnavailable, match="HTTP 503"):
        await rig.push("v1", (1000, 1))
    assert [entry["event"] for entry in logs] == ["legacy_push_failure_not_recorded"]


@pytest.mark.parametrize(
    ("job_id", "produced_at_ms", "expected"),
    [
        ("42", 1_767_225_600_000, SnapshotOrder(1_767_225_600_000, 42)),
        ("custom-id", 1_767_225_600_000, SnapshotOrder(1_767_225_600_000, 0)),
        ("42", 0, None),
    ],
)
def test_a_jobs_place_in_production_order(
    job_id: str, produced_at_ms: int, expected: SnapshotOrder | None
) -> None:
    context = JobContext(
        queue="organisationupdated_v1", job_id=job_id, produced_at_ms=produced_at_ms
    )

    assert context.snapshot_order() == expected


def test_orders_compare_by_time_then_sequence() -> None:
    assert SnapshotOrder(1000, 99) < SnapshotOrder(1001, 0) < SnapshotOrder(1001, 1)
