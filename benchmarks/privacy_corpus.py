"""A generated, labelled corpus for measuring the privacy guard (tests and ``make bench``).

Two kinds of sample, each deterministic for a seed:

* **identifier variants**: one planted identifier (NHS, CHI, NI, postcode, email, phone, date of
  birth, patient name) written in one of the many ways people write it (dots, tabs, double spaces,
  every dash, slashes, other groupings, zero-width or full-width characters, obfuscated addresses,
  cue words further away), inside an ordinary sentence. Missed means any planted value survives.
* **ordinary sentences**: what problem statements are made of, with figures, dates, rooms, codes,
  ODS codes, percentages, money, doses, wards, staff named in their role and company names. Any
  redaction is a false positive.

The corpus has two parts. ``"tuning"`` is what the guard was developed against; ``"held_back"``
uses a different seed *and* carrier sentences and templates the tuning part never contains, so
it measures how the guard does on wording nobody tuned it for. Never adjust the guard to a
held-back failure without moving that case into the tuning templates first.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from bot.privacy.normalise import normalise

__all__ = ["Sample", "corpus", "survives"]

Part = Literal["tuning", "held_back"]


@dataclass(frozen=True)
class Sample:
    """One labelled sentence. `secrets` are the planted values (empty for ordinary sentences)."""

    text: str
    kind: str  # the planted kind, or "ordinary"
    variant: str  # how it was written (for per-format reports)
    secrets: tuple[str, ...] = ()


def survives(secret: str, output: str) -> bool:
    """True when `secret` can still be read in `output`.

    A secret with digits (a number, a postcode, a date) is compared with every separator and
    blank removed, so "943 476 5919" counts as surviving in "943-476-5919": a number is not
    removed just because its spacing changed. A secret of words (a name) is compared
    case-insensitively as whole words.
    """
    folded = normalise(secret).text.lower()
    if re.search(r"[0-9]", folded):
        compact = re.sub(r"[^0-9a-z]", "", folded)
        return compact in re.sub(r"[^0-9a-z]", "", normalise(output).text.lower())
    text = normalise(output).text.lower()
    return re.search(rf"(?<![a-z0-9]){re.escape(folded)}(?![a-z0-9])", text) is not None


# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------

FIRST_NAMES = (
    "Jane Margaret Keeley Aisha Priya Olivia Amelia Grace Chloe Fatima Zara Siobhan Bronwen "
    "Agnieszka Mei John David Mohammed Oliver Harry Jack Tomasz Rhys Callum Kwame Arjun Declan "
    "Bartholomew Samuel Imran Hamza Ellie Joan Doris Edith Albert Stanley Harold Nkechi Yusuf"
).split()
SURNAMES = (
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans "
    "Walker White Roberts Green Hall Wood Jackson Clarke Ellison Oduya Quince Khan Begum Hussain "
    "Kowalski Nowak Murphy O'Neill McDonald Okafor Mensah Chaudhry Singh Campbell Stewart "
    "Fraser Pritchard Llewellyn Ahmed Ali Achterberg Fitzgerald-Hughes"
).split()
STAFF_SURNAMES = "Patel Shah Okoye Harrison Morgan Kaur Lewis Bennett Adeyemi Reid".split()
COMPANIES = (
    "Pfizer Bayer GSK AstraZeneca Novartis Roche Sanofi MSD Takeda Amgen Boehringer Ingelheim "
    "Microsoft Google Accenture Medtronic Siemens Healthineers Philips EMIS TPP Cerner Boots Bupa"
).split()
NHS_BODIES = (
    "Leeds Teaching Hospitals NHS Trust",
    "NHS West Yorkshire ICB",
    "Bradford District Care NHS Foundation Trust",
    "Leeds City Council",
    "North Cumbria Integrated Care NHS Foundation Trust",
    "NHS England",
    "the Airedale Primary Care Network",
    "Kirklees Council public health team",
    "NHS Greater Glasgow and Clyde",
    "Betsi Cadwaladr University Health Board",
)
_DASHES = ("-", "–", "—", "‐", "−", "﹣")
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad")
_MONTHS = (
    "January February March April May June July August September October November December"
).split()
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_POSTCODE_AREAS = (
    "AB AL B BA BB BD BH BL BN BR BS CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY E "
    "EC EH EN EX FK FY G GL GU HA HD HG HP HR HS HU HX IG IP IV KA KT KW KY L LA LD LE LL LN LS "
    "LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO "
    "SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE"
).split()
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
_NI_FIRST = "ABCEGHJKLMNOPRSTWXYZ"
_NI_SECOND = "ABCEGHJKLMNPRSTWXYZ"


def _nhs_number(rng: random.Random) -> str:
    while True:
        nine = "".join(rng.choice("0123456789") for _ in range(9))
        total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True))
        check = 11 - total % 11
        if check != 10:
            return nine + str(0 if check == 11 else check)


def _date(rng: random.Random, first_year: int = 1925, last_year: int = 2012) -> tuple[int, ...]:
    year = rng.randint(first_year, last_year)
    month = rng.randint(1, 12)
    return rng.randint(1, _DAYS_IN_MONTH[month - 1]), month, year


def _chi_number(rng: random.Random) -> str:
    day, month, year = _date(rng)
    return f"{day:02d}{month:02d}{year % 100:02d}" + "".join(
        rng.choice("0123456789") for _ in range(4)
    )


def _postcode(rng: random.Random) -> tuple[str, str]:
    area = rng.choice(_POSTCODE_AREAS)
    district = str(rng.randint(1, 9 if len(area) == 2 else 20))
    if area in ("EC", "WC", "SW", "W", "E", "N") and rng.random() < 0.4:
        district = str(rng.randint(1, 9)) + rng.choice("ABCHJKMNPRTVWXY")
    inward = str(rng.randint(0, 9)) + rng.choice(_INWARD_LETTERS) + rng.choice(_INWARD_LETTERS)
    return area + district, inward


def _ni_number(rng: random.Random) -> tuple[str, str, str]:
    while True:
        prefix = rng.choice(_NI_FIRST) + rng.choice(_NI_SECOND)
        if prefix not in ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ"):
            break
    digits = "".join(rng.choice("0123456789") for _ in range(6))
    return prefix, digits, rng.choice("ABCD")


def _phone(rng: random.Random) -> tuple[str, str, str]:
    """(trunk-prefixed area code, first part, second part) in Ofcom's drama ranges."""
    choice = rng.randrange(4)
    if choice == 0:
        return "07700", "900", f"{rng.randint(0, 999):03d}"
    if choice == 1:
        return "020", "7946", f"0{rng.randint(0, 999):03d}"
    if choice == 2:
        area = rng.choice(("0113", "0114", "0115", "0117", "0121", "0131", "0141", "0161", "0191"))
        return area, "496", f"0{rng.randint(0, 999):03d}"
    return "01632", "960", f"{rng.randint(0, 999):03d}"


