"""The guard's defence-in-depth layers (issue 19), each tested on examples of its own.

The recognisers know the usual ways of writing an identifier; these layers catch what they do
not: a normalised view (any script's digits, letter look-alikes, escaped "@"), a digit-chain
catch-all for NHS and record numbers, hospital numbers and street addresses as claimed kinds,
and names removed by policy rather than by cue.
"""

from __future__ import annotations

import pytest

from bot.privacy import redact_identifiers
from bot.privacy.normalise import normalise

NAME_MODEL = pytest.mark.slow  # reaches spaCy


def nhs_number(nine: str) -> str:
    """Nine digits plus their Modulus 11 check digit (the nine are chosen so one exists)."""
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    assert check != 10, nine
    return nine + str(check)


VALID = nhs_number("401023213")  # 4010232137
VALID_B = nhs_number("943476591")  # 9434765919


# -- the normalised view -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("٤٠١٠٢٣٢١٣٧", "4010232137"),  # Arabic-Indic
        ("۴۰۱۰۲۳۲۱۳۷", "4010232137"),  # Persian
        ("४०१०२३२१३७", "4010232137"),  # Devanagari
        ("4O1 O23 2l37", "401 023 2137"),  # O and l typed for 0 and 1
        ("jo%40example.org", "jo@example.org"),
        ("jo&#64;example.org", "jo@example.org"),
    ],
)
def test_view_reads_digits_and_at_signs_however_written(written: str, read: str) -> None:
    view = normalise(written)
    assert view.text == read
    assert view.original_span(0, len(view.text)) == (0, len(written))


@pytest.mark.parametrize("word", ["Oil", "lOl", "OIL 10", "Iodine", "Room O"])
def test_lookalike_letters_outside_digit_tokens_stay_letters(word: str) -> None:
    assert normalise(word).text == word


# -- the digit-chain catch-all -------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "401-023 2137",  # mixed separators
        "401 023\n2137",  # a line break inside
        "401⭐023⭐2137",  # emoji as separators
        "401,023,2137",  # commas
        "(401) 023 2137",  # brackets
        "40 102 321 37",  # uneven grouping
        "4010 23 21 37",
        "4O1 O23 2137",  # letter O for zero
        "٤٠١ ٠٢٣ ٢١٣٧",  # another script
        "401 ~ 023 ~ 2137",
    ],
)
def test_any_grouping_of_a_valid_nhs_number_is_removed(written: str) -> None:
    text = f"spoke to the ward about {written} this morning."
    result = redact_identifiers(text)
    assert "[NHS number removed]" in result.text
    assert "2137" not in result.text and "٣٧" not in result.text


@pytest.mark.parametrize(
    "text",
    [
        f"Raised PO {VALID} for the pumps.",
        f"Invoice no. {VALID_B} is overdue.",
        f"Purchase order {VALID} covers the licences.",
    ],
)
def test_a_labelled_order_number_is_only_a_warning(text: str) -> None:
    result = redact_identifiers(text)
    assert result.text == text
    assert [f.kind for f in result.findings] == ["possible_nhs_number"]


@pytest.mark.parametrize(
    "text",
    [
        "The budget is £4,010,232,137 over ten years.",
        "Wards 12, 14, 15, 17 and 18 joined in 2024.",
        "Pilot ran 01/04/2024-31/03/2025 across 3 sites.",
        "Scores were 40, 10, 23, 21, 37 across the five practices.",
        "Growth of 4.010232137 was modelled.",
        "We saw 1,401,023 contacts and 2,137 referrals.",
    ],
)
def test_figures_lists_dates_and_money_are_not_numbers(text: str) -> None:
    result = redact_identifiers(text)
    assert result.text == text


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("patient no. 1234 5678 9 was moved", "hospital_number"),
        ("record number 12-345-678-90 is wrong", "nhs_number"),
        ("NHS 123 456 7890 (fails the check)", "nhs_number"),
        ("pt 55501234567 rang", "hospital_number"),
    ],
)
def test_numbers_next_to_a_record_cue_go_whatever_their_check_digit(text: str, kind: str) -> None:
    result = redact_identifiers(text)
    assert [f.kind for f in result.redacted] == [kind]
    assert not any(ch.isdigit() for ch in result.text)


