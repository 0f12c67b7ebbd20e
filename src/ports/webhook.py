"""Port: call a relying party's webhook."""

from typing import Protocol

from domain.model import JsonObject


class WebhookSender(Protocol):
    """POSTs a JSON body, signed with an HS256 JWT bound to the callback's origin and the body,
    to a callback URL taken from job data.

    The URL is hostile input: refused URLs raise ``UpstreamRejected`` without any request.
    Network errors, 5xx and 429 raise ``RetryableError``; other 4xx ``UpstreamRejected``.
    """

    async def post(self, url: str, body: JsonObject, signing_secret: str) -> None:
        """Deliver ``body`` to ``url``."""
        ...
