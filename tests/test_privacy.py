"""Tests for the privacy guard that every user message passes before storage or a model call."""

from __future__ import annotations

import itertools
import re
import string

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.privacy import (
    Finding,
    GuardResult,
    is_plausible_chi_number,
    is_valid_nhs_number,
    redact_identifiers,
)
from bot.privacy.normalise import normalise

VALID_NHS = "943 476 5919"
# More examples than the suite's profile (tests/conftest.py): a leaked identifier is the worst bug.
HYPOTHESIS = settings(max_examples=150)
# Tests that reach the guard's name model (Presidio with spaCy, which loads torch), or may with
# generated text, run in the slow lane: `make test-fast` must not load it.
NAME_MODEL = pytest.mark.slow


def kinds(text: str) -> list[str]:
    return [f.kind for f in redact_identifiers(text).findings]


def nhs_check_digit(nine: str) -> int | None:
    """The Modulus 11 check digit for nine digits, or None when no number can be issued."""
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    return None if check == 10 else 0 if check == 11 else check


# -- validators --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["9434765919", "943 476 5919", "943-476-5919", "4010232137", "9990000018"]
)
def test_valid_nhs_numbers(value: str) -> None:
    assert is_valid_nhs_number(value)


@pytest.mark.parametrize(
    "value",
    [
        "9434765918",
        "943476591",
        "94347659190",
        "943 476 591x",
        "",
        "1000000011",
    ],
)
def test_invalid_nhs_numbers(value: str) -> None:
    # 1000000011: the weighted sum gives check digit 10, which is never issued
    assert not is_valid_nhs_number(value)


@pytest.mark.parametrize(
    "value", ["９４３４７６５９１９", "943\u200b476\u200b5919", "943–476–5919"]
)
def test_validator_reads_numbers_the_way_the_guard_does(value: str) -> None:
    # full-width digits, zero-width spaces and en-dashes are normalised before the check, so
    # the validator and the guard agree on what is a valid NHS number
    assert is_valid_nhs_number(value)


def test_test_range_is_treated_as_valid_so_it_is_redacted() -> None:
    nine = "999000001"
    number = nine + str(nhs_check_digit(nine))
    assert is_valid_nhs_number(number)
    assert redact_identifiers(f"test patient {number}").redacted[0].kind == "nhs_number"


@pytest.mark.parametrize("value", ["1203541234", "120354 1234", "2902001234", "3112991234"])
def test_plausible_chi(value: str) -> None:
    assert is_plausible_chi_number(value)


@pytest.mark.parametrize(
    "value", ["3202541234", "0013541234", "2902011234", "1234567890", "120354"]
)
def test_implausible_chi(value: str) -> None:
    assert not is_plausible_chi_number(value)


# -- NHS, CHI and ambiguous ten-digit numbers -------------------------------------------------


@pytest.mark.parametrize("written", ["943 476 5919", "9434765919", "943-476-5919"])
def test_nhs_number_is_redacted_in_each_format(written: str) -> None:
    result = redact_identifiers(f"Patient NHS no. {written} was seen.")
    assert result.text == "Patient NHS no. [NHS number removed] was seen."
    assert [f.kind for f in result.findings] == ["nhs_number"]
    assert written not in result.text


def test_chi_number_is_redacted() -> None:
    result = redact_identifiers("CHI 1203541234 attended")
    assert result.text == "CHI [CHI number removed] attended"
    assert result.redacted[0].kind == "chi_number"


def test_other_ten_digit_run_is_kept_but_warned() -> None:
    result = redact_identifiers("Order ref 1234567890 is late")
    assert result.text == "Order ref 1234567890 is late"
    assert not result.changed
    assert [(f.kind, f.action) for f in result.findings] == [("possible_nhs_number", "warned")]
    assert result.warnings == result.findings
    assert result.notice() == (
        "A ten-digit number in your message looks like it could be an identifier; "
        "check it is not patient data."
    )


