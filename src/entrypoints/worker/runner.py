"""The job pipeline, free of BullMQ: validate the payload, run the use case under a timeout.

Errors leave as the domain taxonomy; ``bullmq_worker`` decides what BullMQ does with them.
"""

import asyncio
from typing import Any, TypeVar

from pydantic import BaseModel, RootModel, ValidationError

from domain.errors import InvalidPayload, UpstreamUnavailable
from domain.model import JobContext
from entrypoints.registry import JobSpec

C = TypeVar("C", bound=BaseModel)


def parse_payload(model: type[C], data: Any) -> C:
    """Validate job data against the job's model; the message names every bad field.

    Job data must be a JSON object unless the model is a ``RootModel`` (the ``test`` job takes
    any JSON value, as the original did).
    """
    if not isinstance(data, dict) and not issubclass(model, RootModel):
        raise InvalidPayload(f"job data must be a JSON object, got {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc']) or '(root)'}: {problem['msg']}"
            for problem in error.errors(include_input=False, include_url=False)
        )
        raise InvalidPayload(f"invalid payload: {problems}") from None


async def run_job(spec: JobSpec[Any], data: Any, context: JobContext) -> Any:
    """Run one job to completion or to a taxonomy error."""
    command = parse_payload(spec.command, data)
    try:
        async with asyncio.timeout(spec.timeout_s):
            return await spec.handler(command, context)
    except TimeoutError:
        raise UpstreamUnavailable(f"job timed out after {spec.timeout_s:g}s") from None
