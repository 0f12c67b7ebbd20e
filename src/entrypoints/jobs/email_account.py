"""Account and organisation-access e-mail jobs (catalogue §2.2 to §2.9, §2.12, §2.13).

Every job is retried per ``EMAIL_RETRY``: ``EmailDelivery`` makes a retry send only the e-mails
an earlier attempt did not, so retrying is safe.
"""

from typing import Any

from dependency_injector import containers, providers

from domain.use_cases.approvers.ask_approvers_for_organisation_access import (
    AskApproversForOrganisationAccess,
    AskApproversForOrganisationAccessUseCase,
)
from domain.use_cases.approvers.outcome import (
    ORGANISATION_REQUEST_OUTCOME,
    NotifyApproversOfOrganisationRequestOutcome,
    NotifyApproversOfOutcomeUseCase,
)
from domain.use_cases.approvers.route_organisation_request import (
    RouteOrganisationRequest,
    RouteOrganisationRequestUseCase,
)
from domain.use_cases.email.send_access_request_outcome import (
    SendAccessRequestOutcome,
    SendAccessRequestOutcomeUseCase,
)
from domain.use_cases.email.send_change_email_verification import (
    SendChangeEmailVerification,
    SendChangeEmailVerificationUseCase,
)
from domain.use_cases.email.send_email_change_notice import (
    SendEmailChangeNotice,
    SendEmailChangeNoticeUseCase,
)
from domain.use_cases.email.send_existing_account_notice import (
    SendExistingAccountNotice,
    SendExistingAccountNoticeUseCase,
)
from domain.use_cases.email.send_invitation import SendInvitation, SendInvitationUseCase
from domain.use_cases.email.send_password_reset import SendPasswordReset, SendPasswordResetUseCase
from domain.use_cases.email.send_permission_level_changed import (
    SendPermissionLevelChanged,
    SendPermissionLevelChangedUseCase,
)
from entrypoints.jobs.email_common import EmailCommon
from entrypoints.registry import JobSpec
from entrypoints.worker.retry import EMAIL_RETRY

ONE_EMAIL_TIMEOUT_S = 180.0
"""Room for the Notify 429 pauses (60 s each) the sender waits out inside one attempt."""
FAN_OUT_TIMEOUT_S = 300.0
"""Jobs that call directories or e-mail every approver of an organisation get longer."""


def email_account_specs(
    *,
    send_access_request_outcome: SendAccessRequestOutcomeUseCase,
    ask_approvers_for_organisation_access: AskApproversForOrganisationAccessUseCase,
    route_organisation_request: RouteOrganisationRequestUseCase,
    notify_approvers_of_organisation_request_outcome: NotifyApproversOfOutcomeUseCase,
    send_change_email_verification: SendChangeEmailVerificationUseCase,
    send_email_change_notice: SendEmailChangeNoticeUseCase,
    send_permission_level_changed: SendPermissionLevelChangedUseCase,
    send_invitation: SendInvitationUseCase,
    send_password_reset: SendPasswordResetUseCase,
    send_existing_account_notice: SendExistingAccountNoticeUseCase,
) -> list[JobSpec[Any]]:
    """The specs in the original's registration order (catalogue §1.2)."""
    one, fan_out = ONE_EMAIL_TIMEOUT_S, FAN_OUT_TIMEOUT_S
    return [
        JobSpec(
            "accessrequest_v1",
            SendAccessRequestOutcome,
            send_access_request_outcome,
            timeout_s=one,
            retry=EMAIL_RETRY,
        ),
        JobSpec(
            "approveraccessrequest_v1",
            AskApproversForOrganisationAccess,
            ask_approvers_for_organisation_access,
            timeout_s=fan_out,
            retry=EMAIL_RETRY,
        ),
        JobSpec(
            "organisationrequest_v1",
            RouteOrganisationRequest,
            route_organisation_request,
            timeout_s=fan_out,
            retry=EMAIL_RETRY,
        ),
        JobSpec(
            "organisation_request_outcome_to_approvers",
            NotifyApproversOfOrganisationRequestOutcome,
            notify_approvers_of_organisation_request_outcome,
            timeout_s=fan_out,
            retry=EMAIL_RETRY,
        ),
        JobSpec(
            "verifychangeemail_v1",
            SendChangeEmailVerification,
            send_change_email_verification,
            timeout_s=one,
            retry=EMAIL_RETRY,
        ),
        JobSpec(
            "notifychangeemail_v1",
            SendEmailChangeNotice,
            send_email_change_notice,
            timeout_s=one,
            retry=EMAIL_RETRY,
        ),
        JobSpec(
            "changeuserpermissionlevelrequest_v1",
            SendPermissionLevelChanged,
            send_permission_level_changed,
            timeout_s=one,
            retry=EMAIL_RETRY,
        ),
        JobSpec(
            "invitation_v2",
            SendInvitation,
            send_invitation,
            timeout_s=one,
            retry=EMAIL_RETRY,
        ),
        JobSpec(
            "passwordreset_v1",
            SendPasswordReset,
            send_password_reset,
            timeout_s=one,
            retry=EMAIL_RETRY,
        ),
        JobSpec(
            "registerexistinguser_v1",
            SendExistingAccountNotice,
            send_existing_account_notice,
            timeout_s=one,
            retry=EMAIL_RETRY,
        ),
    ]