@pytest.mark.parametrize("text", ["94347659191", "19434765919", "123456789012", "9434765919123"])
def test_digits_inside_a_longer_run_are_not_nhs_numbers(text: str) -> None:
    assert redact_identifiers(text).findings == ()


def test_valid_nhs_number_is_classified_as_nhs_not_phone() -> None:
    nine = "012345678"
    number = nine + str(nhs_check_digit(nine))
    assert is_valid_nhs_number(number)
    assert kinds(f"call {number}") == ["nhs_number"]
    assert kinds("+44 943 476 5919") == ["nhs_number"]


# -- postcodes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "postcode",
    ["SW1A 1AA", "sw1a1aa", "LS1 4AP", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "EC1A 1BB",
     "W1A 0AX", "GIR 0AA"],
)  # fmt: skip
def test_postcodes_are_redacted(postcode: str) -> None:
    result = redact_identifiers(f"Lives at {postcode}, near the clinic.")
    assert result.text == "Lives at [postcode removed], near the clinic."
    assert kinds(f"Lives at {postcode}.") == ["postcode"]


@pytest.mark.parametrize(
    "text",
    [
        "AB1 alone is a district",
        "COVID 19 recovery",
        "COVID-19 backlog",
        "ready for 5th March",
        "Tuesday or 1st Monday",
        "Q1 2nd week",
        "HbA1c above 48",
        "B12 deficiency",
        "XSW1A 1AAB",
        "NHS111 calls",
    ],
)
def test_ordinary_words_are_not_postcodes(text: str) -> None:
    assert redact_identifiers(text).findings == ()


# -- National Insurance numbers ----------------------------------------------------------------


@pytest.mark.parametrize("ni", ["QQ 12 34 56 C", "QQ123456C", "AB123456C", "ab 12 34 56 d"])
def test_ni_numbers_are_redacted(ni: str) -> None:
    result = redact_identifiers(f"NI {ni} on file")
    assert result.text == "NI [NI number removed] on file"
    assert kinds(f"NI {ni}") == ["ni_number"]


@pytest.mark.parametrize(
    "text",
    ["GB123456A", "BG123456A", "ZZ123456A", "DA123456A", "AO123456A", "AB123456E", "AB12345C"],
)
def test_invalid_ni_numbers_are_kept(text: str) -> None:
    assert redact_identifiers(text).findings == ()


# -- emails ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email", ["jane.smith@nhs.net", "a@b.co.uk", "first+tag@trust.nhs.uk", "O'Neil@example.org"]
)
def test_emails_are_redacted(email: str) -> None:
    result = redact_identifiers(f"Email {email}.")
    assert result.text == "Email [email removed]."


def test_email_containing_an_nhs_number_is_removed_whole() -> None:
    result = redact_identifiers("write to j.smith.9434765919@nhs.net today")
    assert result.text == "write to [email removed] today"
    assert "smith" not in result.text


@pytest.mark.parametrize("text", ["@channel please review", "meet @ 3pm", "user@localhost"])
def test_non_emails_are_kept(text: str) -> None:
    assert redact_identifiers(text).text == text


# -- phones ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "020 7946 0958",
        "07700 900123",
        "+44 7700 900123",
        "+44 (0)20 7946 0958",
        "(020) 7946 0958",
        "0161-496-0000",
        "01632 960 001",
        "0044 20 7946 0958",
        "07700900123",
    ],
)
def test_phone_numbers_are_redacted(phone: str) -> None:
    result = redact_identifiers(f"Ring {phone} today")
    assert result.text == "Ring [phone number removed] today"
    assert kinds(f"Ring {phone} today") == ["phone"]


@pytest.mark.parametrize("text", ["0.0123456789 ratio", "call 0800 1234", "code 01234567"])
def test_short_or_decimal_numbers_are_not_phones(text: str) -> None:
    assert redact_identifiers(text).text == text


