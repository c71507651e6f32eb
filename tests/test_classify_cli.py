"""`netra train/evaluate/classify/models` and the scan's classify stage, with a tiny random BERT."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
import torch
from sqlalchemy import func, select
from typer.testing import CliRunner

from pipeline.classify.model import ModelSpec
from pipeline.classify.tiny import make_tiny_backbone, synthetic_records
from pipeline.cli import app
from tests.test_classify_corpus import make_corpus

runner = CliRunner()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A corpus, a tiny backbone, a train config, and a model trained and evaluated through the CLI."""
    torch.set_num_threads(min(2, torch.get_num_threads()))
    root = tmp_path_factory.mktemp("cli")
    data = root / "annotated"
    make_corpus(data, n=10)
    models = root / "models"
    models.mkdir()
    backbone = make_tiny_backbone(root / "backbone", [r["text"] for r in synthetic_records(10, seed=1)])
    config = root / "train.yaml"
    config.write_text(
        f"model: {{backbone: {backbone}, max_length: 32, lora_r: 4}}\n"
        f"data: {{data_dir: {data}, election_dir: {data / 'elections'}, mask: names}}\n"
        "training: {num_train_epochs: 2, learning_rate: 0.005, per_device_train_batch_size: 8,"
        " disable_tqdm: true}\n"
    )
    env = {
        "NETRA__CLASSIFY__MODELS_DIR": str(models),
        "NETRA__CLASSIFY__BACKBONE_CACHE": str(root / "cache"),
        "NETRA__LOGGING__FILE": "",
        "NETRA_DATABASE_URL": f"sqlite:///{root / 'netra.db'}",
        "NETRA__CLASSIFY__QUANTIZE": "false",
    }
    build = runner.invoke(app, ["corpus", "build", "--data-dir", str(data)], env=env)
    assert build.exit_code == 0, build.output
    trained = runner.invoke(app, ["train", "--config", str(config), "--output", str(models / "v1")], env=env)
    assert trained.exit_code == 0, trained.output
    evaluated = runner.invoke(
        app,
        ["evaluate", "--model", "v1", "--data-dir", str(data), "--elections", str(data / "elections")],
        env=env,
    )
    assert evaluated.exit_code == 0, evaluated.output
    return {"root": root, "data": data, "models": models, "env": env, "config": config}


def test_evaluate_writes_metrics_plots_and_a_model_card_with_the_baseline(workspace):
    folder = workspace["models"] / "v1"
    metrics = json.loads((folder / "metrics-test.json").read_text())
    assert {"transformer", "baseline"} <= set(metrics)
    for side in ("transformer", "baseline"):
        m = metrics[side]
        assert set(m["per_class"]) == {"support", "oppose", "neutral", "unrelated"}
        assert {"precision", "recall", "f1"} <= set(m["partisan"])
        assert len(m["confusion"]) == 4 and 0 <= m["ece"] <= 1
    card = (folder / "README.md").read_text()
    assert "TF-IDF" in card and "macro-F1" in card and "partisan flag F1" in card
    assert (folder / "reliability-test.png").stat().st_size > 1000
    assert (folder / "pr-test.png").stat().st_size > 1000
    assert "macro_f1" in ModelSpec.load(folder).metrics["test"]
    # A masking model is also scored with names as written (candidates missing from the config).
    assert metrics["names_unmasked"]["model"]["n"] == metrics["transformer"]["n"]
    assert "names as written" in card


