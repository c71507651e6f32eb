"""ONNX Runtime int8: the fastest way found to run the stance model on a small CPU.

The saved model (LoRA merged into the encoder, plus the head) is exported once to ONNX, its weights
quantised to int8 with ONNX Runtime's dynamic quantisation, and cached beside the converted backbone
(``<backbone_cache>/onnx/<version>-<hash>.int8.onnx``). Inference then goes through the same
:class:`StancePredictor` (preprocessing, windows, length sorting, dynamic padding, calibration): only
the call to the network changes. Needs the ``onnx`` package for export and quantisation.
"""

from __future__ import annotations

import hashlib
import logging
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


def _fingerprint(folder: Path) -> str:
    h = hashlib.sha256()
    # Only what the exported network depends on (not calibration or the blend, which stay outside it).
    for name in (HEAD_FILE, "adapter/adapter_model.safetensors", "encoder/model.safetensors"):
        path = folder / name
        if path.exists():
            h.update(path.read_bytes())
    return h.hexdigest()[:12]


def export_int8(folder: Path, cache: str | Path) -> Path:
    """Export and quantise the model in ``folder`` once; returns the cached int8 ONNX file."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model, tokenizer, spec = load_model(folder, cache)
    out_dir = Path(cache).expanduser() / "onnx"
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{spec.version}-{_fingerprint(folder)}.int8.onnx"
    if target.exists():
        return target
    log.warning("exporting %s to ONNX int8 (once) into %s", spec.version, target)
    fp32 = target.with_name(target.name.replace(".int8", ".fp32"))
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
    tmp = target.with_suffix(".tmp")
    quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8)
    tmp.replace(target)
    fp32.unlink(missing_ok=True)
    return target


class OrtModel:
    """Looks like a StanceModel to StancePredictor: called with ids and mask, returns ``{"logits"}``."""

    def __init__(self, path: Path, threads: int = 2) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def eval(self) -> OrtModel:
        return self

    def __call__(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> dict[str, torch.Tensor]:
        feeds = {
            "input_ids": input_ids.numpy().astype(np.int64),
            "attention_mask": attention_mask.numpy().astype(np.int64),
        }
        return {"logits": torch.from_numpy(self.session.run(["logits"], feeds)[0])}


class OrtPredictor(StancePredictor):
    @classmethod
    def load(cls, folder, cache, matcher=None, threads: int = 2, **kwargs: Any) -> OrtPredictor:
        from .backbone import load_tokenizer
        from .model import ModelSpec, backbone_path

        path = export_int8(Path(folder), cache)
        spec = ModelSpec.load(Path(folder))
        tokenizer = load_tokenizer(backbone_path(spec, cache))
        predictor = cls(OrtModel(path, threads), tokenizer, spec, matcher, **kwargs)  # type: ignore[arg-type]
        predictor.attach_blend(folder)
        return predictor