def test_consecutive_phone_numbers_are_all_found_in_one_pass() -> None:
    result = redact_identifiers("07700 900123 07700 900124 020 7946 0958")
    assert result.text == " ".join(["[phone number removed]"] * 3)


def test_phone_does_not_swallow_following_figures() -> None:
    result = redact_identifiers("07700 900123 12 practices")
    assert result.text == "[phone number removed] 12 practices"


# -- dates of birth ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "DOB: 12/03/1954",
        "dob 12-03-54",
        "d.o.b. 12.03.1954",
        "date of birth 12 March 1954",
        "born on 12th March 1954",
        pytest.param("Born March 12, 1954, in Leeds", marks=NAME_MODEL),
        "12/03/1954 (date of birth)",
        "patient 12/03/1954 seen",
        pytest.param("aged 70, 12 Mar 1954", marks=NAME_MODEL),
        "birthday 1954-03-12",
    ],
)
def test_dates_of_birth_are_redacted(text: str) -> None:
    result = redact_identifiers(text)
    assert [f.kind for f in result.findings] == ["date_of_birth"]
    assert "[date of birth removed]" in result.text


@pytest.mark.parametrize(
    "text",
    [
        "by March 2025",
        "from 01/04/2025",
        "Go live 01/04/2025 and review 30/09/2025",
        "The patient pathway starts from 01/04/2025",
        "1,928 patients seen between 01/04/2025 and 30/09/2025",
        pytest.param(
            "Born in Bradford, the service has grown. " + "x" * 40 + " Launch 01/04/2025",
            marks=NAME_MODEL,
        ),
        "DOB: 12/03/1954 but the audit runs from 01/04/2025",
    ],
)
def test_planning_dates_are_kept(text: str) -> None:
    result = redact_identifiers(text)
    assert "01/04/2025" in result.text or "March 2025" in result.text
    assert all(result.text.count(d) == text.count(d) for d in ("01/04/2025", "30/09/2025"))


# -- figures survive ---------------------------------------------------------------------------

FIGURES = [
    "18% vs 13%",
    "£9.8m",
    "1,928 patients",
    "Apr–Sep 2023",
    "12 practices",
    "50,000 inhalers",
    "2019, 2023 and 2025",
    "2.5 days",
    "£1,250,000 saved",
    "4.2 hours in A&E",
    "Q3 2024/25",
    "0.8 FTE",
    "95th percentile",
]


@pytest.mark.parametrize("figure", FIGURES)
def test_problem_statement_figures_survive(figure: str) -> None:
    result = redact_identifiers(f"We saw {figure} across the ICB.")
    assert result.text == f"We saw {figure} across the ICB."
    assert result.findings == ()
    assert result.notice() is None


def test_all_figures_together_survive() -> None:
    text = "; ".join(FIGURES)
    assert redact_identifiers(text).text == text


# -- offsets, mixed messages, notice -----------------------------------------------------------


@NAME_MODEL
def test_offsets_refer_to_the_original_text() -> None:
    text = "Mr X, NHS 943 476 5919, lives at LS1 4AP, email x@y.com, tel 07700 900123."
    result = redact_identifiers(text)
    spans = {f.kind: text[f.start : f.end] for f in result.findings}
    assert spans == {
        "name": "Mr X",
        "nhs_number": "943 476 5919",
        "postcode": "LS1 4AP",
        "email": "x@y.com",
        "phone": "07700 900123",
    }
    assert result.text == (
        "[patient name removed], NHS [NHS number removed], lives at [postcode removed], "
        "email [email removed], tel [phone number removed]."
    )
    assert [f.start for f in result.findings] == sorted(f.start for f in result.findings)


def test_finding_never_holds_the_matched_text() -> None:
    result = redact_identifiers(f"NHS {VALID_NHS}")
    assert VALID_NHS not in repr(result.findings)
    assert set(Finding.__dataclass_fields__) == {"kind", "start", "end", "action"}


