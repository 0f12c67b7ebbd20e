"""The error taxonomy every layer raises; the job runner turns it into retry or fail decisions.

Messages end up in Redis as the job's ``failedReason``: they must never contain secrets or
personal data (e-mail addresses, names, codes). Say what is wrong and which field or upstream;
``domain.personal_data.redact_text`` is the backstop applied to them.
"""


class WorkerError(Exception):
    """Base of every error this service raises on purpose."""


class RetryableError(WorkerError):
    """The same job may succeed later: the runner retries it with back-off."""

    def __init__(self, message: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class UpstreamUnavailable(RetryableError):
    """Network error, timeout or 5xx from a service we call."""


class RateLimited(RetryableError):
    """429: the upstream asked us to slow down (``retry_after_s`` when it said for how long)."""


class PermanentError(WorkerError):
    """Retrying cannot help: the job fails at once with this message."""


class InvalidPayload(PermanentError):
    """The job's data is not what this job type needs (names the field)."""


class NotFound(PermanentError):
    """Something the job refers to does not exist upstream."""


class RecipientRejected(PermanentError):
    """Notify refused the message (bad address, personalisation or key type)."""


class UpstreamMisconfigured(PermanentError):
    """401/403 or missing configuration: an operator must fix settings, retrying will not."""


class TemplateNotConfigured(UpstreamMisconfigured):
    """The e-mail template key has no Notify template id in the deployment's template map."""

    def __init__(self, template_key: str) -> None:
        super().__init__(f"Invalid notify email template name '{template_key}'.")
        self.template_key = template_key


class UpstreamRejected(PermanentError):
    """Any other 4xx or a SOAP fault that says the data is wrong."""
