"""Header rules, timestamps and the choice of formatter (no silent fallback)."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from adapters.soap.envelope import (
    Addressing,
    FormattedBody,
    UsernameToken,
    iso_millis,
    random_token_id,
    render_envelope,
)
from adapters.soap.formatters.selection import format_message
from domain.errors import InvalidPayload, UpstreamMisconfigured
from domain.model import Application, LegacyMessage
from tests.unit.soap.golden import render

GROUP = {"id": 1, "code": "C", "name": "N", "status": "Active"}
BODY = FormattedBody({"Ping": "x"}, "urn:soap", supports_nil=False, content_type="text/xml")


def test_no_header_without_security_or_addressing() -> None:
    assert render_envelope(BODY, target_namespace="urn:t") == (
        '<soapenv:Envelope xmlns:soapenv="urn:soap" xmlns:ws="urn:t">'
        "<soapenv:Body><ws:Ping>x</ws:Ping></soapenv:Body></soapenv:Envelope>"
    )


def test_addressing_alone_declares_wsa_and_escapes_to_and_action() -> None:
    envelope = render_envelope(
        BODY,
        target_namespace="urn:t?a&b",
        addressing=Addressing("https://h/svc?a=1&b=<2>", "urn:act&1"),
    )
    assert envelope.startswith(
        '<soapenv:Envelope xmlns:soapenv="urn:soap" xmlns:ws="urn:t?a&amp;b"'
        ' xmlns:wsa="http://www.w3.org/2005/08/addressing"><soapenv:Header>'
        "<wsa:To>https://h/svc?a=1&amp;b=&lt;2&gt;</wsa:To><wsa:Action>urn:act&amp;1</wsa:Action>"
        "</soapenv:Header><soapenv:Body>"
    )


def test_timestamp_lives_sixty_seconds_in_utc_with_milliseconds() -> None:
    moment = datetime(2026, 12, 31, 23, 59, 30, 5000, tzinfo=UTC)
    envelope = render_envelope(
        BODY,
        target_namespace="urn:t",
        token=UsernameToken("u", ""),
        clock=lambda: moment,
        new_id=lambda: "0" * 32,
    )
    assert "<wsu:Created>2026-12-31T23:59:30.005Z</wsu:Created>" in envelope
    assert "<wsu:Expires>2027-01-01T00:00:30.005Z</wsu:Expires>" in envelope
    assert '<wsu:Timestamp wsu:Id="TS-00000000000000000000000000000000">' in envelope
    assert "<wsse:Password " in envelope
    assert '#PasswordText"></wsse:Password>' in envelope


def test_iso_millis_converts_to_utc() -> None:
    local = datetime(2026, 1, 1, 1, 0, 0, 999999, tzinfo=timezone(timedelta(hours=1)))
    assert iso_millis(local) == "2026-01-01T00:00:00.999Z"


def test_token_ids_are_32_upper_case_hex_digits() -> None:
    token_id = random_token_id()
    assert len(token_id) == 32
    assert set(token_id) <= set("0123456789ABCDEF")


@pytest.mark.parametrize(
    ("value", "root"),
    [
        ("", "ProvisionGroup"),
        ("COLLECT", "ProvisionCollectionGroup"),
        ("S2s", "ProvisionCollectionGroup"),
    ],
)
def test_formatter_type_is_case_insensitive_and_empty_means_default(value: str, root: str) -> None:
    application = Application(id="app", params={"wsProvisionGroupFormatterType": value})
    body = format_message(application, LegacyMessage("ProvisionGroup", "CREATE", GROUP))
    assert list(body.tree) == [root]


def test_unknown_formatter_type_fails_naming_the_param() -> None:
    application = Application(id="app-9", params={"wsProvisionUserFormatterType": "dqt"})
    message = LegacyMessage("ProvisionUser", "CREATE", {"groupUpdates": []})
    with pytest.raises(UpstreamMisconfigured, match="wsProvisionUserFormatterType 'dqt'"):
        format_message(application, message)


def test_only_the_operations_own_formatter_param_counts() -> None:
    application = Application(id="app", params={"wsProvisionUserFormatterType": "collect"})
    body = format_message(application, LegacyMessage("ProvisionGroup", "CREATE", GROUP))
    assert body.content_type == "text/xml;charset=UTF-8"


@pytest.mark.parametrize(
    ("operation", "action", "complaint"),
    [("DeleteUser", "CREATE", "operation"), ("ProvisionGroup", "DEACTIVATE", "action")],
)
def test_unknown_operation_or_action_is_invalid(
    operation: str, action: str, complaint: str
) -> None:
    with pytest.raises(InvalidPayload, match=complaint):
        format_message(Application(id="a"), LegacyMessage(operation, action, GROUP))


@pytest.mark.parametrize(
    ("formatter", "content_type"),
    [
        ("default", "text/xml;charset=UTF-8"),
        ("collect", "application/soap+xml; charset=utf-8"),
        ("s2s", "text/xml; charset=utf-8"),
    ],
)
def test_content_types_per_formatter(formatter: str, content_type: str) -> None:
    application = Application(id="a", params={"wsProvisionGroupFormatterType": formatter})
    body = format_message(application, LegacyMessage("ProvisionGroup", "CREATE", GROUP))
    assert body.content_type == content_type
    assert render(formatter, "ProvisionGroup", "CREATE", GROUP).startswith("<soapenv:Envelope ")
