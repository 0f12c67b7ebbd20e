"""Service, organisation-membership and support-desk e-mail jobs (catalogue §2.10, §2.11,
§2.14-§2.25).

Every job is retried per ``EMAIL_RETRY``: ``EmailDelivery`` makes a retry send only the e-mails
an earlier attempt did not, so retrying is safe. ``supportrequest_v1`` keeps the original's
limiter (45 per 5 minutes, §1.4), which BullMQ enforces across every worker on the same Redis.
"""

from typing import Any

from dependency_injector import containers, providers

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
from entrypoints.registry import JobSpec, RateLimit
from entrypoints.worker.retry import EMAIL_RETRY

FAN_OUT_TIMEOUT_S = 300.0
"""Jobs that call the directories and e-mail every approver of an organisation get longer."""

SUPPORT_DESK_LIMIT = RateLimit(max_jobs=45, duration_ms=300_000)
"""ServiceNow's flood filter trips at 50 e-mails in 5 minutes; 45 leaves headroom (§1.4)."""


def email_services_specs(
    *,
    notify_service_added_v1: NotifyServiceAddedV1UseCase,
    notify_service_added_v2: NotifyServiceAddedV2UseCase,
    notify_service_removed: NotifyServiceRemovedUseCase,
    ask_approvers_for_service_access: AskApproversForServiceAccessUseCase,
    notify_approvers_of_service_request_outcome: NotifyApproversOfOutcomeUseCase,
    notify_service_request_rejected: NotifyRequestRejectedUseCase,
    notify_sub_service_request_approved: NotifySubServiceRequestApprovedUseCase,
    notify_sub_service_request_rejected: NotifyRequestRejectedUseCase,
    notify_approvers_of_sub_service_request_outcome: NotifyApproversOfOutcomeUseCase,
    ask_approvers_for_sub_service_access: AskApproversForSubServiceAccessUseCase,
    send_support_request: SendSupportRequestUseCase,
    remind_overdue_requests: RemindOverdueRequestsUseCase,
    notify_added_to_organisation: NotifyAddedToOrganisationUseCase,
    notify_removed_from_organisation: NotifyRemovedFromOrganisationUseCase,
) -> list[JobSpec[Any]]:
    """The specs in the original's registration order (catalogue §1.2)."""
    fan_out = FAN_OUT_TIMEOUT_S
    return [
        JobSpec(
            "userserviceadded_v1",
            NotifyServiceAddedV1,
            notify_service_added_v1,
            retry=EMAIL_RETRY,
        ),
        JobSpec(
            "userserviceadded_v2",
            NotifyServiceAddedV2,
            notify_service_added_v2,
            retry=EMAIL_RETRY,
        ),
        JobSpec(
            "userserviceremoved_v1",
            NotifyServiceRemoved,
            notify_service_removed,
            retry=EMAIL_RETRY,
        ),
        JobSpec(
            "servicerequest_to_approvers_v2",
            AskApproversForServiceAccess,
            ask_approvers_for_service_access,
            timeout_s=fan_out,
            retry=EMAIL_RETRY,
        ),
        JobSpec(
            "service_request_outcome_to_approvers",
            NotifyApproversOfServiceRequestOutcome,
            notify_approvers_of_service_request_outcome,
            timeout_s=fan_out,
            retry=EMAIL_RETRY,
        ),
        JobSpec(
            "userservicerejected_v1",
            NotifyRequestRejected,
            notify_service_request_rejected,
            retry=EMAIL_RETRY,
        ),
        JobSpec(
            "sub_service_request_approved",
            NotifySubServiceRequestApproved,
            notify_sub_service_request_approved,
            retry=EMAIL_RETRY,
        ),
        JobSpec(
            "sub_service_request_rejected",
            NotifyRequestRejected,
            notify_sub_service_request_rejected,
            retry=EMAIL_RETRY,
        ),
        JobSpec(
            "sub_service_request_outcome_to_approvers",
            NotifyApproversOfSubServiceRequestOutcome,
            notify_approvers_of_sub_service_request_outcome,
            timeout_s=fan_out,
            retry=EMAIL_RETRY,
        ),
        JobSpec(
            "sub_service_request_to_approvers",
            AskApproversForSubServiceAccess,
            ask_approvers_for_sub_service_access,
            timeout_s=fan_out,
            retry=EMAIL_RETRY,
        ),
        JobSpec(
            "supportrequest_v1",
            SendSupportRequest,
            send_support_request,
            limiter=SUPPORT_DESK_LIMIT,
            retry=EMAIL_RETRY,
        ),
        JobSpec(
            "supportoverduerequest",
            RemindOverdueRequests,
            remind_overdue_requests,
            retry=EMAIL_RETRY,
        ),
        JobSpec(
            "useraddedtoorganisationrequest_v1",
            NotifyAddedToOrganisation,
            notify_added_to_organisation,
            retry=EMAIL_RETRY,
        ),
        JobSpec(
            "userremovedfromorganisationrequest_v1",
            NotifyRemovedFromOrganisation,
            notify_removed_from_organisation,
            retry=EMAIL_RETRY,
        ),
    ]


