"""Scripted model replies for the LLM coach: valid drafts, rubric scores and feedback text.

Given the JSON of a chat-completion request, `reply_for` answers the way a well-behaved model
would for that request: the draft schema gets a draft, the rubric schema gets scores, a reading
gets the message filed under the question asked with a coaching paragraph, anything else gets
the coaching paragraph citing [1]. Used by LLM-mode tests, eval tests and benchmarks.
"""

from __future__ import annotations

import json
import re
from typing import Any

from bot.coaching.rubric import CRITERIA

CRITERIA_IDS = tuple(criterion.id for criterion in CRITERIA)

DRAFT = {
    "problem_statement": (
        "Adults with atrial fibrillation on the registers of our 9 practices are under-treated: "
        "62% are anticoagulated against a national target of 80%. This leads to an estimated 14 "
        "avoidable strokes a year, because anticoagulation reviews are never scheduled."
    ),
    "how_might_we": "How might we make sure every eligible adult with atrial fibrillation is "
    "offered a timely anticoagulation review?",
    "value_proposition": [
        {
            "party": "Patients and carers",
            "value": "Fewer strokes and a review close to home.",
            "jobs": ["stay well"],
            "pains": ["worry about blood thinners"],
            "gains": ["confidence"],
        },
        {
            "party": "The NHS organisation",
            "value": "Fewer stroke admissions and targets met.",
            "jobs": ["meet QOF targets"],
            "pains": ["admissions"],
            "gains": ["capacity"],
        },
        {
            "party": "The partner organisation",
            "value": "Evidence of a service model it helped "
            "build, with pharmacist time contributed.",
            "jobs": ["show value"],
            "pains": [],
            "gains": ["evidence"],
        },
    ],
    "evidence": ["Practice registers, April 2024 to March 2025: 62% of 1,840 anticoagulated"],
    "measures": ["Anticoagulation from 62% to 80% by March 2026, measured monthly"],
    "scope": "9 practices, April 2025 to March 2026, excluding hospital clinic patients.",
    "risks": "Clinical director accountable; practices keep the searches if the work stops.",
}


def rubric() -> dict[str, Any]:
    return {
        "criteria": [
            {
                "id": cid,
                "name": cid.replace("_", " ").title(),
                "score": 2,
                "reason": "Meets the test.",
                "suggestion": "",
            }
            for cid in CRITERIA_IDS
        ]
    }


FEEDBACK = (
    "Good start: you name a defined group. Add the figure for how many are affected and the "
    "period it covers, as the rubric suggests [1]."
)
_ASKED = re.compile(r"Question just asked: (\S+)")
_ASKED_IN_READING = re.compile(r"Question asked \(([^)]+)\)")
_MESSAGE = re.compile(r'The user\'s message:\n"""(.*)"""', re.DOTALL)


def extraction(request: dict[str, Any]) -> dict[str, Any]:
    """A model that files the whole message under the question just asked, as a careful one
    would for a plain answer: one part, the user's own words."""
    user = str((request.get("messages") or [{}])[-1].get("content", ""))
    asked, message = _ASKED.search(user), _MESSAGE.search(user)
    text = message.group(1).strip() if message else ""
    keys = [asked.group(1)] if asked and asked.group(1) != "(none)" else []
    return {"parts": [{"text": text, "questions": keys}] if text else []}


def reading(request: dict[str, Any]) -> dict[str, Any]:
    """The whole message filed under the question asked, and feedback on it, in one reply."""
    user = str((request.get("messages") or [{}])[-1].get("content", ""))
    asked, message = _ASKED_IN_READING.search(user), _MESSAGE.search(user)
    text = message.group(1).strip() if message else ""
    keys = [asked.group(1)] if asked else []
    parts = [{"text": text, "questions": keys}] if text else []
    return {"parts": parts, "feedback": FEEDBACK}


def wanted_schema(request: dict[str, Any]) -> str | None:
    """'draft', 'rubric', 'extraction', 'reading' or None (plain text) for a request."""
    text = json.dumps(request.get("response_format") or {}) + json.dumps(request.get("tools") or [])
    if "ReadOutput" in text:
        return "reading"
    if "ExtractionOutput" in text:
        return "extraction"
    if "RubricOutput" in text:
        return "rubric"
    if "DraftOutput" in text:
        return "draft"
    if (request.get("response_format") or {}).get("type") == "json_object":
        system = str((request.get("messages") or [{}])[0].get("content", ""))
        if '"feedback"' in system:
            return "reading"
        if "question keys" in system:
            return "extraction"
        return "rubric" if "criterion ids" in system else "draft"
    return None


def reply_for(request: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for the fake server's Scripted reply to this request."""
    schema = wanted_schema(request)
    usage = {"prompt_tokens": 900, "completion_tokens": 180}
    if schema is None:
        return {"content": FEEDBACK, **usage}
    payload, name = {
        "rubric": (rubric(), "RubricOutput"),
        "draft": (DRAFT, "DraftOutput"),
        "extraction": (extraction(request), "ExtractionOutput"),
        "reading": (reading(request), "ReadOutput"),
    }[schema]
    if request.get("tools"):
        return {"tool_call": {"name": name, "arguments": payload}, **usage}
    return {"content": json.dumps(payload), **usage}
