"""Batched inference: normalise, encode into windows, length-sort, pad per batch, aggregate, calibrate.

Speed on a 2-core CPU comes from not computing on padding: windows are sorted by length and each batch
is padded only to its own longest member, so the mostly-short posts of a scan run on short tensors.
A text longer than ``max_length`` tokens (a news article, a long caption) is not cut: it is split into
overlapping windows whose logits are averaged, so a stance stated in its last paragraph still counts.
Most of all, speed comes from not running the network where it cannot change the answer (early exit,
:meth:`StancePredictor.probabilities`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from pipeline.text.normalise import NormaliseOptions, TextNormaliser

from .calibrate import softmax
from .model import ModelSpec, StanceModel

log = logging.getLogger(__name__)

PARTISAN_LABELS = ("support", "oppose")


class Preprocessor:
    """Raw text → the text the encoder sees (normalised, candidates masked if the model was trained so).

    ``unmasked=True`` gives the same text with names as written: the view a model sees when a candidate
    is missing from the election config, which training also shows it (``DataArguments.mask_augment``).
    """

    def __init__(self, spec: ModelSpec, matcher=None, unmasked: bool = False) -> None:
        self.normaliser = TextNormaliser(NormaliseOptions.from_dict(spec.normalise))
        self.mask = None if unmasked else spec.mask
        self.matcher = matcher
        if self.mask and matcher is None:
            log.warning(
                "model %s masks candidates but no election was given: names stay unmasked", spec.version
            )

    def __call__(self, texts: Sequence[str]) -> list[str]:
        normed = self.normaliser.transform(texts)
        if self.mask and self.matcher is not None:
            normed = [self.matcher(t, mask=self.mask).masked or t for t in normed]
        return normed


def preprocess_views(spec: ModelSpec, matcher=None, augment: bool = False) -> list[Preprocessor]:
    """The views of a post a model learns from: as inference prepares it and, with ``augment`` on a
    masking model, with names as written (a candidate the election config lacks is not masked)."""
    views = [Preprocessor(spec, matcher)]
    if augment and spec.mask and matcher is not None:
        views.append(Preprocessor(spec, matcher, unmasked=True))
    return views


def apply_views(views: Sequence[Preprocessor], texts: Sequence[str], labels: Sequence[Any]):
    """Each text through each view, kept once per distinct result, with its label (for training)."""
    prepared = [view(list(texts)) for view in views]
    out_texts: list[str] = []
    out_labels: list[Any] = []
    for i, label in enumerate(labels):
        seen: set[str] = set()
        for view_texts in prepared:
            if view_texts[i] not in seen:
                seen.add(view_texts[i])
                out_texts.append(view_texts[i])
                out_labels.append(label)
    return out_texts, out_labels


def encode_windows(
    tokenizer,
    texts: Sequence[str],
    max_length: int,
    prefix: str = "",
    stride: int = 32,
    long_text: str = "chunks",
) -> tuple[list[list[int]], list[int]]:
    """Token ids per window (with the prefix and special tokens) and, per window, its text's index."""
    body = max_length - 2
    prefix_ids = tokenizer(prefix, add_special_tokens=False)["input_ids"] if prefix else []
    body -= len(prefix_ids)
    if body < 4:
        raise ValueError(f"max_length {max_length} leaves no room for text")
    ids = tokenizer(list(texts), add_special_tokens=False, verbose=False)["input_ids"]  # windows come next
    cls_id, sep_id = tokenizer.cls_token_id, tokenizer.sep_token_id
    windows: list[list[int]] = []
    owner: list[int] = []
    step = max(1, body - stride)
    for i, toks in enumerate(ids):
        if len(toks) <= body or long_text == "truncate":
            starts = [0]
        else:
            starts = list(range(0, len(toks) - stride, step)) or [0]
            if starts[-1] + body < len(toks):
                starts.append(len(toks) - body)
        for s in starts:
            windows.append([cls_id, *prefix_ids, *toks[s : s + body], sep_id])
            owner.append(i)
    return windows, owner


