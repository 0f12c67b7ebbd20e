"""``SoapLegacyWebService`` over real HTTP against a local SOAP stand-in, plus the port's
semantic contract run against the stand-in and ``InMemoryLegacyWebService`` alike."""

import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest

from adapters.memory.legacy_service import InMemoryLegacyWebService
from adapters.soap.http_client import soap_http_client
from adapters.soap.service import SoapLegacyWebService
from domain.errors import (
    PermanentError,
    RetryableError,
    UpstreamMisconfigured,
    UpstreamRejected,
    UpstreamUnavailable,
)
from domain.model import Application, LegacyMessage
from ports.legacy_service import LegacyWebService
from tests.support.soap_stand_in import SoapStandIn, running_soap_stand_in

pytestmark = pytest.mark.real

CREATED = datetime(2026, 11, 29, 2, 4, 16, 227000, tzinfo=UTC)
PASSWORD = "hunter22<&>"
GROUP = LegacyMessage(
    "ProvisionGroup",
    "UPDATE",
    {
        "id": 55,
        "code": "CODE",
        "name": "Name",
        "status": "Active",
        "parentId": None,
        "parentCode": None,
    },
)
USER = LegacyMessage(
    "ProvisionUser",
    "CREATE",
    {
        "saUserId": 98765,
        "saUsername": "jdoe77",
        "firstName": "Janet",
        "lastName": "Doerty",
        "emailAddress": "janet.doerty@example.org",
        "organisationId": 4567,
        "wsAccountStatusCode": 1,
        "groupUpdates": [{"id": 1, "code": "R1"}],
    },
)


def fixed_ids() -> Callable[[], str]:
    ids: Iterator[str] = iter(f"{n:032X}" for n in range(1, 1000))
    return lambda: next(ids)


@pytest.fixture
async def stand_in() -> AsyncIterator[SoapStandIn]:
    async with running_soap_stand_in() as running:
        yield running


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with soap_http_client(timeout_s=0.5, connect_timeout_s=0.5) as http:
        yield http


@pytest.fixture
def service(client: httpx.AsyncClient) -> SoapLegacyWebService:
    return SoapLegacyWebService(client=client, clock=lambda: CREATED, new_id=fixed_ids())


def application(stand_in: SoapStandIn, app_id: str = "app-1", **params: str) -> Application:
    defaults = {
        "wsWsdlUrl": stand_in.wsdl_url,
        "wsUsername": "svc-user",
        "wsPassword": PASSWORD,
        "wsUseAddressingHeaders": "true",
    }
    return Application(id=app_id, params={**defaults, **params})


async def test_default_group_is_posted_byte_for_byte(
    stand_in: SoapStandIn, service: SoapLegacyWebService
) -> None:
    await service.provision(application(stand_in), GROUP)

    [call] = stand_in.calls
    assert call.headers["soapaction"] == "http://tns.example/IService/ProvisionGroup"
    assert call.headers["content-type"] == "text/xml;charset=UTF-8"
    assert call.body == (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"'
        ' xmlns:ws="http://tns.example/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        ' xmlns:wsa="http://www.w3.org/2005/08/addressing"><soapenv:Header>'
        '<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/'
        'oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns:wsu="http://docs.oasis-open.org/'
        'wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">'
        '<wsu:Timestamp wsu:Id="TS-00000000000000000000000000000001">'
        "<wsu:Created>2026-11-29T02:04:16.227Z</wsu:Created>"
        "<wsu:Expires>2026-11-29T02:05:16.227Z</wsu:Expires></wsu:Timestamp>"
        '<wsse:UsernameToken wsu:Id="UsernameToken-00000000000000000000000000000002">'
        "<wsse:Username>svc-user</wsse:Username>"
        '<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-'
        'username-token-profile-1.0#PasswordText">hunter22&lt;&amp;&gt;</wsse:Password>'
        "</wsse:UsernameToken></wsse:Security>"
        f"<wsa:To>{stand_in.base_url}/svc?a=1&amp;b=2</wsa:To>"
        "<wsa:Action>http://tns.example/IService/ProvisionGroup</wsa:Action>"
        "</soapenv:Header><soapenv:Body><ws:ProvisionGroup><ws:pgr><ws:id>55</ws:id>"
        "<ws:code>CODE</ws:code><ws:name>Name</ws:name><ws:status>Active</ws:status>"
        '<ws:parentId xsi:nil="true" /><ws:parentCode xsi:nil="true" />'
        "<ws:action>UPDATE</ws:action></ws:pgr></ws:ProvisionGroup></soapenv:Body>"
        "</soapenv:Envelope>"
    )