# --------------------------------------------------------------------------------------------
# Ways of writing each kind: (variant name, function of rng -> (written, secrets))
# --------------------------------------------------------------------------------------------

Writer = Callable[[random.Random], tuple[str, tuple[str, ...]]]


def _grouped(digits: str, sizes: tuple[int, ...], sep: str) -> str:
    parts, at = [], 0
    for size in sizes:
        parts.append(digits[at : at + size])
        at += size
    return sep.join(parts)


def _ten_digit_writers(make: Callable[[random.Random], str]) -> dict[str, Writer]:
    def writer(sizes: tuple[int, ...], sep: str | Callable[[random.Random], str]) -> Writer:
        def write(rng: random.Random) -> tuple[str, tuple[str, ...]]:
            digits = make(rng)
            separator = sep(rng) if callable(sep) else sep
            return _grouped(digits, sizes, separator), (digits,)

        return write

    def full_width(rng: random.Random) -> tuple[str, tuple[str, ...]]:
        digits = make(rng)
        return _grouped(digits, (3, 3, 4), rng.choice((" ", ""))).translate(_FULL_WIDTH), (digits,)

    return {
        "contiguous": writer((10,), ""),
        "3-3-4 spaces": writer((3, 3, 4), " "),
        "3-3-4 hyphens": writer((3, 3, 4), "-"),
        "3-3-4 dots": writer((3, 3, 4), "."),
        "3-3-4 tabs": writer((3, 3, 4), "\t"),
        "3-3-4 double spaces": writer((3, 3, 4), "  "),
        "3-3-4 dashes": writer((3, 3, 4), lambda rng: rng.choice(_DASHES)),
        "3-3-4 spaced dash": writer((3, 3, 4), lambda rng: f" {rng.choice(_DASHES)} "),
        "3-3-4 slashes": writer((3, 3, 4), "/"),
        "3-3-4 non-breaking": writer((3, 3, 4), "\u00a0"),
        "3-3-4 zero-width": writer((3, 3, 4), lambda rng: rng.choice(_ZERO_WIDTH)),
        "4-3-3 spaces": writer((4, 3, 3), " "),
        "4-2-4 spaces": writer((4, 2, 4), " "),
        "6-4 spaces": writer((6, 4), " "),
        "2-2-2-2-2 spaces": writer((2, 2, 2, 2, 2), " "),
        "digit by digit": writer((1,) * 10, " "),
        "full-width": full_width,
    }


