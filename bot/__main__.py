"""Allow `python -m bot` as a synonym for the `coach` command."""

from bot.cli import main

main()
