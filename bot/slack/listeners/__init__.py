"""Bolt listeners grouped by kind, as in Slack's sample apps."""
