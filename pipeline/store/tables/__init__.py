"""Every table of the store. Importing this module registers them all on ``Base.metadata``."""

from .base import Base, JSONType
from .classify import ModelVersion, Prediction
from .posts import CollectionRun, Post, SourceCursor
from .registry import AccountMatch, AsnRecord, AsnRecordHistory, MatchFeedback, RegistryVersion
from .review import Adjudication, Assignment, AuditLog, Decision, Evidence, ReviewItem, User
from .runs import ScanRun, StageRun

__all__ = [
    "AccountMatch",
    "Adjudication",
    "AsnRecord",
    "AsnRecordHistory",
    "Assignment",
    "AuditLog",
    "Base",
    "CollectionRun",
    "Decision",
    "Evidence",
    "JSONType",
    "MatchFeedback",
    "ModelVersion",
    "Post",
    "Prediction",
    "RegistryVersion",
    "ReviewItem",
    "ScanRun",
    "SourceCursor",
    "StageRun",
    "User",
]