async def test_collect_user_goes_as_soap12_without_headers_when_not_configured(
    stand_in: SoapStandIn, service: SoapLegacyWebService
) -> None:
    plain = Application(
        id="app-2",
        params={"wsWsdlUrl": stand_in.wsdl_url, "wsProvisionUserFormatterType": "Collect"},
    )
    await service.provision(plain, USER)

    [call] = stand_in.calls
    assert call.headers["content-type"] == "application/soap+xml; charset=utf-8"
    assert call.headers["soapaction"] == "http://tns.example/IService/ProvisionUser"
    assert call.body.startswith(
        '<soapenv:Envelope xmlns:soapenv="http://www.w3.org/2003/05/soap-envelope"'
        ' xmlns:ws="http://tns.example/" xmlns:cap="'
    )
    assert "<soapenv:Header>" not in call.body
    assert "<ws:firstName>Janet</ws:firstName>" in call.body


async def test_wsdl_is_cached_per_application_and_url(
    stand_in: SoapStandIn, service: SoapLegacyWebService
) -> None:
    await service.provision(application(stand_in), GROUP)
    await service.provision(application(stand_in), GROUP)
    assert stand_in.wsdl_requests == 1
    await service.provision(application(stand_in, app_id="app-other"), GROUP)
    assert stand_in.wsdl_requests == 2
    assert len(stand_in.calls) == 3


async def test_failed_discovery_is_not_cached(
    stand_in: SoapStandIn, service: SoapLegacyWebService
) -> None:
    stand_in.wsdl_status = 503
    with pytest.raises(UpstreamUnavailable, match="WSDL download"):
        await service.provision(application(stand_in), GROUP)
    stand_in.wsdl_status = 200
    await service.provision(application(stand_in), GROUP)
    assert stand_in.wsdl_requests == 2
    assert len(stand_in.calls) == 1


async def test_wsdl_404_is_misconfiguration(
    stand_in: SoapStandIn, service: SoapLegacyWebService
) -> None:
    stand_in.wsdl_status = 404
    with pytest.raises(UpstreamMisconfigured, match="HTTP 404"):
        await service.provision(application(stand_in), GROUP)


async def test_redirects_are_not_followed(
    stand_in: SoapStandIn, service: SoapLegacyWebService
) -> None:
    moved = application(stand_in, wsWsdlUrl=f"{stand_in.base_url}/moved.wsdl")
    with pytest.raises(UpstreamMisconfigured, match="redirects are not followed"):
        await service.provision(moved, GROUP)
    assert stand_in.wsdl_requests == 0


@pytest.mark.parametrize("content_type", ["application/xml", "TEXT/XML; charset=UTF-8"])
async def test_wsdl_without_addressing_served_as_plain_xml_is_accepted(
    content_type: str, service: SoapLegacyWebService
) -> None:
    async with running_soap_stand_in(addressing=False, wsdl_content_type=content_type) as soap:
        await service.provision(application(soap, wsUseAddressingHeaders="false"), GROUP)
        [call] = soap.calls
    assert call.headers["soapaction"] == "http://tns.example/IService/ProvisionGroup"
    assert "wsa:" not in call.body


async def test_missing_operation_names_it(service: SoapLegacyWebService) -> None:
    async with running_soap_stand_in(operations=("ProvisionUser",)) as soap:
        with pytest.raises(UpstreamMisconfigured, match="ProvisionGroup"):
            await service.provision(application(soap), GROUP)
        assert soap.calls == []


