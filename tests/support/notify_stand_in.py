"""A local stand-in for GOV.UK Notify: ``POST /v2/notifications/email``, ``GET /v2/notifications``
and ``GET /v2/template/{id}``.

There is no Notify test environment, so contract tests point the real client's ``base_url`` here.
It checks what the real API checks (the JWT, with the same decoder Notify itself uses, and the
request schema), answers with Notify's bodies, records what it accepted, and can be scripted to
fail, so the sender's error mapping is exercised over real HTTP.
"""

import asyncio
import random
import re
import uuid
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from notifications_python_client.authentication import decode_jwt_token, get_token_issuer
from notifications_python_client.errors import (
    TokenAlgorithmError,
    TokenDecodeError,
    TokenError,
    TokenExpiredError,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.support.asgi_server import serve

ALLOWED_FIELDS = frozenset(
    {
        "email_address",
        "template_id",
        "personalisation",
        "reference",
        "email_reply_to_id",
        "one_click_unsubscribe_url",
        "sanitise_content_for",
    }
)
REQUIRED_FIELDS = ("email_address", "template_id")
_EMAIL = re.compile(r"^[^\s@]+@[^\s@]+\.[^\s@]+$")


@dataclass(frozen=True)
class NotifyApiKey:
    """A key of Notify's format ``{name}-{service_id}-{secret}`` (the name may contain hyphens)."""

    name: str
    service_id: str
    secret: str

    @classmethod
    def generate(cls, name: str = "dsi-jobs-contract-test") -> "NotifyApiKey":
        return cls(name, str(uuid.uuid4()), str(uuid.uuid4()))

    @property
    def value(self) -> str:
        return f"{self.name}-{self.service_id}-{self.secret}"


@dataclass(frozen=True)
class Reply:
    """A scripted answer: a Notify error body, or a hang before answering as usual."""

    status: int
    error: str = ""
    message: str = ""
    hang_s: float = 0.0

    @classmethod
    def bad_request(cls, message: str = "email_address Not a valid email address") -> "Reply":
        return cls(400, "ValidationError", message)

    @classmethod
    def forbidden(cls, message: str = "Invalid token: API key not found") -> "Reply":
        return cls(403, "AuthError", message)

    @classmethod
    def rate_limited(cls) -> "Reply":
        return cls(
            429,
            "RateLimitError",
            "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds",
        )

    @classmethod
    def daily_limit(cls) -> "Reply":
        return cls(429, "TooManyRequestsError", "Exceeded send limits (email: 250000) for today")

    @classmethod
    def server_error(cls) -> "Reply":
        return cls(500, "Exception", "Internal server error")

    @classmethod
    def hang(cls, seconds: float) -> "Reply":
        """Say nothing for ``seconds``, then accept: Notify committing after the client gave up."""
        return cls(201, hang_s=seconds)


@dataclass(frozen=True)
class AcceptedEmail:
    """One request Notify would have queued for delivery."""

    notification_id: str
    body: dict[str, Any]
    user_agent: str
    created_at: str


class NotifyStandIn:
    """Serve ``app``; read ``accepted`` and ``received`` (sends); script it with ``reply_*``.

    Scripted replies apply to every authenticated request, sends and look-ups alike.
    """

    def __init__(self, api_key: NotifyApiKey, seed: int = 20261129) -> None:
        self.api_key = api_key
        self.templates: dict[str, str] | None = None
        """The service's templates, id → type (``email``, ``sms``, ``letter``); ``None``: every
        well-formed id is an e-mail template."""
        self.accepted: list[AcceptedEmail] = []
        self.received = 0
        self.scripted_replies = 0
        self.scripted_log: list[tuple[str, Reply]] = []
        """``(reference, reply)`` of every scripted answer, sends and look-ups alike."""
        self._next: deque[Reply] = deque()
        self._shares: list[tuple[Reply, float]] = []
        self._random = random.Random(seed)
        self._release = asyncio.Event()
        self.app = Starlette(
            routes=[
                Route("/v2/notifications/email", self._send_email, methods=["POST"]),
                Route("/v2/notifications", self._list_notifications, methods=["GET"]),
                Route("/v2/template/{template_id}", self._template, methods=["GET"]),
            ]
        )

    def reply_next(self, reply: Reply, times: int = 1) -> None:
        """Answer the next ``times`` authenticated requests with ``reply``."""
        self._next.extend([reply] * times)

    def reply_share(self, reply: Reply, share: float) -> None:
        """Answer about ``share`` (0..1) of authenticated requests with ``reply`` (seeded)."""
        self._shares = [(reply, share)]

    def reply_shares(self, *shares: tuple[Reply, float]) -> None:
        """Answer a mix: each ``(reply, share)`` for about ``share`` of requests (seeded)."""
        self._shares = list(shares)

    def release_hung(self) -> None:
        """End every hang now, so the server can shut down at once."""
        self._release.set()

    def _scripted(self) -> Reply | None:
        if self._next:
            return self._next.popleft()
        if self._shares:
            draw = self._random.random()
            for reply, share in self._shares:
                if draw < share:
                    return reply
                draw -= share
        return None

    async def _refusal(self, request: Request, reference: str = "") -> JSONResponse | None:
        """An auth error, or a scripted error (after any scripted hang), or ``None`` to go on."""
        auth_error = self._auth_error(request.headers.get("authorization", ""))
        if auth_error is not None:
            return auth_error
        reply = self._scripted()
        if reply is None:
            return None
        self.scripted_replies += 1
        self.scripted_log.append((reference, reply))
        if reply.hang_s:
            with suppress(TimeoutError):
                await asyncio.wait_for(self._release.wait(), reply.hang_s)
            return None
        return _error(reply.status, reply.error, reply.message)

    async def _send_email(self, request: Request) -> JSONResponse:
        self.received += 1
        try:  # read before any hang: the body is there even if the client gives up
            body = await request.json()
        except ValueError:
            body = None
        reference = body.get("reference") if isinstance(body, dict) else None
        refusal = await self._refusal(request, str(reference or ""))
        if refusal is not None:
            return refusal
        if body is None:
            return _error(400, "BadRequestError", "Invalid JSON supplied in POST data")
        problems = _validation_errors(body)
        if problems:
            return _errors(400, [("ValidationError", problem) for problem in problems])
        return self._accept(request, body)

    async def _list_notifications(self, request: Request) -> JSONResponse:
        """Notify's look-up; the filters a sender uses are ``reference`` and ``template_type``."""
        refusal = await self._refusal(request, request.query_params.get("reference", ""))
        if refusal is not None:
            return refusal
        template_type = request.query_params.get("template_type", "email")
        if template_type not in ("email", "sms", "letter"):
            message = f"template_type {template_type} is not one of [sms, email, letter]"
            return _error(400, "ValidationError", message)
        reference = request.query_params.get("reference")
        found = [
            email
            for email in reversed(self.accepted)
            if template_type == "email" and reference in (None, email.body.get("reference"))
        ]
        base = str(request.base_url).rstrip("/")
        return JSONResponse(
            {
                "notifications": [self._notification(email, base) for email in found],
                "links": {"current": str(request.url)},
            }
        )

    async def _template(self, request: Request) -> JSONResponse:
        """Notify's template look-up, with the fields of its documented answer."""
        refusal = await self._refusal(request)
        if refusal is not None:
            return refusal
        template_id = request.path_params["template_id"]
        if not _is_uuid(template_id):
            return _error(400, "ValidationError", "id is not a valid UUID")
        kind = "email" if self.templates is None else self.templates.get(template_id)
        if kind is None:
            return _error(404, "NoResultFound", "No result found")
        return JSONResponse(
            {
                "id": template_id, "name": f"{kind} template", "type": kind,
                "created_at": "2026-01-01T00:00:00.000000Z", "updated_at": None, "version": 1,
                "created_by": "someone@example.gov.uk", "body": "((firstName))",
                "subject": "DfE Sign-in" if kind == "email" else None,
                "letter_contact_block": None, "postage": None,
            }
        )  # fmt: skip

    def _notification(self, email: AcceptedEmail, base: str) -> dict[str, Any]:
        template_id = email.body["template_id"]
        return {
            "id": email.notification_id,
            "reference": email.body.get("reference"),
            "email_address": email.body["email_address"],
            "phone_number": None,
            "type": "email",
            "status": "created",
            "template": {
                "id": template_id,
                "version": 1,
                "uri": f"{base}/services/{self.api_key.service_id}/templates/{template_id}",
            },
            "subject": "DfE Sign-in",
            "created_at": email.created_at,
        }

    def _auth_error(self, header: str) -> JSONResponse | None:
        """Notify's checks, in its order: a bearer token, a known service, a valid signature."""
        scheme, _, token = header.partition(" ")
        if scheme != "Bearer" or not token:
            return _error(401, "AuthError", "Unauthorized: authentication token must be provided")
        try:
            issuer = get_token_issuer(token)
        except TokenError:
            return _error(403, "AuthError", "Invalid token: iss field not provided")
        if issuer != self.api_key.service_id:
            return _error(403, "AuthError", "Invalid token: service not found")
        try:
            decode_jwt_token(token, self.api_key.secret)
        except TokenExpiredError:
            message = "Error: Your system clock must be accurate to within 30 seconds"
            return _error(403, "AuthError", message)
        except TokenAlgorithmError:
            return _error(403, "AuthError", "Invalid token: algorithm used is not HS256")
        except (TokenDecodeError, TokenError):
            return _error(403, "AuthError", "Invalid token: API key not found")
        return None

    def _accept(self, request: Request, body: dict[str, Any]) -> JSONResponse:
        notification_id = str(uuid.uuid4())
        created_at = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
        user_agent = request.headers.get("user-agent", "")
        self.accepted.append(AcceptedEmail(notification_id, body, user_agent, created_at))
        base = str(request.base_url).rstrip("/")
        template_id = body["template_id"]
        personalisation = body.get("personalisation") or {}
        return JSONResponse(
            {
                "id": notification_id,
                "reference": body.get("reference"),
                "content": {
                    "subject": "DfE Sign-in",
                    "body": "\n".join(f"{key}: {value}" for key, value in personalisation.items()),
                    "from_email": "dfe.sign-in@notifications.service.gov.uk",
                    "one_click_unsubscribe_url": body.get("one_click_unsubscribe_url"),
                },
                "uri": f"{base}/v2/notifications/{notification_id}",
                "template": {
                    "id": template_id,
                    "version": 1,
                    "uri": f"{base}/services/{self.api_key.service_id}/templates/{template_id}",
                },
                "scheduled_for": None,
            },
            status_code=201,
        )


@asynccontextmanager
async def running_notify_stand_in(
    api_key: NotifyApiKey | None = None,
) -> AsyncIterator[tuple[NotifyStandIn, str]]:
    """A served stand-in and its base URL; hung requests are released before shutdown."""
    stand_in = NotifyStandIn(api_key or NotifyApiKey.generate())
    async with serve(stand_in.app) as base_url:
        try:
            yield stand_in, base_url
        finally:
            stand_in.release_hung()


def _validation_errors(body: object) -> list[str]:
    """The parts of Notify's ``SendEmailRequest`` JSON schema a sender can get wrong."""
    if not isinstance(body, dict):
        return ["Request body must be a JSON object"]
    problems = [f"{field} is a required property" for field in REQUIRED_FIELDS if field not in body]
    unexpected = sorted(set(body) - ALLOWED_FIELDS)
    if unexpected:
        names = ", ".join(repr(name) for name in unexpected)
        problems.append(f"Additional properties are not allowed ({names} was unexpected)")
    address = body.get("email_address")
    if "email_address" in body and not (isinstance(address, str) and _EMAIL.match(address)):
        problems.append("email_address Not a valid email address")
    if "template_id" in body and not _is_uuid(body["template_id"]):
        problems.append("template_id is not a valid UUID")
    if not isinstance(body.get("personalisation", {}), dict):
        problems.append("personalisation is not of type object")
    if not isinstance(body.get("reference", ""), str | None):
        problems.append("reference is not of type string, null")
    plain = body.get("sanitise_content_for", [])
    if not (isinstance(plain, list) and all(isinstance(key, str) for key in plain)):
        problems.append("sanitise_content_for is not of type array of strings")
    return problems


def _is_uuid(value: object) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return isinstance(value, str)


def _error(status: int, error: str, message: str) -> JSONResponse:
    return _errors(status, [(error, message)])


def _errors(status: int, errors: list[tuple[str, str]]) -> JSONResponse:
    return JSONResponse(
        {
            "errors": [{"error": error, "message": message} for error, message in errors],
            "status_code": status,
        },
        status_code=status,
    )
