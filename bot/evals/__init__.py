"""Prompt evals for maintainers: persona cards, simulated users, checks, judges and a report.

Everything here drives the product through `Engine.handle`, exactly as the console and Slack do,
so what is measured is the coach people use, not a copy of it.
"""
