"""What Slack would refuse: its documented Block Kit limits, checked against a payload.

Tests build messages, modals and App Home views and check them here, because Slack refuses a
payload over any limit whole (invalid_blocks, msg_too_long) and the user sees nothing at all.
"""

from __future__ import annotations

from typing import Any

# Slack's documented limits: Block Kit reference, chat.postMessage, views.*
MESSAGE_BLOCKS = 50
SURFACE_BLOCKS = 100  # modals and App Home
MESSAGE_TEXT = 4000  # safe plain-text length (msg_too_long well before the 40,000 hard cap)
LIMITS = {
    "header": 150,
    "section": 3000,
    "context_text": 3000,
    "context_elements": 10,
    "actions_elements": 25,
    "context_actions_elements": 5,
    "button_text": 75,
    "button_value": 2000,
    "action_id": 255,
    "block_id": 255,
    "modal_title": 24,
    "modal_button": 24,
    "private_metadata": 3000,
    "input_label": 2000,
    "input_hint": 2000,
    "placeholder": 150,
    "option_text": 75,
    "option_value": 150,
    "options": 100,
}


def slack_limit_problems(payload: dict[str, Any], surface: str = "message") -> list[str]:
    """Every limit `payload` (message kwargs, or a view) breaks; [] when Slack would take it."""
    problems: list[str] = []

    def over(what: str, value: str | list | None, limit: int) -> None:
        if value is not None and len(value) > limit:
            problems.append(f"{what}: {len(value)} > {limit}")

    blocks = payload.get("blocks") or []
    over("blocks", blocks, MESSAGE_BLOCKS if surface == "message" else SURFACE_BLOCKS)
    if surface == "message":
        over("text", payload.get("text"), MESSAGE_TEXT)
    if surface == "modal":
        over("title", payload["title"]["text"], LIMITS["modal_title"])
        for key in ("submit", "close"):
            if key in payload:
                over(key, payload[key]["text"], LIMITS["modal_button"])
        over("private_metadata", payload.get("private_metadata"), LIMITS["private_metadata"])
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    if len(block_ids) != len(set(block_ids)):
        problems.append("duplicate block_id")
    for block in blocks:
        kind = block["type"]
        over("block_id", block.get("block_id"), LIMITS["block_id"])
        if kind == "header":
            over("header", block["text"]["text"], LIMITS["header"])
        elif kind == "section":
            over("section", block["text"]["text"], LIMITS["section"])
            if "accessory" in block:
                _element_problems(block["accessory"], over)
        elif kind == "context":
            over("context elements", block["elements"], LIMITS["context_elements"])
            for element in block["elements"]:
                over("context text", element.get("text"), LIMITS["context_text"])
        elif kind == "actions":
            over("actions elements", block["elements"], LIMITS["actions_elements"])
            for element in block["elements"]:
                _element_problems(element, over)
        elif kind == "context_actions":  # Slack's feedback buttons under an AI answer
            over("context_actions elements", block["elements"], LIMITS["context_actions_elements"])
            for element in block["elements"]:
                over("action_id", element.get("action_id"), LIMITS["action_id"])
                for key in ("positive_button", "negative_button"):
                    choice = element.get(key) or {}
                    over("feedback text", (choice.get("text") or {}).get("text"), 75)
                    over("feedback value", choice.get("value"), LIMITS["button_value"])
        elif kind == "input":
            over("input label", block["label"]["text"], LIMITS["input_label"])
            over("input hint", (block.get("hint") or {}).get("text"), LIMITS["input_hint"])
            _element_problems(block["element"], over)
        elif kind != "divider":
            problems.append(f"unexpected block type {kind}")
    return problems


def _element_problems(element: dict[str, Any], over: Any) -> None:
    """Check one interactive element, reporting through `over(what, value, limit)`."""
    over("action_id", element.get("action_id"), LIMITS["action_id"])
    if element["type"] == "button":
        over("button text", element["text"]["text"], LIMITS["button_text"])
        over("button value", element.get("value"), LIMITS["button_value"])
    if element["type"] == "plain_text_input":
        most = element.get("max_length", 3000)
        over("input max_length", "x" * most, 3000)
        over("initial_value", element.get("initial_value"), most)
    if "placeholder" in element:
        over("placeholder", element["placeholder"]["text"], LIMITS["placeholder"])
    for option in element.get("options") or []:
        over("option text", option["text"]["text"], LIMITS["option_text"])
        over("option value", option["value"], LIMITS["option_value"])
    over("options", element.get("options"), LIMITS["options"])
