"""Keyed pseudonyms for NIPs in exports: HMAC-SHA256 with a secret key, never a plain hash.

A plain hash of an 18-digit NIP is reversible by trying every plausible NIP (birth dates ×
appointment months × two genders × a few hundred serials is a small space), so exports use a keyed
HMAC: without the key nobody can link a pseudonym back to a NIP, and with the same key the same
NIP always gives the same pseudonym, so exports stay joinable. The key comes from
``privacy.pseudonym_key`` in the settings or the ``NETRA_PSEUDONYM_KEY`` environment variable.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

PREFIX = "asn_"
LENGTH = 24  # hex characters kept: 96 bits, collision-free for any registry


class PseudonymKeyMissing(RuntimeError):
    """Pseudonymised output was asked for but no key is configured."""


def pseudonymise_nip(nip: str, key: str) -> str:
    """``asn_`` + the first 24 hex digits of HMAC-SHA256(key, NIP)."""
    if not key:
        raise PseudonymKeyMissing("no pseudonym key: set privacy.pseudonym_key or NETRA_PSEUDONYM_KEY")
    digest = hmac.new(key.encode("utf-8"), nip.encode("ascii", "ignore"), hashlib.sha256).hexdigest()
    return PREFIX + digest[:LENGTH]


def key_from_settings(settings: Any) -> str:
    key = getattr(getattr(settings, "privacy", None), "pseudonym_key", None)
    if not key:
        raise PseudonymKeyMissing("no pseudonym key: set privacy.pseudonym_key or NETRA_PSEUDONYM_KEY")
    return str(key)


def pseudonymise_result(result: dict[str, Any], key: str) -> dict[str, Any]:
    """A match result for export: NIPs replaced by pseudonyms, the registry's values dropped.

    The record side of the evidence (name with titles, jabatan, unit kerja) would identify the
    person as surely as the NIP, so it goes too; the account side is public and stays.
    """
    out = dict(result)
    out["evidence"] = [{**e, "record": None} for e in result.get("evidence", [])]
    if out.get("nip"):
        out["nip"] = pseudonymise_nip(out["nip"], key)
    out["candidates"] = [
        {**c, "nip": pseudonymise_nip(c["nip"], key)} if c.get("nip") else c
        for c in result.get("candidates", [])
    ]
    return out
