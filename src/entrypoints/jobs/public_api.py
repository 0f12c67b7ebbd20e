"""Public-API invitation jobs (docs/public-api-jobs.md).

Retries: the two invitation jobs call platform APIs and Redis only, whose outages are short, so
they use ``EMAIL_RETRY`` (8 attempts within an hour). The webhook job calls other organisations'
servers: ``WEBHOOK_RETRY`` (6 attempts within an hour, honouring a 429's Retry-After).

Concurrency: invitation requests run one at a time per process, as in the original, so two
requests for the same address are not both told "no invitation yet" and create two (the
directories API offers no create-if-absent). The other two use the service default: their order
does not matter and a slow relying party should not hold up the others.
"""

from dependency_injector import providers

from domain.use_cases.public_api.complete_public_invitation import (
    CompletePublicInvitation,
    CompletePublicInvitationUseCase,
)
from domain.use_cases.public_api.notify_relying_party import (
    NOTIFY_RELYING_PARTY_QUEUE,
    NotifyRelyingParty,
    NotifyRelyingPartyUseCase,
)
from domain.use_cases.public_api.request_public_invitation import (
    RequestPublicInvitation,
    RequestPublicInvitationUseCase,
)
from entrypoints.jobs.family import JobFamily, job
from entrypoints.settings import CONFIG_VARIABLES
from entrypoints.worker.retry import EMAIL_RETRY, WEBHOOK_RETRY


class PublicApiJobs(JobFamily):
    """Invitation requests and completions, and the relying-party webhook they lead to."""

    config = providers.Configuration()
    adapters = providers.DependenciesContainer()

    request_invitation = job(
        "publicinvitationrequest_v1",
        RequestPublicInvitation,
        providers.Singleton(
            RequestPublicInvitationUseCase,
            users=adapters.directories,
            organisations=adapters.directories,
            jobs=adapters.job_publisher,
            delivery_log=adapters.delivery_log,
        ),
        timeout_s=120.0,
        concurrency=1,
        retry=EMAIL_RETRY,
    )
    complete_invitation = job(
        "publicinvitationcomplete_v1",
        CompletePublicInvitation,
        providers.Singleton(
            CompletePublicInvitationUseCase,
            jobs=adapters.job_publisher,
            delivery_log=adapters.delivery_log,
        ),
        timeout_s=60.0,
        retry=EMAIL_RETRY,
    )
    notify_relying_party = job(
        NOTIFY_RELYING_PARTY_QUEUE,
        NotifyRelyingParty,
        providers.Singleton(
            NotifyRelyingPartyUseCase,
            applications=adapters.directories,
            webhook=adapters.webhook,
            default_secret=config.public_api.jwt_secret,
            default_secret_setting=CONFIG_VARIABLES["public_api.jwt_secret"],
        ),
        timeout_s=60.0,
        retry=WEBHOOK_RETRY,
    )
