"""Helpers shared by the service, organisation and support e-mail job tests."""

from typing import Any

from adapters.memory.directories import InMemoryDirectories
from domain.model import EmailMessage

ORG_ID = "org-1"


def add_approver(
    directories: InMemoryDirectories,
    user_id: str,
    *,
    status: int = 1,
    organisation_id: str = ORG_ID,
    **fields: Any,
) -> None:
    """Make ``user_id`` an approver of the organisation, as the two APIs would report it.

    The organisations API lists ids upper-case (as SQL Server stores them); the directories
    API answers with lower-case ``sub``s.
    """
    directories.approvers.setdefault(organisation_id, []).append(user_id.upper())
    directories.users[user_id] = {
        "sub": user_id,
        "given_name": f"First {user_id}",
        "family_name": f"Last {user_id}",
        "email": f"{user_id}@example.com",
        "status": status,
        **fields,
    }


def recipients(sent: list[EmailMessage]) -> list[str]:
    return [message.recipient for message in sent]
