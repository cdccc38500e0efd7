"""Checksums and plausibility tests for NHS and CHI numbers."""

from __future__ import annotations

import re

from bot.privacy.normalise import normalise

__all__ = ["digits_of", "is_plausible_chi_number", "is_valid_nhs_number"]

_NHS_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
_NOT_DIGIT = re.compile(r"[ ./_\n-]")
_TEN_DIGITS_ONLY = re.compile(r"[0-9]{10}", re.ASCII)
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def digits_of(value: str) -> str | None:
    """The ten ASCII digits of `value` once normalised and separators dropped, or None.

    Normalising here (full-width digits, zero-width characters, any dash) keeps the validators
    in step with the guard: whatever the guard would read as ten digits, they read the same way.
    """
    digits = _NOT_DIGIT.sub("", normalise(value).text)
    return digits if _TEN_DIGITS_ONLY.fullmatch(digits) else None


def is_valid_nhs_number(digits: str) -> bool:
    """True when `digits` is ten digits (any separators) passing the Modulus 11 check.

    Digits 1-9 are weighted 10..2 and summed; the check digit is 11 minus the remainder mod 11,
    where 11 means 0 and 10 means the number can never be issued.

    The 999 000 0000-999 999 9999 test range is *not* excluded: those numbers are never issued
    to patients, but they have exactly the shape of real ones, and a guard that let some
    valid-looking NHS numbers through would teach users that pasting NHS numbers is fine.
    """
    clean = digits_of(digits)
    if clean is None:
        return False
    total = sum(int(d) * w for d, w in zip(clean, _NHS_WEIGHTS, strict=False))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(clean[9])


def is_plausible_chi_number(digits: str) -> bool:
    """True when `digits` is ten digits whose first six are a real DDMMYY date.

    A Scottish CHI number starts with the holder's date of birth. The century is unknown, so
    29 February is accepted whenever YY is divisible by four (2000 was a leap year). This is a
    plausibility test only: about one random ten-digit string in six passes, which is why a
    CHI-shaped number is redacted rather than trusted.
    """
    clean = digits_of(digits)
    if clean is None:
        return False
    day, month, year = int(clean[0:2]), int(clean[2:4]), int(clean[4:6])
    if not 1 <= month <= 12 or day < 1:
        return False
    if month == 2 and day == 29:
        return year % 4 == 0
    return day <= _DAYS_IN_MONTH[month - 1]
