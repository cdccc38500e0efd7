"""Which direct-message threads are assistant-panel threads.

Bolt's `Assistant` middleware takes every threaded message in a DM as an assistant-thread
message, so without this check an ordinary DM thread (a draft opened with *Open*, a reply under
a top-level DM) got the panel's status and title calls, which Slack refuses there. A panel
thread is one Slack announced with `assistant_thread_started`, remembered here; a thread this
process did not see start (another instance, a restart) is recognised by its root message,
which Slack gives the subtype `assistant_app_thread`, read once and remembered.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)
REMEMBERED_THREADS = 5000
PANEL_ROOT_SUBTYPE = "assistant_app_thread"


class PanelThreads:
    """Remembers which (channel, thread) pairs are panel threads, asking Slack at most once."""

    def __init__(self) -> None:
        self._known: OrderedDict[tuple[str, str], bool] = OrderedDict()
        self._lock = threading.Lock()

    def started(self, channel: str, thread_ts: str) -> None:
        """Slack said a panel thread started here (`assistant_thread_started`)."""
        self._remember((channel, thread_ts), True)

    def is_panel(self, client: WebClient, channel: str, thread_ts: str | None) -> bool:
        """Whether a DM message's thread is a panel thread (a top-level message never is)."""
        if not thread_ts:
            return False
        known = self._known.get((channel, thread_ts))
        if known is None:
            known = self._root_is_panel(client, channel, thread_ts)
            self._remember((channel, thread_ts), known)
        return known

    def _root_is_panel(self, client: WebClient, channel: str, thread_ts: str) -> bool:
        try:
            page = client.conversations_replies(channel=channel, ts=thread_ts, limit=1)
        except SlackApiError as error:
            log.info("could not read the thread's root: %s", error.response.get("error"))
            return False
        root = next((m for m in page.get("messages") or [] if m.get("ts") == thread_ts), None)
        return root is not None and root.get("subtype") == PANEL_ROOT_SUBTYPE

    def _remember(self, key: tuple[str, str], is_panel: bool) -> None:
        with self._lock:
            self._known[key] = is_panel
            self._known.move_to_end(key)
            while len(self._known) > REMEMBERED_THREADS:
                self._known.popitem(last=False)
