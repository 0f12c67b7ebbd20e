"""Providers both e-mail job families build on: links, e-mail settings and the senders.

``EmailAccountJobs`` and ``EmailServiceJobs`` each hold one ``EmailCommon`` and expose its
providers under their own names, so a job family reads as before and the settings are mapped to
domain objects in one place.
"""

from dependency_injector import containers, providers

from domain.model import EmailSettings, PlatformLinks
from domain.use_cases.email.delivery import EmailDelivery
from entrypoints.settings import setting_names


class EmailCommon(containers.DeclarativeContainer):
    """Links and settings from the configuration; delivery over the adapters."""

    config = providers.Configuration()
    adapters = providers.DependenciesContainer()

    links = providers.Factory(
        PlatformLinks,
        interactions_url=config.links.interactions_url,
        profile_url=config.links.profile_url,
        services_url=config.links.services_url,
        help_url=config.links.help_url,
        setting_names=setting_names("links"),
    )
    email_settings = providers.Factory(
        EmailSettings,
        support_email_address=config.email.support_email_address,
        use_entra_for_account_registration=config.email.use_entra_for_account_registration,
        sanitise_invitation_overrides=config.email.sanitise_invitation_overrides,
        setting_names=setting_names("email"),
    )
    delivery = providers.Singleton(
        EmailDelivery, email=adapters.email, delivery_log=adapters.delivery_log
    )
