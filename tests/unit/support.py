"""Helpers shared by the e-mail job tests."""

from typing import Any, TypeVar

from dependency_injector import containers, providers
from pydantic import BaseModel

from adapters.memory.directories import InMemoryDirectories
from adapters.memory.email import InMemoryEmailSender
from adapters.memory.job_publisher import InMemoryJobPublisher
from adapters.memory.state_store import InMemoryDeliveryLog
from domain.model import JobContext, PlatformLinks
from entrypoints.settings import setting_names
from entrypoints.worker.runner import parse_payload

C = TypeVar("C", bound=BaseModel)

LINKS = PlatformLinks(
    interactions_url="https://interactions.test",
    profile_url="https://profile.test",
    services_url="https://services.test",
    help_url="https://help.test",
    setting_names=setting_names("links"),
)


def parse(model: type[C], data: dict[str, Any]) -> C:
    """Validate job data exactly as the worker's runner does."""
    return parse_payload(model, data)


def job(queue: str, job_id: str = "42") -> JobContext:
    return JobContext(queue=queue, job_id=job_id)


class MemoryAdapters(containers.DeclarativeContainer):
    """The adapters an e-mail job family depends on, as in-memory fakes."""

    job_publisher = providers.Singleton(InMemoryJobPublisher)
    delivery_log = providers.Singleton(InMemoryDeliveryLog)
    email = providers.Singleton(InMemoryEmailSender)
    directories = providers.Singleton(InMemoryDirectories)
