"""What both e-mail job families build on: links, e-mail settings, the senders, and the rules
every e-mail job follows.

``EmailAccountJobs`` and ``EmailServiceJobs`` each hold one ``EmailCommon`` (``common``), so the
settings are mapped to domain objects in one place; ``email_job``, ``sending`` and
``outcome_to_approvers`` state once what their jobs have in common.
"""

from typing import Any, TypeVar

from dependency_injector import containers, providers
from pydantic import BaseModel

from domain.model import EmailSettings, PlatformLinks
from domain.use_cases.approvers.outcome import NotifyApproversOfOutcomeUseCase, OutcomeEmails
from domain.use_cases.email.delivery import EmailDelivery
from entrypoints.jobs.family import job
from entrypoints.registry import JobSpec
from entrypoints.settings import setting_names
from entrypoints.worker.retry import EMAIL_RETRY

T = TypeVar("T")

FAN_OUT_TIMEOUT_S = 300.0
"""Jobs that call the directories or e-mail every approver of an organisation get longer than
the default (``JobSpec.timeout_s``: room for a Notify 429 pause inside one attempt)."""


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


def email_job(
    queue: str, command: type[BaseModel], handler: providers.Provider[Any], **options: Any
) -> providers.Provider[JobSpec[Any]]:
    """An e-mail job, retried per ``EMAIL_RETRY``: ``EmailDelivery`` makes a retry send only the
    e-mails an earlier attempt did not, so retrying is safe."""
    return job(queue, command, handler, retry=EMAIL_RETRY, **options)


def sending(
    use_case: type[T], common: providers.Container[EmailCommon], **more: Any
) -> providers.Provider[T]:
    """A use case that sends over the family's delivery with its links (and ``more``)."""
    return providers.Singleton(use_case, delivery=common.delivery, links=common.links, **more)


def outcome_to_approvers(
    emails: OutcomeEmails,
    common: providers.Container[EmailCommon],
    adapters: providers.DependenciesContainer,
) -> providers.Provider[NotifyApproversOfOutcomeUseCase]:
    """The other approvers told a decision: one use case, ``emails`` says which request's."""
    directories = adapters.directories
    return sending(
        NotifyApproversOfOutcomeUseCase,
        common,
        emails=emails,
        organisations=directories,
        users=directories,
    )
