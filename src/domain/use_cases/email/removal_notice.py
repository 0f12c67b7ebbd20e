"""Tell a user they lost some access, then have legacy sync re-send the rest
(docs/email-jobs.md#userserviceremoved_v1, #userremovedfromorganisationrequest_v1).

The e-mail must go out (its failure fails the job); the ``userupdated_v1`` follow-up is best
effort (see ``request_user_update``).
"""

from collections.abc import Mapping
from dataclasses import dataclass

from domain.model import JobContext, PlatformLinks
from domain.use_cases.email.delivery import EmailDelivery
from domain.use_cases.email.fields import NAMES, UserEmailPayload, sent_values
from domain.use_cases.email.sending import email_to, help_contact_url, link, send_one
from domain.use_cases.email.user_update_follow_up import request_user_update
from ports.directories import UserDirectory
from ports.job_publisher import JobPublisher


@dataclass(frozen=True, kw_only=True)
class RemovalNoticeSender:
    """Sends one job's removal e-mail; the job modules choose the template and the fields."""

    delivery: EmailDelivery
    links: PlatformLinks
    users: UserDirectory
    publisher: JobPublisher

    async def send(
        self,
        command: UserEmailPayload,
        context: JobContext,
        *,
        template: str,
        fields: Mapping[str, str],
        after: str,
    ) -> dict[str, int]:
        """E-mail the user, then request the follow-up.

        ``fields`` maps personalisation keys to payload fields passed on after the names;
        ``after`` names the removal in log lines.
        """
        personalisation = {
            **sent_values(command, {**NAMES, **fields}),
            "signInUrl": link(self.links, "services_url"),
            "helpUrl": help_contact_url(self.links),
        }
        result = await send_one(
            self.delivery, context, email_to(template, command.email, personalisation)
        )
        requested = await request_user_update(
            command.email, users=self.users, publisher=self.publisher, after=after
        )
        return {**result, "user_updates_requested": int(requested)}