class EmailAccountJobs(containers.DeclarativeContainer):
    """Use cases of the account and organisation-access e-mails, over the shared adapters."""

    config = providers.Configuration()
    adapters = providers.DependenciesContainer()

    common = providers.Container(EmailCommon, config=config, adapters=adapters)
    links = common.links
    email_settings = common.email_settings
    delivery = common.delivery

    send_access_request_outcome = providers.Singleton(
        SendAccessRequestOutcomeUseCase, delivery=delivery, links=links
    )
    ask_approvers_for_organisation_access = providers.Singleton(
        AskApproversForOrganisationAccessUseCase, delivery=delivery, links=links
    )
    route_organisation_request = providers.Singleton(
        RouteOrganisationRequestUseCase,
        organisations=adapters.directories,
        users=adapters.directories,
        publisher=adapters.job_publisher,
        delivery_log=adapters.delivery_log,
    )
    notify_approvers_of_organisation_request_outcome = providers.Singleton(
        NotifyApproversOfOutcomeUseCase,
        emails=ORGANISATION_REQUEST_OUTCOME,
        delivery=delivery,
        links=links,
        organisations=adapters.directories,
        users=adapters.directories,
    )
    send_change_email_verification = providers.Singleton(
        SendChangeEmailVerificationUseCase, delivery=delivery, links=links
    )
    send_email_change_notice = providers.Singleton(
        SendEmailChangeNoticeUseCase, delivery=delivery, links=links
    )
    send_permission_level_changed = providers.Singleton(
        SendPermissionLevelChangedUseCase, delivery=delivery, links=links
    )
    send_invitation = providers.Singleton(
        SendInvitationUseCase, delivery=delivery, links=links, settings=email_settings
    )
    send_password_reset = providers.Singleton(
        SendPasswordResetUseCase, delivery=delivery, links=links
    )
    send_existing_account_notice = providers.Singleton(
        SendExistingAccountNoticeUseCase, delivery=delivery, links=links
    )

    specs = providers.Callable(
        email_account_specs,
        send_access_request_outcome=send_access_request_outcome,
        ask_approvers_for_organisation_access=ask_approvers_for_organisation_access,
        route_organisation_request=route_organisation_request,
        notify_approvers_of_organisation_request_outcome=notify_approvers_of_organisation_request_outcome,
        send_change_email_verification=send_change_email_verification,
        send_email_change_notice=send_email_change_notice,
        send_permission_level_changed=send_permission_level_changed,
        send_invitation=send_invitation,
        send_password_reset=send_password_reset,
        send_existing_account_notice=send_existing_account_notice,
    )
