"""Fault detection and the taxonomy a fault or status becomes, with personal data scrubbed."""

import pytest

from adapters.soap.errors import content_type_error, fault_error, scrub, status_error
from adapters.soap.faults import SoapFault, find_fault
from adapters.soap.http_client import Reply
from domain.errors import (
    RateLimited,
    UpstreamMisconfigured,
    UpstreamRejected,
    UpstreamUnavailable,
    WorkerError,
)

FAULT_11 = (
    b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>'
    b"<faultcode>s:Client.Validation</faultcode><faultstring>bad user</faultstring>"
    b"</s:Fault></s:Body></s:Envelope>"
)
FAULT_12 = (
    b'<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><env:Fault>'
    b"<env:Code><env:Value>env:Receiver</env:Value></env:Code>"
    b'<env:Reason><env:Text xml:lang="en">db down</env:Text></env:Reason>'
    b"</env:Fault></env:Body></env:Envelope>"
)


def test_soap11_fault() -> None:
    assert find_fault(FAULT_11) == SoapFault("Client", "bad user")


def test_soap12_fault() -> None:
    assert find_fault(FAULT_12) == SoapFault("Receiver", "db down")


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"  ",
        b"<html>no</html>",
        b"not xml",
        b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>',
        b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
        b"<Fault><faultcode>Client</faultcode></Fault>",
    ],
)
def test_no_fault(content: bytes) -> None:
    assert find_fault(content) is None


@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [
        ("Client", 500, UpstreamRejected),
        ("Sender", 200, UpstreamRejected),
        ("Server", 500, UpstreamUnavailable),
        ("Receiver", 200, UpstreamUnavailable),
        ("MustUnderstand", 500, UpstreamMisconfigured),
        ("VersionMismatch", 500, UpstreamMisconfigured),
        ("InternalServiceFault", 400, UpstreamRejected),
        ("InternalServiceFault", 500, UpstreamUnavailable),
        ("", 200, UpstreamUnavailable),
    ],
)
def test_fault_classification_goes_by_code(code: str, status: int, kind: type[WorkerError]) -> None:
    error = fault_error(SoapFault(code, "t"), status, "application a: ProvisionUser", ())
    assert type(error) is kind
    assert str(error).startswith("application a: ProvisionUser: SOAP fault")


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (500, UpstreamUnavailable),
        (503, UpstreamUnavailable),
        (429, RateLimited),
        (401, UpstreamMisconfigured),
        (403, UpstreamMisconfigured),
        (302, UpstreamMisconfigured),
        (404, UpstreamRejected),
        (400, UpstreamRejected),
        (202, UpstreamRejected),
    ],
)
def test_status_classification(status: int, kind: type[WorkerError]) -> None:
    error = status_error(Reply(status, "text/html", b"<secret body>"), "w")
    assert type(error) is kind
    assert "secret body" not in str(error)


def test_retry_after_is_honoured() -> None:
    error = status_error(Reply(429, "", b"", retry_after="7"), "w")
    assert isinstance(error, RateLimited)
    assert error.retry_after_s == 7.0


def test_wrong_content_type_is_retryable() -> None:
    assert isinstance(content_type_error(Reply(200, "text/html", b""), "w"), UpstreamUnavailable)


def test_scrub_removes_secrets_personal_values_and_addresses_and_shortens() -> None:
    text = "Password hunter22 wrong for Jane Doe <jane@example.org>\n" + "x" * 500
    scrubbed = scrub(text, ["hunter22", "Jane", "Doe", "ab"])
    assert "hunter22" not in scrubbed
    assert "Jane" not in scrubbed
    assert "jane@example.org" not in scrubbed
    assert "\n" not in scrubbed
    assert len(scrubbed) == 200
    assert scrubbed.startswith("Password [redacted] wrong for [redacted] [redacted] <[email]>")
