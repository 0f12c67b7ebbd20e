"""Port: push one provisioning message to an application's legacy SOAP service."""

from typing import Protocol

from domain.model import Application, LegacyMessage


class LegacyWebService(Protocol):
    """Delivers provisioning messages to the legacy service an application subscribes with.

    Raises ``UpstreamUnavailable`` (network, timeout, 5xx, server faults: retryable),
    ``UpstreamRejected`` (client faults, other 4xx) or ``UpstreamMisconfigured`` (no WSDL,
    unusable WSDL).
    """

    async def provision(self, application: Application, message: LegacyMessage) -> None:
        """Send ``message`` to ``application``'s endpoint; return only when it was accepted."""
        ...