def length_sorted_batches(
    lengths: Sequence[int], batch_size: int, max_tokens: int | None = None
) -> list[list[int]]:
    """Indexes grouped into batches of similar length (shortest first); ``max_tokens`` caps a batch's area."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    cur: list[int] = []
    for i in order:
        longest = max(lengths[i], max((lengths[j] for j in cur), default=0))
        if cur and (len(cur) >= batch_size or (max_tokens and longest * (len(cur) + 1) > max_tokens)):
            batches.append(cur)
            cur = []
        cur.append(i)
    if cur:
        batches.append(cur)
    return batches


def pad_batch(windows: Sequence[Sequence[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(w) for w in windows)
    ids = torch.full((len(windows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(windows), width), dtype=torch.long)
    for r, w in enumerate(windows):
        ids[r, : len(w)] = torch.tensor(w, dtype=torch.long)
        mask[r, : len(w)] = 1
    return ids, mask


@dataclass
class Prediction:
    stance: str
    scores: dict[str, float]
    partisan: bool
    partisan_score: float
    target: str | None


class Predictor:
    """Texts → predictions: what the CLI, the scan and the benchmarks call.

    A subclass supplies ``spec`` (its labels and version), ``threshold``, ``matcher``, ``counts`` and
    :meth:`probabilities`; turning probabilities into stances, flags and targets is done here, once,
    for a single model (:class:`StancePredictor`) and a cascade of two (cascade.py) alike.
    """

    spec: ModelSpec
    threshold: float
    matcher: Any
    counts: dict[str, int]

    def probabilities(
        self,
        texts: Sequence[str],
        prepared: Sequence[str] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        raise NotImplementedError

    @property
    def stages(self) -> tuple[StancePredictor, ...]:
        """The single models that do the work (one, or a cascade's two)."""
        raise NotImplementedError

    def use_election(self, matcher) -> None:
        """Mask and find targets with this election's candidates from now on."""
        self.matcher = matcher
        for stage in self.stages:
            stage.matcher = matcher
            stage.preprocess.matcher = matcher

    @property
    def partisan_idx(self) -> list[int]:
        return [self.spec.labels.index(lab) for lab in PARTISAN_LABELS if lab in self.spec.labels]

    def predict(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> list[Prediction]:
        probs = self.probabilities(texts, progress=progress)
        labels = self.spec.labels
        partisan_idx = self.partisan_idx
        targets = self.targets(texts)
        preds = []
        for row, target in zip(probs, targets, strict=True):
            score = float(row[partisan_idx].sum())
            stance = labels[int(row.argmax())]
            partisan = score >= self.threshold
            preds.append(
                Prediction(
                    stance=stance,
                    scores={lab: round(float(p), 6) for lab, p in zip(labels, row, strict=True)},
                    partisan=partisan,
                    partisan_score=round(score, 6),
                    target=target if (partisan or stance in PARTISAN_LABELS) else None,
                )
            )
        return preds

    def targets(self, texts: Iterable[str]) -> list[str | None]:
        if self.matcher is None:
            return [None for _ in texts]
        return [self.matcher(t).target for t in texts]  # the raw text: names as the post writes them


class StancePredictor(Predictor):
    """A loaded model plus everything around it: preprocessing, batching, calibration, targets."""

    def __init__(
        self,
        model: StanceModel,
        tokenizer,
        spec: ModelSpec,
        matcher=None,
        batch_size: int = 32,
        partisan_threshold: float = 0.5,
        max_tokens: int | None = 8192,
        early_exit: bool = False,
    ) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.spec = spec
        self.matcher = matcher
        self.batch_size = batch_size
        self.threshold = partisan_threshold
        self.max_tokens = max_tokens
        self.preprocess = Preprocessor(spec, matcher)
        self.blend = None
        self.early_exit = early_exit
        # Posts seen and posts the network ran on, since load (early exit skips the rest).
        self.counts = {"posts": 0, "network": 0}

    @classmethod
    def load(
        cls, folder, cache, matcher=None, quantize: bool = False, runtime: str = "onnxruntime", **kwargs: Any
    ) -> Predictor:
        """A saved model ready to predict: float32 in PyTorch, or int8 on ``runtime`` (onnx.py or torch).

        A cascade's folder gives a :class:`~pipeline.classify.cascade.CascadePredictor` of its stages,
        each loaded this way.
        """
        from .model import ModelSpec, load_model

        if ModelSpec.load(Path(folder)).cascade:
            from .cascade import CascadePredictor

            return CascadePredictor.load(folder, cache, matcher, quantize=quantize, runtime=runtime, **kwargs)
        if quantize and runtime == "onnxruntime":
            from .onnx import OrtPredictor

            return OrtPredictor.load(folder, cache, matcher=matcher, **kwargs)
        if runtime not in ("onnxruntime", "torch"):
            raise ValueError(f"unknown runtime {runtime!r} (onnxruntime or torch)")
        model, tokenizer, spec = load_model(folder, cache)
        if quantize:
            model = quantize_dynamic(model)
        predictor = cls(model, tokenizer, spec, matcher, **kwargs)
        predictor.attach_blend(folder)
        return predictor

    def attach_blend(self, folder) -> None:
        """Load the model's TF-IDF blend part, if it has one (blend.py)."""
        from .blend import BLEND_FILE, BlendPart

        blend = self.spec.blend or {}
        self.blend = None
        if blend.get("weight") is not None and blend["weight"] < 1.0:
            self.blend = BlendPart(
                Path(folder),
                float(blend["weight"]),
                blend.get("file", BLEND_FILE),
                blend.get("temperature", 1.0),
            )

    @torch.inference_mode()
    def logits(
        self,
        texts: Sequence[str],
        prepared: Sequence[str] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """Uncalibrated logits, one row per text (windows of long texts averaged)."""
        n_labels = len(self.spec.labels)
        if not texts:
            return np.zeros((0, n_labels), dtype=np.float32)
        prepared = self.preprocess(texts) if prepared is None else prepared
        windows, owner = encode_windows(
            self.tokenizer,
            prepared,
            self.spec.max_length,
            self.spec.prefix,
            self.spec.stride,
            self.spec.long_text,
        )
        out = np.zeros((len(windows), n_labels), dtype=np.float32)
        for batch, batch_logits in self.network(windows):
            out[batch] = batch_logits
            if progress:
                progress(len({owner[i] for i in batch}))
        summed = np.zeros((len(texts), n_labels), dtype=np.float64)
        counts = np.zeros(len(texts))
        np.add.at(summed, owner, out)
        np.add.at(counts, owner, 1)
        return (summed / counts[:, None]).astype(np.float32)

    def network(self, windows: Sequence[Sequence[int]]) -> Iterator[tuple[list[int], np.ndarray]]:
        """Logits of token windows, a batch at a time (indexes, logits): length-sorted, each batch
        padded only to its own longest window."""
        pad_id = self.tokenizer.pad_token_id
        for batch in length_sorted_batches([len(w) for w in windows], self.batch_size, self.max_tokens):
            ids, mask = pad_batch([windows[i] for i in batch], pad_id)
            yield batch, self.model(input_ids=ids, attention_mask=mask)["logits"].float().numpy()

    def probabilities(
        self,
        texts: Sequence[str],
        prepared: Sequence[str] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """Calibrated probabilities: the transformer's, blended with the TF-IDF part when there is one.

        With ``early_exit``, a post whose stance and flag the TF-IDF part already fixes
        (:meth:`BlendPart.decided`) skips the network: its decision is the one the full blend would
        make, and its scores are the blend's with the transformer taken to agree with the TF-IDF part.
        """
        if not texts:  # scikit-learn's vectorisers refuse an empty batch
            return np.zeros((0, len(self.spec.labels)))
        texts, prepared = list(texts), self.preprocess(list(texts)) if prepared is None else list(prepared)
        self.counts["posts"] += len(texts)
        if self.blend is None or not self.spec.blend:
            self.counts["network"] += len(texts)
            return softmax(self.logits(texts, prepared, progress).astype(np.float64), self.spec.temperature)
        p_tfidf = self.blend.probabilities(prepared)
        run = np.arange(len(texts))
        if self.early_exit:
            run = np.flatnonzero(~self.blend.decided(p_tfidf, self.partisan_idx, self.threshold))
            if progress and len(run) < len(texts):
                progress(len(texts) - len(run))
        p_model = p_tfidf.copy()
        if len(run):
            logits = self.logits([texts[i] for i in run], [prepared[i] for i in run], progress)
            p_model[run] = softmax(logits.astype(np.float64), self.spec.temperature)
        self.counts["network"] += len(run)
        return self.blend.mix(p_model, p_tfidf)

    @property
    def stages(self) -> tuple[StancePredictor, ...]:
        return (self,)


def quantize_dynamic(model: torch.nn.Module) -> torch.nn.Module:
    """int8 weights for the encoder's Linear layers (activations quantised on the fly), in place.

    The embeddings and the 4-way head stay float: the head is tiny, and quantising it moved partisan
    scores near the threshold for no speed gain. In place, so the float weights are not held twice.
    """
    import warnings

    from torch.ao.quantization import quantize_dynamic as _qd

    target = getattr(model, "encoder", model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _qd(target, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)
    return model
