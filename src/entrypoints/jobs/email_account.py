"""Account and organisation-access e-mail jobs (docs/email-jobs.md, "Organisation access" and
"Account").

Every job is retried per ``EMAIL_RETRY``: ``EmailDelivery`` makes a retry send only the e-mails
an earlier attempt did not, so retrying is safe.
"""

from dependency_injector import providers

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
from entrypoints.jobs.family import JobFamily, job
from entrypoints.worker.retry import EMAIL_RETRY

ONE_EMAIL_TIMEOUT_S = 180.0
"""Room for the Notify 429 pauses (60 s each) the sender waits out inside one attempt."""
FAN_OUT_TIMEOUT_S = 300.0
"""Jobs that call directories or e-mail every approver of an organisation get longer."""


class EmailAccountJobs(JobFamily):
    """The account and organisation-access e-mails, over the shared adapters, in the original's
    registration order (docs/runtime.md#registration)."""

    config = providers.Configuration()
    adapters = providers.DependenciesContainer()

    common = providers.Container(EmailCommon, config=config, adapters=adapters)
    links = common.links
    email_settings = common.email_settings
    delivery = common.delivery

    send_access_request_outcome = job(
        "accessrequest_v1",
        SendAccessRequestOutcome,
        providers.Singleton(SendAccessRequestOutcomeUseCase, delivery=delivery, links=links),
        timeout_s=ONE_EMAIL_TIMEOUT_S,
        retry=EMAIL_RETRY,
    )
    ask_approvers_for_organisation_access = job(
        "approveraccessrequest_v1",
        AskApproversForOrganisationAccess,
        providers.Singleton(
            AskApproversForOrganisationAccessUseCase, delivery=delivery, links=links
        ),
        timeout_s=FAN_OUT_TIMEOUT_S,
        retry=EMAIL_RETRY,
    )
    route_organisation_request = job(
        "organisationrequest_v1",
        RouteOrganisationRequest,
        providers.Singleton(
            RouteOrganisationRequestUseCase,
            organisations=adapters.directories,
            users=adapters.directories,
            publisher=adapters.job_publisher,
            delivery_log=adapters.delivery_log,
        ),
        timeout_s=FAN_OUT_TIMEOUT_S,
        retry=EMAIL_RETRY,
    )
    notify_approvers_of_organisation_request_outcome = job(
        "organisation_request_outcome_to_approvers",
        NotifyApproversOfOrganisationRequestOutcome,
        providers.Singleton(
            NotifyApproversOfOutcomeUseCase,
            emails=ORGANISATION_REQUEST_OUTCOME,
            delivery=delivery,
            links=links,
            organisations=adapters.directories,
            users=adapters.directories,
        ),
        timeout_s=FAN_OUT_TIMEOUT_S,
        retry=EMAIL_RETRY,
    )
    send_change_email_verification = job(
        "verifychangeemail_v1",
        SendChangeEmailVerification,
        providers.Singleton(SendChangeEmailVerificationUseCase, delivery=delivery, links=links),
        timeout_s=ONE_EMAIL_TIMEOUT_S,
        retry=EMAIL_RETRY,
    )
    send_email_change_notice = job(
        "notifychangeemail_v1",
        SendEmailChangeNotice,
        providers.Singleton(SendEmailChangeNoticeUseCase, delivery=delivery, links=links),
        timeout_s=ONE_EMAIL_TIMEOUT_S,
        retry=EMAIL_RETRY,
    )
    send_permission_level_changed = job(
        "changeuserpermissionlevelrequest_v1",
        SendPermissionLevelChanged,
        providers.Singleton(SendPermissionLevelChangedUseCase, delivery=delivery, links=links),
        timeout_s=ONE_EMAIL_TIMEOUT_S,
        retry=EMAIL_RETRY,
    )
    send_invitation = job(
        "invitation_v2",
        SendInvitation,
        providers.Singleton(
            SendInvitationUseCase, delivery=delivery, links=links, settings=email_settings
        ),
        timeout_s=ONE_EMAIL_TIMEOUT_S,
        retry=EMAIL_RETRY,
    )
    send_password_reset = job(
        "passwordreset_v1",
        SendPasswordReset,
        providers.Singleton(SendPasswordResetUseCase, delivery=delivery, links=links),
        timeout_s=ONE_EMAIL_TIMEOUT_S,
        retry=EMAIL_RETRY,
    )
    send_existing_account_notice = job(
        "registerexistinguser_v1",
        SendExistingAccountNotice,
        providers.Singleton(SendExistingAccountNoticeUseCase, delivery=delivery, links=links),
        timeout_s=ONE_EMAIL_TIMEOUT_S,
        retry=EMAIL_RETRY,
    )
