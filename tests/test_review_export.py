"""Exports of reviewed items (datasets, JSONL, Parquet, CSV, Label Studio, case files) and the CLI."""

from __future__ import annotations

import csv
import json

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from pipeline.cli import app as cli
from pipeline.config import Settings
from pipeline.review import export, queue, sample
from pipeline.review.agreement import agreement_report, kappa
from pipeline.review.casefile import case_bundle, render_casefile, write_casefiles
from pipeline.review.decisions import adjudicate, save_decision
from pipeline.review.labels import Labels
from pipeline.store.tables import Evidence, ReviewItem

FORWARD = Labels("support", "confirm", "posting", "forward", target="02", note="jelas")
PHOTO = Labels("support", "confirm", "photo_with_candidate", "forward", target="03")
DISMISS = Labels("neutral", "unsure", "none", "dismiss")


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory):
    """SQLite with single, consensus, adjudicated and dismissed items (built once; tests only read it)."""
    from pipeline.store import open_store

    path = tmp_path_factory.mktemp("export") / "netra.db"
    engine = open_store(f"sqlite:///{path}")
    sample.seed(engine, n_posts=40)
    settings = Settings()
    settings.queue.audit_rate = 0.0
    settings.queue.double_review_rate = 0.5
    queue.enqueue(settings, engine)
    a, b = sample.make_users(engine, 2)
    (lead,) = sample.make_users(engine, 1, role="lead", prefix="lead")
    turn = 0
    while True:
        ca = queue.claim_next(engine, a.id, a.username, settings)
        cb = queue.claim_next(engine, b.id, b.username, settings)
        if ca is None and cb is None:
            break
        for actor, claim in ((a, ca), (b, cb)):
            if claim is not None:
                turn += 1
                save_decision(engine, claim.item_id, actor, (FORWARD, FORWARD, DISMISS)[turn % 3])
    with engine.connect() as conn:
        disputed = conn.execute(
            select(ReviewItem.id, ReviewItem.version).where(ReviewItem.status == "adjudication")
        )
        disputed = disputed.all()
    assert disputed
    for item_id, version in disputed:
        adjudicate(engine, item_id, lead, PHOTO, version)
    yield settings, engine, path
    engine.dispose()


def test_reviewed_dataset_has_final_labels_agreement_and_split_keys(reviewed):
    _, engine, _ = reviewed
    ds = export.reviewed_dataset(engine)
    rows = ds.to_list()
    with engine.connect() as conn:
        decided = conn.execute(select(ReviewItem).where(ReviewItem.status == "decided")).all()
    assert len(rows) == len(decided) > 0
    assert {r["label_source"] for r in rows} == {"single", "consensus", "adjudicated"}
    for r in rows:
        assert (
            r["text"] and r["created_at"] and r["author"] and r["stance"] in ("support", "oppose", "neutral")
        )
        assert ds.features["label"].int2str(r["label"]) == r["stance"]
        if r["label_source"] == "adjudicated":
            assert (
                r["violation"] == "photo_with_candidate"
                and r["agreement"] == 0.0
                and r["adjudicator"] == "lead01"
            )
        if r["label_source"] == "consensus":
            assert r["agreement"] == 1.0 and r["n_reviews"] == 2
    overall = json.loads(ds.info.description)["agreement"]
    assert overall["items"] == sum(r["n_reviews"] == 2 for r in rows)


def test_pseudonymised_exports_hide_nips_and_handles(reviewed, tmp_path):
    _, engine, _ = reviewed
    rows = export.reviewed_rows(engine, pseudonym_key="research-key")
    plain = export.reviewed_rows(engine)
    assert all(r["nip"].startswith("asn_") and len(r["nip"]) == 28 for r in rows)
    assert all(r["author"].startswith("acct_") and r["url"] is None for r in rows)
    # same key, same pseudonym: files stay joinable; another key gives another one
    assert rows[0]["nip"] == export.reviewed_rows(engine, pseudonym_key="research-key")[0]["nip"]
    assert rows[0]["nip"] != export.reviewed_rows(engine, pseudonym_key="other")[0]["nip"]
    export.export(engine, "jsonl", tmp_path, pseudonym_key="research-key")
    text = (tmp_path / "reviewed.jsonl").read_text()
    assert not any(p["nip"] in text or p["author"] in text for p in plain)


def test_every_file_format_round_trips(reviewed, tmp_path):
    from datasets import load_from_disk

    _, engine, _ = reviewed
    n = len(export.reviewed_rows(engine))
    export.export(engine, "datasets", tmp_path / "ds")
    assert load_from_disk(str(tmp_path / "ds" / "reviewed")).num_rows == n
    export.export(engine, "parquet", tmp_path / "pq")
    import pyarrow.parquet as pq

    assert pq.read_table(tmp_path / "pq" / "reviewed.parquet").num_rows == n
    export.export(engine, "jsonl", tmp_path / "jl")
    lines = (tmp_path / "jl" / "reviewed.jsonl").read_text().splitlines()
    assert len(lines) == n and json.loads(lines[0])["evidence_sha256"]
    export.export(engine, "csv", tmp_path / "csv")
    with (tmp_path / "csv" / "reviewed.csv").open() as f:
        assert len(list(csv.DictReader(f))) == n
    assert json.loads((tmp_path / "csv" / "agreement.json").read_text())["labels"][0]["label"] == "stance"


