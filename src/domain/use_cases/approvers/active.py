"""Who may approve for an organisation: its approvers whose directory account is active.

The original asked the directories database (``status = 1``); this service asks the directories
API instead (``POST /users/by-ids``) and keeps users with status 1, so the worker needs no
database credentials. GUIDs are compared case-insensitively (the database returned them
upper-case, the APIs may not).
"""

from domain.directory import DirectoryUser
from ports.directories import OrganisationDirectory, UserDirectory


async def active_approvers(
    organisation_id: str,
    *,
    organisations: OrganisationDirectory,
    users: UserDirectory,
    excluding_user_id: str | None = None,
) -> list[DirectoryUser]:
    """Active approver users of ``organisation_id`` in approver-list order, minus the excluded one.

    Returns ``[]`` without calling the users API when nobody is left
    (docs/original-bugs.md#item-30).
    """
    excluded = (excluding_user_id or "").lower()
    approver_ids = [
        approver_id
        for approver_id in await organisations.get_approver_ids(organisation_id)
        if approver_id.lower() != excluded
    ]
    if not approver_ids:
        return []
    by_id = {user.id.lower(): user for user in await users.get_users(approver_ids)}
    found = (by_id.get(approver_id.lower()) for approver_id in approver_ids)
    return [user for user in found if user is not None and user.is_active]
