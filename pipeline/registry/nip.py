"""NIP: the 18-digit civil-servant number (Nomor Induk Pegawai), validated and decoded.

Layout (PP 11/2017 and BKN practice): ``YYYYMMDD YYYYMM G NNN``

* digits 1-8: birth date,
* digits 9-14: TMT CPNS, the month of appointment as a candidate civil servant,
* digit 15: gender (1 = male, 2 = female),
* digits 16-18: serial number among people with the same birth date and appointment month.

The decoded parts are evidence for matching (the gender digit against an account's "Bu"/"Pak") and
a sanity check on the registry: a NIP that cannot be decoded is almost always a typing or Excel
error, so the importer rejects the row with the reason instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

NIP_LENGTH = 18
MIN_APPOINTMENT_AGE = 18  # CPNS applicants must be at least 18 years old
_SEPARATORS = re.compile(r"[\s.\-_/']+")
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")


class NipError(ValueError):
    """A NIP that cannot be valid; ``reason`` says why in words a registry clerk understands."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True, slots=True)
class Nip:
    """A decoded NIP. ``value`` is the canonical 18-digit string."""

    value: str
    birth_date: date
    appointment: date  # TMT CPNS, first day of the month
    gender: str  # "L" (laki-laki) or "P" (perempuan)
    serial: int

    def __str__(self) -> str:
        return self.value

    @property
    def appointment_age(self) -> int:
        """Age in whole years at the appointment month."""
        b, a = self.birth_date, self.appointment
        return a.year - b.year - ((a.month, a.day) < (b.month, b.day))


def clean_nip(raw: object) -> str:
    """Strip the separators people type ("19850312 201001 2 003") and reject what cannot be a NIP.

    Numbers that went through a spreadsheet arrive as floats or in scientific notation; their last
    digits are gone, so they are rejected rather than padded.
    """
    if raw is None:
        raise NipError("missing")
    if isinstance(raw, float):
        raise NipError("stored as a number by a spreadsheet (digits lost); format the column as text")
    text = str(raw).strip()
    if not text:
        raise NipError("missing")
    if _SCIENTIFIC.match(text):
        raise NipError(f"in scientific notation ({text}): digits lost; format the column as text")
    digits = _SEPARATORS.sub("", text)
    if not (digits.isascii() and digits.isdigit()):
        bad = "".join(sorted({c for c in digits if not c.isdigit()}))
        raise NipError(f"contains non-digit characters: {bad!r}")
    if len(digits) != NIP_LENGTH:
        raise NipError(f"wrong length: {len(digits)} digits, expected {NIP_LENGTH}")
    return digits


def _date(year: int, month: int, day: int, what: str, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise NipError(f"invalid {what} {text}") from None


def decode_nip(raw: object, today: date | None = None) -> Nip:
    """Validate and decode a NIP; raises :class:`NipError` with the reason when it cannot be valid."""
    digits = clean_nip(raw)
    today = today or date.today()
    birth = _date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]), "birth date", digits[0:8])
    if birth.year < 1900 or birth > today:
        raise NipError(f"implausible birth date {digits[0:8]}")
    if not 1 <= int(digits[12:14]) <= 12:
        raise NipError(f"invalid appointment month (TMT CPNS) {digits[8:14]}")
    appointment = _date(int(digits[8:12]), int(digits[12:14]), 1, "appointment (TMT CPNS)", digits[8:14])
    if appointment > today:
        raise NipError(f"appointment (TMT CPNS) {digits[8:14]} is in the future")
    gender_digit = digits[14]
    if gender_digit not in "12":
        raise NipError(f"invalid gender digit {gender_digit} (expected 1 or 2)")
    serial = int(digits[15:18])
    if serial == 0:
        raise NipError("serial number 000 is not issued")
    nip = Nip(digits, birth, appointment, "L" if gender_digit == "1" else "P", serial)
    # Compare months: TMT CPNS is a month, so someone born mid-month may be appointed that month.
    months = (appointment.year - birth.year) * 12 + appointment.month - birth.month
    if months < MIN_APPOINTMENT_AGE * 12:
        raise NipError(
            f"appointment (TMT CPNS) {digits[8:14]} before age {MIN_APPOINTMENT_AGE} (born {digits[0:8]})"
        )
    return nip


def is_valid_nip(raw: object) -> bool:
    try:
        decode_nip(raw)
    except NipError:
        return False
    return True
