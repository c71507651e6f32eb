from datetime import datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from pipeline.schema import Author, Metrics, Post
from pipeline.store.posts import upsert_posts
from pipeline.store.tables import Base
from pipeline.store.tables import Post as PostRow


def make_post(post_id: str, likes: int = 1, text: str = "coblos nomor 2 ya") -> Post:
    return Post(
        platform="x", post_id=post_id, created_at=datetime(2026, 11, 1, 8, 0), text=text,
        author=Author(handle="budi_santoso88", followers=10), metrics=Metrics(likes=likes),
        hashtags=["LanjutkanHendra"], raw={"id": post_id},
    )  # fmt: skip


def test_migrations_match_the_tables(engine):
    """Every table declared in code exists, with the same columns, after `upgrade heads`."""
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_upsert_never_duplicates_and_refreshes_metrics(engine):
    with engine.begin() as conn:
        assert upsert_posts(conn, [make_post("1"), make_post("2")]) == (2, 0)
    with engine.begin() as conn:
        assert upsert_posts(conn, [make_post("1", likes=99), make_post("3")]) == (1, 1)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(PostRow)) == 3
        likes = conn.scalar(select(PostRow.likes).where(PostRow.post_id == "1"))
        tags = conn.scalar(select(PostRow.hashtags).where(PostRow.post_id == "1"))
    assert likes == 99
    assert tags == ["LanjutkanHendra"]


def test_duplicates_inside_one_batch_keep_the_last_copy(engine):
    with engine.begin() as conn:
        assert upsert_posts(conn, [make_post("7", likes=1), make_post("7", likes=5)]) == (1, 0)
    with engine.connect() as conn:
        assert conn.scalar(select(PostRow.likes).where(PostRow.post_id == "7")) == 5