class EmailServiceJobs(containers.DeclarativeContainer):
    """Use cases of the service, organisation and support e-mails, over the shared adapters."""

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

    notify_service_added_v1 = providers.Singleton(
        NotifyServiceAddedV1UseCase, delivery=delivery, links=links
    )
    notify_service_added_v2 = providers.Singleton(
        NotifyServiceAddedV2UseCase, delivery=delivery, links=links
    )
    notify_service_removed = providers.Singleton(NotifyServiceRemovedUseCase, sender=removal_sender)
    ask_approvers_for_service_access = providers.Singleton(
        AskApproversForServiceAccessUseCase, sender=request_sender
    )
    notify_approvers_of_service_request_outcome = providers.Singleton(
        NotifyApproversOfOutcomeUseCase,
        emails=SERVICE_REQUEST_OUTCOME,
        delivery=delivery,
        links=links,
        organisations=adapters.directories,
        users=adapters.directories,
    )
    notify_service_request_rejected = providers.Singleton(
        NotifyRequestRejectedUseCase, delivery=delivery, links=links, template_key=SERVICE_TEMPLATE
    )
    notify_sub_service_request_approved = providers.Singleton(
        NotifySubServiceRequestApprovedUseCase, delivery=delivery, links=links
    )
    notify_sub_service_request_rejected = providers.Singleton(
        NotifyRequestRejectedUseCase,
        delivery=delivery,
        links=links,
        template_key=SUB_SERVICE_TEMPLATE,
    )
    notify_approvers_of_sub_service_request_outcome = providers.Singleton(
        NotifyApproversOfOutcomeUseCase,
        emails=SUB_SERVICE_REQUEST_OUTCOME,
        delivery=delivery,
        links=links,
        organisations=adapters.directories,
        users=adapters.directories,
    )
    ask_approvers_for_sub_service_access = providers.Singleton(
        AskApproversForSubServiceAccessUseCase, sender=request_sender, links=links
    )
    send_support_request = providers.Singleton(
        SendSupportRequestUseCase, delivery=delivery, links=links, settings=email_settings
    )
    remind_overdue_requests = providers.Singleton(
        RemindOverdueRequestsUseCase, delivery=delivery, links=links
    )
    notify_added_to_organisation = providers.Singleton(
        NotifyAddedToOrganisationUseCase, delivery=delivery, links=links
    )
    notify_removed_from_organisation = providers.Singleton(
        NotifyRemovedFromOrganisationUseCase, sender=removal_sender
    )

    specs = providers.Callable(
        email_services_specs,
        notify_service_added_v1=notify_service_added_v1,
        notify_service_added_v2=notify_service_added_v2,
        notify_service_removed=notify_service_removed,
        ask_approvers_for_service_access=ask_approvers_for_service_access,
        notify_approvers_of_service_request_outcome=notify_approvers_of_service_request_outcome,
        notify_service_request_rejected=notify_service_request_rejected,
        notify_sub_service_request_approved=notify_sub_service_request_approved,
        notify_sub_service_request_rejected=notify_sub_service_request_rejected,
        notify_approvers_of_sub_service_request_outcome=(
            notify_approvers_of_sub_service_request_outcome
        ),
        ask_approvers_for_sub_service_access=ask_approvers_for_sub_service_access,
        send_support_request=send_support_request,
        remind_overdue_requests=remind_overdue_requests,
        notify_added_to_organisation=notify_added_to_organisation,
        notify_removed_from_organisation=notify_removed_from_organisation,
    )
