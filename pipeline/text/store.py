"""The scan's normalise stage: fill ``posts.text_norm`` where it is still NULL.

Idempotent (a post with a normalised text is never selected again) and committed per batch. The
stored text uses the default :class:`NormaliseOptions`; the classifier applies its own recorded
options to the raw text, so a model never depends on what was stored here.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, bindparam, select

from .normalise import NormaliseOptions, TextNormaliser


def normalise_posts(
    engine: Engine, options: NormaliseOptions | None = None, batch_size: int = 2000
) -> dict[str, Any]:
    from pipeline.store.db import keyset_batches
    from pipeline.store.tables import Post

    started = time.time()
    posts = Post.__table__
    normaliser = TextNormaliser(options)
    pending = select(posts.c.id, posts.c.text).where(posts.c.text_norm.is_(None)).order_by(posts.c.id)
    update = posts.update().where(posts.c.id == bindparam("pk")).values(text_norm=bindparam("norm"))
    n = 0
    for rows in keyset_batches(engine, pending, posts.c.id, batch_size):
        normed = normaliser.transform([r.text or "" for r in rows])
        with engine.begin() as conn:
            conn.execute(update, [{"pk": r.id, "norm": t} for r, t in zip(rows, normed, strict=True)])
        n += len(rows)
    return {"n_in": n, "n_out": n, "n_errors": 0, "seconds": round(time.time() - started, 2)}
