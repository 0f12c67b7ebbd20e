"""``registerexistinguser_v1`` (catalogue §2.13): someone tried to register an existing address."""

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from domain.model import EmailMessage, JobContext, PlatformLinks
from domain.use_cases.email_delivery import EmailDelivery
from domain.use_cases.email_fields import Recipient, plain_text, sent_values
from domain.use_cases.settings_required import link

TEMPLATE = "notifyExistingUserWhenAttemptingToRegisterAgain"
DEFAULT_SERVICE_NAME = "DfE Sign-in"


class SendExistingAccountNotice(BaseModel):
    """Payload of ``sendRegisterExistingUser``."""

    model_config = ConfigDict(frozen=True, extra="ignore", alias_generator=to_camel)

    email: Recipient
    first_name: str | None = None
    last_name: str | None = None
    service_name: str | None = None
    return_url: str | None = None


class SendExistingAccountNoticeUseCase:
    """One e-mail to the address, pointing back to the service it tried to register for."""

    def __init__(self, *, delivery: EmailDelivery, links: PlatformLinks) -> None:
        self._delivery = delivery
        self._links = links

    async def __call__(
        self, command: SendExistingAccountNotice, context: JobContext
    ) -> dict[str, int]:
        personalisation = {
            **sent_values(command, {"firstName": "first_name", "lastName": "last_name"}),
            "email": command.email,
            "serviceName": command.service_name or DEFAULT_SERVICE_NAME,
            **sent_values(command, {"returnUrl": "return_url"}),
            "helpUrl": link(self._links, "help_url") + "/contact-us",
        }
        message = EmailMessage(
            template_key=TEMPLATE,
            recipient=command.email,
            personalisation=personalisation,
            plain_text_fields=plain_text(personalisation, "firstName", "lastName", "serviceName"),
        )
        report = await self._delivery.send_all(context, [("0", message)])
        return report.as_result()
