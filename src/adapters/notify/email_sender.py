"""Send e-mails through GOV.UK Notify without blocking the event loop.

The official client is synchronous (``requests``) and documented as not thread-safe, so calls
run on a small dedicated thread pool with one client (one HTTP session) per thread.
"""

import asyncio
import threading
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from typing import Any

from notifications_python_client.errors import APIError, HTTPError
from notifications_python_client.notifications import NotificationsAPIClient
from pydantic import SecretStr

from adapters.common.templates import TemplateMap
from domain.errors import (
    RateLimited,
    RecipientRejected,
    UpstreamMisconfigured,
    UpstreamUnavailable,
)
from domain.model import EmailMessage
from domain.personal_data import redact_text

RATE_LIMIT_WINDOW_S = 60.0
"""Notify's limit is 3,000 requests per rolling minute: after a 429, wait out the window."""
MAX_DETAIL_CHARS = 1024
"""Notify's own words kept in a failure reason (they name the problem, never the recipient)."""


class NotifyEmailSender:
    """``EmailSender`` that maps template keys through ``GOVNOTIFY_TEMP_MAP`` to Notify ids."""

    def __init__(
        self,
        *,
        api_key: SecretStr,
        base_url: str,
        templates: Mapping[str, str],
        timeout_s: float = 10.0,
        max_threads: int = 16,
    ) -> None:
        self._api_key = api_key
        self._base_url = base_url.rstrip("/")
        self._templates = TemplateMap(dict(templates))
        self._timeout_s = timeout_s
        self._local = threading.local()
        self._executor = ThreadPoolExecutor(max_workers=max_threads, thread_name_prefix="notify")

    def require_templates(self, template_keys: Iterable[str]) -> None:
        self._templates.require(template_keys)

    def _client(self) -> NotificationsAPIClient:
        client: NotificationsAPIClient | None = getattr(self._local, "client", None)
        if client is None:
            client = NotificationsAPIClient(  # type: ignore[no-untyped-call]
                self._api_key.get_secret_value(), base_url=self._base_url, timeout=self._timeout_s
            )
            self._local.client = client
        return client

    def _send_blocking(self, message: EmailMessage, template_id: str) -> str:
        response: dict[str, Any] = self._client().send_email_notification(  # type: ignore[no-untyped-call]
            email_address=message.recipient,
            template_id=template_id,
            personalisation=dict(message.personalisation),
            reference=message.reference,
            sanitise_content_for=list(message.plain_text_fields) or None,
        )
        return str(response.get("id", ""))

    async def send(self, message: EmailMessage) -> str:
        template_id = self._templates.id_for(message.template_key)
        loop = asyncio.get_running_loop()
        with _translate_errors(message.template_key):
            return await loop.run_in_executor(
                self._executor, self._send_blocking, message, template_id
            )

    def _was_sent_blocking(self, reference: str) -> bool:
        found: dict[str, Any] = self._client().get_all_notifications(  # type: ignore[no-untyped-call]
            reference=reference, template_type="email"
        )
        return bool(found.get("notifications"))

    async def was_sent(self, reference: str) -> bool:
        loop = asyncio.get_running_loop()
        with _translate_errors("(lookup by reference)"):
            return await loop.run_in_executor(self._executor, self._was_sent_blocking, reference)

    async def probe_templates(self, template_keys: Iterable[str]) -> dict[str, str]:
        """Ask Notify's template API (``GET /v2/template/{id}``) about each key's template:
        ``{key: problem}`` for keys without an id, unknown ids and non-e-mail templates (empty
        when all are fine). A refused key (401/403) or an outage raises, as sending would."""
        keys = sorted(set(template_keys))
        found = await asyncio.gather(*(self._template_problem(key) for key in keys))
        return {key: problem for key, problem in zip(keys, found, strict=True) if problem}

    async def _template_problem(self, key: str) -> str | None:
        template_id = self._templates.ids.get(key)
        if not template_id:
            return "no template id in GOVNOTIFY_TEMP_MAP"
        loop = asyncio.get_running_loop()
        try:
            with _translate_errors(key):
                template = await loop.run_in_executor(
                    self._executor, self._template_blocking, template_id
                )
        except RecipientRejected as error:  # 400/404: this id is not a template of the service
            return f"not a template of this Notify service ({_after_status(str(error))})"
        kind = template.get("type")
        return None if kind == "email" else f"a {kind} template, not an e-mail template"

    def _template_blocking(self, template_id: str) -> dict[str, Any]:
        found: dict[str, Any] = self._client().get_template(template_id)  # type: ignore[no-untyped-call]
        return found

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


@contextmanager
def _translate_errors(template_key: str) -> Iterator[None]:
    """Notify status codes → taxonomy; messages keep Notify's words, never the recipient.

    The client's error is not chained: its text is Notify's raw answer, and a chained cause is
    stored in the job's stack trace.
    """
    try:
        yield
    except HTTPError as error:
        raise _classify(error, template_key) from None
    except APIError:
        raise UpstreamUnavailable(
            f"GOV.UK Notify gave an unreadable answer for template '{template_key}'"
        ) from None


def _classify(error: HTTPError, template_key: str) -> Exception:
    status = error.status_code
    detail = redact_text(_describe(error.message), limit=MAX_DETAIL_CHARS)
    where = f"GOV.UK Notify {status} for template '{template_key}': {detail}"
    if status == 429 and _error_types(error.message) == {"TooManyRequestsError"}:
        # The daily send limit: waiting a minute cannot help; try again after midnight UTC.
        return UpstreamUnavailable(where, retry_after_s=_seconds_to_midnight_utc())
    if status == 429:
        return RateLimited(where, retry_after_s=RATE_LIMIT_WINDOW_S)
    if status >= 500:
        return UpstreamUnavailable(where)
    if status in (401, 403):
        return UpstreamMisconfigured(where)
    return RecipientRejected(where)


def _after_status(message: str) -> str:
    """Notify's own words from one of ``_classify``'s messages."""
    return message.partition(": ")[2] or message


def _error_types(message: object) -> set[str]:
    if not isinstance(message, list):
        return set()
    return {str(item.get("error")) for item in message if isinstance(item, dict)}


def _seconds_to_midnight_utc(now: datetime | None = None) -> float:
    now = now or datetime.now(UTC)
    midnight = datetime.combine(now.date() + timedelta(days=1), time.min, tzinfo=UTC)
    return (midnight - now).total_seconds()


def _describe(message: object) -> str:
    if isinstance(message, list):
        return "; ".join(
            f"{item.get('error', '')}: {item.get('message', '')}"
            if isinstance(item, dict)
            else str(item)
            for item in message
        )
    return str(message)


def open_notify_sender(
    *, api_key: SecretStr, base_url: str, templates: Mapping[str, str], timeout_s: float
) -> Iterator[NotifyEmailSender]:
    """Container resource: the sender, its thread pool shut down when the container stops."""
    sender = NotifyEmailSender(
        api_key=api_key, base_url=base_url, templates=templates, timeout_s=timeout_s
    )
    try:
        yield sender
    finally:
        sender.close()
