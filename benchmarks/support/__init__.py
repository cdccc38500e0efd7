"""What benchmarks and tests both drive the coach with: fake Slack and model servers on loopback,
scripted model replies, scripted users, a realistic set of answers and the Slack app harness.

They live beside the benchmarks, not under tests/, so that `make bench` depends on nothing a test
may reshape for its own purposes; tests import them from here (tests/test_layers.py keeps the
direction). Nothing here may import from tests/.
"""
