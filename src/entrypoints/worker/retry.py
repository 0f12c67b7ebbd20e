"""The retry policy this worker owns, because the Node producers set no ``attempts``.

Retryable errors are retried with exponential back-off and full jitter, up to a per-job-type
number of attempts and total age; everything else fails at once. The attempt count is BullMQ's
own ``attemptsMade``, stored with the job in Redis, so it survives restarts.
"""

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """``max_attempts`` counts the first run; delays grow ``base_delay_s * 2**n`` up to the cap."""

    max_attempts: int = 8
    base_delay_s: float = 15.0
    max_delay_s: float = 900.0
    max_age_s: float = 3600.0

    def next_delay_s(
        self,
        *,
        attempts_made: int,
        age_s: float,
        retry_after_s: float | None = None,
        rng: random.Random | None = None,
    ) -> float | None:
        """Seconds to wait before the next attempt, or ``None`` when the job must fail now.

        ``attempts_made`` is the number of attempts finished before the one that just failed.
        """
        if attempts_made + 1 >= self.max_attempts or age_s >= self.max_age_s:
            return None
        ceiling = min(self.max_delay_s, self.base_delay_s * 2**attempts_made)
        jittered = (rng or random).uniform(ceiling / 2, ceiling)
        return max(jittered, retry_after_s or 0.0)


NO_RETRY = RetryPolicy(max_attempts=1)
EMAIL_RETRY = RetryPolicy(max_attempts=8, base_delay_s=15.0, max_delay_s=900.0, max_age_s=3600.0)
SYNC_RETRY = RetryPolicy(
    max_attempts=12, base_delay_s=30.0, max_delay_s=3600.0, max_age_s=6 * 3600.0
)
WEBHOOK_RETRY = RetryPolicy(max_attempts=6, base_delay_s=30.0, max_delay_s=900.0, max_age_s=3600.0)
"""Relying-party webhooks: other organisations' servers, given up to an hour to come back."""
