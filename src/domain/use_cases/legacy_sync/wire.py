"""Payload models as the Node producers send them: camelCase names, absent kept apart from null.

Legacy SOAP rendering treats an absent value (element omitted) differently from ``null``
(``xsi:nil``; docs/soap.md#body-rendering). Models record which fields the JSON actually carried
(``model_fields_set``); ``copy_present`` and ``model_dump(exclude_unset=True)`` keep that
distinction when values move on to the next job or to the SOAP port.
"""

from typing import Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    PrivateAttr,
    ValidatorFunctionWrapHandler,
    model_validator,
)

Scalar = str | int
"""A value only forwarded, never interpreted: kept with its JSON type."""


class WireModel(BaseModel):
    """Frozen, tolerant of fields the producers add."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    def wire(self) -> dict[str, Any]:
        """The JSON object to enqueue: the fields that were present, nulls included."""
        return self.model_dump(mode="json", exclude_unset=True)


class KeepsReceived(WireModel):
    """A payload that is forwarded as it came (unknown fields included, values unconverted),
    while the use case reads the typed fields: ``received()`` is the JSON object validated."""

    _received: dict[str, Any] = PrivateAttr(default_factory=dict)

    @model_validator(mode="wrap")
    @classmethod
    def _keep_received(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Self:
        model: Self = handler(data)
        if isinstance(data, dict):
            model._received = data
        return model

    def received(self) -> dict[str, Any]:
        """The JSON object as the producer sent it (``wire()`` for a model built in code)."""
        return self._received or self.wire()


def is_present(model: BaseModel, name: str) -> bool:
    """True when the JSON carried ``name`` (even as ``null``)."""
    return name in model.model_fields_set


def copy_present(target: dict[str, Any], key: str, model: BaseModel | None, name: str) -> None:
    """``target[key] = model.name`` when ``model`` exists and carried ``name``; else absent."""
    if model is not None and is_present(model, name):
        target[key] = getattr(model, name)
