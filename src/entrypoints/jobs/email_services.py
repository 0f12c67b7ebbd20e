"""Service, organisation-membership and support-desk e-mail jobs (docs/email-jobs.md, "Services
and roles" and "Support desk and membership").

Every job is retried per ``EMAIL_RETRY``: ``EmailDelivery`` makes a retry send only the e-mails
an earlier attempt did not, so retrying is safe. ``supportrequest_v1`` keeps the original's
limiter (45 per 5 minutes, docs/runtime.md#limiter), which BullMQ enforces across every worker
on the same Redis.
"""

from dependency_injector import providers

from domain.use_cases.approvers.ask_approvers_for_service_access import (
    AskApproversForServiceAccess,
    AskApproversForServiceAccessUseCase,
)
from domain.use_cases.approvers.ask_approvers_for_sub_service_access import (
    AskApproversForSubServiceAccess,
    AskApproversForSubServiceAccessUseCase,
)
from domain.use_cases.approvers.outcome import (
    SERVICE_REQUEST_OUTCOME,
    SUB_SERVICE_REQUEST_OUTCOME,
    NotifyApproversOfOutcomeUseCase,
    NotifyApproversOfServiceRequestOutcome,
    NotifyApproversOfSubServiceRequestOutcome,
)
from domain.use_cases.approvers.request import ApproverRequestSender
from domain.use_cases.email.notify_added_to_organisation import (
    NotifyAddedToOrganisation,
    NotifyAddedToOrganisationUseCase,
)
from domain.use_cases.email.notify_removed_from_organisation import (
    NotifyRemovedFromOrganisation,
    NotifyRemovedFromOrganisationUseCase,
)
from domain.use_cases.email.notify_request_rejected import (
    SERVICE_TEMPLATE,
    SUB_SERVICE_TEMPLATE,
    NotifyRequestRejected,
    NotifyRequestRejectedUseCase,
)
from domain.use_cases.email.notify_service_added_v1 import (
    NotifyServiceAddedV1,
    NotifyServiceAddedV1UseCase,
)
from domain.use_cases.email.notify_service_added_v2 import (
    NotifyServiceAddedV2,
    NotifyServiceAddedV2UseCase,
)
from domain.use_cases.email.notify_service_removed import (
    NotifyServiceRemoved,
    NotifyServiceRemovedUseCase,
)
from domain.use_cases.email.notify_sub_service_request_approved import (
    NotifySubServiceRequestApproved,
    NotifySubServiceRequestApprovedUseCase,
)
from domain.use_cases.email.remind_overdue_requests import (
    RemindOverdueRequests,
    RemindOverdueRequestsUseCase,
)
from domain.use_cases.email.removal_notice import RemovalNoticeSender
from domain.use_cases.email.send_support_request import (
    SendSupportRequest,
    SendSupportRequestUseCase,
)
from entrypoints.jobs.email_common import EmailCommon
from entrypoints.jobs.family import JobFamily, job
from entrypoints.registry import RateLimit
from entrypoints.worker.retry import EMAIL_RETRY

FAN_OUT_TIMEOUT_S = 300.0
"""Jobs that call the directories and e-mail every approver of an organisation get longer."""

SUPPORT_DESK_LIMIT = RateLimit(max_jobs=45, duration_ms=300_000)
"""ServiceNow's flood filter trips at 50 e-mails in 5 minutes; 45 leaves headroom."""


