"""The ``test`` job (docs/runtime.md#test-job): accept any payload, log that it arrived, succeed.

The original accepted any JSON value (an object, a list, a string, ``null``) and logged the whole
payload at info level in every environment (docs/original-bugs.md#item-38). Payloads may hold
personal data, so only the field names of an object, or the JSON type of anything else, are logged.
"""

from typing import Any

import structlog
from pydantic import ConfigDict, RootModel

from domain.model import JobContext

log = structlog.get_logger(__name__)

JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}


class LogTestJob(RootModel[Any]):
    """Any JSON value: nothing is rejected."""

    model_config = ConfigDict(frozen=True)

    def field_names(self) -> list[str]:
        return sorted(self.root) if isinstance(self.root, dict) else []

    def json_type(self) -> str:
        return JSON_TYPES.get(type(self.root), "number")


class LogTestJobUseCase:
    """Logs the arrival of a test job without its values."""

    async def __call__(self, command: LogTestJob, context: JobContext) -> dict[str, Any]:
        fields = command.field_names()
        log.info("test_job_received", type=command.json_type(), fields=fields)
        return {"fields": len(fields)}
