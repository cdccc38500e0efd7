"""Fakes only tests use: a knowledge search without a model and an eval model. The fake Slack and
model servers are shared with the benchmarks and live in benchmarks/support/."""