# -- hospital numbers and addresses -------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "MRN: RTH0098812, seen in ED.",
        "Her hospital number is M7710293.",
        "Unit no. 00456123 on the wristband.",
        "medical record number XY-4456-7721 was duplicated",
    ],
)
def test_hospital_numbers_after_their_cue_are_removed(text: str) -> None:
    result = redact_identifiers(text)
    assert "[hospital number removed]" in result.text
    assert [f.kind for f in result.redacted] == ["hospital_number"]


@NAME_MODEL  # capitalised street names make the sentence one spaCy reads
@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("She moved to 7 Larkspur Close last year.", "Larkspur"),
        ("Flat 12b, 40 Canal Street is the address.", "Canal"),
        ("lives at 221 old mill road with her son", "mill"),
        ("Visit 3A Hollin Lane after clinic.", "Hollin"),
        ("The carer lives in flat 9 above the shop.", "flat 9"),
    ],
)
def test_street_addresses_and_flat_numbers_are_removed(text: str, gone: str) -> None:
    result = redact_identifiers(text)
    assert "[address removed]" in result.text
    assert gone not in result.text


@NAME_MODEL
@pytest.mark.parametrize(
    "text",
    [
        "St Luke's ward and 4 West unit joined the pilot.",
        "A 10 minute walk from the station.",
        "Rates stayed flat 3 quarters running.",
        "Dose is 5 mg twice daily for 14 days.",
        "Room 3 Park House hosts the 2 Ward Rounds.",
    ],
)
def test_places_and_doses_are_not_addresses(text: str) -> None:
    assert redact_identifiers(text).text == text


# -- names by policy ------------------------------------------------------------------------------


@NAME_MODEL
@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("MR GEOFFREY BATTERSBY missed his scan.", "BATTERSBY"),
        ("ADEBAYO-COLE, Temitope needs a call back.", "Temitope"),
        ("we rang mr fenwick twice", "fenwick"),
        ("Mrs R. A. Longbottom was upset.", "Longbottom"),
        ("Chloé Lefèvre attended with her daughter.", "Lef"),
        ("I phoned Bartholomew Pennington today. He is a patient at Hillside.", "Pennington"),
        ("Mr Desmond Achebe, a former teacher, was frustrated.", "Achebe"),
        ("Mrs Agnes Whitlow, 88, whose consultant is Dr Farr, is waiting.", "Whitlow"),
        ("K. Ashworth, 81, was admitted after a fall.", "Ashworth"),  # an initial ends no sentence
    ],
)
def test_names_are_removed_by_policy(text: str, gone: str) -> None:
    result = redact_identifiers(text)
    assert gone not in result.text
    assert "name" in [f.kind for f in result.redacted]


@NAME_MODEL
@pytest.mark.parametrize(
    "text",
    [
        "Our diabetes specialist nurse, Rhiannon Pugh, lives nearby and runs the clinic.",
        "Mr Tariq Aziz, the estates manager, booked the room.",
        "The workshop was chaired by Helen Marsh.",
        "Fenwick, Oakdene and Hollybank wards took part.",
        "Tom Reyes from Medtronic demonstrated the pump.",
        "Dr Ngozi Eze, respiratory consultant, reviewed the pathway.",
        # a common noun opening the sentence after a clinical one is not a name
        "Children are admitted to hospital twice a year. Mould worsens their asthma.",
        "About 1 in 5 admissions come from damp homes. Damp and mould worsen asthma.",
        # a statutory partner and the medicines a patient is on are context, not a person
        "We are working with Healthwatch Leeds on the survey.",
        "The patient was on Apixaban.",
        "Patients on Ramipril and Atorvastatin were reviewed at the practice.",
        # an age band describes a population: the town before it is no person
        "Tamford, April 2026 to March 2027, young people aged 16 to 24; excludes people already "
        "under the clinic's care.",
        "How might we make sure more young people aged 16 to 24 living in Tamford are tested?",
        # a citation's heading path: the model's entity can start on the separator
        "Take Air case study › Results",
    ],
)
def test_staff_in_role_and_places_are_kept(text: str) -> None:
    result = redact_identifiers(text)
    assert result.text == text, result.text


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("she read it out: four oh one, oh two three, two one three seven", "nhs_number"),
        ("mobile is oh seven seven zero zero nine zero zero one two three", "phone"),
        ("he said 0 1 1 3 4 9 6 0 0 0 0 twice", "phone"),
    ],
)
def test_numbers_read_out_digit_by_digit_are_removed(text: str, kind: str) -> None:
    result = redact_identifiers(text)
    assert [f.kind for f in result.redacted] == [kind]