def _postcode_writers() -> dict[str, Writer]:
    def writer(sep: str, transform: Callable[[str], str] = str) -> Writer:
        def write(rng: random.Random) -> tuple[str, tuple[str, ...]]:
            outward, inward = _postcode(rng)
            return transform(f"{outward}{sep}{inward}"), (outward + inward,)

        return write

    return {
        "space": writer(" "),
        "no space": writer(""),
        "double space": writer("  "),
        "hyphen": writer("-"),
        "lower case": writer(" ", str.lower),
        "tab": writer("\t"),
        "non-breaking": writer("\u00a0"),
        "full-width": writer(
            " ", lambda s: "".join(chr(ord(c) + 0xFEE0) for c in s.replace(" ", ""))
        ),
    }


def _ni_writers() -> dict[str, Writer]:
    def writer(pairs: str, suffix: bool, transform: Callable[[str], str] = str) -> Writer:
        def write(rng: random.Random) -> tuple[str, tuple[str, ...]]:
            prefix, digits, letter = _ni_number(rng)
            body = pairs.join([prefix, digits[:2], digits[2:4], digits[4:]])
            written = transform(body + (pairs + letter if suffix else ""))
            return written, (prefix + digits,)

        return write

    return {
        "spaced with suffix": writer(" ", True),
        "contiguous with suffix": writer("", True),
        "spaced, no suffix": writer(" ", False),
        "contiguous, no suffix": writer("", False),
        "hyphens": writer("-", True),
        "lower case": writer(" ", True, str.lower),
    }


def _email_writers() -> dict[str, Writer]:
    domains = ("nhs.net", "leedsth.nhs.uk", "example.org", "gmail.com", "bayer.co.uk", "nhs.scot")

    def parts(rng: random.Random) -> tuple[str, str, str]:
        first, last = rng.choice(FIRST_NAMES).lower(), rng.choice(SURNAMES).lower()
        last = re.sub(r"[^a-z]", "", last)
        return first, last, rng.choice(domains)

    def plain(rng: random.Random) -> tuple[str, tuple[str, ...]]:
        first, last, domain = parts(rng)
        address = f"{first}.{last}@{domain}"
        return address, (address,)

    def spelled(at: str, dot: str) -> Writer:
        def write(rng: random.Random) -> tuple[str, tuple[str, ...]]:
            first, last, domain = parts(rng)
            written = f"{first}{dot}{last}{at}{dot.join(domain.split('.'))}"
            return written, (f"{first}{dot}{last}", last)

        return write

    return {
        "plain": plain,
        "at/dot words": spelled(" at ", " dot "),
        "at word, dotted domain": spelled(" at ", "."),
        "AT/DOT capitals": spelled(" AT ", " DOT "),
        "bracketed [at] [dot]": spelled(" [at] ", " [dot] "),
        "(at)": spelled("(at)", "."),
        "spaced @": spelled(" @ ", "."),
    }


