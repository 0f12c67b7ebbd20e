"""Every e-mail job through GOV.UK Notify: jobs enqueued by the npm ``bullmq`` client with the
producers' options, processed by the real ``dsi-jobs worker`` process, e-mails received by the
Notify stand-in, results read back by Node.

The worker is configured only through the original environment variable names plus
``GOVNOTIFY_BASE_URL``. Two workers share the platform stand-in, each with its own Redis and
Notify stand-in: the main one (Entra registration off, every template mapped) runs every case;
the second (Entra on, one template key left out) runs the Entra invitations and the job whose
template is missing. Everything is enqueued once per module and the tests read the outcome.
"""

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from contextlib import AsyncExitStack, ExitStack
from dataclasses import dataclass, field
from subprocess import Popen
from typing import Any

import pytest
import pytest_asyncio
import redis.asyncio as aioredis

from tests.e2e.email_cases import (
    CASES,
    EMAIL_JOB_TYPES,
    HELP_HOST,
    INTERACTIONS_HOST,
    INVALID_PAYLOAD,
    INVALID_PAYLOAD_QUEUE,
    INVALID_PAYLOAD_REASON,
    MISSING_TEMPLATE_JOB,
    MISSING_TEMPLATE_KEY,
    PROFILE_HOST,
    SERVICES_HOST,
    SUPPORT_DESK,
    UNUSED_TEMPLATE_KEYS,
    Case,
    email_platform_data,
    matches,
    template_map,
)
from tests.e2e.harness import eventually, produce, queue_url, read_jobs
from tests.support.asgi_server import serve
from tests.support.notify_stand_in import NotifyStandIn, running_notify_stand_in
from tests.support.platform_stand_in import (
    CLIENT_ID,
    CLIENT_SECRET,
    RESOURCE,
    TENANT,
    PlatformStandIn,
)
from tests.support.processes import running_worker
from tests.support.redis_server import RedisServer, free_port, running_redis
from tests.support.settings import TEMPLATE_KEYS

FINISH_TIMEOUT_S = 45.0
TEMPLATES = template_map()
ENTRA_TEMPLATES = {k: v for k, v in TEMPLATES.items() if k != MISSING_TEMPLATE_KEY}
MAIN_CASES = [case for case in CASES if not case.entra]
ENTRA_CASES = [case for case in CASES if case.entra]
FOLLOW_UP_CASES = [case for case in CASES if case.follow_up]


