"""The ``test`` job (docs/runtime.md#test-job)."""

from dependency_injector import providers

from domain.use_cases.log_test_job import LogTestJob, LogTestJobUseCase
from entrypoints.jobs.family import JobFamily, job


class CoreJobs(JobFamily):
    """Use cases that need no adapter."""

    config = providers.Configuration()
    adapters = providers.DependenciesContainer()

    log_test_job = job("test", LogTestJob, providers.Singleton(LogTestJobUseCase), timeout_s=10.0)
