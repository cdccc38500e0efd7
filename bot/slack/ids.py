"""Every id Slack sends back to the app: the slash command, action, callback and block ids.

A button is drawn in one module (`blocks.py`, `cards.py`, `lists.py`, `direct.py`) and answered in
another (`listeners/`); both name it from here, so renaming or adding a button is one edit here and
a listener can never wait for an id that no block carries. Messages already posted in Slack keep
the ids they were drawn with, so an id that was ever posted is kept (see `DRAFT_ACCEPT`).
"""

from __future__ import annotations

from typing import Final

COMMAND: Final = "/statement"

# -- action ids: buttons -------------------------------------------------------------------------
DRAFT_FINAL: Final = "draft_final"
DRAFT_ACCEPT: Final = "draft_accept"  # Final's old id, still on cards posted before the rename
DRAFT_REVISE: Final = "draft_revise"
DRAFT_FULL: Final = "draft_full"
DRAFT_EXPORT: Final = "draft_export"
DRAFT_SHARE: Final = "draft_share"
DRAFT_OPEN: Final = "draft_open"
FEEDBACK_UP: Final = "feedback_up"
FEEDBACK_DOWN: Final = "feedback_down"
ANSWER_FEEDBACK: Final = "answer_feedback"  # Slack's feedback_buttons under a knowledge answer
DM_START_FROM: Final = "dm_start_from"
HOME_NEW_DRAFT: Final = "home_new_draft"
DRAFTS_PAGE_PREVIOUS: Final = "drafts_page_previous"
DRAFTS_PAGE_NEXT: Final = "drafts_page_next"

# -- callback ids: modals --------------------------------------------------------------------------
NEW_DRAFT_VIEW: Final = "new_draft"
SHARE_DRAFT_VIEW: Final = "share_draft"
REVISE_DRAFT_VIEW: Final = "revise_draft"
FULL_DRAFT_VIEW: Final = "full_draft"  # read-only: nothing is submitted

# -- block ids of the modals' inputs (a submission's values are keyed by them) ---------------------
TITLE_INPUT: Final = "title"
PARTNERS_INPUT: Final = "partners"
PARTNER_TYPE_INPUT: Final = "partner_type"
AREA_INPUT: Final = "area"
PASTED_INPUT: Final = "pasted"
SHARE_WITH_INPUT: Final = "user"
PROBLEM_INPUT: Final = "problem"
HMW_INPUT: Final = "hmw"
INPUT_ACTION: Final = "value"  # the one element inside each input block

# -- block ids of messages -------------------------------------------------------------------------
CARD_BLOCK_PREFIX: Final = "card:"  # + draft id: how a thread's card is found again
SHARED_BLOCK_PREFIX: Final = "shared:"  # + draft id
DRAFT_LINE_PREFIX: Final = "draft:"  # + draft id: one line of a list
DRAFTS_PAGES_BLOCK: Final = "drafts_pages"
HOME_ACTIONS_BLOCK: Final = "home_actions"
OFFER_BLOCK: Final = "offer"
ANSWER_FEEDBACK_BLOCK: Final = "answer_feedback"
