"""What a reviewer can say about an item: the label sets, their keyboard keys, and validation.

The stance labels are the annotation guidelines' four; the violation kinds are the acts the 2022 joint
decree (SKB) lists for social media. Keeping them here, as data, means the web form, the JSON API,
the keyboard shortcuts, the exports and the case files can never disagree about what a label is.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

STANCES = ("support", "oppose", "neutral", "unrelated")
PARTISAN_STANCES = ("support", "oppose")
ASN_VERDICTS = ("confirm", "wrong_person", "unsure")
VIOLATIONS = (
    "posting",  # posting/uploading campaign content
    "commenting",
    "sharing",
    "liking",
    "following_joining",  # following or joining a campaign account or group
    "campaigning_online",
    "photo_with_candidate",  # a photo with a candidate or campaign team showing support or attributes
    "other",
    "none",
)
OUTCOMES = ("forward", "dismiss")

CHOICES: dict[str, tuple[str, ...]] = {
    "stance": STANCES,
    "asn_verdict": ASN_VERDICTS,
    "violation": VIOLATIONS,
    "outcome": OUTCOMES,
}

# One key per choice, shown on its button. Digits for stance (the first thing decided), the home row
# and the row above it for the rest; no key is used twice and none needs a modifier.
KEYS: dict[str, dict[str, str]] = {
    "stance": {"support": "1", "oppose": "2", "neutral": "3", "unrelated": "4"},
    "asn_verdict": {"confirm": "y", "wrong_person": "x", "unsure": "z"},
    "violation": {
        "posting": "q", "commenting": "w", "sharing": "e", "liking": "r", "following_joining": "t",
        "campaigning_online": "a", "photo_with_candidate": "s", "other": "d", "none": "0",
    },
    "outcome": {"forward": "f", "dismiss": "b"},
}  # fmt: skip
# Keys that act rather than choose: focus the target or note field, submit, skip, show help.
ACTION_KEYS = {"target": "i", "note": "c", "submit": "Enter", "skip": "k", "help": "?"}

# The fields whose disagreement between two reviewers sends an item to adjudication. The violation kind
# counts only when both forward (it decides the legal basis of the case); the target is free text.
AGREEMENT_FIELDS = ("stance", "asn_verdict", "outcome")


class LabelError(ValueError):
    """A decision that cannot be stored; ``field`` names the form field to fix."""

    def __init__(self, field_name: str, reason: str) -> None:
        self.field = field_name
        self.reason = reason
        super().__init__(f"{field_name}: {reason}")


@dataclass(slots=True)
class Labels:
    """A reviewer's (or a lead's) labels for one item."""

    stance: str
    asn_verdict: str
    violation: str
    outcome: str
    target: str | None = None
    note: str | None = None

    def validate(self) -> Labels:
        """Check the choices and the rules that keep a forwarded case defensible; returns self."""
        for name, allowed in CHOICES.items():
            value = getattr(self, name)
            if value not in allowed:
                raise LabelError(name, f"must be one of {', '.join(allowed)} (got {value!r})")
        self.target = (self.target or "").strip() or None
        self.note = (self.note or "").strip() or None
        if self.target and len(self.target) > 500:
            raise LabelError("target", "at most 500 characters")
        if self.note and len(self.note) > 5000:
            raise LabelError("note", "at most 5000 characters")
        if self.outcome == "forward":
            # A finding names an act and a person: Bawaslu cannot act on "no violation" or on
            # someone the reviewer says is not the matched civil servant.
            if self.violation == "none":
                raise LabelError("violation", "a forwarded finding needs the kind of violation")
            if self.asn_verdict == "wrong_person":
                raise LabelError("asn_verdict", "a finding cannot be forwarded for the wrong person")
        return self

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_mapping(cls, data: Any) -> Labels:
        """Build from a form or JSON body; missing fields become a LabelError naming the field."""
        values: dict[str, Any] = {}
        for name in ("stance", "asn_verdict", "violation", "outcome"):
            value = data.get(name) if hasattr(data, "get") else None
            if value in (None, ""):
                raise LabelError(name, "is required")
            values[name] = str(value)
        for name in ("target", "note"):
            value = data.get(name) if hasattr(data, "get") else None
            values[name] = None if value is None else str(value)
        return cls(**values).validate()


def disagreements(a: Any, b: Any) -> list[str]:
    """The agreement fields on which two decisions differ (empty when they agree)."""
    fields = [f for f in AGREEMENT_FIELDS if getattr(a, f) != getattr(b, f)]
    if a.outcome == b.outcome == "forward" and a.violation != b.violation:
        fields.append("violation")
    return fields
