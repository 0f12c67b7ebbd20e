"""``LegacyWebService`` over SOAP: discover the WSDL, format, post, and judge the reply.

Success needs HTTP 200, a SOAP XML content type and no Fault in the body
(docs/original-bugs.md#item-10). There is no inner retry (the original tried 3 times,
docs/runtime.md#failures): the job runner retries whole jobs with the queue's back-off, and
CREATE/UPDATE state is stored only after a success, so a retried job sends the same action again.
Parsed WSDLs are cached per application id and WSDL URL for the worker's life; a failed discovery
is not cached, so the next attempt fetches again.
"""

import asyncio
import time
from collections.abc import Iterable

import httpx
import structlog

from adapters.soap.envelope import (
    Addressing,
    Clock,
    IdGenerator,
    UsernameToken,
    random_token_id,
    render_envelope,
    utc_now,
)
from adapters.soap.errors import (
    content_type_error,
    fault_error,
    status_error,
    translate_transport_errors,
    wsdl_status_error,
)
from adapters.soap.faults import find_fault
from adapters.soap.formatters.selection import check_formatter, format_message
from adapters.soap.http_client import (
    SOAP_CONTENT_TYPES,
    WSDL_CONTENT_TYPES,
    Reply,
    exchange,
)
from adapters.soap.wsdl import WsdlDescription, parse_wsdl
from domain.errors import UpstreamMisconfigured
from domain.model import Application, LegacyMessage

log = structlog.get_logger(__name__)

PERSONAL_FIELDS = ("firstName", "lastName", "emailAddress", "saUsername")
"""Values scrubbed from fault texts before they become a job's failedReason."""


class SoapLegacyWebService:
    """Sends provisioning messages to the SOAP service each application subscribes with."""

    def __init__(
        self,
        *,
        client: httpx.AsyncClient,
        clock: Clock = utc_now,
        new_id: IdGenerator = random_token_id,
    ) -> None:
        self._client = client
        self._clock = clock
        self._new_id = new_id
        self._wsdls: dict[tuple[str, str], WsdlDescription] = {}
        self._downloads: dict[tuple[str, str], asyncio.Lock] = {}

    async def provision(self, application: Application, message: LegacyMessage) -> None:
        body = format_message(application, message)
        token = username_token(application)
        wsdl = await self._describe(application)
        what = f"application {application.id}: {message.operation}"
        action = wsdl.actions.get(message.operation)
        if action is None:
            raise UpstreamMisconfigured(
                f"{what}: the WSDL has no such operation, or no action for it"
            )
        addressing = None
        if application.params.get("wsUseAddressingHeaders") == "true":
            addressing = Addressing(wsdl.endpoint, action)
        envelope = render_envelope(
            body,
            target_namespace=wsdl.target_namespace,
            token=token,
            addressing=addressing,
            clock=self._clock,
            new_id=self._new_id,
        )
        started = time.monotonic()
        with translate_transport_errors(what):
            request = self._client.build_request(
                "POST",
                wsdl.endpoint,
                content=envelope.encode("utf-8"),
                headers={"SOAPAction": action, "content-type": body.content_type},
            )
            reply = await exchange(self._client, request)
        _judge(reply, what, _secrets(token, message))
        log.info(
            "legacy_message_delivered",
            application_id=application.id,
            operation=message.operation,
            action=message.action,
            duration_ms=round((time.monotonic() - started) * 1000),
        )

    async def probe(self, application: Application, operations: Iterable[str]) -> list[str]:
        """What ``application`` lacks to be sent ``operations``, from its WSDL downloaded now
        (never the cache): missing operations or actions, unknown formatter types, a
        username without password. Raises when the WSDL cannot be had or parsed."""
        problems = []
        wsdl = await self._download(application, _wsdl_url(application))
        for operation in operations:
            try:
                check_formatter(application, operation)
            except UpstreamMisconfigured as error:
                problems.append(str(error).removeprefix(f"application {application.id}: "))
            if operation not in wsdl.actions:
                problems.append(f"the WSDL has no {operation} operation, or no action for it")
        try:
            username_token(application)
        except UpstreamMisconfigured:
            problems.append("wsUsername is set but wsPassword is missing")
        return problems

    async def _describe(self, application: Application) -> WsdlDescription:
        wsdl_url = _wsdl_url(application)
        key = (application.id, wsdl_url)
        cached = self._wsdls.get(key)
        if cached is not None:
            return cached
        async with self._downloads.setdefault(key, asyncio.Lock()):  # pushes starting together
            cached = self._wsdls.get(key)  # download it once
            if cached is not None:
                return cached
            description = await self._download(application, wsdl_url)
            self._wsdls[key] = description
        log.info("legacy_wsdl_discovered", application_id=application.id)
        return description

    async def _download(self, application: Application, wsdl_url: str) -> WsdlDescription:
        what = f"application {application.id}: WSDL download (wsWsdlUrl)"
        with translate_transport_errors(what):
            reply = await exchange(self._client, self._client.build_request("GET", wsdl_url))
        if reply.status != 200:
            raise wsdl_status_error(reply, what)
        if reply.media_type not in WSDL_CONTENT_TYPES:
            raise content_type_error(reply, what)
        try:
            return parse_wsdl(reply.body)
        except UpstreamMisconfigured as error:
            raise UpstreamMisconfigured(f"application {application.id}: {error}") from error


def _wsdl_url(application: Application) -> str:
    wsdl_url = application.params.get("wsWsdlUrl")
    if not wsdl_url:
        raise UpstreamMisconfigured(f"application {application.id}: wsWsdlUrl is not set")
    return wsdl_url


def username_token(application: Application) -> UsernameToken | None:
    """WS-Security only when a username is set. A missing password fails permanently instead of
    sending the text ``undefined`` as the original did (docs/original-bugs.md#item-17); an empty
    one is sent."""
    username = application.params.get("wsUsername")
    if not username:
        return None
    password = application.params.get("wsPassword")
    if password is None:
        raise UpstreamMisconfigured(
            f"application {application.id}: wsUsername is set but wsPassword is missing"
        )
    return UsernameToken(username, password)


def _judge(reply: Reply, what: str, secrets: Iterable[str]) -> None:
    """Return only for an accepted reply: 200, SOAP XML and no Fault."""
    xml_like = reply.media_type in WSDL_CONTENT_TYPES
    fault = find_fault(reply.body) if xml_like else None
    if fault is not None:
        raise fault_error(fault, reply.status, what, secrets)
    if reply.status != 200:
        raise status_error(reply, what)
    if reply.media_type not in SOAP_CONTENT_TYPES:
        raise content_type_error(reply, what)


def _secrets(token: UsernameToken | None, message: LegacyMessage) -> list[str]:
    values = [str(message.fields[name]) for name in PERSONAL_FIELDS if message.fields.get(name)]
    if token is not None:
        values.extend((token.username, token.password))
    return values
