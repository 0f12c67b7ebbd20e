"""``job`` declares a queue once; a ``JobFamily`` lists its jobs' specs in declaration order."""

from dependency_injector import providers

from domain.use_cases.log_test_job import LogTestJob, LogTestJobUseCase
from entrypoints.jobs.family import JobFamily, job
from entrypoints.worker.retry import EMAIL_RETRY


class Family(JobFamily):
    use_case = providers.Singleton(LogTestJobUseCase)
    second = job("b", LogTestJob, use_case, timeout_s=5.0)
    not_a_job = providers.Object("left out of the specs")
    first = job("a", LogTestJob, use_case, retry=EMAIL_RETRY)


def test_specs_follow_the_declaration_order_and_only_list_jobs() -> None:
    family = Family()

    specs = family.specs()

    assert [spec.queue for spec in specs] == ["b", "a"]
    assert specs[0].timeout_s == 5.0
    assert specs[1].retry == EMAIL_RETRY
    assert specs[0].handler is specs[1].handler is family.use_case()
    assert family.second() is specs[0]
