"""Operational alerts to a Slack-compatible incoming webhook."""
