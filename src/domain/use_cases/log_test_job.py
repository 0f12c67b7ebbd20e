"""The ``test`` job (catalogue §1.15): accept any payload, log that it arrived, succeed.

The original logged the whole payload at info level in every environment (§6 item 38). Payloads
may hold personal data, so only the field names are logged.
"""

from typing import Any

import structlog
from pydantic import BaseModel, ConfigDict

from domain.model import JobContext

log = structlog.get_logger(__name__)


class LogTestJob(BaseModel):
    """Any JSON object: every field is kept so that nothing is rejected."""

    model_config = ConfigDict(frozen=True, extra="allow")

    def field_names(self) -> list[str]:
        return sorted((self.model_extra or {}).keys())


class LogTestJobUseCase:
    """Logs the arrival of a test job without its values."""

    async def __call__(self, command: LogTestJob, context: JobContext) -> dict[str, Any]:
        log.info("test_job_received", fields=command.field_names())
        return {"fields": len(command.field_names())}
