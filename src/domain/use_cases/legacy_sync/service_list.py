"""Which applications subscribe to which legacy-sync family (docs/soap.md#client,
docs/legacy-sync.md#discovery).

An application subscribes when its relying-party flag is exactly the string ``"true"`` (not
``"TRUE"``, not a JSON ``true``). A subscribed application without ``wsWsdlUrl`` cannot be reached
(docs/original-bugs.md#item-27): it gets no queue and no jobs, and fan-outs log it instead of
piling up jobs that could only fail.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from domain.model import Application

ORGANISATION_PUSH = "sendwsorganisationupdated_v1"
ROLE_PUSH = "sendwsroleupdated_v1"
USER_PUSH = "sendwsuserupdated_v1"
PUSH_FAMILIES = (ORGANISATION_PUSH, ROLE_PUSH, USER_PUSH)
"""The per-application queue families, in the original's registration order
(docs/runtime.md#registration)."""

PUSH_OPERATIONS: Mapping[str, str] = {
    ORGANISATION_PUSH: "ProvisionOrganisation",
    ROLE_PUSH: "ProvisionGroup",
    USER_PUSH: "ProvisionUser",
}
"""The SOAP operation each family's pushes call (what a subscriber's WSDL must offer)."""

SUBSCRIPTION_FLAGS: Mapping[str, str] = {
    ORGANISATION_PUSH: "receiveOrganisationUpdates",
    ROLE_PUSH: "receiveRoleUpdates",
    USER_PUSH: "receiveUserUpdates",
}

WSDL_URL_PARAM = "wsWsdlUrl"


def push_queue(family: str, application_id: str) -> str:
    """The queue one application's push jobs of ``family`` go to (id exactly as the API gave it)."""
    return f"{family}_{application_id}"


def same_id(left: Any, right: Any) -> bool:
    """GUIDs compare case-insensitively; anything that is not a string matches nothing."""
    return isinstance(left, str) and isinstance(right, str) and left.lower() == right.lower()


@dataclass(frozen=True)
class Subscription:
    """One application's subscription: its flags as sent and whether it can be reached."""

    application: Application
    flags: frozenset[str]

    @property
    def reachable(self) -> bool:
        return bool(self.application.params.get(WSDL_URL_PARAM))


@dataclass(frozen=True)
class ServiceList:
    """Every service of the applications API, as far as legacy sync needs them."""

    subscriptions: tuple[Subscription, ...]

    @classmethod
    def from_services(cls, services: Iterable[Application]) -> "ServiceList":
        """The services the applications API listed, with the families each subscribes to."""
        return cls(tuple(_subscription(application) for application in services))

    @property
    def applications(self) -> list[Application]:
        return [subscription.application for subscription in self.subscriptions]

    def subscribers(self, family: str) -> list[Application]:
        """Applications that subscribe to ``family`` and have a WSDL URL, in API order."""
        return [s.application for s in self._subscribed(family) if s.reachable]

    def reachable_applications(self) -> list[Application]:
        """Every application with a WSDL URL, subscribed or not, in API order."""
        return [s.application for s in self.subscriptions if s.reachable]

    def unreachable_subscribers(self, family: str) -> list[Application]:
        """Applications that subscribe to ``family`` but have no WSDL URL."""
        return [s.application for s in self._subscribed(family) if not s.reachable]

    def children_of(self, application: Application) -> list[Application]:
        """Services whose ``parentId`` is ``application``'s id (their access counts as its)."""
        return [child for child in self.applications if same_id(child.parent_id, application.id)]

    def _subscribed(self, family: str) -> list[Subscription]:
        flag = SUBSCRIPTION_FLAGS[family]
        return [s for s in self.subscriptions if flag in s.flags]


def _subscription(application: Application) -> Subscription:
    params = application.params
    flags = frozenset(flag for flag in SUBSCRIPTION_FLAGS.values() if params.get(flag) == "true")
    return Subscription(application, flags)
