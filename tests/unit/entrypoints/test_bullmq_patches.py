"""The overrides of ``bullmq`` internals stay tied to the version they were written against.

Each overridden or relied-upon library function is recorded with a hash of its source in the
pinned version. A new ``bullmq`` (or an edited site-packages) fails here, naming the function
to re-check, before any behaviour test has to: docs/bullmq.md#upgrading says how.
"""

import hashlib
import inspect
import subprocess
import sys
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

import bullmq.job
import bullmq.lock_manager
import bullmq.redis_connection
import bullmq.scripts
import bullmq.worker
import pytest

from entrypoints.worker.bullmq_patches import (
    PINNED_BULLMQ,
    DsiWorker,
    _NodeCompatibleScripts,
    install_bullmq_patches,
)

REPOSITORY = Path(__file__).resolve().parents[3]
Worker = bullmq.worker.Worker
Scripts = bullmq.scripts.Scripts
RedisConnection = bullmq.redis_connection.RedisConnection

OVERRIDDEN: dict[str, tuple[Callable[..., Any], str]] = {
    "Worker.__init__": (Worker.__init__, "badcae9e54e64849"),
    "Worker._ensure_client_names": (Worker._ensure_client_names, "c32cfecc94f29e44"),
    "Worker.run": (Worker.run, "c244a425046fe891"),
    "Worker.nextJobFromJobData": (Worker.nextJobFromJobData, "ea35f631d65b3fb4"),
    "Worker.getNextJob": (Worker.getNextJob, "a998e889568bc58d"),
    "Worker.processJob": (Worker.processJob, "7bc99aa66abd5e42"),
    "Worker.close": (Worker.close, "01da54dce724009d"),
    "Scripts.__init__": (Scripts.__init__, "d8d0be033f0d6092"),
    "Scripts.moveToActive": (Scripts.moveToActive, "7d82da56df71d161"),
    "Scripts.moveToFinishedArgs": (Scripts.moveToFinishedArgs, "14fcba2047de915f"),
    "Scripts.moveToFailedArgs": (Scripts.moveToFailedArgs, "7b3e635e3f74b8a7"),
    "redis_connection.loadScript": (bullmq.redis_connection.loadScript, "81388cbd28defc74"),
}
"""What ``bullmq_patches`` replaces, with the hash of the stock source it replaces."""

RELIED_ON: dict[str, tuple[Callable[..., Any], str]] = {
    "Worker.moveToActive": (Worker.moveToActive, "613d65d8a7c50092"),
    "Worker.runStalledJobsCheck": (Worker.runStalledJobsCheck, "72eaa63ef58be8c8"),
    "Scripts.moveToCompleted": (Scripts.moveToCompleted, "b18803a13f3a6aef"),
    "Scripts.moveToFinished": (Scripts.moveToFinished, "d5e647da5cb7b854"),
    "scripts.raw2NextJobData": (bullmq.scripts.raw2NextJobData, "787af623f7de40b5"),
    "Job.fromJSON": (bullmq.job.Job.fromJSON, "2e31229090d7c610"),
    "Job.moveToFailed": (bullmq.job.Job.moveToFailed, "2402e11cd5785b4d"),
    "LockManager.track_job": (bullmq.lock_manager.LockManager.track_job, "34c0c9ab1d1ae114"),
    "LockManager.untrack_job": (bullmq.lock_manager.LockManager.untrack_job, "072cbf25fa4a4e77"),
    "RedisConnection.getRedisVersion": (RedisConnection.getRedisVersion, "971a004c7c8c647f"),
    "RedisConnection.set_client_name": (RedisConnection.set_client_name, "7adc556613290f3d"),
    "RedisConnection.loadCommands": (RedisConnection.loadCommands, "47eb50e65bb641f4"),
}
"""Library functions the overrides call or whose behaviour they assume (same check)."""


def source_hash(function: Callable[..., Any]) -> str:
    return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()[:16]


def overrides(subclass: type, base: type) -> set[str]:
    return {
        f"{base.__name__}.{name}"
        for name, value in vars(subclass).items()
        if callable(value) and hasattr(base, name)
    }


def test_the_pinned_version_is_installed() -> None:
    pins = (REPOSITORY / "requirements" / "constraints.txt").read_text().splitlines()
    assert f"bullmq=={PINNED_BULLMQ}" in pins
    assert version("bullmq") == PINNED_BULLMQ, (
        "another bullmq is installed than the one the overrides were written against: "
        "follow docs/bullmq.md#upgrading"
    )


def test_every_override_is_recorded() -> None:
    found = overrides(DsiWorker, Worker) | overrides(_NodeCompatibleScripts, Scripts)
    assert found | {"redis_connection.loadScript"} == set(OVERRIDDEN)


@pytest.mark.parametrize("name", sorted(OVERRIDDEN))
def test_an_overridden_internal_is_unchanged(name: str) -> None:
    function, recorded = OVERRIDDEN[name]
    assert source_hash(function) == recorded, (
        f"bullmq's {name} is not the one bullmq_patches overrides: re-check the override "
        "(docs/bullmq.md#upgrading), then record the new hash here"
    )


@pytest.mark.parametrize("name", sorted(RELIED_ON))
def test_a_relied_upon_internal_is_unchanged(name: str) -> None:
    function, recorded = RELIED_ON[name]
    assert source_hash(function) == recorded, (
        f"bullmq's {name}, which the overrides rely on, changed: re-check bullmq_patches "
        "(docs/bullmq.md#upgrading), then record the new hash here"
    )


def test_importing_the_worker_patches_nothing_until_installed() -> None:
    check = (
        "import bullmq.redis_connection as rc, entrypoints.worker.main\n"
        "from entrypoints.worker.bullmq_patches import install_bullmq_patches\n"
        "assert not hasattr(rc.loadScript, 'cache_info'), 'patched at import'\n"
        "install_bullmq_patches(); cached = rc.loadScript; install_bullmq_patches()\n"
        "assert rc.loadScript is cached and hasattr(cached, 'cache_info')\n"
    )
    subprocess.run(
        [sys.executable, "-c", check],
        env={"PYTHONPATH": str(REPOSITORY / "src")},
        check=True,
        timeout=60,
    )


def test_installed_connections_share_one_copy_of_the_lua_source() -> None:
    install_bullmq_patches()
    first = RedisConnection({"host": "127.0.0.1", "port": 1})
    second = RedisConnection({"host": "127.0.0.1", "port": 1})

    assert first.commands["moveToActive"].script is second.commands["moveToActive"].script