def test_notice_counts_each_kind() -> None:
    result = redact_identifiers(f"NHS {VALID_NHS}, postcode LS1 4AP")
    assert result.changed
    assert result.notice() == (
        "I removed 1 NHS number and 1 postcode before saving or sending your message: "
        "patient-identifiable data must never be shared with the coach. "
        "Use aggregate figures instead."
    )


def test_notice_lists_plurals_and_warnings() -> None:
    text = (
        "NHS 9434765919 and 943-476-5919, x@y.com, a@b.org, tel 020 7946 0958, "
        "refs 1234567890 and 2345678901"
    )
    notice = redact_identifiers(text).notice()
    assert notice is not None
    assert notice.startswith("I removed 2 NHS numbers, 2 email addresses and 1 phone number ")
    assert notice.endswith(
        "2 ten-digit numbers in your message look like they could be identifiers; "
        "check they are not patient data."
    )


def test_nothing_found() -> None:
    result = redact_identifiers("How might we cut DNA rates by 10%?")
    assert result == GuardResult(text="How might we cut DNA rates by 10%?", findings=())
    assert not result.changed and result.notice() is None
    assert result.redacted == () and result.warnings == ()


@NAME_MODEL
def test_mixed_message_with_every_kind() -> None:
    text = (
        "Patient Jane (DOB 12/03/1954), NHS 943 476 5919, CHI 1203541234, NI QQ 12 34 56 C, "
        "jane@example.com, 07700 900123, SW1A 1AA. Baseline 18% vs 13% from 01/04/2025."
    )
    result = redact_identifiers(text)
    expected = ["name", "date_of_birth", "nhs_number", "chi_number", "ni_number", "email"]
    assert sorted(f.kind for f in result.redacted) == sorted([*expected, "phone", "postcode"])
    assert result.text.startswith("Patient [patient name removed] (DOB [date of birth removed])")
    assert "18% vs 13% from 01/04/2025." in result.text
    for gone in ("12/03/1954", VALID_NHS, "1203541234", "QQ 12", "jane@", "900123", "SW1A"):
        assert gone not in result.text


def test_removal_exposing_a_neighbour_is_handled_in_one_call() -> None:
    # the postcode is glued to the NHS number, so it only stands alone once that is removed
    result = redact_identifiers("9434765919SW1A 1AA")
    assert result.text == "[NHS number removed][postcode removed]"
    assert [f.kind for f in result.findings] == ["nhs_number", "postcode"]
    assert redact_identifiers(result.text).text == result.text


def test_long_message_is_fast_enough() -> None:
    text = ("0" * 50 + " " + "a" * 50 + "@" + "1-" * 30 + " ") * 30
    result = redact_identifiers(text[:4000])
    assert isinstance(result.text, str)


# -- property-based ----------------------------------------------------------------------------

WORDS = [
    "the", "practice", "team", "waiting", "list", "patients", "ICB", "pathway", "referral",
    "18%", "13%", "£9.8m", "1,928", "2023", "12", "2.5", "days", "Apr–Sep", "from", "by",
    "March", "review", "data", "(audit)", "-", "and", "born", "DOB:", "patient", "aged",
]  # fmt: skip
prose = st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join)


@st.composite
def nhs_numbers(draw: st.DrawFn) -> str:
    nine = draw(st.text(alphabet=string.digits, min_size=9, max_size=9))
    check = nhs_check_digit(nine)
    if check is None:
        nine = nine[:8] + str((int(nine[8]) + 1) % 10)
        check = nhs_check_digit(nine)
    assert check is not None  # changing one digit always changes the remainder
    return nine + str(check)


def formats(digits: str, style: str) -> str:
    if style == "contiguous":
        return digits
    sep = " " if style == "spaced" else "-"
    return sep.join([digits[:3], digits[3:6], digits[6:]])


