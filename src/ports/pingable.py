"""Port: a dependency whose health can be checked cheaply."""

from typing import Protocol


class Pingable(Protocol):
    """Raises ``UpstreamUnavailable`` when the dependency does not answer."""

    async def ping(self) -> None:
        """Check the dependency answers."""
        ...
