"""In-memory implementations of every port, held to the same contract suites as the real
adapters: the fakes of the unit and contract tests. Local runs use one of them: the sandbox
(``entrypoints.sandbox``) serves its made-up platform data through ``InMemoryDirectories``;
e-mails, SOAP envelopes and webhooks go to the outboxes instead."""
