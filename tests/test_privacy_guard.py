"""The privacy guard: identifiers caught in realistic messages, and properties that always hold."""

from __future__ import annotations

import itertools
import string

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.privacy import is_valid_nhs_number, redact_identifiers


def nhs_check_digit(nine: str) -> int | None:
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    return None if check == 10 else (0 if check == 11 else check)


valid_nhs = (
    st.text(alphabet=string.digits, min_size=9, max_size=9)
    .map(lambda nine: (nine, nhs_check_digit(nine)))
    .filter(lambda pair: pair[1] is not None)
    .map(lambda pair: pair[0] + str(pair[1]))
)
formats = st.sampled_from(["{a}{b}{c}", "{a} {b} {c}", "{a}-{b}-{c}"])
prose = st.text(alphabet=string.ascii_letters + " ,.", max_size=40)


def test_known_valid_and_invalid_nhs_numbers():
    assert is_valid_nhs_number("943 476 5919")
    assert not is_valid_nhs_number("943 476 5918")


def test_each_kind_is_caught_and_the_user_is_told():
    message = (
        "Patient 943 476 5919, NI QQ 12 34 56 C, lives at LS1 4AP, email jo@example.org, "
        "phone 07700 900123, DOB: 12/03/1954."
    )
    result = redact_identifiers(message)
    for secret in (
        "943 476 5919",
        "QQ 12 34 56 C",
        "LS1 4AP",
        "jo@example.org",
        "07700 900123",
        "12/03/1954",
    ):
        assert secret not in result.text
    kinds = {f.kind for f in result.redacted}
    assert kinds >= {"nhs_number", "ni_number", "postcode", "email", "phone", "date_of_birth"}
    assert "NHS number" in result.notice()


def test_planning_figures_survive():
    text = (
        "Readmissions 18% vs 13%, £9.8m saved, 1,928 patients reviewed Apr–Sep 2023 in 12 "
        "practices; 50,000 inhalers returned by March 2025; waits of 2.5 days."
    )
    result = redact_identifiers(text)
    assert result.text == text and not result.changed and result.notice() is None


def test_an_ambiguous_ten_digit_number_is_warned_not_removed():
    result = redact_identifiers("Reference 1234567890 from the audit")
    assert not result.redacted or all(f.kind != "nhs_number" for f in result.redacted)


@settings(max_examples=150, deadline=None)
@given(valid_nhs, formats, prose, prose)
def test_valid_nhs_numbers_never_survive(number, layout, before, after):
    written = layout.format(a=number[:3], b=number[3:6], c=number[6:])
    result = redact_identifiers(f"{before} {written} {after}")
    assert written not in result.text
    assert number not in result.text.replace(" ", "").replace("-", "")


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_redaction_is_idempotent_and_findings_are_in_bounds(text):
    first = redact_identifiers(text)
    second = redact_identifiers(first.text)
    assert second.text == first.text and not second.redacted
    spans = sorted((f.start, f.end) for f in first.findings)
    assert all(0 <= start < end <= len(text) for start, end in spans)
    assert all(end <= next_start for (_, end), (next_start, _) in itertools.pairwise(spans))


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=string.ascii_letters + " .,;:!?'-", max_size=300))
def test_plain_words_are_untouched(text):
    assert redact_identifiers(text).text == text


@settings(max_examples=100, deadline=None)
@given(st.from_regex(r"[a-z]{1,10}(\.[a-z]{1,8})?@[a-z]{2,10}\.(org|com|nhs\.uk)", fullmatch=True))
def test_emails_are_always_removed(email):
    assert email not in redact_identifiers(f"contact {email} today").text