def _phone_writers() -> dict[str, Writer]:
    def writer(style: str) -> Writer:
        def write(rng: random.Random) -> tuple[str, tuple[str, ...]]:
            area, first, second = _phone(rng)
            national = area + first + second
            written = {
                "spaces": f"{area} {first} {second}",
                "no spaces": national,
                "dots": f"{area}.{first}.{second}",
                "hyphens": f"{area}-{first}-{second}",
                "double spaces": f"{area}  {first}  {second}",
                "brackets": f"({area}) {first} {second}",
                "+44": f"+44 {area[1:]} {first} {second}",
                "+44 (0)": f"+44 (0){area[1:]} {first} {second}",
                "0044": f"0044 {area[1:]} {first}{second}",
            }[style]
            return written, (national[1:],)

        return write

    styles = ("spaces", "no spaces", "dots", "hyphens", "double spaces", "brackets", "+44")
    return {style: writer(style) for style in (*styles, "+44 (0)", "0044")}


def _date_formats(day: int, month: int, year: int) -> dict[str, str]:
    return {
        "dd/mm/yyyy": f"{day:02d}/{month:02d}/{year}",
        "d/m/yyyy": f"{day}/{month}/{year}",
        "dd-mm-yy": f"{day:02d}-{month:02d}-{year % 100:02d}",
        "dd.mm.yyyy": f"{day:02d}.{month:02d}.{year}",
        "ddmmyyyy": f"{day:02d}{month:02d}{year}",
        "dd mm yyyy": f"{day:02d} {month:02d} {year}",
        "d Month yyyy": f"{day} {_MONTHS[month - 1]} {year}",
        "dth of Mon yyyy": f"{day}th of {_MONTHS[month - 1][:3]} {year}",
        "Month d, yyyy": f"{_MONTHS[month - 1]} {day}, {year}",
        "iso": f"{year}-{month:02d}-{day:02d}",
    }


def _dob_writers() -> dict[str, Writer]:
    cues = (
        "DOB {d}",
        "D.O.B. {d}",
        "dob: {d}",
        "date of birth {d}",
        "born on {d}",
        "born {d}",
        "birthday {d}",
        "{d} (date of birth)",
        "DOB as recorded on the referral form: {d}",
        "date of birth, taken from the old paper notes, {d}",
        "patient {d}",
        "aged 71, {d}",
    )

    def writer(fmt: str) -> Writer:
        def write(rng: random.Random) -> tuple[str, tuple[str, ...]]:
            day, month, year = _date(rng)
            written = _date_formats(day, month, year)[fmt]
            return rng.choice(cues).format(d=written), (written,)

        return write

    return {fmt: writer(fmt) for fmt in _date_formats(1, 1, 2000)}


def _name_writers() -> dict[str, Writer]:
    templates = {
        "titled": "{title} {first} {last} was seen in clinic",
        "titled surname": "{title} {last} was seen in clinic",
        "admitted": "{first} {last} was admitted on Monday",
        "one patient, Mr X": "one patient, {title} {last}, waited 14 weeks",
        "the patient, name": "the patient, {first} {last}, missed two appointments",
        "lives at": "{first} {last}, who lives at the end of our road, rang twice",
        "with DOB": "{first} {last} (DOB withheld) needs a review",
        "aged": "{first} {last}, aged 84, was discharged home",
        "titled with role-like word after": "{title} {first} {last}, a patient at the practice,",
        "lower-case cue, titled": "we discussed {title} {first} {last} at the MDT",
    }

    def writer(template: str) -> Writer:
        def write(rng: random.Random) -> tuple[str, tuple[str, ...]]:
            first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
            title = rng.choice(("Mr", "Mrs", "Ms", "Miss", "Mrs.", "Mr."))
            written = template.format(title=title, first=first, last=last)
            secrets = (last,) if "{first}" not in template else (first, last)
            return written, secrets

        return write

    return {variant: writer(template) for variant, template in templates.items()}


WRITERS: dict[str, dict[str, Writer]] = {
    "nhs_number": _ten_digit_writers(_nhs_number),
    "chi_number": _ten_digit_writers(_chi_number),
    "postcode": _postcode_writers(),
    "ni_number": _ni_writers(),
    "email": _email_writers(),
    "phone": _phone_writers(),
    "date_of_birth": _dob_writers(),
    "name": _name_writers(),
}

