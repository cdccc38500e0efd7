"""Partnership Coach: helps NHS staff and their partners agree a problem statement and value
proposition before they collaborate."""

__version__ = "0.1.0"
