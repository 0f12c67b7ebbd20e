"""The real ``WebhookSender``: relying-party callbacks over HTTPS, guarded against SSRF."""