@NAME_MODEL
@HYPOTHESIS
@given(nhs_numbers(), st.sampled_from(["contiguous", "spaced", "hyphenated"]), prose, prose)
def test_valid_nhs_numbers_never_survive(digits: str, style: str, before: str, after: str) -> None:
    written = formats(digits, style)
    assert is_valid_nhs_number(written)
    text = " ".join(p for p in (before, written, after) if p)
    out = redact_identifiers(text).text
    assert written not in out
    assert digits not in out


DATES = ["12/03/1954", "12-03-54", "12 March 1954", "01/04/2025", "1954-03-12", "March 2025"]
IDENTIFIERS = [
    VALID_NHS, "9434765919", "1203541234", "1234567890", "QQ 12 34 56 C", "jane@nhs.net",
    "020 7946 0958", "+44 7700 900123", "SW1A 1AA", "ls1 4ap", "[NHS number removed]",
]  # fmt: skip
tokens = st.sampled_from(WORDS + DATES + IDENTIFIERS) | st.emails() | nhs_numbers()
separators = st.sampled_from([" ", " ", ", ", "\n", "; ", "", "-", "."])


@st.composite
def mixed_text(draw: st.DrawFn) -> str:
    parts = draw(st.lists(tokens, max_size=14))
    return "".join(p + draw(separators) for p in parts)


@NAME_MODEL
@HYPOTHESIS
@given(mixed_text() | st.text(max_size=200))
def test_guard_is_idempotent(text: str) -> None:
    first = redact_identifiers(text)
    second = redact_identifiers(first.text)
    assert second.text == first.text
    assert second.redacted == ()


plain_alphabet = st.characters(categories=["Ll"]) | st.sampled_from(list(" .,;:!?'\"()-–\n"))


@HYPOTHESIS
@given(st.text(alphabet=plain_alphabet, max_size=300))
def test_text_without_digits_capitals_or_spelled_addresses_is_unchanged(text: str) -> None:
    # Every identifier needs a digit, an "@", a capital (a name, a postcode written in capitals
    # after NFKC) or a spelled-out address ("jo at nhs dot uk"); lower-case prose has none of them.
    assume(not re.search(r"(?i)\b(?:at|dot)\b", text))
    assume(normalise(text).text == text.lower() == normalise(text).text.lower())
    assert not re.search(r"[0-9@]", text)
    result = redact_identifiers(text)
    assert result.text == text
    assert result.findings == ()


@NAME_MODEL
@HYPOTHESIS
@given(st.emails(), prose, prose)
def test_generated_emails_are_always_removed(email: str, before: str, after: str) -> None:
    text = " ".join(p for p in (before, email, after) if p)
    result = redact_identifiers(text)
    assert email not in result.text
    assert "@" not in result.text


@NAME_MODEL
@HYPOTHESIS
@given(mixed_text() | st.text(max_size=200))
def test_findings_never_overlap_and_stay_in_bounds(text: str) -> None:
    findings = redact_identifiers(text).findings
    for finding in findings:
        assert 0 <= finding.start < finding.end <= len(text)
    for earlier, later in itertools.pairwise(findings):
        assert earlier.end <= later.start


# -- merged from the earlier example file ----------------------------------------------------


def test_planning_sentence_with_every_kind_of_figure_survives() -> None:
    text = (
        "Readmissions 18% vs 13%, £9.8m saved, 1,928 patients reviewed Apr–Sep 2023 in 12 "
        "practices; 50,000 inhalers returned by March 2025; waits of 2.5 days."
    )
    result = redact_identifiers(text)
    assert result.text == text and not result.changed and result.notice() is None


@HYPOTHESIS
@given(st.from_regex(r"[a-z]{1,10}(\.[a-z]{1,8})?@[a-z]{2,10}\.(org|com|nhs\.uk)", fullmatch=True))
def test_nhs_and_company_emails_are_always_removed(email: str) -> None:
    assert email not in redact_identifiers(f"contact {email} today").text


