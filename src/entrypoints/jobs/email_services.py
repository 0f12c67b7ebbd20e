"""Service, organisation-membership and support-desk e-mail jobs (docs/email-jobs.md, "Services
and roles" and "Support desk and membership").

Every job is an ``email_job`` (retried per ``EMAIL_RETRY``). ``supportrequest_v1`` keeps the
original's limiter (45 per 5 minutes, docs/runtime.md#limiter), which BullMQ enforces across
every worker on the same Redis.
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
from entrypoints.jobs.email_common import (
    FAN_OUT_TIMEOUT_S,
    EmailCommon,
    email_job,
    outcome_to_approvers,
    sending,
)
from entrypoints.jobs.family import JobFamily
from entrypoints.registry import RateLimit

SUPPORT_DESK_LIMIT = RateLimit(max_jobs=45, duration_ms=300_000)
"""ServiceNow's flood filter trips at 50 e-mails in 5 minutes; 45 leaves headroom."""


class EmailServiceJobs(JobFamily):
    """The service, organisation and support e-mails, over the shared adapters, in the
    original's registration order (docs/runtime.md#registration)."""

    config = providers.Configuration()
    adapters = providers.DependenciesContainer()
    common = providers.Container(EmailCommon, config=config, adapters=adapters)
    removal_sender = sending(
        RemovalNoticeSender,
        common,
        users=adapters.directories,
        publisher=adapters.job_publisher,
    )
    request_sender = providers.Singleton(
        ApproverRequestSender,
        delivery=common.delivery,
        organisations=adapters.directories,
        users=adapters.directories,
        publisher=adapters.job_publisher,
        delivery_log=adapters.delivery_log,
    )

    notify_service_added_v1 = email_job(
        "userserviceadded_v1",
        NotifyServiceAddedV1,
        sending(NotifyServiceAddedV1UseCase, common),
    )
    notify_service_added_v2 = email_job(
        "userserviceadded_v2",
        NotifyServiceAddedV2,
        sending(NotifyServiceAddedV2UseCase, common),
    )
    notify_service_removed = email_job(
        "userserviceremoved_v1",
        NotifyServiceRemoved,
        providers.Singleton(NotifyServiceRemovedUseCase, sender=removal_sender),
    )
    ask_approvers_for_service_access = email_job(
        "servicerequest_to_approvers_v2",
        AskApproversForServiceAccess,
        providers.Singleton(AskApproversForServiceAccessUseCase, sender=request_sender),
        timeout_s=FAN_OUT_TIMEOUT_S,
    )
    notify_approvers_of_service_request_outcome = email_job(
        "service_request_outcome_to_approvers",
        NotifyApproversOfServiceRequestOutcome,
        outcome_to_approvers(SERVICE_REQUEST_OUTCOME, common, adapters),
        timeout_s=FAN_OUT_TIMEOUT_S,
    )
    notify_service_request_rejected = email_job(
        "userservicerejected_v1",
        NotifyRequestRejected,
        sending(NotifyRequestRejectedUseCase, common, template_key=SERVICE_TEMPLATE),
    )
    notify_sub_service_request_approved = email_job(
        "sub_service_request_approved",
        NotifySubServiceRequestApproved,
        sending(NotifySubServiceRequestApprovedUseCase, common),
    )
    notify_sub_service_request_rejected = email_job(
        "sub_service_request_rejected",
        NotifyRequestRejected,
        sending(NotifyRequestRejectedUseCase, common, template_key=SUB_SERVICE_TEMPLATE),
    )
    notify_approvers_of_sub_service_request_outcome = email_job(
        "sub_service_request_outcome_to_approvers",
        NotifyApproversOfSubServiceRequestOutcome,
        outcome_to_approvers(SUB_SERVICE_REQUEST_OUTCOME, common, adapters),
        timeout_s=FAN_OUT_TIMEOUT_S,
    )
    ask_approvers_for_sub_service_access = email_job(
        "sub_service_request_to_approvers",
        AskApproversForSubServiceAccess,
        providers.Singleton(
            AskApproversForSubServiceAccessUseCase, sender=request_sender, links=common.links
        ),
        timeout_s=FAN_OUT_TIMEOUT_S,
    )
    send_support_request = email_job(
        "supportrequest_v1",
        SendSupportRequest,
        sending(SendSupportRequestUseCase, common, settings=common.email_settings),
        limiter=SUPPORT_DESK_LIMIT,
    )
    remind_overdue_requests = email_job(
        "supportoverduerequest",
        RemindOverdueRequests,
        sending(RemindOverdueRequestsUseCase, common),
    )
    notify_added_to_organisation = email_job(
        "useraddedtoorganisationrequest_v1",
        NotifyAddedToOrganisation,
        sending(NotifyAddedToOrganisationUseCase, common),
    )
    notify_removed_from_organisation = email_job(
        "userremovedfromorganisationrequest_v1",
        NotifyRemovedFromOrganisation,
        providers.Singleton(NotifyRemovedFromOrganisationUseCase, sender=removal_sender),
    )
