"""Pick the formatter an application configured for an operation (docs/soap.md#client).

``ws<Family>FormatterType`` absent, empty or ``default`` → Default; ``collect``; ``s2s``
(case-insensitive). Any other value fails the job permanently naming the param
(docs/original-bugs.md#item-14): the original silently used Default, sending a consumer a shape it
never agreed to.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from adapters.soap.envelope import FormattedBody
from adapters.soap.formatters.fields import (
    GROUP_FIELDS,
    ORGANISATION_FIELDS,
    USER_FIELDS,
    FieldReader,
)
from adapters.soap.formatters.group import collect_group, default_group, s2s_group
from adapters.soap.formatters.organisation import (
    collect_organisation,
    default_organisation,
    s2s_organisation,
)
from adapters.soap.formatters.user import collect_user, default_user, s2s_user
from domain.errors import InvalidPayload, UpstreamMisconfigured
from domain.model import Application, LegacyMessage

Formatter = Callable[[str, FieldReader], FormattedBody]
ACTIONS = frozenset({"CREATE", "UPDATE"})


@dataclass(frozen=True)
class Family:
    """One operation: the param choosing its formatter, its fields and its three formatters."""

    param: str
    fields: frozenset[str]
    formatters: Mapping[str, Formatter]


FAMILIES: Mapping[str, Family] = {
    "ProvisionUser": Family(
        "wsProvisionUserFormatterType",
        USER_FIELDS,
        {"default": default_user, "collect": collect_user, "s2s": s2s_user},
    ),
    "ProvisionOrganisation": Family(
        "wsProvisionOrganisationFormatterType",
        ORGANISATION_FIELDS,
        {
            "default": default_organisation,
            "collect": collect_organisation,
            "s2s": s2s_organisation,
        },
    ),
    "ProvisionGroup": Family(
        "wsProvisionGroupFormatterType",
        GROUP_FIELDS,
        {"default": default_group, "collect": collect_group, "s2s": s2s_group},
    ),
}


def format_message(application: Application, message: LegacyMessage) -> FormattedBody:
    """The body for ``message`` in the shape ``application`` configured, or a permanent error."""
    family = FAMILIES.get(message.operation)
    if family is None:
        raise InvalidPayload(f"unknown legacy operation '{message.operation}'")
    if message.action not in ACTIONS:
        raise InvalidPayload(f"{message.operation} action must be CREATE or UPDATE")
    formatter = _formatter(application, family)
    return formatter(message.action, FieldReader(message.operation, message.fields, family.fields))


def check_formatter(application: Application, operation: str) -> None:
    """Raise ``UpstreamMisconfigured`` unless ``application`` names a known formatter type for
    ``operation`` (``ProvisionUser``, ``ProvisionOrganisation`` or ``ProvisionGroup``)."""
    _formatter(application, FAMILIES[operation])


def _formatter(application: Application, family: Family) -> Formatter:
    chosen = application.params.get(family.param) or "default"
    formatter = family.formatters.get(chosen.lower())
    if formatter is None:
        raise UpstreamMisconfigured(
            f"application {application.id}: {family.param} '{chosen}' is not one of "
            "default, collect, s2s"
        )
    return formatter