def test_classify_writes_one_line_per_good_post_and_reports_bad_ones(workspace, tmp_path):
    env = workspace["env"]
    runner.invoke(app, ["models", "promote", "v1"], env=env)
    posts = tmp_path / "posts.jsonl"
    long = "Berita panjang. " * 200 + "coblos nomor 2 Pak Hendra"
    posts.write_text(
        "\n".join(
            [
                json.dumps({"id": "1", "text": "coblos nomor 2 ya dulur, Pak Hendra terbukti", "lang": "id"}),
                "{broken",
                json.dumps({"id": "2"}),
                json.dumps({"text": "no id"}),
                json.dumps({"id": 3, "text": long}),
                json.dumps({"id": "4", "text": ""}),
            ]
        )
        + "\n"
    )
    out = tmp_path / "pred.jsonl"
    result = runner.invoke(app, ["classify", "--input", str(posts), "--output", str(out)], env=env)
    assert result.exit_code == 3, result.output  # PARTIAL: finished, some lines skipped
    assert "posts.jsonl:2" in result.output and "posts.jsonl:3: text" in result.output
    assert "posts.jsonl:4: id" in result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == ["1", 3, "4"]
    for line in lines:
        assert set(line) == {"id", "stance", "scores", "partisan", "partisan_score", "target", "model"}
        assert set(line["scores"]) == {"support", "oppose", "neutral", "unrelated"}
        assert abs(sum(line["scores"].values()) - 1) < 1e-4
        assert line["model"] == "v1"
        assert line["partisan"] == (line["partisan_score"] >= 0.5)


def test_classify_missing_input_is_a_clear_error(workspace, tmp_path):
    result = runner.invoke(
        app,
        ["classify", "-i", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path / "o.jsonl")],
        env=workspace["env"],
    )
    assert result.exit_code == 66


def test_models_promote_refuses_a_worse_version_unless_forced(workspace):
    env, models = workspace["env"], workspace["models"]
    assert runner.invoke(app, ["models", "promote", "v1"], env=env).exit_code == 0
    worse = models / "v0"
    worse.mkdir()
    spec = ModelSpec.load(models / "v1")
    spec.version = "v0"
    spec.metrics = {"test": {k: v - 0.1 for k, v in spec.metrics["test"].items() if isinstance(v, float)}}
    spec.save(worse)
    refused = runner.invoke(app, ["models", "promote", "v0"], env=env)
    assert refused.exit_code == 1 and "refusing" in refused.output
    assert (models / "DEFAULT").read_text().strip() == "v1"
    forced = runner.invoke(app, ["models", "promote", "v0", "--force"], env=env)
    assert forced.exit_code == 0 and (models / "DEFAULT").read_text().strip() == "v0"
    listing = runner.invoke(app, ["models", "list"], env=env)
    assert "* v0" in listing.output and "v1" in listing.output
    assert runner.invoke(app, ["models", "promote", "v1"], env=env).exit_code == 0
    assert runner.invoke(app, ["models", "promote", "nope"], env=env).exit_code == 66


def test_train_reports_a_bad_config(workspace, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("model: {no_such_key: 1}\n")
    result = runner.invoke(app, ["train", "--config", str(bad)], env=workspace["env"])
    assert result.exit_code == 2 and "no_such_key" in result.output


def test_classify_posts_is_idempotent_and_registers_the_version(workspace, engine, monkeypatch):
    from datetime import datetime

    from pipeline.classify import classify_posts
    from pipeline.config import load_settings
    from pipeline.schema import Post
    from pipeline.store.posts import upsert_posts
    from pipeline.store.tables import ModelVersion, Prediction

    for key, value in workspace["env"].items():
        monkeypatch.setenv(key, value)
    settings = load_settings()
    assert runner.invoke(app, ["models", "promote", "v1"], env=workspace["env"]).exit_code == 0
    posts = [
        Post("x", str(i), datetime(2026, 11, 1), t)
        for i, t in enumerate(
            ["coblos nomor 2 Pak Hendra", "resep sate", "KPU umumkan debat", "jangan pilih 01"]
        )
    ]
    with engine.begin() as conn:
        upsert_posts(conn, posts)
    first = classify_posts(settings, engine, batch_size=3)
    assert first["n_out"] == 4 and first["batches"] == 2 and first["model"] == "v1"
    assert classify_posts(settings, engine)["n_out"] == 0
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Prediction)).scalar() == 4
        rows = conn.execute(select(ModelVersion.version, ModelVersion.is_default)).all()
    assert ("v1", True) in [tuple(r) for r in rows]


