"""The scan's classify stage: predictions for stored posts that the default model has not seen.

Idempotent and resumable: a post is selected only while it has no ``predictions`` row for the current
model version, and each batch is committed on its own, so a second run does nothing and a killed run
loses at most one batch. A new default model adds its own rows beside the old ones.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from sqlalchemy import Engine, and_, select

log = logging.getLogger(__name__)


def load_predictor(settings, model: str | None = None, quantize: bool | None = None):
    """The configured (or named) model ready for inference, with the configured election's matcher."""
    from pipeline.text.election import CandidateMatcher, load_election

    from .infer import StancePredictor
    from .registry import models_dir_for, resolve_model

    folder = resolve_model(model or settings.classify.model, models_dir_for(settings))
    election_path = settings.config_file(settings.election)
    matcher = CandidateMatcher([load_election(election_path)]) if election_path.exists() else None
    predictor = StancePredictor.load(
        folder,
        settings.classify.backbone_cache,
        matcher=matcher,
        quantize=settings.classify.quantize if quantize is None else quantize,
        runtime=settings.classify.runtime,
        batch_size=settings.classify.batch_size,
        partisan_threshold=settings.queue.partisan_threshold,
        early_exit=settings.classify.early_exit,
    )
    for stage in predictor.stages:
        stage.spec.max_length = settings.classify.max_length
    return predictor


def classify_posts(
    settings, engine: Engine, progress: bool = False, batch_size: int = 512, predictor=None
) -> dict[str, Any]:
    """Classify every stored post without a prediction from the current model; returns counts."""
    import torch

    from pipeline.schema import utcnow
    from pipeline.store.db import keyset_batches
    from pipeline.store.tables import Post, Prediction

    from .registry import sync_store

    started = time.time()
    torch.set_num_threads(min(2, torch.get_num_threads()))
    predictor = predictor or load_predictor(settings)
    version = predictor.spec.version
    try:
        sync_store(engine, _models_dir(settings))
    except Exception as exc:  # the registry mirror is a convenience; classification goes on
        log.warning("could not mirror models/ into model_versions: %s", exc)
    posts, preds = Post.__table__, Prediction.__table__
    pending = (
        select(posts.c.id, posts.c.text)
        .outerjoin(preds, and_(preds.c.post_pk == posts.c.id, preds.c.model_version == version))
        .where(preds.c.id.is_(None))
        .order_by(posts.c.id)
    )
    n_in = n_out = n_partisan = batches = 0
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(desc=f"classify ({version})", unit="post")
    for rows in keyset_batches(engine, pending, posts.c.id, batch_size):
        results = predictor.predict([r.text or "" for r in rows])
        now = utcnow()
        values = [
            {
                "post_pk": r.id,
                "model_version": version,
                "stance": p.stance,
                "scores": p.scores,
                "partisan": p.partisan,
                "partisan_score": p.partisan_score,
                "target": p.target,
                "explanation": None,
                "created_at": now,
            }
            for r, p in zip(rows, results, strict=True)
        ]
        with engine.begin() as conn:
            conn.execute(preds.insert(), values)
        n_in += len(rows)
        n_out += len(values)
        n_partisan += sum(p.partisan for p in results)
        batches += 1
        if bar is not None:
            bar.update(len(rows))
    if bar is not None:
        bar.close()
    return {
        "n_in": n_in,
        "n_out": n_out,
        "n_errors": 0,
        "partisan": n_partisan,
        "model": version,
        "batches": batches,
        "seconds": round(time.time() - started, 2),
    }


def _models_dir(settings):
    from .registry import models_dir_for

    return models_dir_for(settings)
