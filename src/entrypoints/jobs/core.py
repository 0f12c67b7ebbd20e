"""The ``test`` job (catalogue §1.15)."""

from typing import Any

from dependency_injector import containers, providers

from domain.use_cases.log_test_job import LogTestJob, LogTestJobUseCase
from entrypoints.registry import JobSpec


def core_specs(*, log_test_job: LogTestJobUseCase) -> list[JobSpec[Any]]:
    return [JobSpec("test", LogTestJob, log_test_job, timeout_s=10.0)]


class CoreJobs(containers.DeclarativeContainer):
    """Use cases that need no adapter."""

    config = providers.Configuration()
    adapters = providers.DependenciesContainer()

    log_test_job = providers.Singleton(LogTestJobUseCase)
    specs = providers.Callable(core_specs, log_test_job=log_test_job)
