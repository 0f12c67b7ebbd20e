"""Deterministic rendering for golden tests: fixed clock, fixed ids, the golden target namespace
(docs/soap.md#golden)."""

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from adapters.soap.envelope import Addressing, UsernameToken, render_envelope
from adapters.soap.formatters.selection import format_message
from domain.model import Application, LegacyMessage

TNS = "http://tns.example/"
CREATED = datetime(2026, 11, 29, 2, 4, 16, 227000, tzinfo=UTC)
TOKEN_IDS = ("6A0347A5F3EA4423935AA04DB9872D51", "9F1FFE4E526A429CB425129A2DAD2207")

FORMATTER_PARAMS = {
    "ProvisionUser": "wsProvisionUserFormatterType",
    "ProvisionOrganisation": "wsProvisionOrganisationFormatterType",
    "ProvisionGroup": "wsProvisionGroupFormatterType",
}


def render(
    formatter: str,
    operation: str,
    action: str,
    fields: Mapping[str, Any],
    *,
    token: UsernameToken | None = None,
    addressing: Addressing | None = None,
) -> str:
    application = Application(id="app-1", params={FORMATTER_PARAMS[operation]: formatter})
    body = format_message(application, LegacyMessage(operation, action, fields))
    ids: Iterator[str] = iter(TOKEN_IDS)
    return render_envelope(
        body,
        target_namespace=TNS,
        token=token,
        addressing=addressing,
        clock=lambda: CREATED,
        new_id=lambda: next(ids),
    )