@dataclass
class Worker:
    """One worker process, its own Redis and Notify stand-in, and the jobs it was given."""

    redis: RedisServer
    notify: NotifyStandIn
    process: Popen[str]
    ids: dict[str, str] = field(default_factory=dict)
    """Case id (or a special job's name) → BullMQ job id."""
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Case id (or special job's name) → the job as Node reads it."""
    queues: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Every job of the follow-up queues as Node reads them."""

    def emails_of(self, queue: str, job_id: str) -> list[dict[str, Any]]:
        """Bodies Notify accepted for that job, by reference; ``sanitise_content_for`` sorted
        (its order means nothing)."""
        prefix = f"{queue}:{job_id}:"
        bodies = [
            {**e.body, **_sorted_plain_text(e.body)}
            for e in self.notify.accepted
            if e.body["reference"].startswith(prefix)
        ]
        return sorted(bodies, key=lambda body: str(body["reference"]))


def _sorted_plain_text(body: dict[str, Any]) -> dict[str, Any]:
    plain = body.get("sanitise_content_for")
    return {"sanitise_content_for": sorted(plain)} if isinstance(plain, list) else {}


@dataclass(frozen=True)
class Outcome:
    main: Worker
    entra: Worker
    entra_alive_after_failure: bool


def worker_env(
    redis: RedisServer, notify_url: str, api_key: str, platform_url: str, *, entra: bool
) -> dict[str, str]:
    """The original's variables only, plus ``GOVNOTIFY_BASE_URL`` for the stand-in, and the
    state database and monitor allow-list a production start requires. The main worker has a
    production configuration; the Entra one runs in ``dev``, where a template key may be
    missing."""
    templates = ENTRA_TEMPLATES if entra else TEMPLATES
    return {
        **({"LOCAL_ENV": "dev"} if entra else {}),
        "LOCAL_REDIS_CONN": redis.url,
        "GOVNOTIFY_API_KEY": api_key,
        "GOVNOTIFY_TEMP_MAP": json.dumps({"email": templates}),
        "GOVNOTIFY_BASE_URL": notify_url,
        "STANDALONE_INTERACTIONS_HOST_NAME": INTERACTIONS_HOST,
        "STANDALONE_PROFILE_HOST_NAME": PROFILE_HOST,
        "STANDALONE_SERVICES_HOST_NAME": SERVICES_HOST,
        "STANDALONE_HELP_HOST_NAME": HELP_HOST,
        "STANDALONE_DIRECTORIES_HOST_NAME": f"{platform_url}/directories",
        "STANDALONE_ORGANISATIONS_HOST_NAME": f"{platform_url}/organisations",
        "STANDALONE_APPLICATIONS_HOST_NAME": f"{platform_url}/applications",
        "STANDALONE_ACCESS_HOST_NAME": f"{platform_url}/access",
        "TENANT_URL": f"{platform_url}/aad",
        "PLATFORM_GLOBAL_TENANT_DOMAIN": TENANT,
        "AAD_SHD_CLIENT_ID": CLIENT_ID,
        "AAD_SHD_CLIENT_SECRET": CLIENT_SECRET,
        "AAD_SHD_APP_ID": RESOURCE,
        "NOTIF_SUPPORT_EMAIL_ADDRESS": SUPPORT_DESK,
        "JOBS_MONITOR_ALLOWED_ROLES": "Jobs.Operator",
        "JOB_JWT_SECRET": "e2e-relying-party-secret",
        "JOBS_STATE_DATABASE_URL": "sqlite+aiosqlite:///state.sqlite3",
        "ENTRA_USE_FOR_ACCOUNT_REGISTRATION": "true" if entra else "false",
    }


async def produce_cases(worker: Worker, cases: Iterable[Case]) -> None:
    """One Node producer run per queue, each queue's cases in table order."""
    by_queue: dict[str, list[Case]] = {}
    for case in cases:
        by_queue.setdefault(case.queue, []).append(case)

    async def one_queue(queue: str, queued: list[Case]) -> None:
        ids = await produce(worker.redis, queue, *(case.payload for case in queued))
        worker.ids.update({case.id: job_id for case, job_id in zip(queued, ids, strict=True)})

    await asyncio.gather(*(one_queue(queue, queued) for queue, queued in by_queue.items()))


async def all_finished(redis: RedisServer, jobs: Iterable[tuple[str, str]]) -> None:
    """Wait until every ``(queue, job id)`` has finished (completed or failed)."""
    client = aioredis.Redis.from_url(queue_url(redis))
    pending = set(jobs)

    async def check() -> bool:
        for queue, job_id in list(pending):
            if await client.hexists(f"bull:{queue}:{job_id}", "finishedOn"):
                pending.discard((queue, job_id))
        return not pending

    try:
        await eventually(check, "every job finished", FINISH_TIMEOUT_S)
    finally:
        await client.aclose()


async def queue_length(redis: RedisServer, queue: str) -> int:
    """How many jobs were ever added to ``queue`` (BullMQ's id counter)."""
    client = aioredis.Redis.from_url(queue_url(redis))
    try:
        return int(await client.get(f"bull:{queue}:id") or 0)
    finally:
        await client.aclose()


async def read_back(worker: Worker, named: dict[str, str]) -> None:
    """Read ``{name: queue}`` jobs and every job of the follow-up queues through Node."""
    by_queue: dict[str, list[str]] = {}
    for name, queue in named.items():
        by_queue.setdefault(queue, []).append(name)

    async def one_queue(queue: str, names: list[str]) -> None:
        found = await read_jobs(worker.redis, queue, [worker.ids[name] for name in names])
        worker.jobs.update(zip(names, found, strict=True))

    async def whole_queue(queue: str) -> None:
        ids = [str(n) for n in range(1, await queue_length(worker.redis, queue) + 1)]
        worker.queues[queue] = await read_jobs(worker.redis, queue, ids)

    follow_up_queues = {case.follow_up.queue for case in FOLLOW_UP_CASES if case.follow_up}
    await asyncio.gather(
        *(one_queue(queue, names) for queue, names in by_queue.items()),
        *(whole_queue(queue) for queue in follow_up_queues),
    )


async def run_main(worker: Worker) -> None:
    await produce_cases(worker, MAIN_CASES)
    (worker.ids["invalid"],) = await produce(worker.redis, INVALID_PAYLOAD_QUEUE, INVALID_PAYLOAD)
    named = {case.id: case.queue for case in MAIN_CASES} | {"invalid": INVALID_PAYLOAD_QUEUE}
    await all_finished(worker.redis, ((queue, worker.ids[name]) for name, queue in named.items()))
    follow_ups = []
    for queue in {case.follow_up.queue for case in FOLLOW_UP_CASES if case.follow_up}:
        total = await queue_length(worker.redis, queue)
        follow_ups += [(queue, str(n)) for n in range(1, total + 1)]
    await all_finished(worker.redis, follow_ups)
    await read_back(worker, named)


async def run_entra(worker: Worker) -> bool:
    """The missing-template job first; then, on the same worker, the Entra invitations.

    Returns whether the worker was still running right after the failure.
    """
    queue = "supportoverduerequest"
    (worker.ids["missing-template"],) = await produce(worker.redis, queue, MISSING_TEMPLATE_JOB)
    await all_finished(worker.redis, [(queue, worker.ids["missing-template"])])
    alive = worker.process.poll() is None
    await produce_cases(worker, ENTRA_CASES)
    named = {case.id: case.queue for case in ENTRA_CASES} | {"missing-template": queue}
    await all_finished(worker.redis, ((queue, worker.ids[name]) for name, queue in named.items()))
    await read_back(worker, named)
    return alive


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def outcome(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Outcome]:
    root = tmp_path_factory.mktemp("email-jobs")
    (root / "main").mkdir()
    (root / "entra").mkdir()
    with ExitStack() as redises:
        main_redis = redises.enter_context(running_redis(root / "main"))
        entra_redis = redises.enter_context(running_redis(root / "entra"))
        async with AsyncExitStack() as stack:
            platform = PlatformStandIn(data=email_platform_data())
            platform_url = await stack.enter_async_context(serve(platform.app()))
            main_notify, main_notify_url = await stack.enter_async_context(
                running_notify_stand_in()
            )
            entra_notify, entra_notify_url = await stack.enter_async_context(
                running_notify_stand_in()
            )
            main_env = worker_env(
                main_redis, main_notify_url, main_notify.api_key.value, platform_url, entra=False
            )
            entra_env = worker_env(
                entra_redis, entra_notify_url, entra_notify.api_key.value, platform_url, entra=True
            )
            main_process, entra_process = await asyncio.gather(
                stack.enter_async_context(running_worker(main_env, root / "main", free_port())),
                stack.enter_async_context(running_worker(entra_env, root / "entra", free_port())),
            )
            main = Worker(main_redis, main_notify, main_process)
            entra = Worker(entra_redis, entra_notify, entra_process)
            _, alive = await asyncio.gather(run_main(main), run_entra(entra))
            yield Outcome(main, entra, alive)


def worker_of(outcome: Outcome, case: Case) -> Worker:
    return outcome.entra if case.entra else outcome.main


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_job_completes_once_and_node_reads_its_result(outcome: Outcome, case: Case) -> None:
    job = worker_of(outcome, case).jobs[case.id]
    assert (job["state"], job["name"], job["attemptsMade"]) == ("completed", case.queue, 1), job
    assert job["data"] == case.payload
    assert matches(case.result, job["returnvalue"]), job["returnvalue"]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_notify_receives_exactly_the_expected_emails(outcome: Outcome, case: Case) -> None:
    worker = worker_of(outcome, case)
    job_id = worker.ids[case.id]
    templates = ENTRA_TEMPLATES if case.entra else TEMPLATES
    expected = [email.request(case.queue, job_id, templates) for email in case.emails]
    received = worker.emails_of(case.queue, job_id)
    assert matches(expected, received), json.dumps(received, indent=1)


@pytest.mark.parametrize("case", FOLLOW_UP_CASES, ids=[case.id for case in FOLLOW_UP_CASES])
def test_follow_up_job_is_enqueued_once_and_sends_its_emails(outcome: Outcome, case: Case) -> None:
    assert case.follow_up is not None
    worker = worker_of(outcome, case)
    follow_up = case.follow_up
    (job,) = [job for job in worker.queues[follow_up.queue] if job["data"] == follow_up.data]
    assert (job["name"], job["state"], job["attemptsMade"]) == (follow_up.queue, "completed", 1)
    if "job_id" in case.result:
        assert worker.jobs[case.id]["returnvalue"]["job_id"] == job["id"]
    expected = [email.request(follow_up.queue, job["id"], TEMPLATES) for email in follow_up.emails]
    received = worker.emails_of(follow_up.queue, job["id"])
    assert matches(expected, received), json.dumps(received, indent=1)


def test_follow_up_queues_hold_only_the_expected_jobs(outcome: Outcome) -> None:
    worker = outcome.main
    produced = Counter(case.queue for case in MAIN_CASES)
    for queue, jobs in worker.queues.items():
        follow_ups = sum(1 for c in FOLLOW_UP_CASES if c.follow_up and c.follow_up.queue == queue)
        assert len(jobs) == produced[queue] + follow_ups, (queue, jobs)


def test_missing_template_fails_once_sends_nothing_and_worker_keeps_running(
    outcome: Outcome,
) -> None:
    worker = outcome.entra
    job = worker.jobs["missing-template"]
    assert job["state"] == "failed"
    assert job["failedReason"] == f"Invalid notify email template name '{MISSING_TEMPLATE_KEY}'."
    assert job["attemptsMade"] == 1
    assert worker.emails_of("supportoverduerequest", worker.ids["missing-template"]) == []
    assert worker.notify.received == len(worker.notify.accepted)  # no request was refused
    assert outcome.entra_alive_after_failure
    assert all(worker.jobs[case.id]["state"] == "completed" for case in ENTRA_CASES)
    assert worker.process.poll() is None


def test_invalid_payload_fails_once_naming_the_field(outcome: Outcome) -> None:
    worker = outcome.main
    job = worker.jobs["invalid"]
    assert (job["state"], job["failedReason"], job["attemptsMade"]) == (
        "failed",
        INVALID_PAYLOAD_REASON,
        1,
    )
    assert job["returnvalue"] is None
    assert worker.emails_of(INVALID_PAYLOAD_QUEUE, worker.ids["invalid"]) == []


def test_notify_accepted_every_request_and_nothing_unexpected(outcome: Outcome) -> None:
    for worker, cases in ((outcome.main, MAIN_CASES), (outcome.entra, ENTRA_CASES)):
        expected = sum(
            len(case.emails) + (len(case.follow_up.emails) if case.follow_up else 0)
            for case in cases
        )
        references = [email.body["reference"] for email in worker.notify.accepted]
        assert len(references) == expected
        assert len(set(references)) == expected
        assert worker.notify.received == expected


def test_every_email_job_type_and_template_is_exercised(outcome: Outcome) -> None:
    assert {case.queue for case in CASES} == set(EMAIL_JOB_TYPES)
    assert len(EMAIL_JOB_TYPES) == 24
    used = {
        email.body["template_id"]
        for worker in (outcome.main, outcome.entra)
        for email in worker.notify.accepted
    }
    wanted = {TEMPLATES[key] for key in TEMPLATE_KEYS if key not in UNUSED_TEMPLATE_KEYS}
    assert used == wanted
