"""CREATE or UPDATE from what was last sent, recorded only once the legacy service accepted it.

Catalogue §4.2: no row, or an empty ``last_action_sent`` → CREATE; otherwise UPDATE. A failed
send leaves the state as it was, so the next message is CREATE again. If the send succeeds and
recording fails, the job fails and its retry sends CREATE again: the legacy services treat a
repeated CREATE as they always have (the original had the same window).
"""

from collections.abc import Mapping
from typing import Any

from domain.model import Application, LegacyMessage, SyncStateKey
from ports.legacy_service import LegacyWebService
from ports.state_store import SyncStateStore

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
) -> str:
    """Send ``operation`` with the action the state calls for; return that action."""
    action = UPDATE if await sync_state.last_action_sent(key) else CREATE
    await legacy_service.provision(application, LegacyMessage(operation, action, dict(fields)))
    await sync_state.record_action_sent(key, action)
    return action
