"""ONNX Runtime int8: the default way to run the stance model on a small CPU.

It is as fast as PyTorch's dynamic int8 and keeps partisan F1 within half a point of float32, where
PyTorch's int8 loses one to two points. The saved model (LoRA merged into the encoder, plus the head)
is exported once to ONNX, its weights quantised to int8 with dynamic quantisation, and cached beside
the converted backbone (``<backbone_cache>/onnx/<version>-<hash>.int8.onnx``). The export runs in a
child process: it needs about 4 GB for a minute, which a long-running scan should not keep as its
high-water mark. Inference goes through the same :class:`StancePredictor` (preprocessing, windows,
calibration): only the call to the network changes, one window per call (:class:`OrtPredictor`).
``classify.runtime: torch`` uses PyTorch's dynamic int8 instead.

ONNX Runtime's transformer optimizer (attention, skip-layernorm and bias-gelu fusion before
quantising) was tried and measured no faster here (network time per 1,000 posts 13.1–13.7 s fused,
12.9–14.3 s not), so the export stays plain.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .infer import StancePredictor
from .model import HEAD_FILE, load_model

log = logging.getLogger(__name__)


class _Export(torch.nn.Module):
    def __init__(self, model) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.model(input_ids=input_ids, attention_mask=attention_mask)["logits"]


# Bump when the export changes, so that cached files made the old way are not reused.
EXPORT_RECIPE = "int8-dynamic-v1"


def _fingerprint(folder: Path, layers: int | None) -> str:
    h = hashlib.sha256(EXPORT_RECIPE.encode())
    if layers is not None:  # the same adapter file on a shorter encoder is another network
        h.update(f"layers={layers}".encode())
    # Only what the exported network depends on (not calibration or the blend, which stay outside it).
    for name in (HEAD_FILE, "adapter/adapter_model.safetensors", "encoder/model.safetensors"):
        path = folder / name
        if path.exists():
            h.update(path.read_bytes())
    return h.hexdigest()[:12]


def cached_int8_path(folder: Path, cache: str | Path) -> Path:
    """Where the int8 ONNX file of the model in ``folder`` is (or will be) cached."""
    from .model import ModelSpec

    spec = ModelSpec.load(folder)
    return Path(cache).expanduser() / "onnx" / f"{spec.version}-{_fingerprint(folder, spec.layers)}.int8.onnx"


def export_int8(folder: Path, cache: str | Path) -> Path:
    """The cached int8 ONNX file of the model in ``folder``, exported (in a child process) if missing."""
    import multiprocessing

    target = cached_int8_path(Path(folder), cache)
    if target.exists():
        return target
    log.warning("exporting %s to ONNX int8 (once, 10-60 s) into %s", Path(folder).name, target)
    child = multiprocessing.get_context("spawn").Process(target=_export, args=(str(folder), str(cache)))
    child.start()
    child.join()
    if child.exitcode != 0 or not target.exists():
        raise RuntimeError(f"ONNX export of {folder} failed (exit code {child.exitcode}); see the log above")
    return target


def _export(folder: str, cache: str) -> None:
    """Export and quantise (the child process's work); writes the file atomically."""
    import warnings

    from onnxruntime.quantization import QuantType, quantize_dynamic

    # The tracer's notes on shapes treated as constants are about the exporter, not the user's data.
    warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
    warnings.filterwarnings("ignore", category=UserWarning, module=r"torch\.onnx")
    logging.getLogger().setLevel(logging.ERROR)  # quantize_dynamic's advice on the root logger

    target = cached_int8_path(Path(folder), cache)
    target.parent.mkdir(parents=True, exist_ok=True)
    model, tokenizer, _ = load_model(Path(folder), cache)
    fp32 = target.with_name(target.name.replace(".int8", f".{os.getpid()}.fp32"))
    ids = torch.tensor([[tokenizer.cls_token_id, 5, 6, 7, tokenizer.sep_token_id]] * 2)
    mask = torch.ones_like(ids)
    with torch.no_grad():
        torch.onnx.export(
            _Export(model.eval()),
            (ids, mask),
            str(fp32),
            input_names=["input_ids", "attention_mask"],
            output_names=["logits"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "logits": {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )
    tmp = fp32.with_suffix(".tmp")
    try:
        quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8)
        tmp.replace(target)
    finally:
        fp32.unlink(missing_ok=True)
        tmp.unlink(missing_ok=True)


class OrtModel:
    """The exported network, run one window per call (see :class:`OrtPredictor`)."""

    def __init__(self, path: Path) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        # One thread per call: the predictor runs as many calls at once as it has threads, which
        # keeps both cores busy on one-window calls (a session may be run from several threads).
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def eval(self) -> OrtModel:
        return self

    def window_logits(self, window: Sequence[int]) -> np.ndarray:
        ids = np.asarray([window], dtype=np.int64)
        return self.session.run(["logits"], {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0][0]


class OrtPredictor(StancePredictor):
    """The int8 network on ONNX Runtime, each window in a call of its own.

    Dynamic quantisation gives a call's activations one scale, taken from every token in it. In a
    padded batch, a post's logits therefore depend on which posts share its batch: on the test split
    of e5-small-lora-v2, classifying the same posts among other batch mates changed 17 of 375 labels.
    Alone in its call, a window gets its own scale and a post its own answer. On two cores this is
    as fast as batching (one window per call, one call per core at a time, no padding at all).
    """

    threads: int = 2

    def network(self, windows: Sequence[Sequence[int]]) -> Iterator[tuple[list[int], np.ndarray]]:
        from concurrent.futures import ThreadPoolExecutor

        def run(chunk: list[int]) -> tuple[list[int], np.ndarray]:
            return chunk, np.stack([self.model.window_logits(windows[i]) for i in chunk])  # type: ignore[attr-defined]

        step = self.batch_size
        chunks = [list(range(s, min(s + step, len(windows)))) for s in range(0, len(windows), step)]
        with ThreadPoolExecutor(self.threads) as pool:
            yield from pool.map(run, chunks)

    @classmethod
    def load(cls, folder, cache, matcher=None, threads: int | None = None, **kwargs: Any) -> OrtPredictor:
        from .backbone import load_tokenizer
        from .model import ModelSpec, backbone_path

        path = export_int8(Path(folder), cache)
        spec = ModelSpec.load(Path(folder))
        tokenizer = load_tokenizer(backbone_path(spec, cache))
        predictor = cls(OrtModel(path), tokenizer, spec, matcher, **kwargs)  # type: ignore[arg-type]
        predictor.threads = threads or torch.get_num_threads()
        predictor.attach_blend(folder)
        return predictor
