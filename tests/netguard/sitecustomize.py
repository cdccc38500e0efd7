"""Loaded by Python at start-up when this folder is on PYTHONPATH: guard the subprocess too."""

import netguard

netguard.install()
