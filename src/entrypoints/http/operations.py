"""What one worker process adds for operators: metrics, queue-depth refresh and Slack alerts.

``observe`` and ``on_restart`` are the worker service's hooks; an alert goes out when a job
ends failed (its retries exhausted, or a permanent error) and when a worker loop is restarted.
"""

from collections.abc import Mapping
from typing import Protocol

from adapters.slack.alerts import SlackAlerts
from entrypoints.http.metrics import JobMetrics, QueueReader, QueueStatsRefresher
from entrypoints.queue_view import ConsumerReader, QueueScope

QUEUE_STATS_INTERVAL_S = 5.0


class Supervised(Protocol):
    """The worker service as seen from here."""

    def in_flight_by_queue(self) -> Mapping[str, int]: ...


class Operations:
    def __init__(self, *, metrics: JobMetrics, reader: QueueReader, alerts: SlackAlerts | None):
        self.metrics = metrics
        self._reader = reader
        self._alerts = alerts
        self._refresher: QueueStatsRefresher | None = None

    def observe(self, queue: str, outcome: str, seconds: float) -> None:
        self.metrics.observe(queue, outcome, seconds)
        if outcome == "failed" and self._alerts is not None:
            self._alerts.alert(f"failed:{queue}", f"dsi-jobs: a {queue} job failed for good")

    def on_restart(self, queue: str) -> None:
        self.metrics.on_restart(queue)
        if self._alerts is not None:
            message = f"dsi-jobs: the {queue} worker loop had stopped and was restarted"
            self._alerts.alert(f"restart:{queue}", message)

    def on_process_restart(self, index: int) -> None:
        """The supervisor's hook: worker process ``index`` exited and was started again."""
        self.metrics.on_process_restart(index)
        if self._alerts is not None:
            message = f"dsi-jobs: worker process {index} had exited and was restarted"
            self._alerts.alert(f"process-restart:{index}", message)

    def subscription_refresh_failed(self, reason: str) -> None:
        """The subscription watcher's ``on_failure`` hook: count it and alert."""
        self.metrics.subscription_refresh_failed()
        if self._alerts is not None:
            message = (
                f"dsi-jobs: legacy-sync subscriptions could not be refreshed ({reason}); "
                "the push queues already running are kept"
            )
            self._alerts.alert("subscriptions", message)

    def start(self, workers: Supervised, scope: QueueScope, consumers: ConsumerReader) -> None:
        """Expose the workers' in-flight jobs; start refreshing queue depths and consumers."""
        self.metrics.track_in_progress(workers.in_flight_by_queue)
        self._refresher = QueueStatsRefresher(
            metrics=self.metrics,
            reader=self._reader,
            scope=scope,
            consumers=consumers,
            interval_s=QUEUE_STATS_INTERVAL_S,
        )
        self._refresher.start()

    async def stop(self) -> None:
        """Stop refreshing (the alerts are closed with the container's resources)."""
        if self._refresher is not None:
            await self._refresher.stop()
