"""Fakes of the services at the edge of the machine: Slack and model servers."""
