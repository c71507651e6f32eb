"""Every table of the store. Importing this module registers them all on ``Base.metadata``."""

from .base import Base, JSONType
from .posts import CollectionRun, Post, SourceCursor

__all__ = ["Base", "CollectionRun", "JSONType", "Post", "SourceCursor"]
