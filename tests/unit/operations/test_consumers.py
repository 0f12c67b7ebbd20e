"""Consumers of each queue from ``CLIENT LIST``, as Node's ``Queue.getWorkers()`` reads it."""

import base64

from adapters.redis_queue.consumers import Consumer, consumers_by_queue, worker_client_name
from entrypoints.queue_view import QueueView


def b64(name: str) -> str:
    return base64.b64encode(name.encode()).decode()


def client(name: str, addr: str = "10.0.0.1:5000", db: str = "4") -> dict[str, str]:
    return {"name": name, "addr": addr, "db": db, "cmd": "bzpopmin"}


def test_this_services_workers_are_named_as_node_names_a_named_worker() -> None:
    assert (
        worker_client_name("test", "dsi-jobs-host-42") == f"bull:{b64('test')}:w:dsi-jobs-host-42"
    )


def test_node_and_dsi_jobs_workers_are_told_apart() -> None:
    found = consumers_by_queue(
        [
            client(f"bull:{b64('test')}"),  # a Node worker without a name (the original's)
            client(f"bull:{b64('test')}", "10.0.0.2:5001"),  # another Node process
            client(f"bull:{b64('test')}:w:reports"),  # a named Node worker
            client(worker_client_name("test", "dsi-jobs-h1-7"), "10.0.0.3:6000"),
            client(worker_client_name("test", "dsi-jobs-h1-7"), "10.0.0.3:6001"),  # same worker
            client(worker_client_name("passwordreset_v1", "dsi-jobs-h1-7"), "10.0.0.3:6002"),
        ]
    )
    assert sorted(found) == ["passwordreset_v1", "test"]
    assert [(c.kind, c.name) for c in found["test"]] == [
        ("node", ""), ("node", ""), ("node", "reports"), ("dsi-jobs", "dsi-jobs-h1-7"),
    ]  # fmt: skip
    assert found["passwordreset_v1"] == [
        Consumer("passwordreset_v1", "dsi-jobs", "dsi-jobs-h1-7", "10.0.0.3:6002")
    ]


def test_plain_python_bullmq_names_count_once_per_worker() -> None:
    found = consumers_by_queue(
        [
            client("bull:test:w:old-host-1", "10.0.0.4:1"),
            client("bull:test:w:old-host-1", "10.0.0.4:2"),
        ]
    )
    assert found == {"test": [Consumer("test", "python", "old-host-1", "10.0.0.4:1")]}


def test_other_clients_databases_and_queue_events_are_not_workers() -> None:
    found = consumers_by_queue(
        [
            client(""),
            client("dsi-jobs-publisher"),
            client(f"bull:{b64('test')}:qe"),  # a QueueEvents connection
            client(f"bull:{b64('test')}", db="9"),  # a worker of another database
            client(f"other:{b64('test')}"),  # another key prefix
        ],
        db="4",
    )
    assert found == {}


def test_a_queue_with_pending_jobs_and_nobody_attached_is_flagged() -> None:
    counts = {"waiting": 0, "delayed": 2, "active": 0, "completed": 1, "failed": 0}
    nobody = QueueView("test", counts, consumers=(), consumed_here=False)
    unknown = QueueView("test", counts, consumers=None, consumed_here=False)
    idle = QueueView("test", {**counts, "delayed": 0}, consumers=(), consumed_here=False)
    node = QueueView("test", counts, (Consumer("test", "node", "", "a:1"),), consumed_here=False)

    assert nobody.unconsumed
    assert nobody.consumer_summary() == "none"
    assert not unknown.unconsumed, "an unreadable CLIENT LIST is never read as nobody"
    assert unknown.consumer_summary() == "unknown"
    assert not idle.unconsumed
    assert not node.unconsumed
    assert node.consumer_summary() == "node 1"
