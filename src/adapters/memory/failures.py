"""How a fake is told to fail: the one rule the simple in-memory adapters share."""

from dataclasses import dataclass

from domain.errors import WorkerError


@dataclass
class FailsOnDemand:
    """``fail_with``: every call raises that error (an upstream that is down or refuses)."""

    fail_with: WorkerError | None = None

    def _fail_if_asked(self) -> None:
        if self.fail_with is not None:
            raise self.fail_with
