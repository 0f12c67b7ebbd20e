"""``approveraccessrequest_v1`` (docs/email-jobs.md#approveraccessrequest_v1): ask an
organisation's approvers to decide.

Enqueued by ``organisationrequest_v1``. The original stopped at the first failed send, leaving the
later approvers un-told for ever (docs/original-bugs.md#item-33); here a retry e-mails only the
approvers not reached yet, each identified by their position in ``recipients``.
"""

from dataclasses import dataclass

from domain.model import EmailMessage, JobContext, PlatformLinks
from domain.use_cases.email.delivery import EmailDelivery
from domain.use_cases.email.fields import (
    RequiredText,
    UserEmailPayload,
    WirePayload,
    path_segment,
    sent_values,
)
from domain.use_cases.email.sending import email_to, link

TEMPLATE = "approverRequestAccess"
PLAIN_TEXT_KEYS = ("approverFirstName", "approverLastName", "orgName", "name")


class Approver(UserEmailPayload):
    """One recipient as ``organisationrequest_v1`` builds it from the directory."""


class AskApproversForOrganisationAccess(WirePayload):
    """Payload built by ``organisationrequest_v1`` (``orgId`` is sent but unused)."""

    recipients: list[Approver]
    org_name: str | None = None
    user_name: str | None = None
    user_email: str | None = None
    request_id: RequiredText


@dataclass(frozen=True, kw_only=True)
class AskApproversForOrganisationAccessUseCase:
    """One e-mail per recipient, in the order given, linking to the request in Services."""

    template_keys = frozenset({TEMPLATE})

    delivery: EmailDelivery
    links: PlatformLinks

    async def __call__(
        self, command: AskApproversForOrganisationAccess, context: JobContext
    ) -> dict[str, int]:
        shared = {
            **sent_values(
                command, {"orgName": "org_name", "name": "user_name", "email": "user_email"}
            ),
            "returnUrl": link(self.links, "services_url")
            + "/access-requests/organisation-requests/"
            + path_segment(command.request_id),
            "helpUrl": link(self.links, "help_url"),
        }
        messages = [
            (str(index), self._message(approver, shared))
            for index, approver in enumerate(command.recipients)
        ]
        report = await self.delivery.send_all(context, messages)
        return report.as_result()

    @staticmethod
    def _message(approver: Approver, shared: dict[str, object]) -> EmailMessage:
        personalisation = {
            **sent_values(
                approver, {"approverFirstName": "first_name", "approverLastName": "last_name"}
            ),
            **shared,
        }
        return email_to(TEMPLATE, approver.email, personalisation, PLAIN_TEXT_KEYS)
