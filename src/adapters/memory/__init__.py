"""In-memory implementations of every port: unit tests, contract tests and local runs."""
