"""Settings for tests: a complete production configuration under the original's variable names,
and ``Settings`` read from exactly the variables a test gives (the machine's own are hidden)."""

import json
import uuid
from collections.abc import Mapping

import pytest

from entrypoints.settings import Settings

TEMPLATE_KEYS = (
    "approverRequestAccess", "userAddedToOrganisation", "userPermissionLevelChanged",
    "userRemovedFromOrganisation", "userRequestForOrganisationAccessApproved",
    "userRequestForOrganisationAccessRejected",
    "userRequestForOrganisationAccessApprovedToApprovers",
    "userRequestForOrganisationAccessRejectedToApprovers", "userRequestForServiceApprovedV1",
    "userRequestForServiceApprovedV2", "userRequestForServiceRejected",
    "userRequestForServiceApprovedToApprovers", "userRequestForServiceRejectedToApprovers",
    "userRequestsForSubServicesApproved", "userRequestsForSubServicesRejected",
    "userRequestForSubServicesApprovedToApprovers",
    "userRequestForSubServicesRejectedToApprovers", "userRequestToApproverForServiceAccess",
    "userRequestToApproverForSubServiceAccess", "userServiceRemoved", "notifyChangeEmailAddress",
    "verifyChangeEmailAddress", "verifyPasswordResetRequest", "supportRequest",
    "supportRequestOverdue", "inviteNewUser", "inviteNewUserEntra",
    "notifyExistingUserWhenAttemptingToRegisterAgain", "selfRegisterNewAccount", "entraOtpEmail",
)  # fmt: skip
"""The 30 template keys the original's configuration schema required."""

HOSTS = (
    "INTERACTIONS", "PROFILE", "SERVICES", "HELP", "DIRECTORIES", "ORGANISATIONS", "APPLICATIONS",
    "ACCESS",
)  # fmt: skip
"""The sites and platform APIs of ``STANDALONE_<name>_HOST_NAME``."""

SECRET_VALUES = {
    "REDIS_CONN": "redis://:Az%2FurE%2Bkey%3D@cache.example:6380",
    "GOVNOTIFY_API_KEY": f"live-{uuid.UUID(int=1)}-{uuid.UUID(int=2)}",
    "AAD_SHD_CLIENT_SECRET": "aad-client-secret-value",
    "JOB_JWT_SECRET": "relying-party-jwt-secret",
    "SVC_SIGNIN_JOBS_PASSWORD": "sql-password-value",
}
"""The secret settings of ``production_env``, so tests can check none is ever printed."""


def template_ids() -> dict[str, str]:
    """Every template key mapped to its own stable id."""
    return {key: str(uuid.uuid5(uuid.NAMESPACE_URL, f"dsi-jobs/{key}")) for key in TEMPLATE_KEYS}


def production_env(**overrides: str) -> dict[str, str]:
    """Everything a production start needs, as a deployment of the original has it."""
    return {
        **SECRET_VALUES,
        "GOVNOTIFY_TEMP_MAP": json.dumps({"email": template_ids()}),
        **{f"STANDALONE_{name}_HOST_NAME": f"{name.lower()}.signin.example" for name in HOSTS},
        "TENANT_URL": "https://login.example/tenant",
        "PLATFORM_GLOBAL_TENANT_DOMAIN": "tenant.example",
        "AAD_SHD_CLIENT_ID": "jobs-client",
        "AAD_SHD_APP_ID": "api://signin",
        "NOTIF_SUPPORT_EMAIL_ADDRESS": "service-desk@signin.example",
        "PLATFORM_GLOBAL_SERVER_NAME": "sql.example",
        "SVC_SIGNIN_JOBS": "svc-jobs",
        "PLATFORM_GLOBAL_JOBS_DATABASE_NAME": "jobs",
        "JOBS_MONITOR_ALLOWED_ROLES": "Jobs.Operator",  # new in dsi-jobs, required outside dev
        **overrides,
    }


def settings_from(monkeypatch: pytest.MonkeyPatch, env: Mapping[str, str]) -> Settings:
    """``Settings`` from ``env`` alone: every variable it knows is cleared first."""
    for field in Settings.model_fields.values():
        alias = field.validation_alias
        for name in getattr(alias, "choices", ()):
            monkeypatch.delenv(str(name), raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings(_env_file=None)  # type: ignore[call-arg]
