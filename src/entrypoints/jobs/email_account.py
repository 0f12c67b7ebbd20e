"""Account and organisation-access e-mail jobs (docs/email-jobs.md, "Organisation access" and
"Account").

Every job is an ``email_job`` (retried per ``EMAIL_RETRY``). One e-mail gets the default timeout;
jobs that call the directories or e-mail every approver get ``FAN_OUT_TIMEOUT_S``.
"""

from dependency_injector import providers

from domain.use_cases.approvers.ask_approvers_for_organisation_access import (
    AskApproversForOrganisationAccess,
    AskApproversForOrganisationAccessUseCase,
)
from domain.use_cases.approvers.outcome import (
    ORGANISATION_REQUEST_OUTCOME,
    NotifyApproversOfOrganisationRequestOutcome,
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
from entrypoints.jobs.email_common import (
    FAN_OUT_TIMEOUT_S,
    EmailCommon,
    email_job,
    outcome_to_approvers,
    sending,
)
from entrypoints.jobs.family import JobFamily


class EmailAccountJobs(JobFamily):
    """The account and organisation-access e-mails, over the shared adapters, in the original's
    registration order (docs/runtime.md#registration)."""

    config = providers.Configuration()
    adapters = providers.DependenciesContainer()
    common = providers.Container(EmailCommon, config=config, adapters=adapters)

    send_access_request_outcome = email_job(
        "accessrequest_v1",
        SendAccessRequestOutcome,
        sending(SendAccessRequestOutcomeUseCase, common),
    )
    ask_approvers_for_organisation_access = email_job(
        "approveraccessrequest_v1",
        AskApproversForOrganisationAccess,
        sending(AskApproversForOrganisationAccessUseCase, common),
        timeout_s=FAN_OUT_TIMEOUT_S,
    )
    route_organisation_request = email_job(
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
    )
    notify_approvers_of_organisation_request_outcome = email_job(
        "organisation_request_outcome_to_approvers",
        NotifyApproversOfOrganisationRequestOutcome,
        outcome_to_approvers(ORGANISATION_REQUEST_OUTCOME, common, adapters),
        timeout_s=FAN_OUT_TIMEOUT_S,
    )
    send_change_email_verification = email_job(
        "verifychangeemail_v1",
        SendChangeEmailVerification,
        sending(SendChangeEmailVerificationUseCase, common),
    )
    send_email_change_notice = email_job(
        "notifychangeemail_v1",
        SendEmailChangeNotice,
        sending(SendEmailChangeNoticeUseCase, common),
    )
    send_permission_level_changed = email_job(
        "changeuserpermissionlevelrequest_v1",
        SendPermissionLevelChanged,
        sending(SendPermissionLevelChangedUseCase, common),
    )
    send_invitation = email_job(
        "invitation_v2",
        SendInvitation,
        sending(SendInvitationUseCase, common, settings=common.email_settings),
    )
    send_password_reset = email_job(
        "passwordreset_v1",
        SendPasswordReset,
        sending(SendPasswordResetUseCase, common),
    )
    send_existing_account_notice = email_job(
        "registerexistinguser_v1",
        SendExistingAccountNotice,
        sending(SendExistingAccountNoticeUseCase, common),
    )
