"""ONNX Runtime int8: the fastest way found to run the stance model on a small CPU, and the default.

The saved model (LoRA merged into the encoder, plus the head) is exported once to ONNX with eager
attention, its BERT subgraphs fused by ONNX Runtime's transformer optimizer (one Attention node per
layer, SkipLayerNorm, BiasGelu, EmbedLayerNorm), its weights quantised to int8 with dynamic
quantisation, and cached beside the converted backbone
(``<backbone_cache>/onnx/<version>-<hash>.int8.onnx``). Inference goes through the same
:class:`StancePredictor` (preprocessing, windows, length sorting, dynamic padding, calibration): only
the call to the network changes. ``classify.runtime: torch`` uses PyTorch's dynamic int8 instead.
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


# Bump when the export changes, so that cached files made the old way are not reused.
EXPORT_RECIPE = "eager-fused-int8-v1"


def _fingerprint(folder: Path) -> str:
    h = hashlib.sha256(EXPORT_RECIPE.encode())
    # Only what the exported network depends on (not calibration or the blend, which stay outside it).
    for name in (HEAD_FILE, "adapter/adapter_model.safetensors", "encoder/model.safetensors"):
        path = folder / name
        if path.exists():
            h.update(path.read_bytes())
    return h.hexdigest()[:12]


def export_int8(folder: Path, cache: str | Path, fuse: bool = True) -> Path:
    """Export, fuse and quantise the model in ``folder`` once; returns the cached int8 ONNX file."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from .model import ModelSpec

    spec = ModelSpec.load(folder)
    out_dir = Path(cache).expanduser() / "onnx"
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{spec.version}-{_fingerprint(folder)}{'' if fuse else '-unfused'}.int8.onnx"
    if target.exists():
        return target
    log.warning("exporting %s to ONNX int8 (once, 10-60 s) into %s", spec.version, target)
    model, tokenizer, spec = load_model(folder, cache)
    # Eager attention exports as the MatMul/Softmax pattern the optimizer fuses into one Attention node.
    model.encoder.set_attn_implementation("eager")
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
    source = fp32
    if fuse:
        from onnxruntime.transformers.optimizer import optimize_model

        config = model.encoder.config
        fused = optimize_model(
            str(fp32),
            model_type="bert",
            num_heads=config.num_attention_heads,
            hidden_size=config.hidden_size,
            opt_level=1,
        )
        stats = fused.get_fused_operator_statistics()
        log.info("fused %d attention and %d skip-layernorm nodes", stats.get("Attention", 0),
                 stats.get("SkipLayerNormalization", 0))  # fmt: skip
        source = fp32.with_name(fp32.name.replace(".fp32", ".fused"))
        fused.save_model_to_file(str(source))
    tmp = target.with_suffix(".tmp")
    # The fused nodes are outside ONNX's shape inference; their outputs are float32.
    quantize_dynamic(
        str(source),
        str(tmp),
        weight_type=QuantType.QInt8,
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )
    tmp.replace(target)
    for path in {fp32, source}:
        path.unlink(missing_ok=True)
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
    def load(
        cls, folder, cache, matcher=None, threads: int | None = None, fuse: bool = True, **kwargs: Any
    ) -> OrtPredictor:
        from .backbone import load_tokenizer
        from .model import ModelSpec, backbone_path

        kwargs.pop("quantize", None)
        kwargs.pop("runtime", None)
        threads = threads or torch.get_num_threads()
        path = export_int8(Path(folder), cache, fuse=fuse)
        spec = ModelSpec.load(Path(folder))
        tokenizer = load_tokenizer(backbone_path(spec, cache))
        predictor = cls(OrtModel(path, threads), tokenizer, spec, matcher, **kwargs)  # type: ignore[arg-type]
        predictor.attach_blend(folder)
        return predictor
