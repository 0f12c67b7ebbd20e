"""``invitation_v2`` (docs/email-jobs.md#invitation_v2): invite a new user, or send a
self-registration code.

With Entra registration on, Entra sends self-registration codes itself, so a self-invoked job sends
nothing. Fixed (docs/original-bugs.md#item-29): errors keep their own message (the original
replaced it with a JSON dump that lost it or leaked request headers); every
``((VERIFICATION CODE))`` in a custom subject is replaced, not only the first; a code-based e-mail
without a code fails, naming the field, instead of reading ``undefined is your…``.
"""

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict

from domain.errors import InvalidPayload
from domain.model import EmailSettings, JobContext, PlatformLinks
from domain.use_cases.email.delivery import DeliveryReport, EmailDelivery
from domain.use_cases.email.fields import (
    NAMES,
    RequiredText,
    UserEmailPayload,
    is_truthy,
    path_segment,
    sent_values,
)
from domain.use_cases.email.sending import email_to, link, send_one

ENTRA_TEMPLATE = "inviteNewUserEntra"
SELF_REGISTER_TEMPLATE = "selfRegisterNewAccount"
INVITE_TEMPLATE = "inviteNewUser"
ENTRA_DEFAULT_SUBJECT = "You\u2019ve been invited to join DfE Sign-in"
CODE_PLACEHOLDER = "((VERIFICATION CODE))"
END_USER_TEXT_KEYS = ("firstName", "lastName", "serviceName", "reason")
"""Names and the invitation's reason: text people typed, which Notify renders as plain text."""
OVERRIDE_KEYS = ("customMessage", "subject")
"""The relying party's own wording (``inviteBodyOverride``/``inviteSubjectOverride``), where
links are intended: rendered as the original did unless ``sanitise_invitation_overrides``."""


class InvitationOverrides(BaseModel):
    """Custom subject and body a service asked for (public API ``invite*Override``)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    subject: str | None = None
    body: str | None = None


class SendInvitation(UserEmailPayload):
    """Payload of ``sendInvitation``; flags follow JavaScript truthiness, as originally read."""

    invitation_id: RequiredText
    code: str | None = None
    service_name: str | None = None
    self_invoked: Any = None
    overrides: InvitationOverrides | None = None
    approver_email: str | None = None
    org_name: str | None = None
    is_approver: Any = None


@dataclass(frozen=True, kw_only=True)
class SendInvitationUseCase:
    """At most one e-mail to the invitee; which template depends on the Entra switch."""

    delivery: EmailDelivery
    links: PlatformLinks
    settings: EmailSettings

    @property
    def template_keys(self) -> frozenset[str]:
        """The Entra switch decides which templates can be sent."""
        if self.settings.use_entra_for_account_registration:
            return frozenset({ENTRA_TEMPLATE})
        return frozenset({SELF_REGISTER_TEMPLATE, INVITE_TEMPLATE})

    async def __call__(self, command: SendInvitation, context: JobContext) -> dict[str, int]:
        self_invoked = is_truthy(command.self_invoked)
        if self.settings.use_entra_for_account_registration:
            if self_invoked:
                return DeliveryReport(sent=0, skipped=0).as_result()
            template, extra = ENTRA_TEMPLATE, self._entra_invitation(command)
        elif self_invoked:
            template = SELF_REGISTER_TEMPLATE
            extra = {
                **sent_values(command, {"serviceName": "service_name"}),
                "code": _code(command),
            }
        else:
            template, extra = INVITE_TEMPLATE, self._code_invitation(command)
        personalisation = {**self._common(command), **extra}
        message = email_to(template, command.email, personalisation, self._plain_text_keys())
        return await send_one(self.delivery, context, message)

    def _plain_text_keys(self) -> tuple[str, ...]:
        if self.settings.sanitise_invitation_overrides:
            return END_USER_TEXT_KEYS + OVERRIDE_KEYS
        return END_USER_TEXT_KEYS

    def _common(self, command: SendInvitation) -> dict[str, object]:
        overrides = command.overrides or InvitationOverrides()
        return {
            **sent_values(command, NAMES),
            "email": command.email,
            "customMessage": overrides.body or "",
            "isApprover": is_truthy(command.is_approver),
            "returnUrl": link(self.links, "interactions_url")
            + "/register/"
            + path_segment(command.invitation_id)
            + "?id=email",
            "helpUrl": link(self.links, "help_url"),
        }

    @staticmethod
    def _entra_invitation(command: SendInvitation) -> dict[str, object]:
        subject = command.overrides.subject if command.overrides else None
        return {"reason": _reason(command), "subject": subject or ENTRA_DEFAULT_SUBJECT}

    @staticmethod
    def _code_invitation(command: SendInvitation) -> dict[str, object]:
        code = _code(command)
        custom_subject = command.overrides.subject if command.overrides else None
        subject = (
            custom_subject.replace(CODE_PLACEHOLDER, code)
            if custom_subject
            else f"{code} is your DfE Sign-in verification code"
        )
        return {"code": code, "reason": _reason(command), "subject": subject}


def _code(command: SendInvitation) -> str:
    if not command.code:
        raise InvalidPayload("invalid payload: code: required unless Entra registration is on")
    return command.code


def _reason(command: SendInvitation) -> str:
    """Who invited them, or where to: `` by <approver> at <org>``, `` for <org>`` or nothing."""
    if command.approver_email and command.org_name:
        return f" by {command.approver_email} at {command.org_name}"
    if command.org_name:
        return f" for {command.org_name}"
    return ""
