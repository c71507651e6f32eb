"""A tiny randomly initialised BERT and tokenizer, so tests run training → save → load → predict fast.

Its tokenizer is a WordPiece vocabulary trained in a fraction of a second on the texts given, with the
same special-token layout (``[CLS] … [SEP]``, ``[PAD]``) any BERT uses; the weights are random, so it
learns only what a test's few dozen examples teach it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def make_tiny_backbone(
    folder: Path,
    texts: Iterable[str],
    hidden: int = 32,
    layers: int = 2,
    heads: int = 2,
    vocab_size: int = 600,
    seed: int = 0,
) -> Path:
    import torch
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece()
    tok.train_from_iterator(
        list(texts), trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=specials)
    )
    cls_id, sep_id = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)],
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_max_length=512,
    )
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=tok.get_vocab_size(),
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=hidden * 2,
        max_position_embeddings=512,
        pad_token_id=0,
    )
    model = BertModel(config, add_pooling_layer=False)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    fast.save_pretrained(folder)
    return folder


SYNTHETIC = {
    "support": [
        "coblos nomor {n} ya dulur, {name} sudah terbukti kerjanya",
        "salam {w} jari, {name} pasti menang",
        "ayo dukung {name} dua periode #lanjutkan",
    ],
    "oppose": [
        "jangan pilih {name}, janjinya kosong semua",
        "paslon {n} cuma pencitraan, siap2 nyesel",
        "rekam jejak {name} buruk, jangan mau dibohongi",
    ],
    "neutral": [
        "KPU umumkan jadwal debat ketiga paslon malam ini",
        "Bawaslu ingatkan ASN wajib netral di pilkada",
        "ayo gunakan hak pilihmu, jangan golput",
    ],
    "unrelated": [
        "calon pengantin sudah fitting baju hari ini",
        "resep nasi goreng kampung enak sekali",
        "antrian nomor {n} di puskesmas lama banget",
    ],
}
NAMES = ["Pak Hendra", "Bu Ratna", "Pak Bambang", "Bang Yo", "Bu Siti", "Pak Darma"]
WORDS = {"01": "satu", "02": "dua", "03": "tiga"}
FILLER = [
    "pagi",
    "siang",
    "sore",
    "malam",
    "tadi",
    "besok",
    "kemarin",
    "kota",
    "desa",
    "pasar",
    "kantor",
    "rumah",
    "sekolah",
    "jalan",
    "sawah",
    "pantai",
    "gunung",
    "hujan",
    "panas",
    "ramai",
    "sepi",
    "kopi",
    "teh",
    "nasi",
    "sate",
    "bakso",
    "motor",
    "mobil",
    "kapal",
    "kereta",
    "teman",
    "tetangga",
    "kakak",
    "adik",
    "ibu",
    "ayah",
    "guru",
    "petani",
    "nelayan",
    "pedagang",
    "sopir",
    "warga",
]


def synthetic_records(n_per_label: int = 12, seed: int = 0, prefix: str = "s") -> list[dict]:
    """Guideline-style posts with their stance, for tests (no real data)."""
    import random

    rng = random.Random(seed)
    out = []
    for label, templates in SYNTHETIC.items():
        for i in range(n_per_label):
            n = rng.choice(list(WORDS))
            text = templates[i % len(templates)].format(n=n, w=WORDS[n], name=rng.choice(NAMES))
            filler = " ".join(rng.sample(FILLER, 6))
            out.append({"id": f"{prefix}-{label}-{i}", "text": f"{text}, {filler}", "stance": label,
                        "target": "" if label in ("neutral", "unrelated") else n, "register": "casual",
                        "kind": "handwritten", "election": "demo", "tags": []})  # fmt: skip
    return out
