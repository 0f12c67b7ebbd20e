"""Which queues one process consumes: ``JOBS_QUEUES`` and ``JOBS_EXCLUDE_QUEUES``.

During the cut-over from the Node service, queues move over a few at a time
(docs/cut-over.md). Both settings are comma-separated queue names or shell-style globs
(``sendws*``); the default consumes every queue. Per-application push queues discovered at run
time obey the same patterns. A pattern that can match no queue is refused at start-up, so a
typo cannot leave a queue silently unconsumed.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase

SAMPLE_APPLICATION_ID = "00000000-0000-4000-8000-000000000000"
"""Stands in for any application id when checking patterns against per-application queues."""
_GLOB_CHARACTERS = "*?["


class QueueSelectionError(ValueError):
    """A pattern matches no queue, or the selection leaves nothing to consume."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class QueueSelection:
    """Include patterns (none: every queue) minus exclude patterns; matched case-sensitively,
    as Redis compares queue names."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @classmethod
    def parse(cls, include: str | None, exclude: str | None) -> "QueueSelection":
        return cls(_patterns(include), _patterns(exclude))

    @property
    def is_everything(self) -> bool:
        return not self.include and not self.exclude

    def consumes(self, queue: str) -> bool:
        included = not self.include or _matches(queue, self.include)
        return included and not _matches(queue, self.exclude)

    def check(self, fixed: Iterable[str], families: Iterable[str]) -> None:
        """Refuse a pattern that matches none of the ``fixed`` queues and none of the
        per-application queues ``<family>_<applicationId>``, and a selection of nothing."""
        fixed, families = list(fixed), list(families)
        problems = []
        for setting, patterns in (
            ("JOBS_QUEUES", self.include),
            ("JOBS_EXCLUDE_QUEUES", self.exclude),
        ):
            for pattern in patterns:
                if not any(fnmatchcase(queue, pattern) for queue in fixed) and not any(
                    _may_match_family(pattern, family) for family in families
                ):
                    problems.append(
                        f"{setting}: '{pattern}' matches no queue (see 'dsi-jobs jobs')"
                    )
        if not problems and not self._selects_any(fixed, families):
            problems.append("JOBS_QUEUES, JOBS_EXCLUDE_QUEUES: together they select no queue")
        if problems:
            raise QueueSelectionError(problems)

    def describe(self) -> str:
        """For logs, probes and the dashboard: ``every queue`` or the two pattern lists."""
        if self.is_everything:
            return "every queue"
        included = ",".join(self.include) if self.include else "*"
        excluded = f" except {','.join(self.exclude)}" if self.exclude else ""
        return f"{included}{excluded}"

    def _selects_any(self, fixed: list[str], families: list[str]) -> bool:
        if any(self.consumes(queue) for queue in fixed):
            return True
        return any(
            self.consumes(f"{family}_{SAMPLE_APPLICATION_ID}")
            or any(_may_match_family(pattern, family) for pattern in self.include)
            for family in families
        )


def _patterns(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())


def _matches(queue: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatchcase(queue, pattern) for pattern in patterns)


def _may_match_family(pattern: str, family: str) -> bool:
    """Whether ``pattern`` can match some ``<family>_<applicationId>`` queue: it matches one
    with a sample id, or it names the family before any wildcard (one application's queue)."""
    if fnmatchcase(f"{family}_{SAMPLE_APPLICATION_ID}", pattern):
        return True
    literal = pattern
    for character in _GLOB_CHARACTERS:
        literal = literal.split(character, 1)[0]
    return literal.startswith(f"{family}_") and len(literal) > len(family) + 1
