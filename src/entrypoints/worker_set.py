"""What the HTTP side reads of a process's worker set: ``WorkerService`` in one process, the
``Supervisor`` over ``--processes N``. Each reader names the least it needs."""

from typing import Protocol


class RunningWorkers(Protocol):
    """Whether the workers are started and their loops alive (the probes)."""

    @property
    def started(self) -> bool: ...

    def loops_alive(self) -> bool: ...


class WorkerSet(RunningWorkers, Protocol):
    """The same and the queues consumed (the dashboard's health card)."""

    @property
    def queues(self) -> list[str]: ...
