"""Twenty reviewers at once, each with their own engine (own connections), on SQLite (WAL) and PostgreSQL.

Every decision a reviewer was told is saved must be in the store exactly once, every item must end
with exactly the number of decisions it needs from distinct reviewers, and no item meant for one
reviewer may have been decided by two.
"""

from __future__ import annotations

import random
import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from pipeline.config import Settings
from pipeline.review import queue, sample
from pipeline.review.decisions import save_decision
from pipeline.review.labels import Labels
from pipeline.store import make_engine
from pipeline.store.tables import Decision, ReviewItem

N_REVIEWERS = 20


def test_twenty_reviewers_claiming_and_deciding_lose_nothing(store_url, engine):
    sample.seed(engine, n_posts=160)
    settings = Settings()
    settings.queue.audit_rate = 0.0
    settings.queue.double_review_rate = 0.3
    queue.enqueue(settings, engine)
    reviewers = sample.make_users(engine, N_REVIEWERS)
    with engine.connect() as conn:
        required = dict(conn.execute(select(ReviewItem.id, ReviewItem.required_reviews)).all())
    assert len(required) >= 40 and 2 in required.values()

    saved: list[tuple[int, int, int, str]] = []  # (decision id, item id, reviewer id, stance)
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(N_REVIEWERS)

    def work(actor, seed: int) -> None:
        eng = make_engine(store_url)  # a reviewer's own process, in effect: own pool, own connections
        rng = random.Random(seed)
        try:
            start.wait()
            while (claim := queue.claim_next(eng, actor.id, actor.username, settings)) is not None:
                labels = Labels(rng.choice(["support", "neutral"]), "confirm", "posting", "forward")
                result = save_decision(eng, claim.item_id, actor, labels)
                with lock:
                    saved.append((result["decision_id"], claim.item_id, actor.id, labels.stance))
        except BaseException as exc:  # reported below, failing the test
            errors.append(exc)
        finally:
            eng.dispose()

    threads = [threading.Thread(target=work, args=(r, i)) for i, r in enumerate(reviewers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads)
    assert errors == []

    with engine.connect() as conn:
        stored = {r.id: r for r in conn.execute(select(Decision.__table__))}
        statuses = Counter(conn.scalars(select(ReviewItem.status)))
        n_items = conn.scalar(select(func.count()).select_from(ReviewItem))
    # every decision reported as saved is stored, once, as it was sent
    assert len(saved) == len(stored) == len({s[0] for s in saved})
    for decision_id, item_id, reviewer_id, stance in saved:
        row = stored[decision_id]
        assert (row.item_id, row.reviewer_id, row.stance) == (item_id, reviewer_id, stance)
    # every item got exactly the decisions it needs, from distinct reviewers
    per_item = Counter(r.item_id for r in stored.values())
    assert per_item == Counter({item_id: n for item_id, n in required.items()})
    pairs = Counter((r.item_id, r.reviewer_id) for r in stored.values())
    assert max(pairs.values()) == 1
    assert statuses["open"] == 0 and sum(statuses.values()) == n_items
    # they really worked side by side (how the work splits depends on thread scheduling)
    assert len({s[2] for s in saved}) > 1


@pytest.mark.parametrize("n", [3])
def test_claims_racing_for_the_last_item_give_it_to_one_reviewer(engine, n):
    with engine.begin() as conn:
        sample.add_model_version(conn, "m1")
        sample.add_match(conn, "solo", "198005122005011001", 0.99)
        pk = sample.add_post(conn, "only", "coblos nomor 2", "solo", sample.utcnow())
        sample.add_prediction(conn, pk, "m1", "support", 0.95)
    settings = Settings()
    settings.queue.double_review_rate = 0.0
    queue.enqueue(settings, engine)
    reviewers = sample.make_users(engine, n)
    barrier = threading.Barrier(n)
    got: list[object] = []

    def work(actor) -> None:
        barrier.wait()
        got.append(queue.claim_next(engine, actor.id, actor.username, settings))

    threads = [threading.Thread(target=work, args=(r,)) for r in reviewers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(c is not None for c in got) == 1
