"""Settings a job needs but the deployment did not give: fail that job, naming the variable.

Outside ``dev`` start-up already refuses a deployment without them
(``entrypoints.required_settings``); in ``dev`` the worker starts, and only the jobs that need
a missing value fail, permanently, with a reason an operator can act on.
"""

from domain.errors import UpstreamMisconfigured
from domain.model import EmailSettings, PlatformLinks

_LINK_VARIABLES = {
    "interactions_url": "STANDALONE_INTERACTIONS_HOST_NAME",
    "profile_url": "STANDALONE_PROFILE_HOST_NAME",
    "services_url": "STANDALONE_SERVICES_HOST_NAME",
    "help_url": "STANDALONE_HELP_HOST_NAME",
}


def link(links: PlatformLinks, name: str) -> str:
    """The base URL ``name`` (a ``PlatformLinks`` field), or a permanent failure."""
    value: str | None = getattr(links, name)
    if not value:
        raise UpstreamMisconfigured(f"{_LINK_VARIABLES[name]} is not configured")
    return value


def support_email_address(settings: EmailSettings) -> str:
    """The support desk's address, or a permanent failure."""
    if not settings.support_email_address:
        raise UpstreamMisconfigured("NOTIF_SUPPORT_EMAIL_ADDRESS is not configured")
    return settings.support_email_address
