"""Train only the top layers on CPU: compute the frozen lower layers once, not once per epoch.

With LoRA adapters in the top K of the encoder's layers only, everything below them is frozen and,
without dropout, deterministic: its output for a post is the same in every epoch. So it is computed
once (inference mode, length-sorted batches) and training runs the top K layers and the head on those
cached hidden states. On a 2-core CPU this makes an epoch several times faster than backpropagating
through, or even just running, all twelve layers, which is what lets the shipped model train in
minutes. The adapters live inside the same encoder object, so the saved model is an ordinary LoRA
model and inference runs the whole encoder as usual.

Only BERT-style encoders (``embeddings`` + ``encoder.layer``) are supported; others train normally.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from .infer import length_sorted_batches, pad_batch
from .model import StanceModel


def base_encoder(model: StanceModel) -> nn.Module:
    enc = model.encoder
    return enc.get_base_model() if hasattr(enc, "get_base_model") else enc


def supports_caching(model: StanceModel) -> bool:
    bert = base_encoder(model)
    return (
        hasattr(bert, "embeddings")
        and hasattr(getattr(bert, "encoder", None), "layer")
        and hasattr(bert, "_create_attention_masks")
    )


def _mask(bert: nn.Module, attention_mask: torch.Tensor, hidden: torch.Tensor):
    mask, _ = bert._create_attention_masks(attention_mask, None, hidden, None, None)
    return mask


@torch.inference_mode()
def lower_states(model: StanceModel, windows: Sequence[Sequence[int]], split: int, pad_id: int,
                 batch_size: int = 32) -> list[torch.Tensor]:  # fmt: skip
    """Hidden states after the first ``split`` layers, one [tokens, hidden] tensor per window."""
    bert = base_encoder(model)
    was_training = bert.training
    bert.eval()
    out: list[torch.Tensor | None] = [None] * len(windows)
    for batch in length_sorted_batches([len(w) for w in windows], batch_size):
        ids, mask = pad_batch([windows[i] for i in batch], pad_id)
        h = bert.embeddings(input_ids=ids)
        m = _mask(bert, mask, h)
        for layer in bert.encoder.layer[:split]:
            h = layer(h, m)
        for row, i in enumerate(batch):
            out[i] = h[row, : len(windows[i])].clone()
    bert.train(was_training)
    return out  # type: ignore[return-value]


class CachedStates(torch.utils.data.Dataset):
    """Cached lower-layer states with labels; ``input_ids`` is kept only for length-grouped sampling."""

    def __init__(self, states: list[torch.Tensor], windows: list[list[int]], labels: Sequence[int]) -> None:
        self.states, self.windows, self.labels = states, windows, list(labels)

    def __len__(self) -> int:
        return len(self.states)

    def __getitem__(self, i: int) -> dict[str, Any]:
        return {"input_ids": self.windows[i], "hidden": self.states[i], "labels": self.labels[i]}


def collate(features: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
    width = max(f["hidden"].shape[0] for f in features)
    dim = features[0]["hidden"].shape[1]
    hidden = torch.zeros(len(features), width, dim)
    mask = torch.zeros(len(features), width, dtype=torch.long)
    for r, f in enumerate(features):
        n = f["hidden"].shape[0]
        hidden[r, :n] = f["hidden"]
        mask[r, :n] = 1
    return {"hidden": hidden, "attention_mask": mask, "labels": torch.tensor([f["labels"] for f in features])}


class UpperStanceModel(nn.Module):
    """The top layers + pooling + head of a StanceModel, fed with cached lower-layer states."""

    def __init__(self, model: StanceModel, split: int) -> None:
        super().__init__()
        self.model = model
        self.split = split

    @property
    def config(self):
        return self.model.config

    def forward(self, hidden: torch.Tensor, attention_mask: torch.Tensor, labels: torch.Tensor | None = None,
                **_: Any) -> dict[str, torch.Tensor]:  # fmt: skip
        bert = base_encoder(self.model)
        m = _mask(bert, attention_mask, hidden)
        for layer in bert.encoder.layer[self.split :]:
            hidden = layer(hidden, m)
        model = self.model
        logits = model.head(model.dropout(model.pool(hidden, attention_mask)))
        out = {"logits": logits}
        if labels is not None:
            weight = model.class_weights.to(logits.dtype)
            out["loss"] = nn.functional.cross_entropy(logits, labels, weight=weight)
        return out
