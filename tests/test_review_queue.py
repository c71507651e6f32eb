"""The review queue on both stores: entering, ordering, leases, decisions, conflicts, adjudication."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, update

from pipeline.config import Settings
from pipeline.review import queue, sample
from pipeline.review.decisions import Conflict, Forbidden, adjudicate, save_decision
from pipeline.review.labels import LabelError, Labels
from pipeline.schema import utcnow
from pipeline.store.tables import AuditLog, Decision, Evidence, ReviewItem
from pipeline.store.tables import Post as PostRow

ITEMS = ReviewItem.__table__
FORWARD = Labels("support", "confirm", "posting", "forward", target="02", note="jelas kampanye")
DISMISS = Labels("neutral", "confirm", "none", "dismiss")


def settings(**queue_values) -> Settings:
    s = Settings()
    for key, value in {"audit_rate": 0.0, "double_review_rate": 0.0, **queue_values}.items():
        setattr(s.queue, key, value)
    return s


@pytest.fixture
def store(engine):
    sample.seed(engine, n_posts=40)
    return engine


def count(engine, table, *where) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(table).where(*where))


def items(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(select(ITEMS).order_by(ITEMS.c.id)).all()


def test_enqueue_takes_posts_past_both_thresholds_and_is_idempotent(store):
    s = settings()
    first = queue.enqueue(s, store)
    rows = items(store)
    assert first.inserted == len(rows) > 0
    assert all(r.p_asn >= s.queue.asn_threshold and r.p_partisan >= s.queue.partisan_threshold for r in rows)
    assert first.qualifying == len(rows) and first.frame > 0
    # every qualifying post is there: none left behind
    assert len({r.post_pk for r in rows}) == len(rows)
    second = queue.enqueue(s, store)
    assert (second.inserted, second.updated, second.evidence_added) == (0, 0, 0)
    assert count(store, ITEMS) == len(rows)
    assert count(store, Evidence.__table__) == len(rows)


def test_audit_sample_is_marked_stable_across_runs_and_counted(store):
    s = settings(audit_rate=0.5)
    first = queue.enqueue(s, store)
    audit_items = [r for r in items(store) if r.audit]
    assert first.inserted_audit == len(audit_items) > 0
    assert all(r.p_asn < 0.8 or r.p_partisan < 0.5 for r in audit_items)
    queue.enqueue(s, store)
    queue.enqueue(s, store)
    assert len([r for r in items(store) if r.audit]) == len(audit_items)  # re-runs do not compound the rate
    assert queue.audit_estimate(store)["population"] == first.frame
    everything = queue.enqueue(settings(audit_rate=1.0), store)
    assert count(store, ITEMS, ITEMS.c.audit.is_(True)) == everything.frame


def test_new_model_version_updates_the_item_but_keeps_decisions(store):
    s = settings()
    queue.enqueue(s, store)
    (reviewer,) = sample.make_users(store, 1)
    claim = queue.claim_next(store, reviewer.id, reviewer.username, s)
    save_decision(store, claim.item_id, reviewer, FORWARD)
    with store.begin() as conn:
        conn.execute(update(sample.ModelVersion.__table__).values(is_default=False))
        sample.add_model_version(conn, "demo-2")
        for r in conn.execute(select(ITEMS.c.post_pk)).all():
            sample.add_prediction(conn, r.post_pk, "demo-2", "neutral", 0.55)
    summary = queue.enqueue(s, store)
    assert summary.inserted == 0 and summary.updated == count(store, ITEMS)
    with store.connect() as conn:
        item = conn.execute(select(ITEMS).where(ITEMS.c.id == claim.item_id)).one()
        decisions = conn.execute(
            select(Decision.__table__).where(Decision.__table__.c.item_id == item.id)
        ).all()
        trail = conn.execute(select(AuditLog.__table__).where(AuditLog.__table__.c.action == "refresh")).all()
    assert item.model_version == "demo-2" and item.prediction["stance"] == "neutral"
    assert item.status == "decided" and item.outcome == "forward"
    assert [d.stance for d in decisions] == ["support"]
    assert (
        trail and trail[0].before["model_version"] == "demo-1" and trail[0].after["model_version"] == "demo-2"
    )
    assert item.uncertainty >= 1.0  # two model versions disagreed: first in the uncertainty ordering


def test_evidence_survives_the_post_and_its_hash_verifies(store):
    queue.enqueue(settings(), store)
    item = items(store)[0]
    with store.begin() as conn:
        conn.execute(delete(PostRow.__table__).where(PostRow.__table__.c.id == item.post_pk))
    with store.connect() as conn:
        ev = conn.execute(select(Evidence.__table__).where(Evidence.__table__.c.item_id == item.id)).one()
        left = conn.execute(select(ITEMS).where(ITEMS.c.id == item.id)).one()
    assert left.post_pk is None
    assert ev.text and ev.url and ev.author_handle and ev.captured_at
    assert queue.evidence_hash(dict(ev._mapping)) == ev.sha256
    assert queue.evidence_hash(dict(ev._mapping) | {"text": ev.text + "!"}) != ev.sha256


def test_priority_combines_probabilities_reach_and_recency_and_does_not_depend_on_today():
    day = datetime(2026, 11, 1)
    base = queue.priority_score(0.9, 0.9, 100, 10, day)
    assert queue.priority_score(0.99, 0.9, 100, 10, day) > base
    assert queue.priority_score(0.9, 0.9, 100_000, 10, day) > base
    assert queue.priority_score(0.9, 0.9, 100, 10, day + timedelta(days=1)) > base
    # a week newer counts as much as twice the probability
    newer = queue.priority_score(0.45, 0.9, 100, 10, day + timedelta(days=queue.HALF_LIFE_DAYS))
    assert newer == pytest.approx(base)


def test_queue_order_follows_priority_or_uncertainty(store):
    queue.enqueue(settings(), store)
    (reviewer,) = sample.make_users(store, 1)
    rows = items(store)
    with store.connect() as conn:
        by_priority = conn.scalars(queue.available_query(reviewer.id, utcnow(), "priority")).all()
        by_uncertainty = conn.scalars(queue.available_query(reviewer.id, utcnow(), "uncertainty")).all()
    assert by_priority == [r.id for r in sorted(rows, key=lambda r: (-r.priority, r.id))]
    assert by_uncertainty == [r.id for r in sorted(rows, key=lambda r: (-r.uncertainty, -r.priority, r.id))]
    claim = queue.claim_next(store, reviewer.id, reviewer.username, settings(ordering="uncertainty"))
    assert claim.item_id == by_uncertainty[0]


def test_leases_keep_two_reviewers_off_the_same_single_item(store):
    s = settings()
    queue.enqueue(s, store)
    a, b = sample.make_users(store, 2)
    ca = queue.claim_next(store, a.id, a.username, s)
    cb = queue.claim_next(store, b.id, b.username, s)
    assert ca.item_id != cb.item_id
    again = queue.claim_next(store, a.id, a.username, s)
    assert again.item_id == ca.item_id and again.resumed  # one open lease per reviewer: no hoarding
    assert queue.release(store, ca.item_id, a.id, a.username)
    nxt = queue.claim_next(store, a.id, a.username, s)
    assert nxt.item_id not in (ca.item_id, cb.item_id)  # a skipped item does not come straight back


def test_expired_lease_is_taken_over_and_the_late_decision_is_refused(store):
    s = settings()
    queue.enqueue(s, store)
    a, b = sample.make_users(store, 2)
    ca = queue.claim_next(store, a.id, a.username, s)
    later = utcnow() + timedelta(minutes=s.queue.lease_minutes + 1)
    # B is offered A's item first once the lease has run out
    cb = queue.claim_next(store, b.id, b.username, s, now=later)
    assert cb.item_id == ca.item_id and cb.slot == ca.slot
    with pytest.raises(Conflict) as err:
        save_decision(store, ca.item_id, a, FORWARD)
    assert err.value.code == "not_leased" and "b" in err.value.message.lower()
    save_decision(store, cb.item_id, b, DISMISS)
    assert count(store, Decision.__table__) == 1


def test_a_second_reviewer_cannot_overwrite_the_first_decision(store):
    s = settings()
    queue.enqueue(s, store)
    a, b = sample.make_users(store, 2)
    claim = queue.claim_next(store, a.id, a.username, s)
    save_decision(store, claim.item_id, a, FORWARD)
    with pytest.raises(Conflict) as err:
        save_decision(store, claim.item_id, b, DISMISS)
    assert err.value.code == "decided"
    with pytest.raises(Conflict):  # decided items are final for reviewers, the author included
        save_decision(store, claim.item_id, a, DISMISS, expected_version=1)
    with store.connect() as conn:
        d = conn.execute(select(Decision.__table__)).one()
    assert (d.reviewer_id, d.outcome, d.stance) == (a.id, "forward", "support")


def test_stale_revision_is_detected_not_lost(store):
    s = settings(double_review_rate=1.0)
    queue.enqueue(s, store)
    (a,) = sample.make_users(store, 1)
    claim = queue.claim_next(store, a.id, a.username, s)
    first = save_decision(store, claim.item_id, a, FORWARD)
    assert first["status"] == "open"  # waits for the second reviewer
    second = save_decision(store, claim.item_id, a, DISMISS, expected_version=first["version"])
    assert second["version"] == 2
    with pytest.raises(Conflict) as err:  # a second tab still showing version 1
        save_decision(store, claim.item_id, a, FORWARD, expected_version=1)
    assert err.value.code == "stale"
    with store.connect() as conn:
        assert conn.scalar(select(Decision.__table__.c.outcome)) == "dismiss"


def test_double_review_agreement_disagreement_and_adjudication(store):
    s = settings(double_review_rate=1.0)
    queue.enqueue(s, store)
    a, b = sample.make_users(store, 2)
    (lead,) = sample.make_users(store, 1, role="lead", prefix="lead")
    ca = queue.claim_next(store, a.id, a.username, s)
    cb = queue.claim_next(store, b.id, b.username, s)
    assert ca.item_id == cb.item_id and {ca.slot, cb.slot} == {1, 2}  # the overlap goes to both
    save_decision(store, ca.item_id, a, FORWARD)
    result = save_decision(store, cb.item_id, b, FORWARD)
    assert result["status"] == "decided"
    (item,) = [r for r in items(store) if r.id == ca.item_id]
    assert item.final["source"] == "consensus" and item.outcome == "forward"

    ca2 = queue.claim_next(store, a.id, a.username, s)
    cb2 = queue.claim_next(store, b.id, b.username, s)
    assert ca2.item_id == cb2.item_id != ca.item_id
    save_decision(store, ca2.item_id, a, FORWARD)
    assert save_decision(store, cb2.item_id, b, DISMISS)["status"] == "adjudication"
    with pytest.raises(Forbidden):
        adjudicate(store, ca2.item_id, a, FORWARD, expected_item_version=1)
    (item,) = [r for r in items(store) if r.id == ca2.item_id]
    adjudicate(store, item.id, lead, DISMISS, expected_item_version=item.version)
    with pytest.raises(Conflict):  # another lead working from the same page
        adjudicate(store, item.id, lead, FORWARD, expected_item_version=item.version)
    (item,) = [r for r in items(store) if r.id == ca2.item_id]
    assert item.status == "decided" and item.outcome == "dismiss" and item.final["source"] == "adjudicated"
    state = queue.queue_state(store)
    assert state["decided"] == 2 and state["forwarded"] == 1 and state["adjudication"] == 0


def test_queue_state_counts_and_audit_estimate(store):
    s = settings(audit_rate=1.0)
    queue.enqueue(s, store)
    (a,) = sample.make_users(store, 1)
    state = queue.queue_state(store)
    assert state["new"] == state["total"] > 0 and state["in_review"] == 0
    claim = queue.claim_next(store, a.id, a.username, s)
    assert queue.queue_state(store)["in_review"] == 1
    save_decision(store, claim.item_id, a, FORWARD)
    decided = 1
    while (claim := queue.claim_next(store, a.id, a.username, s)) is not None and decided < 12:
        save_decision(store, claim.item_id, a, DISMISS)
        decided += 1
    state = queue.queue_state(store)
    assert state["decided"] == decided and state["forwarded"] == 1
    est = queue.audit_estimate(store)
    with store.connect() as conn:
        audited = conn.execute(
            select(ITEMS).where(ITEMS.c.audit.is_(True), ITEMS.c.status == "decided")
        ).all()
    assert est["reviewed"] == len(audited)
    assert est["violations"] == sum(r.outcome == "forward" for r in audited)


def test_labels_are_validated_with_the_field_named():
    with pytest.raises(LabelError) as err:
        Labels("supports", "confirm", "posting", "forward").validate()
    assert err.value.field == "stance"
    with pytest.raises(LabelError) as err:
        Labels("support", "confirm", "none", "forward").validate()
    assert err.value.field == "violation"
    with pytest.raises(LabelError) as err:
        Labels.from_mapping({"stance": "support", "violation": "posting", "outcome": "forward"})
    assert err.value.field == "asn_verdict"


def test_every_change_is_in_the_audit_log(store):
    s = settings()
    queue.enqueue(s, store)
    (a,) = sample.make_users(store, 1)
    claim = queue.claim_next(store, a.id, a.username, s)
    save_decision(store, claim.item_id, a, FORWARD)
    from pipeline.review.audit import item_trail

    trail = item_trail(store, claim.item_id)
    actions = [(e["actor"], e["action"]) for e in trail]
    assert actions[:2] == [("system:enqueue", "enqueue"), ("system:enqueue", "capture")]
    assert ("rev01", "claim") in actions and ("rev01", "decide") in actions and ("rev01", "status") in actions
    decide = next(e for e in trail if e["action"] == "decide")
    assert decide["after"]["stance"] == "support" and decide["before"] is None and decide["at"] is not None


def test_asn_verdicts_go_back_to_the_matcher_and_judged_matches_stay_put(store):
    pytest.importorskip("pipeline.registry.feedback")
    from pipeline.store.tables.registry import AccountMatch, MatchFeedback

    s = settings()
    queue.enqueue(s, store)
    a, b = sample.make_users(store, 2)
    first = queue.claim_next(store, a.id, a.username, s)
    save_decision(store, first.item_id, a, Labels("support", "wrong_person", "posting", "dismiss"))
    second = queue.claim_next(store, b.id, b.username, s)
    save_decision(store, second.item_id, b, FORWARD)
    with store.connect() as conn:
        feedback = conn.execute(select(MatchFeedback).order_by(MatchFeedback.id)).all()
        judged = {
            r.id: r
            for r in conn.execute(select(ITEMS).where(ITEMS.c.id.in_([first.item_id, second.item_id])))
        }
        matches = {r.handle: r for r in conn.execute(select(AccountMatch))}
    assert [(f.verdict, f.reviewer) for f in feedback] == [("reject", "rev01"), ("confirm", "rev02")]
    assert feedback[0].nip == judged[first.item_id].nip
    rejected = matches[judged[first.item_id].author_handle]
    assert rejected.nip != judged[first.item_id].nip  # the matcher dropped the rejected candidate
    assert rejected.nip is None and rejected.status == "needs_review"  # and links no other by itself
    queue.enqueue(s, store)  # the changed match reaches the queue, but not the judged items
    with store.connect() as conn:
        after = {r.id: r for r in conn.execute(select(ITEMS).where(ITEMS.c.id.in_(list(judged))))}
    for item_id, before in judged.items():
        assert (after[item_id].nip, after[item_id].match) == (before.nip, before.match)
