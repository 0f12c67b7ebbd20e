"""Turning Node job payloads into Notify personalisation exactly as the original did.

Shared rules of catalogue §1.12 and §2: fields the producer left out are left out of the
personalisation (explicit nulls are kept), JavaScript truthiness decides the optional flags, and
values placed in URL paths are percent-encoded (§6 item 35; a no-op for the GUIDs producers send).
"""

from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import quote

from pydantic import BaseModel, StringConstraints

Recipient = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
"""An e-mail address to send to: required and non-blank (Notify itself checks the format)."""

RequiredText = Annotated[str, StringConstraints(min_length=1)]
"""A value the job cannot do without (an id in a link, a code)."""


def sent_values(payload: BaseModel, fields: Mapping[str, str]) -> dict[str, Any]:
    """``{personalisation key: value}`` for each ``{key: field name}`` the producer sent."""
    return {
        key: getattr(payload, name)
        for key, name in fields.items()
        if name in payload.model_fields_set
    }


def plain_text(personalisation: Mapping[str, Any], *keys: str) -> tuple[str, ...]:
    """The keys among ``keys`` holding text, for Notify to sanitise (no Markdown, no links)."""
    return tuple(key for key in keys if isinstance(personalisation.get(key), str))


def reason_text(reason: str | None, *, approved: bool = False) -> str:
    """The reason shown to readers: none when approved, else trimmed, ``""`` when missing."""
    if approved or reason is None:
        return ""
    return reason.strip()


def is_truthy(value: object) -> bool:
    """JavaScript truthiness of a JSON value: ``[]`` and ``{}`` are truthy, ``0`` is not."""
    if isinstance(value, list | dict):
        return True
    return bool(value)


def path_segment(value: str) -> str:
    """``value`` safe to place between two ``/`` of a URL, or after ``=`` in its query."""
    return quote(value, safe="")
