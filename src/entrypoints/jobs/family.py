"""A job declared once: ``job(...)`` is the provider of one queue's ``JobSpec``, and a
``JobFamily`` derives its ``specs`` from the jobs it declares, in the order it declares them.

The order is the registration order (``entrypoints.registry``): a class body keeps the order of
its attributes, and ``DeclarativeContainer`` builds ``cls_providers`` from that body as it is.
"""

from typing import Any

from dependency_injector import containers, providers
from pydantic import BaseModel

from entrypoints.registry import JobSpec


def job(
    queue: str, command: type[BaseModel], handler: providers.Provider[Any], **options: Any
) -> providers.Provider[JobSpec[Any]]:
    """The spec of ``queue``: jobs parsed as ``command`` and handled by the use case ``handler``
    provides (built with its dependencies); ``options`` are ``JobSpec``'s (timeout, retry...)."""
    return providers.Singleton(JobSpec, queue, command, handler, **options)


def _is_job(provider: providers.Provider[Any]) -> bool:
    return isinstance(provider, providers.Singleton) and provider.provides is JobSpec


class JobFamily(containers.DeclarativeContainer):
    """A family of jobs: ``specs`` provides the spec of every ``job(...)`` the subclass declares."""

    specs: providers.Provider[list[JobSpec[Any]]] = providers.List()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.specs = providers.List(*filter(_is_job, cls.cls_providers.values()))
