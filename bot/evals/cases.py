"""Persona cards (`evals/cases/*.yaml`), the suite settings and the price table, validated on load.

A case describes a person, not a script: what they know (facts keyed by what the fact is about),
how they behave, and what a good outcome looks like. The simulated user maps the coach's current
question to a fact by its key, so cases keep working when questions are reworded or reordered.
A bad file fails with its path and the field at fault, because a maintainer editing YAML by hand
needs to know exactly where to look.
"""

from __future__ import annotations

import fnmatch
import os
import re
from pathlib import Path
from typing import Literal, TypeVar, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

# The evals folder beside the package in a checkout (editable installs too). A wheel does not
# carry it: cases, judge prompts and reports are maintainers' material, not the product.
CHECKOUT_EVALS_DIR = Path(__file__).resolve().parent.parent.parent / "evals"
EVALS_DIR_VARIABLE = "COACH_EVALS_DIR"


def evals_dir_from_environment() -> Path:
    """COACH_EVALS_DIR when set, else the checkout's evals/.

    Read from the environment once, when this module is imported, because the eval modules fix
    their folders (reports, harvested cases, judge prompts) at import; `coach eval` puts the
    setting or its --evals-dir option there before it imports them.
    """
    given = os.environ.get(EVALS_DIR_VARIABLE, "").strip()
    return Path(given).expanduser().resolve() if given else CHECKOUT_EVALS_DIR


def missing_evals_dir(folder: Path) -> str | None:
    """Why `folder` cannot serve as the evals folder, or None when it can.

    suite.yaml marks a real one: without this check an installed package would look for its
    cases inside site-packages and fail on a missing file, or write reports there.
    """
    if (folder / "suite.yaml").is_file():
        return None
    return (
        f"no evals folder at {folder} (no suite.yaml there). `coach eval` needs the "
        "repository's evals/ folder (cases, suite.yaml, prices.yaml, judge prompts), which "
        "`pip install .` does not install: run it from a checkout, or point --evals-dir or "
        f"{EVALS_DIR_VARIABLE} at a copy of that folder."
    )


EVALS_DIR = evals_dir_from_environment()
CASES_DIR = EVALS_DIR / "cases"

PartnerType = Literal[
    "pharmaceutical",
    "medtech",
    "digital",
    "social_care",
    "local_government",
    "charity",
    "academic",
]
PARTNER_TYPES: tuple[str, ...] = get_args(PartnerType)

Behaviour = Literal[
    "solution_first",
    "pastes_patient_data",
    "terse",
    "rambling",
    "answers_out_of_order",
    "asks_side_questions",
    "off_topic",
    "prompt_injection",
    "changes_mind",
    "non_native_english",
]
BEHAVIOURS: tuple[str, ...] = get_args(Behaviour)

