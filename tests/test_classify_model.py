"""Training → saving → loading → inference with a tiny random BERT, calibration, batching, long texts."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from pipeline.classify.calibrate import expected_calibration_error, fit_temperature, nll, softmax
from pipeline.classify.corpus import LABELS, records_to_dataset
from pipeline.classify.infer import StancePredictor, encode_windows, length_sorted_batches, pad_batch
from pipeline.classify.model import ADAPTER_DIR, HEAD_FILE, SPEC_FILE, ModelSpec, load_model
from pipeline.classify.tiny import make_tiny_backbone, synthetic_records
from pipeline.classify.train import parse_args, train_on_datasets


def tiny_datasets():
    from datasets import DatasetDict

    return DatasetDict(
        {
            "train": records_to_dataset(synthetic_records(10, seed=1)),
            "validation": records_to_dataset(synthetic_records(4, seed=2, prefix="v")),
        }
    )


def train_tiny(backbone, out, **overrides):
    args = {
        "backbone": str(backbone),
        "output_dir": str(out),
        "num_train_epochs": 3,
        "learning_rate": 5e-3,
        "per_device_train_batch_size": 8,
        "disable_tqdm": True,
        "election_dir": None,
        "lora_r": 4,
        "max_length": 32,
        **overrides,
    }
    model_args, data_args, training_args = parse_args(None, args)
    return train_on_datasets(
        tiny_datasets(), model_args, data_args, training_args, cache=out.parent / "cache"
    )


def tiny_model(root):
    """A tiny random backbone and a model trained on it: (backbone folder, training result)."""
    torch.set_num_threads(min(2, torch.get_num_threads()))
    texts = [r["text"] for r in synthetic_records(10, seed=1)] + ["[CALON] [NOMOR] @user http"]
    backbone = make_tiny_backbone(root / "backbone", texts)
    return backbone, train_tiny(backbone, root / "model")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return tiny_model(tmp_path_factory.mktemp("tiny"))


def test_training_saves_a_small_adapter_head_and_spec(tiny):
    _, result = tiny
    folder = result.folder
    assert (folder / SPEC_FILE).exists() and (folder / HEAD_FILE).exists()
    assert (folder / ADAPTER_DIR / "adapter_config.json").exists()
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    assert size < 1_000_000  # the backbone is not copied
    spec = ModelSpec.load(folder)
    assert spec.labels == list(LABELS)
    assert spec.temperature > 0 and spec.temperature != 1.0
    assert spec.metrics["validation"]["macro_f1"] is not None
    assert spec.training["training"]["seed"] == 13
    assert 0.0 <= spec.blend["weight"] <= 1.0 and (folder / spec.blend["file"]).exists()
    assert len(result.history) >= 1


def test_loaded_model_predicts_what_the_trained_one_did(tiny):
    _, result = tiny
    model, tokenizer, spec = load_model(result.folder, cache="unused")
    texts = [
        "coblos nomor 2 ya, Pak Hendra pasti menang",
        "resep nasi goreng enak",
        "KPU umumkan jadwal debat",
    ]
    direct = StancePredictor(model, tokenizer, spec)
    direct.attach_blend(result.folder)
    p1 = direct.probabilities(texts)
    p2 = StancePredictor.load(result.folder, "unused").probabilities(texts)
    np.testing.assert_allclose(p1, p2, atol=1e-5)
    np.testing.assert_allclose(p1.sum(axis=1), 1.0, atol=1e-6)


def test_a_fixed_seed_reproduces_training(tiny, tmp_path):
    backbone, first = tiny
    again = train_tiny(backbone, tmp_path / "again")
    texts = ["jangan pilih Bu Ratna", "antrian nomor 2 di puskesmas"]
    a = StancePredictor.load(first.folder, "unused").logits(texts)
    b = StancePredictor.load(again.folder, "unused").logits(texts)
    np.testing.assert_allclose(a, b, atol=1e-4)


def test_predictions_do_not_depend_on_batch_size_or_order(tiny):
    _, result = tiny
    predictor = StancePredictor.load(result.folder, "unused", batch_size=1)
    texts = ["a", "coblos nomor 2 ya dulur " * 3, "KPU", "jangan pilih paslon 01, janjinya kosong semua"]
    one = predictor.logits(texts)
    predictor.batch_size = 3
    many = predictor.logits(texts)
    reordered = predictor.logits(texts[::-1])[::-1]
    np.testing.assert_allclose(one, many, atol=1e-4)
    np.testing.assert_allclose(one, reordered, atol=1e-4)


@pytest.mark.parametrize("runtime", ["torch", "onnxruntime"])
def test_int8_model_predicts_like_float32(tiny, tmp_path, runtime):
    _, result = tiny
    texts = [r["text"] for r in synthetic_records(3, seed=5)] + ["coblos nomor 2"]
    f32 = StancePredictor.load(result.folder, tmp_path).probabilities(texts)
    predictor = StancePredictor.load(result.folder, tmp_path, quantize=True, runtime=runtime)
    q = predictor.probabilities(texts)
    assert q.shape == f32.shape and np.allclose(q.sum(1), 1.0)
    assert np.abs(q - f32).max() < 0.1
    assert (q.argmax(1) == f32.argmax(1)).mean() >= 0.9


def test_onnx_export_is_int8_cached_and_reused(tiny, tmp_path):
    import onnx

    from pipeline.classify.onnx import OrtPredictor, export_int8

    _, result = tiny
    path = export_int8(result.folder, tmp_path)
    ops = {node.op_type for node in onnx.load(str(path)).graph.node}
    assert "MatMulInteger" in ops or "DynamicQuantizeMatMul" in ops  # int8 weights
    assert sorted(p.name for p in (tmp_path / "onnx").iterdir()) == [path.name]  # no fp32 leftovers
    mtime = path.stat().st_mtime_ns
    assert isinstance(StancePredictor.load(result.folder, tmp_path, quantize=True), OrtPredictor)
    assert path.stat().st_mtime_ns == mtime


def test_an_unknown_runtime_is_a_clear_error(tiny):
    _, result = tiny
    with pytest.raises(ValueError, match="unknown runtime"):
        StancePredictor.load(result.folder, "unused", quantize=True, runtime="tvm")


def test_length_sorted_batches_group_similar_lengths_and_cap_area():
    lengths = [5, 50, 6, 49, 7, 48]
    batches = length_sorted_batches(lengths, batch_size=2)
    assert batches == [[0, 2], [4, 5], [3, 1]]
    capped = length_sorted_batches([10] * 8, batch_size=8, max_tokens=40)
    assert all(len(b) <= 4 for b in capped) and sum(map(len, capped)) == 8


def test_dynamic_padding_pads_to_the_longest_in_the_batch():
    ids, mask = pad_batch([[1, 2, 3], [4]], pad_id=0)
    assert ids.tolist() == [[1, 2, 3], [4, 0, 0]]
    assert mask.tolist() == [[1, 1, 1], [1, 0, 0]]


def test_long_texts_become_overlapping_windows_that_reach_the_end(tiny):
    backbone, _ = tiny
    from pipeline.classify.backbone import load_tokenizer

    tok = load_tokenizer(str(backbone))
    long = " ".join(f"kata{i}" for i in range(200)) + " coblos nomor 2"
    windows, owner = encode_windows(tok, ["pendek", long], max_length=32, stride=8)
    assert owner.count(0) == 1 and owner.count(1) > 3
    assert all(len(w) <= 32 for w in windows)
    last = tok.decode(windows[-1])
    assert "coblos" in last
    cut, _ = encode_windows(tok, [long], max_length=32, long_text="truncate")
    assert len(cut) == 1 and "coblos" not in tok.decode(cut[0])


def test_temperature_scaling_lowers_nll_of_an_overconfident_model():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 4, 400)
    logits = rng.normal(0, 1, (400, 4))
    logits[np.arange(400), labels] += 1.5  # right ~70% of the time ...
    logits *= 6  # ... but far too sure of itself
    t = fit_temperature(logits, labels)
    assert t > 2
    assert nll(logits, labels, t) < nll(logits, labels) - 0.3
    assert expected_calibration_error(softmax(logits, t), labels) < expected_calibration_error(
        softmax(logits), labels
    )
    assert (softmax(logits, t).argmax(1) == softmax(logits).argmax(1)).all()


def test_a_hub_backbone_that_is_not_cached_is_a_clear_error(tmp_path, monkeypatch):
    from pipeline.classify.backbone import BackboneError, ensure_backbone, load_encoder, load_tokenizer

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    name = ensure_backbone("indobenchmark/indobert-base-p1", tmp_path)
    assert name == "indobenchmark/indobert-base-p1"
    with pytest.raises(BackboneError, match="without the hub"):
        load_tokenizer(name)
    with pytest.raises(BackboneError, match="without the hub"):
        load_encoder(str(tmp_path / "no-such-model"))


def test_cached_lower_layers_give_the_same_logits_as_the_whole_encoder(tiny):
    from pipeline.classify.frozen import UpperStanceModel, collate, lower_states
    from pipeline.classify.model import build_model

    backbone, _ = tiny
    spec = ModelSpec(backbone=str(backbone), lora={"r": 4, "top_layers": 1})
    model, tok = build_model(spec, cache="unused")
    torch.manual_seed(0)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.5)  # B starts at zero; make the adapters matter
    assert not any("layer.0." in n and "lora" in n for n, _ in model.named_parameters())
    model.eval()
    windows, _ = encode_windows(tok, ["coblos nomor 2 ya", "resep nasi goreng enak sekali hari ini"], 32)
    states = lower_states(model, windows, split=1, pad_id=tok.pad_token_id)
    batch = collate([{"hidden": s, "labels": 0} for s in states])
    upper = UpperStanceModel(model, split=1).eval()
    with torch.no_grad():
        cached = upper(batch["hidden"], batch["attention_mask"])["logits"]
        ids, mask = pad_batch(windows, tok.pad_token_id)
        whole = model(input_ids=ids, attention_mask=mask)["logits"]
    torch.testing.assert_close(cached, whole, atol=1e-5, rtol=1e-4)


def test_training_on_cached_states_saves_an_ordinary_lora_model(tiny, tmp_path):
    backbone, _ = tiny
    result = train_tiny(backbone, tmp_path / "top", lora_top_layers=1, num_train_epochs=2)
    assert result.spec.training["frozen_layers_cached"] is True
    assert result.spec.lora["top_layers"] == 1
    probs = StancePredictor.load(result.folder, "unused").probabilities(["coblos nomor 2"])
    assert probs.shape == (1, 4)


def test_mask_augment_adds_the_names_as_written_view_once_per_post():
    from pipeline.classify.infer import apply_views, preprocess_views
    from pipeline.classify.train import make_matcher

    spec = ModelSpec(version="v", backbone="x", mask="names")
    matcher = make_matcher("configs/elections")
    texts = ["coblos Pak Hendra nomor 2", "masak nasi goreng dulu"]
    both, labels = apply_views(preprocess_views(spec, matcher, augment=True), texts, [0, 3])
    assert len(both) == 3 and labels == [0, 0, 3]  # the post without a name is not doubled
    assert "Hendra" not in both[0] and "Hendra" in both[1]
    masked, _ = apply_views(preprocess_views(spec, matcher, augment=False), texts, [0, 3])
    assert masked == [both[0], both[2]]


def test_training_with_mask_augment_sees_masked_and_unmasked_posts(tiny, tmp_path):
    backbone, _ = tiny
    overrides = {"mask": "names", "election_dir": "configs/elections", "num_train_epochs": 1}
    with_aug = train_tiny(backbone, tmp_path / "aug", **overrides)
    without = train_tiny(backbone, tmp_path / "plain", mask_augment=False, **overrides)
    n_posts = len(tiny_datasets()["train"])
    assert without.spec.training["train_posts"] == n_posts
    assert with_aug.spec.training["train_posts"] > n_posts  # posts naming a demo candidate, twice


def test_tfidf_blend_part_round_trips_through_plain_arrays(tmp_path):
    from pipeline.classify.baseline import TfidfBaseline
    from pipeline.classify.blend import SavedTfidf, save_tfidf

    train = synthetic_records(8, seed=3)
    texts = [r["text"] for r in train]
    labels = [LABELS.index(r["stance"]) for r in train]
    fitted = TfidfBaseline(c_grid=(1.0,)).fit(texts, labels)
    save_tfidf(fitted.pipeline_, tmp_path / "tfidf.npz")
    with np.load(tmp_path / "tfidf.npz", allow_pickle=False) as data:  # no pickled objects inside
        assert {"word.terms", "char.idf", "coef", "classes"} <= set(data.files)
    loaded = SavedTfidf(tmp_path / "tfidf.npz")
    new = [r["text"] for r in synthetic_records(3, seed=9)] + ["teks yang belum pernah dilihat"]
    np.testing.assert_allclose(loaded.predict_proba(new), fitted.pipeline_.predict_proba(new), atol=1e-9)
    assert list(loaded.classes_) == list(fitted.pipeline_.classes_)


def test_a_student_keeps_only_the_bottom_layers_and_exports_as_such(tiny, tmp_path):
    from pipeline.classify.onnx import cached_int8_path

    backbone, full = tiny
    student = train_tiny(backbone, tmp_path / "student", num_layers=1, prefix="", num_train_epochs=1)
    assert student.spec.layers == 1 and student.spec.prefix == ""
    model, _, _ = load_model(student.folder, cache="unused")
    assert len(model.encoder.encoder.layer) == 1 and model.config.num_hidden_layers == 1
    texts = ["coblos nomor 2 ya", "resep nasi goreng enak sekali hari ini"]
    f32 = StancePredictor.load(student.folder, tmp_path).probabilities(texts)
    q = StancePredictor.load(student.folder, tmp_path, quantize=True).probabilities(texts)
    assert np.abs(q - f32).max() < 0.1  # the exported network is the 1-layer one, not the whole encoder
    assert cached_int8_path(student.folder, tmp_path).name != cached_int8_path(full.folder, tmp_path).name
    assert full.spec.layers is None and full.spec.prefix == ""  # a BERT backbone has no e5 prefix


def test_truncating_to_more_layers_than_the_encoder_has_is_a_clear_error(tiny):
    from pipeline.classify.backbone import load_encoder, truncate_layers

    backbone, _ = tiny
    encoder = load_encoder(str(backbone))
    assert truncate_layers(encoder, None) is encoder
    with pytest.raises(ValueError, match="layers must be between 1 and"):
        truncate_layers(encoder, encoder.config.num_hidden_layers + 1)


def test_distillation_targets_mix_the_label_with_the_teachers_calibrated_probabilities(tiny):
    from pipeline.classify.train import distill_targets

    _, result = tiny
    teacher = StancePredictor.load(result.folder, "unused")
    texts = ["coblos nomor 2 ya", "resep nasi goreng enak", "KPU umumkan jadwal debat"]
    labels = [0, 3, 2]
    soft = softmax(teacher.logits(texts, prepared=texts).astype(np.float64), teacher.spec.temperature)
    mixed = np.asarray(distill_targets(teacher, texts, labels, 0.25))
    np.testing.assert_allclose(mixed, 0.75 * np.eye(4)[labels] + 0.25 * soft, atol=1e-6)
    np.testing.assert_allclose(mixed.sum(1), 1.0, atol=1e-6)
    assert np.asarray(distill_targets(teacher, texts, labels, 0.0)).tolist() == np.eye(4)[labels].tolist()
    with pytest.raises(ValueError, match="distill_weight"):
        distill_targets(teacher, texts, labels, 1.5)


def test_a_student_trains_on_its_teachers_targets(tiny, tmp_path):
    backbone, teacher = tiny
    common = {"num_layers": 1, "num_train_epochs": 1}
    plain = train_tiny(backbone, tmp_path / "plain", **common)
    taught = train_tiny(backbone, tmp_path / "taught", distill_from=str(teacher.folder), **common)
    assert taught.spec.training["model"]["distill_from"] == str(teacher.folder)
    texts = ["jangan pilih Bu Ratna", "antrian nomor 2 di puskesmas"]
    a = StancePredictor.load(plain.folder, "unused").logits(texts)
    b = StancePredictor.load(taught.folder, "unused").logits(texts)
    assert np.abs(a - b).max() > 1e-3  # same seed and data: only the targets differ


def test_a_teacher_that_prepares_text_differently_is_refused(tiny, tmp_path):
    backbone, teacher = tiny
    with pytest.raises(ValueError, match="prepares text differently"):
        train_tiny(backbone, tmp_path / "s", distill_from=str(teacher.folder), hashtags=False, max_steps=1)


def test_the_student_config_names_a_shipped_teacher_that_prepares_text_as_it_does():
    from pathlib import Path

    from pipeline.classify.registry import resolve_model

    model_args, data_args, _ = parse_args(Path("configs/train-student.yaml"), {})
    assert model_args.num_layers == 4 and model_args.prefix == ""
    teacher = ModelSpec.load(resolve_model(model_args.distill_from))
    assert teacher.layers is None  # a full-depth teacher
    assert teacher.normalise == data_args.normalise_options().to_dict()
    assert teacher.mask == data_args.mask
    full, _, _ = parse_args(Path("configs/train.yaml"), {})
    assert full.num_layers is None and full.distill_from is None
