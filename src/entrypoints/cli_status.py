"""``dsi-jobs status``: every queue's jobs by state, the workers attached to it (this service's
and Node's, from what BullMQ records in Redis), and whether this configuration's queue selection
consumes it. A queue with jobs waiting and no worker attached is flagged: during the cut-over
that is the queue nobody took over (docs/cut-over.md)."""

from collections.abc import Iterable, Mapping

from rich.console import Console
from rich.table import Table
from rich.text import Text

from adapters.redis_queue.consumers import BullmqConsumers
from adapters.redis_queue.inspector import BullmqQueueInspector
from entrypoints.cli_operations import literal
from entrypoints.queue_selection import QueueSelection
from entrypoints.queue_view import QueueView, queue_views

COUNT_COLUMNS = ("waiting", "active", "delayed", "completed", "failed")
UNCONSUMED = "NO CONSUMER"


async def show_status(
    out: Console,
    *,
    queues: Iterable[str],
    notes: Mapping[str, str],
    inspector: BullmqQueueInspector,
    consumers: BullmqConsumers,
    selection: QueueSelection,
) -> int:
    """Print the table and a summary; 0 (a flagged queue is reported, not an error)."""
    views = await queue_views(queues, inspector, consumers, selection.consumes)
    table = Table()
    table.add_column("queue", no_wrap=True)
    for state in COUNT_COLUMNS:
        table.add_column(state, justify="right")
    table.add_column("consumers", no_wrap=True)
    table.add_column("selected")
    table.add_column("note")
    for view in views:
        table.add_row(
            literal(view.queue),
            *(str(view.counts.get(state, 0)) for state in COUNT_COLUMNS),
            _consumers(view),
            "yes" if view.consumed_here else "",
            literal(notes.get(view.queue, "")),
        )
    out.print(table)
    for line in _summary(views, selection):
        out.print(literal(line))
    return 0


def _consumers(view: QueueView) -> Text:
    if view.unconsumed:
        return Text(UNCONSUMED, style="bold red")
    return Text(view.consumer_summary())


def _summary(views: list[QueueView], selection: QueueSelection) -> list[str]:
    selected = sum(view.consumed_here for view in views)
    lines = [
        f"This configuration (JOBS_QUEUES, JOBS_EXCLUDE_QUEUES) consumes {selection.describe()}:"
        f" {selected} of the {len(views)} queues above."
    ]
    if any(view.consumers is None for view in views):
        lines.append("Consumers unknown: this Redis refuses CLIENT LIST.")
    unconsumed = [view.queue for view in views if view.unconsumed]
    if unconsumed:
        lines.append(f"{len(unconsumed)} queue(s) with jobs waiting and no worker attached.")
    return lines