# Sentences an identifier is planted in. The held-back part uses its own carriers.
_CARRIERS: dict[Part, tuple[str, ...]] = {
    "tuning": (
        "Please check {x} before the MDT on Thursday.",
        "Referral note: {x}, seen by the frailty team.",
        "{x}",
        "As discussed, {x}; the waiting list is now 1,928 patients.",
        "Audit case 14 ({x}) shows the delay clearly.",
        "We traced the missed dose to {x} last quarter.",
    ),
    "held_back": (
        "Flagging {x} so the pharmacist can follow up.",
        "Copied from EMIS: {x} - please do not forward.",
        "For the case study we used {x} as the example.",
        "Re: {x}\nThanks, the team",
    ),
}


def _identifier_samples(part: Part, rng: random.Random, per_variant: int) -> Iterator[Sample]:
    for kind, writers in WRITERS.items():
        for variant, write in writers.items():
            for _ in range(per_variant):
                written, secrets = write(rng)
                if kind == "name":
                    text = rng.choice(_NAME_FRAMES[part]).format(x=written)
                else:
                    text = rng.choice(_CARRIERS[part]).format(x=written)
                yield Sample(text, kind, variant, secrets)


# Names stand in a sentence of their own; carriers like "Audit case 14 (...)" would add cues.
_NAME_FRAMES: dict[Part, tuple[str, ...]] = {
    "tuning": ("{x}.", "Update: {x}.", "For context, {x}."),
    "held_back": ("Quick note - {x}.", "{x}, which is why we are raising it."),
}


# --------------------------------------------------------------------------------------------
# Ordinary sentences
# --------------------------------------------------------------------------------------------

_ORDINARY_TEMPLATES: dict[Part, tuple[str, ...]] = {
    "tuning": (
        "Readmissions fell from {pct}% to {pct2}% across {n} practices in {year}.",
        "The programme start date is {future}, with a review on {future2}.",
        "Patient survey date {recent}: {pct}% rated the service good or better.",
        "We will meet in room {room}, {floor} floor, at {time}.",
        "Ward {ward} has {n} beds and a {pct}% occupancy target.",
        "The ODS code for the practice is {ods}; the trust code is {trust}.",
        "Atorvastatin {dose} mg once daily was started for {n} patients.",
        "Accountable lead: Dr {staff}, {role}.",
        "{company} will fund a {pct}% share, about £{money}m over {n} years.",
        "{body} and {company} agreed the value proposition on {recent}.",
        "Q{q} {year}/{yy2} waits averaged {decimal} days for {n} referrals.",
        "Call NHS 111 or the practice on 0300 {n} for advice.",
        "Between {recent} and {future}, {n} patients were seen by {company}.",
        "The clinic opened on {recent} and serves {n} patients aged 65 and over.",
        "{staff_first} {staff}, practice manager, will share the audit from {recent}.",
        "HbA1c above 48 mmol/mol in {pct}% of the cohort; B12 checked in {n}.",
        "Go-live {future}; contract reference PO-{n}-{year}.",
        "Room {room} ({floor} floor) holds the {company} diabetes clinic on Tuesdays.",
        "Our partner lead at {company}, {staff_first} {staff}, sent the evaluation plan.",
        "DNA rates were {pct}% in {month} {year} against {pct2}% a year earlier.",
        "The ICB allocated £{money}m; {pct}% goes to {body}.",
        "Metformin {dose} mg twice daily for {n} patients in the virtual ward.",
        "Dr {staff} (clinical director) and Nurse {staff2} will run the pilot.",
        "Baseline: {n} admissions per 1,000 population, {decimal} beds per ward.",
        "The patient panel, chaired by {staff_first} {staff} (patient partner), met on {recent}.",
        "Figures for 2019 2020 2021 2022 2023 show a steady rise in demand.",
        "Ward round at 09.30; {n} beds on Ward {ward}; 4 side rooms.",
        "Dr {staff} saw {n} patients aged over 80 in the frailty clinic.",
        "Mr {staff}, consultant surgeon, leads the hip fracture pathway.",
        "Trial NCT0{n}567 and IRAS {n}456 were approved on {recent}.",
        "Cost per patient £1,234.56 versus £987.65 in {year}/{yy2}.",
        "Bleep 1234 or extension 56789 for the on-call pharmacist.",
        "{staff_first} {staff} ({company} medical science liaison) joined on {recent}.",
        "Order reference 1234567890 from {company} is still outstanding.",
    ),
    "held_back": (
        "In {month} {year} the team cut the backlog by {pct}%, saving £{money}m.",
        "Workshop date {future}: partners from {company} and {body} attend.",
        "Survey sent {recent}; {n} responses, {pct}% from carers.",
        "Bay {room} on the {floor} floor is the discharge lounge.",
        "Insulin glargine {dose} units at night for {n} people with type 2 diabetes.",
        "Senior responsible owner: Prof {staff}, medical director.",
        "Practice {ods} reported {pct}% uptake against a {pct2}% target.",
        "From {recent} to {future}, {company} provides {n} hours of analyst time.",
        "{staff_first} {staff} from {company} presented {pct}% adherence figures.",
        "Report published {recent}, reference {trust}/{year}/{n}.",
        "Sister {staff} and the patient experience team reviewed {n} complaints.",
        "Cohort born 1950-1960 has the highest prevalence ({pct}%).",
        "Ms {staff}, head of medicines optimisation, signed off the plan on {recent}.",
        "Lot 12-34-56 of the {company} device expires in {month} {year}.",
    ),
}
_ROOMS = ("B2", "A1", "C3", "G12", "4B", "2.14", "E7", "D4")
_FLOORS = ("2nd", "1st", "3rd", "4th", "ground")
_ROLES = ("accountable officer", "clinical lead", "pharmacist", "GP partner", "programme lead")