async def test_fault_in_a_200_is_a_rejection_without_personal_data(
    stand_in: SoapStandIn, service: SoapLegacyWebService
) -> None:
    stand_in.answer = "client_fault_200"
    stand_in.fault_text = (
        f"User janet.doerty@example.org (Janet Doerty, jdoe77) refused; password {PASSWORD}"
    )
    with pytest.raises(UpstreamRejected, match="SOAP fault Client \\(HTTP 200\\)") as caught:
        await service.provision(application(stand_in), USER)
    message = str(caught.value)
    for personal in ("janet", "Janet", "Doerty", "jdoe77", "hunter22", "<soapenv"):
        assert personal not in message
    assert "refused" in message


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ("server_fault_200", UpstreamUnavailable),
        ("server_fault_500", UpstreamUnavailable),
        ("client_fault_500", UpstreamRejected),
        ("status_500", UpstreamUnavailable),
        ("wrong_content_type", UpstreamUnavailable),
    ],
)
async def test_reply_classification(
    stand_in: SoapStandIn,
    service: SoapLegacyWebService,
    answer: str,
    error: type[Exception],
) -> None:
    stand_in.answer = answer
    with pytest.raises(error):
        await service.provision(application(stand_in), GROUP)
    assert len(stand_in.calls) == 1, "no inner retry: the job runner retries whole jobs"


async def test_a_hung_endpoint_times_out(
    stand_in: SoapStandIn, service: SoapLegacyWebService
) -> None:
    stand_in.answer = "hang"
    started = time.monotonic()
    with pytest.raises(UpstreamUnavailable, match="timed out"):
        await service.provision(application(stand_in), GROUP)
    assert time.monotonic() - started < 5


async def test_unreachable_host_is_unavailable(service: SoapLegacyWebService) -> None:
    async with running_soap_stand_in() as soap:
        gone = application(soap)
    with pytest.raises(UpstreamUnavailable, match="WSDL download"):
        await service.provision(gone, GROUP)


@pytest.mark.parametrize(
    ("params", "complaint"),
    [
        ({"wsWsdlUrl": ""}, "wsWsdlUrl is not set"),
        ({"wsPassword": None}, "wsPassword is missing"),
        ({"wsProvisionGroupFormatterType": "dqt"}, "wsProvisionGroupFormatterType"),
        ({"wsWsdlUrl": "ftp://example/x.wsdl"}, "not http"),
    ],
)
async def test_misconfiguration_fails_before_anything_is_sent(
    stand_in: SoapStandIn,
    service: SoapLegacyWebService,
    params: dict[str, str | None],
    complaint: str,
) -> None:
    merged: dict[str, str | None] = {**application(stand_in).params, **params}
    configured = Application(id="app-1", params={k: v for k, v in merged.items() if v is not None})
    with pytest.raises(UpstreamMisconfigured, match=complaint):
        await service.provision(configured, GROUP)
    assert stand_in.wsdl_requests == 0
    assert stand_in.calls == []


# --- the port's semantic contract, for the real adapter and the in-memory fake -------------


@dataclass
class Harness:
    service: LegacyWebService
    application: Application
    delivered: Callable[[], list[str]]
    reject: Callable[[], None]
    make_unavailable: Callable[[], None]


@pytest.fixture(params=["memory", "soap"])
async def harness(
    request: pytest.FixtureRequest, client: httpx.AsyncClient
) -> AsyncIterator[Harness]:
    if request.param == "memory":
        fake = InMemoryLegacyWebService()

        def fail_with(error: Exception) -> Callable[[], None]:
            return lambda: setattr(fake, "fail_with", error)

        yield Harness(
            fake,
            Application(id="app-1"),
            lambda: [message.operation for _, message in fake.sent],
            fail_with(UpstreamRejected("rejected")),
            fail_with(UpstreamUnavailable("down")),
        )
        return
    async with running_soap_stand_in() as soap:
        yield Harness(
            SoapLegacyWebService(client=client),
            application(soap),
            lambda: [
                call.headers["soapaction"].rsplit("/", 1)[1]
                for call in soap.calls
                if soap.answer == "ok"
            ],
            lambda: setattr(soap, "answer", "client_fault_500"),
            lambda: setattr(soap, "answer", "status_500"),
        )


async def test_contract_accepted_messages_are_delivered(harness: Harness) -> None:
    await harness.service.provision(harness.application, USER)
    await harness.service.provision(harness.application, GROUP)
    assert harness.delivered() == ["ProvisionUser", "ProvisionGroup"]


async def test_contract_rejection_is_permanent(harness: Harness) -> None:
    harness.reject()
    with pytest.raises(PermanentError):
        await harness.service.provision(harness.application, GROUP)
    assert harness.delivered() == []


async def test_contract_unavailability_is_retryable(harness: Harness) -> None:
    harness.make_unavailable()
    with pytest.raises(RetryableError):
        await harness.service.provision(harness.application, GROUP)
    assert harness.delivered() == []
