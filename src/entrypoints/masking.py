"""Personal data masked out of what operators see: job data, failure reasons, stack traces.

Job data holds e-mail addresses, names and verification codes in clear text; operators need
its shape and ids, not those values. What counts as personal is ``domain.personal_data``.
The work is bounded whatever the job holds: strings are cut to ``MAX_VALUE_CHARS`` before they
are searched, nesting stops at ``MAX_DEPTH`` and at most ``MAX_VALUES`` values are shown.
"""

from dataclasses import replace
from typing import Any

from adapters.redis_queue.job_records import JobRecord
from domain.personal_data import (
    is_email_address,
    is_free_text_key,
    is_sensitive_key,
    redact_text,
)

MASK = "[masked]"
TOO_DEEP = "[nested too deep]"
LEFT_OUT = "[left out]"
MAX_VALUE_CHARS = 2048
MAX_DEPTH = 32
MAX_VALUES = 5000
MAX_STACK_TRACE_CHARS = 8192
MAX_STACK_TRACES = 10


def mask_job(job: JobRecord) -> JobRecord:
    """The job as operators see it: data, options, return value, failure reason and stack
    traces masked.

    Reasons and traces are masked again on display because other processes (Node workers,
    older versions) write them too.
    """
    return replace(
        job,
        data=mask_personal_data(job.data),
        options=mask_personal_data(job.options),
        return_value=mask_personal_data(job.return_value),
        failed_reason=mask_text(job.failed_reason) if job.failed_reason else None,
        stacktrace=[
            mask_text(trace, MAX_STACK_TRACE_CHARS) for trace in job.stacktrace[-MAX_STACK_TRACES:]
        ],
    )


def mask_personal_data(value: Any) -> Any:
    """A copy of ``value`` with sensitive keys' values and e-mail-like strings masked."""
    return _Masker().mask(value, 0)


def mask_text(text: str, limit: int = MAX_VALUE_CHARS) -> str:
    """Free text (a failure reason, a stack trace frame) cut to ``limit`` and redacted."""
    return redact_text(text, limit=limit)


class _Masker:
    def __init__(self) -> None:
        self._left = MAX_VALUES

    def mask(self, value: Any, depth: int) -> Any:
        self._left -= 1
        if self._left < 0:
            return LEFT_OUT
        if isinstance(value, dict | list) and depth >= MAX_DEPTH:
            return TOO_DEEP
        if isinstance(value, dict):
            return {
                str(key): MASK if _hidden(key, item) else self.mask(item, depth + 1)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [self.mask(item, depth + 1) for item in value]
        if isinstance(value, str):
            return MASK if is_email_address(value[:MAX_VALUE_CHARS]) else mask_text(value)
        return value


def _hidden(key: Any, item: Any) -> bool:
    """A present value under a key that looks personal, secret or free text (containers too)."""
    return item is not None and (is_sensitive_key(key) or is_free_text_key(key))