# -- names and values the recognisers' usual shapes miss -----------------------------------------


@NAME_MODEL
@pytest.mark.parametrize(
    ("text", "gone"),
    [
        # a lower-case particle inside the name
        ("Owain ap Rhys asked again for his forms in Welsh.", "Rhys"),
        # a surname in capitals and a forename, the cell boundary lost, beside an NHS number
        (f"pasted: {VALID} NOWAK Agnieszka 67 COPD awaiting review", "Agnieszka"),
        # a record row in lower case: the last word is in no English dictionary
        ("jolanta wisniewska, 12/05/1961, postcode LS9 7TF, COPD", "wisniewska"),
        # the date beside the removed name is the row's date of birth
        ("jolanta wisniewska, 12/05/1961, postcode LS9 7TF, COPD", "12/05/1961"),
        # a lone forename the model only calls a proper noun, in a sentence about care
        ("Mabel (bed 6, next of kin is her niece) keeps missing meals.", "Mabel"),
        # a surname that is also a place word, beside its age
        ("our patient Ruby Green, 77, keeps missing her appointments", "Ruby"),
        # a role after a dash that starts a new clause is someone else's
        ("Nora Blackwood – receptionist says she's been on the list since June", "Blackwood"),
    ],
)
def test_names_in_shapes_the_recognisers_miss_are_removed(text: str, gone: str) -> None:
    result = redact_identifiers(text)
    assert gone not in result.text, result.text


@NAME_MODEL
@pytest.mark.parametrize(
    "text",
    [
        "Ask Priya Shah – lead pharmacist.",
        "Nora Blackwood - receptionist - says the new form works.",
        "We visited the Costa del Sol office.",
        "Cohort born 1950-1960 has the highest prevalence (53%).",
    ],
)
def test_roles_places_and_cohorts_stay(text: str) -> None:
    assert redact_identifiers(text).text == text


@NAME_MODEL
def test_clinical_words_in_a_record_row_stay() -> None:
    result = redact_identifiers(f"row: {VALID_B}, heart failure, ward 4, discharged")
    assert result.text == "row: [NHS number removed], heart failure, ward 4, discharged"


@NAME_MODEL
@pytest.mark.parametrize(
    "row",
    [
        "Practices | Chapeltown | Harehills | ref {n}",  # places, read as such by the model
        "Wards: Beech, Oak, Hawthorn, referral for NHS {n}",  # a list, not a name's two parts
        "ALLERGY Penicillin, NHS {n}",  # a heading in capitals and a dictionary word
        "EMIS Web, SystmOne, TPP, DOB 01/02/1950",
    ],
)
def test_record_rows_keep_places_lists_and_headings(row: str) -> None:
    text = row.format(n=VALID)
    result = redact_identifiers(text)
    assert "name" not in [f.kind for f in result.redacted], result.text


@NAME_MODEL
def test_a_saints_name_is_a_place_even_beside_an_nhs_number() -> None:
    result = redact_identifiers(f"Millbrook, St Anne's and Canal Side wards, {VALID}")
    assert result.text == "Millbrook, St Anne's and Canal Side wards, [NHS number removed]"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("email it to j o . b @ e x a m p l e . o r g today", "email"),
        ("postcode L S 9 7 T F please", "postcode"),
    ],
)
def test_values_spelled_out_letter_by_letter_are_removed(text: str, kind: str) -> None:
    assert [f.kind for f in redact_identifiers(text).redacted] == [kind]


def test_letters_in_a_row_that_spell_nothing_stay() -> None:
    assert not redact_identifiers("Grades A B C D E all improved.").changed
