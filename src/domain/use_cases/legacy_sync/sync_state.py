"""CREATE or UPDATE from what was last sent, recorded only once the legacy service accepted it.

Catalogue §4.2: no row, or an empty ``last_action_sent`` → CREATE; otherwise UPDATE. A failed
send leaves the state as it was, so the next message is CREATE again. If the send succeeds and
recording fails, the job fails and its retry sends CREATE again: the legacy services treat a
repeated CREATE as they always have (the original had the same window).

A delivery record per job (``DeliveryLog``) closes most of that window: once the legacy service
accepted a job's message, a retry or redelivery of the same job does not send it again; it only
writes the state the earlier attempt could not. A worker dying during the SOAP call itself can
still repeat a message (a SOAP service cannot be asked what it received).
"""

from collections.abc import Mapping
from typing import Any

from domain.model import Application, LegacyMessage, SyncStateKey
from ports.legacy_service import LegacyWebService
from ports.state_store import DeliveryLog, SyncStateStore

CREATE = "CREATE"
UPDATE = "UPDATE"


async def send_with_state(
    *,
    application: Application,
    operation: str,
    fields: Mapping[str, Any],
    key: SyncStateKey,
    legacy_service: LegacyWebService,
    sync_state: SyncStateStore,
    delivery_log: DeliveryLog,
    delivery_key: str,
) -> str:
    """Send ``operation`` with the action the state calls for, once per ``delivery_key`` (the
    job); return the action sent."""
    last = await sync_state.last_action_sent(key)
    action = UPDATE if last else CREATE
    if await delivery_log.was_delivered(delivery_key):
        if last is None:  # accepted earlier, but the state was not written
            await sync_state.record_action_sent(key, CREATE)
        return last or CREATE
    await legacy_service.provision(application, LegacyMessage(operation, action, dict(fields)))
    await delivery_log.record_delivered(delivery_key)
    await sync_state.record_action_sent(key, action)
    return action
