"""A local stand-in for a legacy SOAP provisioning service: serves a WSDL, records envelopes.

Contract tests point ``wsWsdlUrl`` here. ``answer`` scripts the next replies (a Fault in a 200
or a 500, a bare 500, a wrong content type, or a hang until the test ends) so the adapter's
classification is exercised over real HTTP. The WSDL's endpoint carries ``&`` in its query to
exercise escaping, and can drop operations or the addressing namespace to test tolerance.
"""

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from tests.support.asgi_server import serve

TNS = "http://tns.example/"
OPERATIONS = ("ProvisionUser", "ProvisionGroup", "ProvisionOrganisation")
HANG_LIMIT_S = 10.0

_FAULT = (
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>'
    "<faultcode>s:{code}</faultcode><faultstring>{text}</faultstring>"
    "</s:Fault></s:Body></s:Envelope>"
)
_OK = (
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
    f'<ProvisionResponse xmlns="{TNS}"/></s:Body></s:Envelope>'
)


@dataclass
class ReceivedCall:
    headers: Mapping[str, str]
    body: str
    target: str = ""
    """The path and query string the call was sent to."""
    answer: str = ""
    """What the stand-in answered (one of ``SoapStandIn.answer``'s values)."""


@dataclass
class SoapStandIn:
    """``answer`` is one of ``ok``, ``client_fault_200``, ``server_fault_200``,
    ``client_fault_500``, ``server_fault_500``, ``status_500``, ``status_503``,
    ``wrong_content_type``, ``hang``. ``fault_text`` is what faults say (tests put personal
    data in it). ``script``, when set, chooses the answer per call instead (given the call's
    index); ``delay_s`` makes every call answer that much later (a slow legacy service), and
    ``max_in_flight`` counts the most calls of one SOAP action served at once."""

    operations: tuple[str, ...] = OPERATIONS
    addressing: bool = True
    wsdl_content_type: str = "text/xml; charset=utf-8"
    wsdl_status: int = 200
    answer: str = "ok"
    fault_text: str = "rejected"
    calls: list[ReceivedCall] = field(default_factory=list)
    wsdl_requests: int = 0
    base_url: str = ""
    script: Callable[[int], str] | None = None
    delay_s: float = 0.0
    max_in_flight: Counter[str] = field(default_factory=Counter)
    _in_flight: Counter[str] = field(default_factory=Counter)
    _release: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def wsdl_url(self) -> str:
        return f"{self.base_url}/service.wsdl"

    @property
    def endpoint(self) -> str:
        return f"{self.base_url}/svc?a=1&b=2"

    def action(self, operation: str) -> str:
        return f"{TNS}IService/{operation}"

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/service.wsdl", self._wsdl),
                Route("/moved.wsdl", self._moved),
                Route("/svc", self._soap, methods=["POST"]),
            ]
        )

    async def _wsdl(self, request: Request) -> Response:
        self.wsdl_requests += 1
        if self.wsdl_status != 200:
            return Response("unavailable", status_code=self.wsdl_status)
        return Response(self._wsdl_document(), media_type=self.wsdl_content_type)

    async def _moved(self, request: Request) -> Response:
        return RedirectResponse(self.wsdl_url, status_code=302)

    async def _soap(self, request: Request) -> Response:
        target = (
            f"{request.url.path}?{request.url.query}" if request.url.query else request.url.path
        )
        body = (await request.body()).decode()
        answer = self.answer if self.script is None else self.script(len(self.calls))
        self.calls.append(ReceivedCall(dict(request.headers), body, target, answer))
        action = request.headers.get("soapaction", "")
        self._in_flight[action] += 1
        self.max_in_flight[action] = max(self.max_in_flight[action], self._in_flight[action])
        try:
            if self.delay_s:
                await asyncio.sleep(self.delay_s)
            return await self._reply(answer)
        finally:
            self._in_flight[action] -= 1

    async def _reply(self, answer: str) -> Response:
        if answer == "hang":
            with suppress(TimeoutError):
                await asyncio.wait_for(self._release.wait(), HANG_LIMIT_S)
        if answer.endswith("fault_200") or answer.endswith("fault_500"):
            code = "Client" if answer.startswith("client") else "Server"
            status = 200 if answer.endswith("200") else 500
            body = _FAULT.format(code=code, text=escape(self.fault_text))
            return Response(body, status_code=status, media_type="text/xml; charset=utf-8")
        if answer == "status_500":
            return Response("Internal error", status_code=500, media_type="text/plain")
        if answer == "status_503":  # a service down behind its load balancer
            return Response("Service Unavailable", status_code=503, media_type="text/html")
        if answer == "wrong_content_type":
            return Response("<html>maintenance</html>", media_type="text/html")
        return Response(_OK, media_type="text/xml; charset=utf-8")

    def _wsdl_document(self) -> str:
        action_attribute = 'wsaw:Action="{action}"' if self.addressing else ""
        namespaces = (
            'xmlns:wsaw="http://www.w3.org/2006/05/addressing/wsdl"' if self.addressing else ""
        )
        port_operations = "".join(
            f'<wsdl:operation name="{op}"><wsdl:input '
            f"{action_attribute.format(action=self.action(op))}"
            f' message="tns:{op}Request"/></wsdl:operation>'
            for op in self.operations
        )
        binding_operations = "".join(
            f'<wsdl:operation name="{op}"><soap:operation soapAction="{self.action(op)}"/>'
            "</wsdl:operation>"
            for op in self.operations
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?>'
            '<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"'
            ' xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"'
            f' xmlns:tns="{TNS}" {namespaces} targetNamespace="{TNS}">'
            f'<wsdl:portType name="IService">{port_operations}</wsdl:portType>'
            f'<wsdl:binding name="B" type="tns:IService">{binding_operations}</wsdl:binding>'
            '<wsdl:service name="Service"><wsdl:port name="P" binding="tns:B">'
            f'<soap:address location="{escape(self.endpoint)}"/>'
            "</wsdl:port></wsdl:service></wsdl:definitions>"
        )


@asynccontextmanager
async def running_soap_stand_in(**options: object) -> AsyncIterator[SoapStandIn]:
    """Serve a stand-in on loopback; a hanging request is released before shutdown."""
    stand_in = SoapStandIn(**options)  # type: ignore[arg-type]
    async with serve(stand_in.app()) as base_url:
        stand_in.base_url = base_url
        try:
            yield stand_in
        finally:
            stand_in._release.set()
