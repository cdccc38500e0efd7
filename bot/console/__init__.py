"""Terminal adapters: rendering and loops for the `coach` command."""