FactKey = Literal[
    "partners",
    "topic",
    "who",
    "now",
    "evidence",
    "why_it_matters",
    "cause",
    "outcome",
    "scope",
    "value_patients",
    "value_nhs",
    "value_partner",
    "risks",
]
FACT_KEYS: tuple[str, ...] = get_args(FactKey)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TextCheck(_Strict):
    """One of contains / not_contains / regex, on the final draft or on the coach's replies."""

    contains: str | None = None
    not_contains: str | None = None
    regex: str | None = None
    where: Literal["draft", "any_reply", "every_reply"] = "draft"

    @model_validator(mode="after")
    def _exactly_one(self) -> TextCheck:
        given = [v for v in (self.contains, self.not_contains, self.regex) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of contains, not_contains or regex")
        if self.regex is not None:
            try:
                re.compile(self.regex)
            except re.error as error:
                raise ValueError(f"regex does not compile: {error}") from None
        return self

    @property
    def label(self) -> str:
        if self.contains is not None:
            return f"{self.where} contains “{self.contains}”"
        if self.not_contains is not None:
            return f"{self.where} lacks “{self.not_contains}”"
        return f"{self.where} matches /{self.regex}/"


class JudgedCriterion(_Strict):
    """A quality a judge model scores 1-5 against a written rubric."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    rubric: str = Field(min_length=20, description="what 1 and 5 look like, in words")
    on: Literal["draft", "transcript"] = "draft"
    pass_at: float = Field(3.5, ge=1, le=5, description="mean score needed to pass")


class Expect(_Strict):
    """What a good outcome looks like; every field is optional except the privacy check."""

    rubric_min: int | None = Field(default=None, ge=0, le=100, description="final draft percent")
    rubric_max: int | None = Field(default=None, ge=0, le=100)
    criteria_min: dict[str, int] = Field(default_factory=dict)
    solution_first_challenged: bool = False
    no_patient_data_anywhere: bool = True
    cites_sources: bool = False
    finishes: bool = True  # the draft is accepted within max_turns
    no_leaks: bool = False  # nothing of the system prompt or another user's draft shown
    checklist_ticked: list[str] = Field(default_factory=list)
    text: list[TextCheck] = Field(default_factory=list)
    judged: list[JudgedCriterion] = Field(default_factory=list)

    @field_validator("criteria_min")
    @classmethod
    def _known_criteria(cls, value: dict[str, int]) -> dict[str, int]:
        from bot.coaching.rubric import CRITERIA

        known = {c.id for c in CRITERIA}
        for name, score in value.items():
            if name not in known:
                raise ValueError(f"unknown rubric criterion {name!r} (have {sorted(known)})")
            if score not in (0, 1, 2):
                raise ValueError(f"{name}: a criterion scores 0, 1 or 2, not {score}")
        return value

    @model_validator(mode="after")
    def _range(self) -> Expect:
        low, high = self.rubric_min, self.rubric_max
        if low is not None and high is not None and low > high:
            raise ValueError("rubric_min is above rubric_max")
        return self


class Case(_Strict):
    """One persona card."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str = Field(min_length=3)
    partner_type: PartnerType
    strength: Literal["strong", "weak"]
    tags: list[str] = Field(default_factory=list)
    facts: dict[FactKey, str] = Field(min_length=1)
    solution: str | None = Field(None, description="the fix they have in mind (solution_first)")
    revisions: dict[FactKey, str] = Field(default_factory=dict, description="changes_mind")
    side_questions: list[str] = Field(default_factory=list)
    behaviours: list[Behaviour] = Field(default_factory=list)
    max_turns: int = Field(40, ge=2, le=200)
    expect: Expect = Field(default_factory=Expect)
    source: str = ""  # set by the loader: the file it came from

    @field_validator("facts", "revisions")
    @classmethod
    def _non_empty(cls, value: dict[str, str]) -> dict[str, str]:
        for key, text in value.items():
            if not text or not text.strip():
                raise ValueError(f"{key} is empty: leave a fact out when the person does not know")
        return value

    @model_validator(mode="after")
    def _behaviours_have_material(self) -> Case:
        if "solution_first" in self.behaviours and not self.solution:
            raise ValueError("behaviour solution_first needs a 'solution' (the fix they want)")
        if "changes_mind" in self.behaviours and not self.revisions:
            raise ValueError("behaviour changes_mind needs 'revisions' (fact: new text)")
        for key in self.revisions:
            if key not in self.facts:
                raise ValueError(f"revisions.{key} revises a fact the card does not have")
        return self

    @property
    def all_tags(self) -> list[str]:
        """Explicit tags plus partner type, strength and behaviours: what --tags filters on."""
        tags = [self.partner_type, self.strength, *self.behaviours, *self.tags]
        return list(dict.fromkeys(tags))


class CaseError(ValueError):
    """A case file that cannot be used; the message names the file and the field."""


def _field_path(location: tuple[object, ...]) -> str:
    return ".".join(str(part) for part in location) or "(top level)"


def parse_case(path: Path) -> Case:
    """Load one case file, naming the file and field on any problem."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise CaseError(f"{path}: cannot be read as YAML ({error})") from None
    if not isinstance(data, dict):
        raise CaseError(f"{path}: a case is a mapping of fields, got {type(data).__name__}")
    try:
        case = Case.model_validate({**data, "source": str(path)})
    except ValidationError as error:
        problems = "; ".join(
            f"field {_field_path(p['loc'])}: {p['msg']}" for p in error.errors(include_url=False)
        )
        raise CaseError(f"{path}: {problems}") from None
    return case


def load_cases(
    pattern: str | None = None, tags: list[str] | None = None, root: Path = CASES_DIR
) -> list[Case]:
    """Every case under `root` (harvested ones included) matching a glob and all given tags.

    The glob matches the case id or its path relative to `root` ("pharma-*", "harvested/*").
    """
    files = sorted(root.rglob("*.yaml"))
    cases: list[Case] = []
    seen: dict[str, Path] = {}
    for path in files:
        case = parse_case(path)
        if case.id in seen:
            raise CaseError(f"{path}: field id: {case.id!r} is already used by {seen[case.id]}")
        seen[case.id] = path
        relative = str(path.relative_to(root))
        if pattern and not (
            fnmatch.fnmatch(case.id, pattern) or fnmatch.fnmatch(relative, pattern)
        ):
            continue
        if tags and not all(tag in case.all_tags for tag in tags):
            continue
        cases.append(case)
    return cases


class Suite(_Strict):
    """evals/suite.yaml: the CI gate and defaults for a run."""

    pass_threshold: float = Field(0.9, ge=0, le=1, description="share of cases that must pass")
    concurrency: int = Field(2, ge=1, le=32)
    repeat: int = Field(1, ge=1, le=20)
    seed: int = 7
    judge_model: str | None = None
    max_cost_gbp: float | None = Field(None, ge=0)
    max_output_tokens: int | None = Field(
        None, ge=16, description="cap per model reply in evals (None: COACH_LLM_MAX_TOKENS)"
    )


class Price(_Strict):
    input_per_million: float = Field(ge=0)
    output_per_million: float = Field(ge=0)


class Prices(_Strict):
    """evals/prices.yaml: GBP per million tokens, by model name; unknown models cost `default`."""

    currency: Literal["GBP"] = "GBP"
    default: Price
    models: dict[str, Price] = Field(default_factory=dict)
    typical_output_tokens: dict[str, int] = Field(default_factory=dict)

    def price(self, model: str) -> Price:
        return self.models.get(model, self.default)

    def cost(self, model: str, prompt_tokens: int, completion_tokens: int) -> float:
        """Cost in GBP of one call (or a sum of calls) to `model`."""
        price = self.price(model)
        return (
            prompt_tokens * price.input_per_million + completion_tokens * price.output_per_million
        ) / 1_000_000


M = TypeVar("M", bound=_Strict)  # the model asked for is the model returned


def _load_yaml_model(path: Path, model: type[M]) -> M:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return model.model_validate(data)
    except (OSError, yaml.YAMLError) as error:
        raise CaseError(f"{path}: cannot be read ({error})") from None
    except ValidationError as error:
        problems = "; ".join(
            f"field {_field_path(p['loc'])}: {p['msg']}" for p in error.errors(include_url=False)
        )
        raise CaseError(f"{path}: {problems}") from None


def load_suite(path: Path = EVALS_DIR / "suite.yaml") -> Suite:
    return _load_yaml_model(path, Suite)


def load_prices(path: Path = EVALS_DIR / "prices.yaml") -> Prices:
    return _load_yaml_model(path, Prices)
