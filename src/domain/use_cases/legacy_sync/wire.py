"""Payload models as the Node producers send them: camelCase names, absent kept apart from null.

Legacy SOAP rendering treats an absent value (element omitted) differently from ``null``
(``xsi:nil``), catalogue §3.4. Models record which fields the JSON actually carried
(``model_fields_set``); ``copy_present`` and ``model_dump(exclude_unset=True)`` keep that
distinction when values move on to the next job or to the SOAP port.
"""

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

Scalar = str | int
"""A value only forwarded, never interpreted: kept with its JSON type."""


class WireModel(BaseModel):
    """Frozen, tolerant of fields the producers add."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    def wire(self) -> dict[str, Any]:
        """The JSON object to enqueue: the fields that were present, nulls included."""
        return self.model_dump(mode="json", exclude_unset=True)


def is_present(model: BaseModel, name: str) -> bool:
    """True when the JSON carried ``name`` (even as ``null``)."""
    return name in model.model_fields_set


def copy_present(target: dict[str, Any], key: str, model: BaseModel | None, name: str) -> None:
    """``target[key] = model.name`` when ``model`` exists and carried ``name``; else absent."""
    if model is not None and is_present(model, name):
        target[key] = getattr(model, name)


def copy_key(target: dict[str, Any], key: str, source: Mapping[str, Any], name: str) -> None:
    """``target[key] = source[name]`` when ``source`` has ``name`` (API objects, not models)."""
    if name in source:
        target[key] = source[name]