def test_label_studio_tasks_and_config(reviewed, tmp_path):
    _, engine, _ = reviewed
    paths = export.export(engine, "label-studio", tmp_path)
    tasks = json.loads(paths[0].read_text())
    config = paths[1].read_text()
    for name in ("stance", "asn_verdict", "violation", "outcome", "target", "note"):
        assert f'name="{name}"' in config
    adjudicated = [t for t in tasks if any(a["ground_truth"] for a in t["annotations"])]
    assert adjudicated and all(len(t["annotations"]) == 3 for t in adjudicated)
    task = tasks[0]
    assert task["data"]["text"] and task["predictions"][0]["model_version"] == "demo-1"
    result = task["annotations"][0]["result"]
    stance = next(r for r in result if r["from_name"] == "stance")
    assert stance == {"from_name": "stance", "to_name": "text", "type": "choices", "value": stance["value"]}
    assert stance["value"]["choices"][0] in ("support", "oppose", "neutral", "unrelated")
    # every choice used in a result exists in the labelling config
    for t in tasks:
        for ann in t["annotations"]:
            for r in ann["result"]:
                if r["type"] == "choices":
                    assert f'<Choice value="{r["value"]["choices"][0]}"/>' in config


def test_case_files_have_evidence_record_decisions_and_legal_basis(reviewed, tmp_path):
    settings, engine, _ = reviewed
    paths = write_casefiles(engine, tmp_path, settings=settings)
    htmls = [p for p in paths if p.suffix == ".html"]
    pdfs = [p for p in paths if p.suffix == ".pdf"]
    with engine.connect() as conn:
        forwarded = conn.execute(select(ReviewItem).where(ReviewItem.outcome == "forward")).all()
    assert len(htmls) == len(pdfs) == len(forwarded) > 0
    assert all(p.read_bytes().startswith(b"%PDF") and p.stat().st_size > 5000 for p in pdfs)
    item = forwarded[0]
    html = next(p for p in htmls if p.name.endswith(f"{item.id:06d}.html")).read_text()
    for needle in (item.nip, "SHA-256", "cocok dengan salinan tersimpan", "Undang-Undang Nomor 20 Tahun 2023",
                   "rev0", "Jejak audit", "Kabupaten Tanjung Sari"):  # fmt: skip
        assert needle in html, needle


def test_a_tampered_evidence_copy_is_flagged_in_the_case_file(reviewed):
    _, engine, _ = reviewed
    with engine.connect() as conn:
        item_id = conn.scalar(select(ReviewItem.id).where(ReviewItem.outcome == "forward").limit(1))
    ev = Evidence.__table__
    with engine.begin() as conn:
        original = conn.scalar(select(ev.c.text).where(ev.c.item_id == item_id))
        conn.execute(update(ev).where(ev.c.item_id == item_id).values(text=original + " (edited)"))
    try:
        html = render_casefile(case_bundle(engine, item_id), "en")
        assert "DOES NOT match" in html and "Case file" in html
    finally:
        with engine.begin() as conn:
            conn.execute(update(ev).where(ev.c.item_id == item_id).values(text=original))
    html = render_casefile(case_bundle(engine, item_id, pseudonym_key="k"), "id")
    with engine.connect() as conn:
        nip = conn.scalar(select(ReviewItem.nip).where(ReviewItem.id == item_id))
    assert nip not in html and "disamarkan" in html


def test_agreement_per_label_and_pair(reviewed):
    _, engine, _ = reviewed
    report = agreement_report(engine)
    assert report["items"] > 0 and report["pairs"][0]["reviewer_a"] == "rev01"
    stance = next(r for r in report["labels"] if r["label"] == "stance")
    assert 0 <= stance["agreement"] < 1  # the fixture has disagreements
    assert kappa(["a", "b", "a", "b"], ["a", "b", "a", "b"]) == 1.0
    assert kappa(["a", "a"], ["a", "a"]) is None  # undefined, not perfect


def test_cli_users_enqueue_state_and_export(tmp_path, monkeypatch):
    db = tmp_path / "cli.db"
    config = tmp_path / "configs"
    config.mkdir()
    (config / "netra.yaml").write_text(
        f"store:\n  url: sqlite:///{db}\nlogging:\n  file: null\nqueue:\n  audit_rate: 0.0\n"
        "privacy:\n  pseudonym_key: cli-key\n"
    )
    monkeypatch.setenv("NETRA_CONFIG_DIR", str(config))
    runner = CliRunner()
    added = runner.invoke(
        cli, ["users", "add", "siti", "--role", "lead", "--password-stdin"], input="a-long-password\n"
    )
    assert added.exit_code == 0, added.output
    short = runner.invoke(cli, ["users", "add", "budi", "--password-stdin"], input="short\n")
    assert short.exit_code == 2 and "at least" in short.output
    dup = runner.invoke(cli, ["users", "add", "siti", "--password-stdin"], input="a-long-password\n")
    assert dup.exit_code == 2 and "already exists" in dup.output
    assert "siti" in runner.invoke(cli, ["users", "list"]).output
    from pipeline.store import open_store

    engine = open_store(f"sqlite:///{db}")
    sample.seed(engine, n_posts=20)
    out = runner.invoke(cli, ["review", "enqueue"])
    assert out.exit_code == 0 and "enqueued" in out.output, out.output
    assert "new" in runner.invoke(cli, ["review", "state"]).output
    exported = runner.invoke(cli, ["review", "export", "--format", "csv", "--output", str(tmp_path / "x"),
                                   "--pseudonymise"])  # fmt: skip
    assert exported.exit_code == 0 and (tmp_path / "x" / "reviewed.csv").exists(), exported.output
    bad = runner.invoke(cli, ["review", "export", "--format", "xml", "--output", str(tmp_path / "y")])
    assert bad.exit_code == 2
    serve = runner.invoke(cli, ["review", "serve", "--host", "0.0.0.0"])
    assert serve.exit_code == 2 and "secret_key" in serve.output