@NAME_MODEL
@HYPOTHESIS
@given(st.text(alphabet=string.ascii_letters + " .,;:!?'-", max_size=300))
def test_guard_on_plain_ascii_prose_is_idempotent(text: str) -> None:
    # names may be removed from random capitalised words, but never twice
    first = redact_identifiers(text)
    assert redact_identifiers(first.text).text == first.text


# -- issue 7: every format that got through, and the false positives ---------------------------


@pytest.mark.parametrize(
    ("written", "kind"),
    [
        ("943.476.5919", "nhs_number"),
        ("943\t476\t5919", "nhs_number"),
        ("943  476  5919", "nhs_number"),
        ("943–476–5919", "nhs_number"),
        ("943/476/5919", "nhs_number"),
        ("9434 765 919", "nhs_number"),
        ("943\u200b476\u200b5919", "nhs_number"),
        ("９４３ ４７６ ５９１９", "nhs_number"),
        ("943 - 476 - 5919", "nhs_number"),
        ("1203 54 1234", "chi_number"),
        ("SW1A  1AA", "postcode"),
        ("SW1A-1AA", "postcode"),
        ("QQ 12 34 56", "ni_number"),
        ("AB123456", "ni_number"),
        ("jane.smith at trust dot nhs dot uk", "email"),
        ("jane [at] nhs [dot] net", "email"),
        ("020.7946.0958", "phone"),
        ("07700  900123", "phone"),
    ],
)
def test_formats_that_leaked_are_redacted(written: str, kind: str) -> None:
    text = f"Please check {written} before the MDT."
    result = redact_identifiers(text)
    assert [f.kind for f in result.redacted] == [kind]
    found = result.redacted[0]
    assert text[found.start : found.end] == written  # offsets cover exactly what was typed
    assert result.text.startswith("Please check [") and result.text.endswith("] before the MDT.")


@pytest.mark.parametrize(
    "text",
    [
        "DOB 07081952",
        "born 09 10 1953",
        "DOB as recorded on the referral form last spring: 12/03/1954",
        "seen on the ward, 13/10/1960 (date of birth)",
    ],
)
def test_dates_of_birth_in_new_formats_and_further_from_the_cue(text: str) -> None:
    assert [f.kind for f in redact_identifiers(text).redacted] == ["date_of_birth"]


def test_whitespace_collapsed_later_cannot_rebuild_an_identifier() -> None:
    result = redact_identifiers("Review for 676  122  2028 and SW1A  0AA")
    assert result.text == "Review for [NHS number removed] and [postcode removed]"
    assert " ".join(result.text.split()) == result.text


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("We will meet in room B2 2nd floor at 2pm.", "B2 2nd"),
        ("Patient survey date 14/02/2024: 81% rated us good.", "14/02/2024"),
        ("Programme start date 01/09/2025, patient cohort of 120.", "01/09/2025"),
        ("The clinic opened on 2025-10-10 and serves 120 patients aged 65 and over.", "2025-10"),
        ("Call the practice on 0300 12 for advice.", "0300 12"),
    ],
)
def test_former_false_positives_are_kept(text: str, kept: str) -> None:
    result = redact_identifiers(text)
    assert result.text == text and kept in result.text


# -- patients' names versus staff and organisations ---------------------------------------------