@pytest.mark.parametrize("runtime", ["torch", "onnxruntime"])
def test_evaluate_int8_uses_the_configured_runtime(workspace, runtime):
    env = {**workspace["env"], "NETRA__CLASSIFY__RUNTIME": runtime}
    data = workspace["data"]
    args = ["evaluate", "--model", "v1", "--data-dir", str(data), "--elections", str(data / "elections")]
    result = runner.invoke(app, [*args, "--int8"], env=env)
    assert result.exit_code == 0, result.output
    metrics = json.loads((workspace["models"] / "v1" / "metrics-test-int8.json").read_text())
    assert metrics["quantized"] is True and metrics["runtime"] == runtime


def test_a_cascade_is_built_scored_and_used_like_any_version(workspace, engine, monkeypatch, tmp_path):
    """`netra models cascade` → a version of its own: card, classify output, scan rows, evaluate."""
    import shutil

    from pipeline.classify import classify_posts
    from pipeline.config import load_settings
    from pipeline.schema import Post
    from pipeline.store.posts import upsert_posts
    from pipeline.store.tables import Prediction

    env, models, data = workspace["env"], workspace["models"], workspace["data"]
    shutil.copytree(models / "v1", models / "v1-sharp", dirs_exist_ok=True)
    spec = ModelSpec.load(models / "v1-sharp")
    spec.version, spec.temperature = "v1-sharp", spec.temperature / 4  # another model, as far as it goes
    spec.save(models / "v1-sharp")
    corpus = ["--data-dir", str(data), "--elections", str(data / "elections")]
    duo = f"duo-{engine.dialect.name}"  # the workspace is shared by both stores' runs
    built = runner.invoke(app, ["models", "cascade", "v1-sharp", "v1", "--name", duo, *corpus], env=env)
    assert built.exit_code == 0, built.output
    assert "margin" in built.output and f"netra models promote {duo}" in built.output
    spec = ModelSpec.load(models / duo)
    assert spec.cascade["first"] == "v1-sharp" and spec.cascade["second"] == "v1"
    assert spec.metrics["test"]["n"] > 0 and set(spec.metrics["test_stages"]) == {"v1-sharp", "v1"}
    card = (models / duo / "README.md").read_text()
    assert "a cascade" in card and "(chosen)" in card and "v1-sharp alone" in card
    again = runner.invoke(app, ["models", "cascade", "v1-sharp", "v1", "--name", duo, *corpus], env=env)
    assert again.exit_code == 2 and "exists" in again.output

    posts = tmp_path / "posts.jsonl"
    lines = [json.dumps({"id": i, "text": t}) for i, t in enumerate(["pilih 2", "ok"])]
    posts.write_text("\n".join(lines) + "\n")
    out = tmp_path / "pred.jsonl"
    result = runner.invoke(app, ["classify", "-i", str(posts), "-o", str(out), "--model", duo], env=env)
    assert result.exit_code == 0, result.output
    assert {json.loads(line)["model"] for line in out.read_text().splitlines()} == {duo}

    scored = runner.invoke(app, ["evaluate", "--model", duo, *corpus], env=env)
    assert scored.exit_code == 0, scored.output
    assert "cascade" in scored.output and "v1-sharp" in scored.output and "second stage" in scored.output

    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with engine.begin() as conn:
        upsert_posts(conn, [Post("x", "c1", datetime(2026, 11, 2), "jangan pilih 01")])
    try:
        assert runner.invoke(app, ["models", "promote", duo, "--force"], env=env).exit_code == 0
        assert classify_posts(load_settings(), engine)["model"] == duo
        with engine.connect() as conn:
            versions = set(conn.execute(select(Prediction.model_version)).scalars())
        assert duo in versions
    finally:
        assert runner.invoke(app, ["models", "promote", "v1", "--force"], env=env).exit_code == 0
