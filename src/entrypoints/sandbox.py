"""The local sandbox: every job type works on a fresh machine, with no platform service.

In ``dev``, with no platform API configured (or with ``JOBS_SANDBOX=true``), the container
swaps three adapters for local stand-ins (``entrypoints.container.SandboxAdapters``):

* the platform directories (users, organisations, approvers, services, invitations): the
  in-memory directories seeded with ``SANDBOX_DATA`` below;
* the legacy SOAP services: ``adapters.soap.outbox``, which writes each real envelope to
  ``<JOBS_DATA_DIR>/legacy-outbox.jsonl``;
* relying-party webhooks: ``adapters.outbox.webhook_sender``, ``webhook-outbox.jsonl``.

E-mails already go to ``outbox.jsonl`` when no Notify key is set. Links in e-mails point at
``*.sandbox.localhost`` unless their hosts are set. The sandbox never runs outside ``dev``:
``JOBS_SANDBOX=true`` there stops start-up (``sandbox_refusal``). README "Sandbox" has the
examples; the data set is small and made up (``example.com`` addresses).
"""

import copy
from pathlib import Path
from typing import Any

from adapters.memory.directories import InMemoryDirectories
from entrypoints.settings import Settings

SANDBOX_MODES = ("auto", "true", "false")
PLATFORM_SETTINGS = (
    "standalone_directories_host_name",
    "standalone_organisations_host_name",
    "standalone_applications_host_name",
    "standalone_access_host_name",
    "tenant_url",
)
"""Any of these set means a platform is configured: ``auto`` then leaves the sandbox off."""

LINK_HOSTS = {
    "interactions_url": "https://interactions.sandbox.localhost",
    "profile_url": "https://profile.sandbox.localhost",
    "services_url": "https://services.sandbox.localhost",
    "help_url": "https://help.sandbox.localhost",
}
SUPPORT_EMAIL_ADDRESS = "support@sandbox.localhost"

ADA = "a1d0c6e8-0000-4000-8000-00000000ada1"
GRACE = "a1d0c6e8-0000-4000-8000-000000006ace"
ALAN = "a1d0c6e8-0000-4000-8000-0000000a1a17"
ACADEMY = "0c5a0000-0000-4000-8000-000000000001"
LEGACY_APP = "5e7f0000-0000-4000-8000-00000000c011"
PORTAL_APP = "5e7f0000-0000-4000-8000-000000000001"
PORTAL_CLIENT = "sandbox-portal"

ORGANISATION: dict[str, Any] = {
    "id": ACADEMY,
    "name": "Sandbox Academy",
    "category": {"id": "001", "name": "Establishment"},
    "type": {"id": "34", "name": "Academy converter"},
    "urn": "100001",
    "establishmentNumber": "4001",
    "status": {"id": 1, "name": "Open"},
    "telephone": "01234 567890",
    "region": {"id": "H", "name": "London"},
    "localAuthority": {"id": "la-1", "name": "Camden", "code": "202"},
    "legacyId": 1001,
}

SANDBOX_DATA: dict[str, Any] = {
    "users": {
        ADA: {
            "sub": ADA,
            "given_name": "Ada",
            "family_name": "Lovelace",
            "email": "ada.lovelace@example.com",
            "status": 1,
        },
        GRACE: {
            "sub": GRACE,
            "given_name": "Grace",
            "family_name": "Hopper",
            "email": "grace.hopper@example.com",
            "status": 1,
        },
        ALAN: {
            "sub": ALAN,
            "given_name": "Alan",
            "family_name": "Turing",
            "email": "alan.turing@example.com",
            "status": 1,
        },
    },
    "organisations": {ACADEMY: ORGANISATION},
    "organisation_requests": {
        "request-1": {
            "id": "request-1",
            "org_id": ACADEMY,
            "user_id": ALAN,
            "reason": "I teach computing here",
        },
    },
    "approvers": {ACADEMY: [ADA, GRACE]},
    "user_organisations": {
        ALAN: [
            {
                "organisation": ORGANISATION,
                "role": {"id": 0, "name": "End user"},
                "numericIdentifier": 7,
                "textIdentifier": "alant",
            }
        ],
        ADA: [{"organisation": ORGANISATION, "role": {"id": 10000, "name": "Approver"}}],
        GRACE: [{"organisation": ORGANISATION, "role": {"id": 10000, "name": "Approver"}}],
    },
    "user_services": {
        ALAN: [
            {
                "serviceId": LEGACY_APP,
                "organisationId": ACADEMY,
                "roles": [{"numericId": 5, "code": "FIN_REVIEW"}],
            }
        ],
    },
    "invitations": {},
    "services": [
        {
            "id": PORTAL_APP,
            "name": "Sandbox Portal",
            "parentId": None,
            "relyingParty": {
                "client_id": PORTAL_CLIENT,
                "api_secret": "sandbox-portal-signing",
                "params": {},
            },
        },
        {
            "id": LEGACY_APP,
            "name": "Sandbox Legacy Service",
            "parentId": None,
            "relyingParty": {
                "client_id": "sandbox-legacy",
                "params": {
                    "receiveUserUpdates": "true",
                    "receiveOrganisationUpdates": "true",
                    "receiveRoleUpdates": "true",
                    "wsWsdlUrl": "https://legacy.sandbox.localhost?wsdl",
                    "wsProvisionUserFormatterType": "collect",
                    "wsProvisionOrganisationFormatterType": "collect",
                    "wsProvisionGroupFormatterType": "collect",
                },
            },
        },
    ],
}
"""Three users (two approvers of Sandbox Academy, one member with a pending request and
access to the legacy service), one organisation, a portal for public-API callbacks, and a
legacy service subscribed to every legacy-sync family."""


class SandboxRefused(Exception):
    """``JOBS_SANDBOX=true`` outside ``dev``."""


def sandbox_active(settings: Settings) -> bool:
    """Whether this process runs on the sandbox; raises ``SandboxRefused`` outside ``dev`` when
    it was asked for."""
    mode = settings.jobs_sandbox
    if mode == "true" and not settings.is_dev:
        raise SandboxRefused(
            "JOBS_SANDBOX: the sandbox runs only when LOCAL_ENV=dev (its made-up platform data "
            "must never stand in for the real one)"
        )
    if mode == "auto":
        return settings.is_dev and not any(getattr(settings, name) for name in PLATFORM_SETTINGS)
    return mode == "true"


def sandbox_config(config: dict[str, Any], data_dir: Path) -> dict[str, Any]:
    """``config`` (``container_config``'s) with the sandbox's outboxes and, where unset, its
    link hosts and support address."""
    config = copy.deepcopy(config)
    config["links"] = {key: value or LINK_HOSTS[key] for key, value in config["links"].items()}
    email = config["email"]
    email["support_email_address"] = email["support_email_address"] or SUPPORT_EMAIL_ADDRESS
    config["sandbox"] = {
        "legacy_outbox_path": data_dir / "legacy-outbox.jsonl",
        "webhook_outbox_path": data_dir / "webhook-outbox.jsonl",
    }
    return config


def sandbox_directories() -> InMemoryDirectories:
    """The platform directories of the sandbox: a fresh copy of ``SANDBOX_DATA``."""
    data = copy.deepcopy(SANDBOX_DATA)
    return InMemoryDirectories(**data)
