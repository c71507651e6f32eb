"""Every table of the store. Importing this module registers them all on ``Base.metadata``."""

from .base import Base, JSONType
from .classify import ModelVersion, Prediction
from .posts import CollectionRun, Post, SourceCursor
from .registry import AccountMatch, AsnRecord, MatchFeedback, RegistryVersion  # noqa: F401
from .review import Adjudication, Assignment, AuditLog, Decision, Evidence, ReviewItem, User  # noqa: F401
from .runs import ScanRun, StageRun

__all__ = [
    "Base",
    "CollectionRun",
    "JSONType",
    "ModelVersion",
    "Post",
    "Prediction",
    "ScanRun",
    "SourceCursor",
    "StageRun",
]
