"""Ask legacy sync to re-send a user's access after a removal
(docs/email-jobs.md#userserviceremoved_v1, #userremovedfromorganisationrequest_v1).

Best effort, as in the original: the user is looked up by e-mail and ``userupdated_v1`` is
enqueued with ``{sub}``; an unknown user or a failing upstream is logged and the job still
succeeds, because its e-mail already went out. Only the user's *remaining* access reaches the
legacy services; the removal itself is never transmitted (docs/original-bugs.md#item-24).
"""

import structlog

from domain.errors import WorkerError
from ports.directories import UserDirectory
from ports.job_publisher import JobPublisher

log = structlog.get_logger(__name__)

USER_UPDATED_QUEUE = "userupdated_v1"


async def request_user_update(
    email: str, *, users: UserDirectory, publisher: JobPublisher, after: str
) -> bool:
    """Enqueue ``userupdated_v1`` for the user with ``email``; ``False`` when that failed.

    ``after`` names the removal in log lines (``service_removal``, ``organisation_removal``).
    """
    try:
        user = await users.get_user(email)
        if user is None:
            log.warning("user_update_not_requested", after=after, cause="user_not_found")
            return False
        await publisher.publish(USER_UPDATED_QUEUE, {"sub": user.id})
    except WorkerError as error:  # the cause names the failure; a traceback would add nothing
        log.warning("user_update_not_requested", after=after, cause=type(error).__name__)
        return False
    return True
