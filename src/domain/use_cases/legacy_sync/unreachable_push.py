"""Push jobs left for an application that no longer subscribes and can no longer be reached.

Jobs queued before an application unsubscribed are still delivered while the applications API
gives its WSDL URL (the original served them until its next restart). When the application is
gone from the API, or has no WSDL URL, nothing can deliver them: rather than leave them in
Redis for ever, each fails once with a reason an operator can act on.
"""

from dataclasses import dataclass
from typing import NoReturn

from pydantic import BaseModel, ConfigDict

from domain.errors import UpstreamMisconfigured
from domain.model import JobContext


class AnyPush(BaseModel):
    """Whatever the push job holds: it is not read, only failed."""

    model_config = ConfigDict(frozen=True, extra="allow")


@dataclass(frozen=True, kw_only=True)
class FailUnreachablePushUseCase:
    """Fails every job of one ``<family>_<applicationId>`` queue, naming why."""

    application_id: str
    family: str

    async def __call__(self, command: AnyPush, context: JobContext) -> NoReturn:
        raise UpstreamMisconfigured(
            f"application {self.application_id} no longer subscribes to {self.family} and "
            "the applications API gives no WSDL URL for it: not sent (subscribe it again with "
            "a wsWsdlUrl and retry the job, or clean it)"
        )
