"""The processor BullMQ calls for each job: run the pipeline, log once, decide the retry.

A retryable failure sets the job's ``attempts`` and ``backoff`` options from the job type's
``RetryPolicy`` before BullMQ records it (docs/bullmq.md#overrides, "Retries"); a permanent one
is raised as BullMQ's ``UnrecoverableError``. The worker itself, with its overrides of the
library, is ``entrypoints.worker.bullmq_patches.DsiWorker``.
"""

import time
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from bullmq import UnrecoverableError

from domain.errors import PermanentError, RetryableError
from domain.model import JobContext
from domain.personal_data import redact_text
from entrypoints.logging import job_fields
from entrypoints.registry import JobSpec
from entrypoints.telemetry import Observe
from entrypoints.tracing import NO_TRACING, Tracing
from entrypoints.worker.runner import run_job

log = structlog.get_logger(__name__)

MAX_REASON_CHARS = 2048


def make_processor(
    spec: JobSpec[Any],
    observe: Observe | None = None,
    delay_scale: float = 1.0,
    tracing: Tracing = NO_TRACING,
) -> Callable[[Any, str], Awaitable[Any]]:
    """The BullMQ processor for one job type: run the pipeline, log once, decide the retry.

    Each attempt is one span (continuing the producer's trace when the job carries one), and
    every log line of the attempt carries its trace id.
    """

    async def process(job: Any, token: str) -> Any:
        attempts_made = int(job.attemptsMade)
        context = JobContext(
            queue=spec.queue,
            job_id=str(job.id),
            attempt=attempts_made + 1,
            correlation_id=f"{spec.queue}-{job.id}",
            redelivered=attempts_made > 0 or int(job.stalledCounter or 0) > 0,
            produced_at_ms=int(job.timestamp or 0),
        )
        started = time.monotonic()
        with (
            job_fields(
                queue=spec.queue,
                job_id=context.job_id,
                attempt=context.attempt,
                correlation_id=context.correlation_id,
            ),
            tracing.job(spec.queue, context.job_id, context.attempt, _carrier(job)) as span,
        ):
            outcome, delay_ms, error_type = "failed", None, None
            try:
                result = await run_job(spec, job.data, context)
                outcome = spec.outcome(result)
                return result
            except PermanentError as error:
                error_type = type(error).__name__
                log.warning("job_failed_permanently", error_type=error_type)
                raise UnrecoverableError(_message(error)) from error
            except Exception as error:  # every other error is retryable by policy
                error_type = type(error).__name__
                outcome, delay_ms = _schedule_retry(spec, job, error, attempts_made, delay_scale)
                raise JobAttemptFailed(_reason(error)) from error
            finally:
                duration = time.monotonic() - started
                log.info("job_finished", outcome=outcome, duration_ms=round(duration * 1000, 1))
                span.finish(outcome, delay_ms, error_type)
                if observe is not None:
                    observe(spec.queue, outcome, duration)

    return process


class JobAttemptFailed(Exception):
    """What BullMQ stores as ``failedReason``: the handler's message, personal data removed."""


def _message(error: Exception) -> str:
    return redact_text(str(error), limit=MAX_REASON_CHARS)


def _reason(error: Exception) -> str:
    message = _message(error)
    if isinstance(error, RetryableError):
        return message
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def _carrier(job: Any) -> object:
    """Node bullmq's propagation metadata (its ``telemetry`` option, stored as ``tm``)."""
    opts = job.opts
    return opts.get("tm") if isinstance(opts, dict) else None


def _schedule_retry(
    spec: JobSpec[Any], job: Any, error: Exception, attempts_made: int, delay_scale: float
) -> tuple[str, int | None]:
    """Set BullMQ's per-job retry options from our policy; return the outcome and delay (ms)."""
    retry_after = error.retry_after_s if isinstance(error, RetryableError) else None
    age_s = max(0.0, time.time() - int(job.timestamp or 0) / 1000)
    delay_s = spec.retry.next_delay_s(
        attempts_made=attempts_made, age_s=age_s, retry_after_s=retry_after
    )
    known = isinstance(error, RetryableError)
    if not known:
        log.error("job_error_unexpected", error_type=type(error).__name__, reason=_reason(error))
    if delay_s is None:
        log.warning("job_failed_retries_exhausted", error_type=type(error).__name__)
        job.opts["attempts"] = 0
        return "failed", None
    delay_ms = max(1, round(delay_s * delay_scale * 1000))
    job.opts["attempts"] = spec.retry.max_attempts
    job.opts["backoff"] = {"type": "fixed", "delay": delay_ms}
    log.info("job_retrying", error_type=type(error).__name__, delay_ms=delay_ms)
    return "retried", delay_ms
