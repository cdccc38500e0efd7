"""Terminal adapters: rendering and loops for the `coach` command."""

# The workspace id of every console user: drafts made at the terminal belong to "console".
# Kept here, not in chat.py, so `coach drafts list` need not import the coaching engine.
WORKSPACE = "console"