PATIENT_NAMES = [
    ("Mrs Jane Smith was seen in clinic.", ["Jane", "Smith"]),
    ("One patient, Mr X, waited 14 weeks.", ["Mr X"]),
    ("Jane Smith was admitted on Monday.", ["Jane", "Smith"]),
    ("Nkechi Davies, who lives at the end of our road, rang twice.", ["Nkechi", "Davies"]),
    ("The patient, John Brown, missed two appointments.", ["John", "Brown"]),
    ("Hamza Walker, aged 84, was discharged home.", ["Hamza", "Walker"]),
    ("Arjun Pritchard (DOB withheld) needs a review.", ["Arjun", "Pritchard"]),
    ("Mrs. O'Neill rang the surgery again.", ["O'Neill"]),
]
STAFF_AND_ORGANISATIONS = [
    "Accountable lead: Dr Patel, clinical director.",
    "Sarah Jones, practice manager, will share the audit.",
    "Mr Khan, consultant surgeon, leads the hip fracture pathway.",
    "Pfizer and Bayer partnered with GSK; patient outcomes improved.",
    "Dr Okoye saw 14 patients aged over 80 in the frailty clinic.",
    "Leeds Teaching Hospitals NHS Trust and AstraZeneca agreed the value proposition.",
    "Our partner lead at Novartis, Keeley Oduya, sent the evaluation plan.",
    "Prof Harrison, medical director, is the senior responsible owner.",
]


@NAME_MODEL
@pytest.mark.parametrize(("text", "names"), PATIENT_NAMES)
def test_patient_names_are_redacted(text: str, names: list[str]) -> None:
    result = redact_identifiers(text)
    assert "[patient name removed]" in result.text
    assert all(name not in result.text for name in names)
    assert [f.kind for f in result.redacted] == ["name"]
    assert "1 patient name" in (result.notice() or "")
    assert "Smith" not in (result.notice() or "")


@NAME_MODEL  # names are now read by policy: a sentence with two capitalised words asks spaCy
@pytest.mark.parametrize("text", STAFF_AND_ORGANISATIONS)
def test_staff_in_their_role_and_organisations_are_kept(text: str) -> None:
    result = redact_identifiers(text)
    assert result.text == text
    assert result.findings == ()


@NAME_MODEL
def test_a_staff_title_does_not_protect_a_patient() -> None:
    result = redact_identifiers("Dr Alan Reid was admitted to ward 7 on Friday.")
    assert "Reid" not in result.text


# -- the normalised view ---------------------------------------------------------------------------

blank_heavy = st.text(
    alphabet=st.sampled_from(list("ab1 \t\n\r\u00a0\u200b\u2013\uff19.\u3000")), max_size=40
)


@HYPOTHESIS
@given(blank_heavy | st.text(max_size=80))
def test_normalised_view_maps_every_character_back_in_order(text: str) -> None:
    view = normalise(text)
    assert normalise(view.text).text == view.text  # the view is already canonical
    assert "  " not in view.text and "\t" not in view.text
    previous = (0, 0)
    for index in range(len(view.text)):
        # spans only move forward; they may overlap where one original character became several
        # ("ﬁ" -> "fi", "¨" -> " " + a combining mark whose space joined a blank run)
        start, end = view.original_span(index, index + 1)
        assert previous[0] <= start < end <= len(text) and previous[1] <= end
        previous = (start, end)


# -- log lines -------------------------------------------------------------------------------------


@NAME_MODEL
def test_log_records_are_guarded_with_their_arguments_and_tracebacks(caplog) -> None:
    import logging

    from bot.privacy import log_filter

    log_filter.install()
    log_filter.install()  # idempotent: one factory, not two stacked
    caplog.set_level(logging.INFO)
    logger = logging.getLogger("tests.privacy.logs")
    logger.info("turn for %s from %s", "Mrs Jane Smith", "943 476 5919")
    try:
        raise ValueError("could not store jo.bloggs@nhs.net at SW1A 1AA")
    except ValueError:
        logger.exception("store failed for %s", "0113 496 0000")
    first, second = [r for r in caplog.records if r.name == "tests.privacy.logs"]
    assert first.getMessage() == "turn for [patient name removed] from [NHS number removed]"
    assert second.getMessage() == "store failed for [phone number removed]"
    assert "[email removed] at [postcode removed]" in (second.exc_text or "")
    assert "bloggs" not in caplog.text and "SW1A" not in caplog.text
