from datetime import date

import pytest

from pipeline.registry.nip import NipError, clean_nip, decode_nip, is_valid_nip

TODAY = date(2026, 11, 22)


def test_decodes_birth_date_appointment_gender_and_serial():
    nip = decode_nip("198503122010012003", today=TODAY)
    assert nip.value == "198503122010012003"
    assert nip.birth_date == date(1985, 3, 12)
    assert nip.appointment == date(2010, 1, 1)
    assert nip.gender == "P"
    assert nip.serial == 3
    assert nip.appointment_age == 24


def test_separators_as_people_type_them_are_accepted():
    assert clean_nip("19850312 201001 2 003") == "198503122010012003"
    assert clean_nip("19850312.201001.2.003") == "198503122010012003"
    assert decode_nip(" 19790101-200501-1-001 ", today=TODAY).gender == "L"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("19850312201001200", "wrong length: 17 digits, expected 18"),
        ("1985031220100120031", "wrong length: 19 digits, expected 18"),
        ("19851332201001 2003", "invalid birth date 19851332"),
        ("19850230201001 2003", "invalid birth date 19850230"),
        ("198503122010132003", "invalid appointment month (TMT CPNS) 201013"),
        ("199003122005012003", "appointment (TMT CPNS) 200501 before age 18 (born 19900312)"),
        ("198503122010013003", "invalid gender digit 3 (expected 1 or 2)"),
        ("198503122010012000", "serial number 000 is not issued"),
        ("198503122030012003", "appointment (TMT CPNS) 203001 is in the future"),
        ("203003122050012003", "implausible birth date 20300312"),
        ("19850312201001200X", "contains non-digit characters: 'X'"),
        ("", "missing"),
        (None, "missing"),
        (1.98503122010012e17, "stored as a number by a spreadsheet (digits lost); format the column as text"),
        ("1.98503E+17", "in scientific notation (1.98503E+17): digits lost; format the column as text"),
    ],
)
def test_invalid_nips_are_rejected_with_the_reason(raw, reason):
    with pytest.raises(NipError) as err:
        decode_nip(raw, today=TODAY)
    assert err.value.reason == reason


def test_appointment_in_the_month_of_the_eighteenth_birthday_is_allowed():
    assert decode_nip("198503122003032003", today=TODAY).appointment_age == 17  # born mid-March
    assert is_valid_nip("198503122003032003")
    assert not is_valid_nip("198503122003022003")