class EmailServiceJobs(JobFamily):
    """The service, organisation and support e-mails, over the shared adapters, in the
    original's registration order (docs/runtime.md#registration)."""

    config = providers.Configuration()
    adapters = providers.DependenciesContainer()

    common = providers.Container(EmailCommon, config=config, adapters=adapters)
    links = common.links
    email_settings = common.email_settings
    delivery = common.delivery
    removal_sender = providers.Singleton(
        RemovalNoticeSender,
        delivery=delivery,
        links=links,
        users=adapters.directories,
        publisher=adapters.job_publisher,
    )
    request_sender = providers.Singleton(
        ApproverRequestSender,
        delivery=delivery,
        organisations=adapters.directories,
        users=adapters.directories,
        publisher=adapters.job_publisher,
        delivery_log=adapters.delivery_log,
    )

    notify_service_added_v1 = job(
        "userserviceadded_v1",
        NotifyServiceAddedV1,
        providers.Singleton(NotifyServiceAddedV1UseCase, delivery=delivery, links=links),
        retry=EMAIL_RETRY,
    )
    notify_service_added_v2 = job(
        "userserviceadded_v2",
        NotifyServiceAddedV2,
        providers.Singleton(NotifyServiceAddedV2UseCase, delivery=delivery, links=links),
        retry=EMAIL_RETRY,
    )
    notify_service_removed = job(
        "userserviceremoved_v1",
        NotifyServiceRemoved,
        providers.Singleton(NotifyServiceRemovedUseCase, sender=removal_sender),
        retry=EMAIL_RETRY,
    )
    ask_approvers_for_service_access = job(
        "servicerequest_to_approvers_v2",
        AskApproversForServiceAccess,
        providers.Singleton(AskApproversForServiceAccessUseCase, sender=request_sender),
        timeout_s=FAN_OUT_TIMEOUT_S,
        retry=EMAIL_RETRY,
    )
    notify_approvers_of_service_request_outcome = job(
        "service_request_outcome_to_approvers",
        NotifyApproversOfServiceRequestOutcome,
        providers.Singleton(
            NotifyApproversOfOutcomeUseCase,
            emails=SERVICE_REQUEST_OUTCOME,
            delivery=delivery,
            links=links,
            organisations=adapters.directories,
            users=adapters.directories,
        ),
        timeout_s=FAN_OUT_TIMEOUT_S,
        retry=EMAIL_RETRY,
    )
    notify_service_request_rejected = job(
        "userservicerejected_v1",
        NotifyRequestRejected,
        providers.Singleton(
            NotifyRequestRejectedUseCase,
            delivery=delivery,
            links=links,
            template_key=SERVICE_TEMPLATE,
        ),
        retry=EMAIL_RETRY,
    )
    notify_sub_service_request_approved = job(
        "sub_service_request_approved",
        NotifySubServiceRequestApproved,
        providers.Singleton(NotifySubServiceRequestApprovedUseCase, delivery=delivery, links=links),
        retry=EMAIL_RETRY,
    )
    notify_sub_service_request_rejected = job(
        "sub_service_request_rejected",
        NotifyRequestRejected,
        providers.Singleton(
            NotifyRequestRejectedUseCase,
            delivery=delivery,
            links=links,
            template_key=SUB_SERVICE_TEMPLATE,
        ),
        retry=EMAIL_RETRY,
    )
    notify_approvers_of_sub_service_request_outcome = job(
        "sub_service_request_outcome_to_approvers",
        NotifyApproversOfSubServiceRequestOutcome,
        providers.Singleton(
            NotifyApproversOfOutcomeUseCase,
            emails=SUB_SERVICE_REQUEST_OUTCOME,
            delivery=delivery,
            links=links,
            organisations=adapters.directories,
            users=adapters.directories,
        ),
        timeout_s=FAN_OUT_TIMEOUT_S,
        retry=EMAIL_RETRY,
    )
    ask_approvers_for_sub_service_access = job(
        "sub_service_request_to_approvers",
        AskApproversForSubServiceAccess,
        providers.Singleton(
            AskApproversForSubServiceAccessUseCase, sender=request_sender, links=links
        ),
        timeout_s=FAN_OUT_TIMEOUT_S,
        retry=EMAIL_RETRY,
    )
    send_support_request = job(
        "supportrequest_v1",
        SendSupportRequest,
        providers.Singleton(
            SendSupportRequestUseCase, delivery=delivery, links=links, settings=email_settings
        ),
        limiter=SUPPORT_DESK_LIMIT,
        retry=EMAIL_RETRY,
    )
    remind_overdue_requests = job(
        "supportoverduerequest",
        RemindOverdueRequests,
        providers.Singleton(RemindOverdueRequestsUseCase, delivery=delivery, links=links),
        retry=EMAIL_RETRY,
    )
    notify_added_to_organisation = job(
        "useraddedtoorganisationrequest_v1",
        NotifyAddedToOrganisation,
        providers.Singleton(NotifyAddedToOrganisationUseCase, delivery=delivery, links=links),
        retry=EMAIL_RETRY,
    )
    notify_removed_from_organisation = job(
        "userremovedfromorganisationrequest_v1",
        NotifyRemovedFromOrganisation,
        providers.Singleton(NotifyRemovedFromOrganisationUseCase, sender=removal_sender),
        retry=EMAIL_RETRY,
    )