def _ordinary(part: Part, rng: random.Random, count: int) -> Iterator[Sample]:
    templates = _ORDINARY_TEMPLATES[part]
    for index in range(count):
        template = templates[index % len(templates)]
        recent = _date(rng, 2022, 2025)
        future = _date(rng, 2026, 2028)
        future2 = _date(rng, 2026, 2028)
        fmt = rng.choice(("dd/mm/yyyy", "d Month yyyy", "iso", "dd.mm.yyyy"))
        values = {
            "pct": rng.randint(2, 95),
            "pct2": rng.randint(2, 95),
            "n": rng.choice((12, 48, 120, 1928, 350, 7, 2400, 65)),
            "year": rng.randint(2019, 2026),
            "yy2": rng.randint(20, 27),
            "q": rng.randint(1, 4),
            "decimal": f"{rng.randint(1, 9)}.{rng.randint(0, 9)}",
            "money": f"{rng.randint(1, 30)}.{rng.randint(0, 9)}",
            "recent": _date_formats(*recent)[fmt],
            "future": _date_formats(*future)[fmt],
            "future2": _date_formats(*future2)[fmt],
            "room": rng.choice(_ROOMS),
            "floor": rng.choice(_FLOORS),
            "time": rng.choice(("9.30", "14:00", "2pm", "10am")),
            "ward": rng.choice(("7B", "24", "Ash", "Rowan", "C3")),
            "ods": rng.choice(("B82005", "Y02345", "M85063", "RR8", "RAE")),
            "trust": rng.choice(("RR8", "RAE", "RXF", "RCF", "TAD")),
            "dose": rng.choice((5, 10, 20, 40, 500, 850, 1000)),
            "staff": rng.choice(STAFF_SURNAMES),
            "staff2": rng.choice(STAFF_SURNAMES),
            "staff_first": rng.choice(FIRST_NAMES),
            "role": rng.choice(_ROLES),
            "company": rng.choice(COMPANIES),
            "body": rng.choice(NHS_BODIES),
            "month": rng.choice(_MONTHS),
        }
        yield Sample(template.format(**values), "ordinary", template.split(" ")[0])


def corpus(part: Part, seed: int = 7) -> list[Sample]:
    """The identifier variants and ordinary sentences of one part, the same for the same seed.

    Tuning: 8 kinds x their variants x 10 each (well over 1,000) and 400 ordinary sentences.
    Held back: a different seed, its own carriers and templates, 4 per variant and 200 ordinary.
    """
    rng = random.Random(f"{part}:{seed}")
    per_variant, ordinary = (10, 400) if part == "tuning" else (4, 200)
    return [*_identifier_samples(part, rng, per_variant), *_ordinary(part, rng, ordinary)]
