"""``netra evaluate``: metrics, plots and the model card of a trained model, beside the baseline.

Metrics on one split (the test split by default): per-class precision/recall/F1, macro-F1, accuracy,
the partisan flag (support ∪ oppose, scored as ``P(support) + P(oppose) ≥ threshold``) with its
precision/recall/F1 and average precision, the confusion matrix, expected calibration error before and
after temperature scaling with a reliability plot, a precision–recall plot, and how often the
predicted target agrees with the annotated one. The TF-IDF baseline is trained on the same train
split, tuned on the same validation split, and scored on the same split.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .calibrate import expected_calibration_error, reliability, softmax
from .corpus import LABELS, PARTISAN

log = logging.getLogger(__name__)


def classification_metrics(
    probs: np.ndarray, labels: np.ndarray, threshold: float = 0.5, label_names: Sequence[str] = LABELS
) -> dict[str, Any]:
    from sklearn.metrics import average_precision_score, confusion_matrix, precision_recall_fscore_support

    labels = np.asarray(labels)
    pred = probs.argmax(axis=1)
    idx = list(range(len(label_names)))
    p, r, f, s = precision_recall_fscore_support(labels, pred, labels=idx, zero_division=0)
    partisan_cols = [label_names.index(x) for x in PARTISAN]
    score = probs[:, partisan_cols].sum(axis=1)
    gold = np.isin(labels, partisan_cols)
    flag = score >= threshold
    pp, pr, pf, _ = precision_recall_fscore_support(gold, flag, average="binary", zero_division=0)
    return {
        "n": len(labels),
        "accuracy": float((pred == labels).mean()) if len(labels) else 0.0,
        "macro_f1": float(np.mean(f)),
        "per_class": {
            name: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(s[i])}
            for i, name in enumerate(label_names)
        },
        "partisan": {
            "precision": float(pp),
            "recall": float(pr),
            "f1": float(pf),
            "threshold": threshold,
            "average_precision": float(average_precision_score(gold, score)) if gold.any() else 0.0,
        },
        "confusion": confusion_matrix(labels, pred, labels=idx).tolist(),
        "ece": expected_calibration_error(probs, labels),
    }


_TOKEN = re.compile(r"\w+")


def target_agreement(predicted: Sequence[str | None], gold: Sequence[str]) -> dict[str, float]:
    """Share of annotated targets the predicted one overlaps (a shared name word or ballot number)."""
    hits = total = found = 0
    for p, g in zip(predicted, gold, strict=True):
        if not g:
            continue
        total += 1
        if p:
            found += 1
            gw = {t.lstrip("0") or "0" for t in _TOKEN.findall(g.lower())}
            pw = {t.lstrip("0") or "0" for t in _TOKEN.findall(p.lower())}
            hits += bool(gw & pw - {"pak", "bu", "bang", "mas", "mbak", "kak"})
    return {"n": total, "found": found / total if total else 0.0, "agrees": hits / total if total else 0.0}


def partisan_targets(predictor, texts: Sequence[str], y: np.ndarray, gold: Sequence[str]) -> dict[str, float]:
    """:func:`target_agreement` over the annotated partisan posts (the only ones with a target)."""
    return target_agreement(
        predictor.targets([t if y[i] in (0, 1) else "" for i, t in enumerate(texts)]),
        [g if y[i] in (0, 1) else "" for i, g in enumerate(gold)],
    )


def plot_reliability(path: Path, curves: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], ls="--", c="grey", lw=1)
    for name, (probs, labels) in curves.items():
        r = reliability(probs, labels, 10)
        xs = [c for c, n in zip(r["confidence"], r["count"], strict=True) if n]
        ys = [a for a, n in zip(r["accuracy"], r["count"], strict=True) if n]
        ax.plot(xs, ys, marker="o", label=f"{name} (ECE {expected_calibration_error(probs, labels):.3f})")
    ax.set_xlabel("confidence (top label)")
    ax.set_ylabel("accuracy")
    ax.set_title("Reliability")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_pr(path: Path, curves: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
    """Precision–recall of the partisan flag (``curves``: name → (partisan score, gold flag))."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import average_precision_score, precision_recall_curve

    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    for name, (score, gold) in curves.items():
        prec, rec, _ = precision_recall_curve(gold, score)
        ax.plot(rec, prec, label=f"{name} (AP {average_precision_score(gold, score):.3f})")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_title("Partisan flag: precision–recall")
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def evaluate_model(
    model_dir: Path,
    data_dir: Path,
    split: str,
    cache: str | Path,
    election_dir: Path | None = None,
    threshold: float = 0.5,
    quantize: bool = False,
    write: bool = True,
    runtime: str = "onnxruntime",
) -> dict[str, Any]:
    """Score a saved model and the baseline on ``split``; write metrics, plots and the model card.

    A cascade is scored by :func:`~pipeline.classify.cascade.evaluate_cascade` (beside its stages).
    """
    from .baseline import TfidfBaseline
    from .corpus import load_corpus
    from .infer import Preprocessor, StancePredictor
    from .model import ModelSpec
    from .train import make_matcher

    if ModelSpec.load(model_dir).cascade:
        from .cascade import evaluate_cascade

        return evaluate_cascade(
            model_dir, data_dir, split, cache, election_dir, threshold, quantize, write, runtime
        )
    ds = load_corpus(data_dir)
    matcher = make_matcher(str(election_dir)) if election_dir else None
    predictor = StancePredictor.load(
        model_dir, cache, matcher=matcher, quantize=quantize, runtime=runtime, partisan_threshold=threshold
    )
    spec = predictor.spec
    texts = list(ds[split]["text"])
    y = np.asarray(ds[split]["stance"])

    def scored(prepared: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Logits, the transformer's calibrated probabilities, and the shipped model's (the blend)."""
        logits = predictor.logits(texts, prepared=prepared).astype(np.float64)
        probs_t = softmax(logits, spec.temperature)
        blend = predictor.blend
        return logits, probs_t, blend.combine(probs_t, prepared) if blend is not None else probs_t

    prepared = predictor.preprocess(texts)
    logits, probs_t, probs = scored(prepared)
    raw = softmax(logits, 1.0)
    model_metrics = classification_metrics(probs, y, threshold)
    model_metrics["ece_uncalibrated"] = expected_calibration_error(raw, y)
    transformer_metrics = classification_metrics(probs_t, y, threshold)
    model_metrics["target"] = partisan_targets(predictor, texts, y, ds[split]["target"])

    # The same posts when the election config does not list their candidates: names reach the model
    # as written. A model that learned "a masked name means election talk" fails here.
    unmasked = None
    if spec.mask and matcher is not None:
        _, probs_u_t, probs_u = scored(Preprocessor(spec, matcher, unmasked=True)(texts))
        unmasked = {
            "model": classification_metrics(probs_u, y, threshold),
            "transformer_only": classification_metrics(probs_u_t, y, threshold),
        }

    base = TfidfBaseline().fit(
        list(ds["train"]["text"]),
        ds["train"]["stance"],
        list(ds["validation"]["text"]),
        ds["validation"]["stance"],
    )
    base_probs = base.predict_proba(texts)
    base_metrics = classification_metrics(base_probs, y, threshold)
    base_metrics["C"] = base.c_
    # The same baseline fed the model's own preprocessing (normalisation, candidate masking), so the
    # comparison is not won by preprocessing alone.
    prep = predictor.preprocess
    base_pre = TfidfBaseline().fit(
        prep(list(ds["train"]["text"])),
        ds["train"]["stance"],
        prep(list(ds["validation"]["text"])),
        ds["validation"]["stance"],
    )
    base_pre_metrics = classification_metrics(base_pre.predict_proba(prepared), y, threshold)
    base_pre_metrics["C"] = base_pre.c_

    result = {
        "model": spec.version,
        "split": split,
        "quantized": quantize,
        "runtime": runtime if quantize else "torch",
        "temperature": spec.temperature,
        "transformer": model_metrics,  # the model as shipped (the blend, when it has one)
        "transformer_only": transformer_metrics,
        "blend_weight": predictor.blend.weight if predictor.blend is not None else None,
        "baseline": base_metrics,
        "baseline_preprocessed": base_pre_metrics,
        "names_unmasked": unmasked,
        "corpus": {name: len(ds[name]) for name in ds},
    }
    if write:
        suffix = "-int8" if quantize else ""
        (model_dir / f"metrics-{split}{suffix}.json").write_text(json.dumps(result, indent=2) + "\n")
        if not quantize:
            partisan_cols = [0, 1]
            gold = np.isin(y, partisan_cols)
            plot_reliability(
                model_dir / f"reliability-{split}.png",
                {
                    "transformer, uncalibrated": (raw, y),
                    f"transformer, T={spec.temperature:.2f}": (probs_t, y),
                    **({"blend (shipped)": (probs, y)} if predictor.blend is not None else {}),
                    "TF-IDF baseline": (base_probs, y),
                },
            )
            plot_pr(
                model_dir / f"pr-{split}.png",
                {
                    spec.version: (probs[:, partisan_cols].sum(1), gold),
                    **(
                        {"transformer alone": (probs_t[:, partisan_cols].sum(1), gold)}
                        if predictor.blend is not None
                        else {}
                    ),
                    "TF-IDF baseline": (base_probs[:, partisan_cols].sum(1), gold),
                },
            )
            spec.metrics[split] = summary(model_metrics)
            spec.metrics[f"{split}_transformer_only"] = summary(transformer_metrics)
            spec.metrics[f"{split}_baseline"] = summary(base_metrics)
            spec.metrics[f"{split}_baseline_preprocessed"] = summary(base_pre_metrics)
            if unmasked is not None:
                spec.metrics[f"{split}_names_unmasked"] = summary(unmasked["model"])
            spec.save(model_dir)
            (model_dir / "README.md").write_text(model_card(spec, {**result, "folder": str(model_dir)}, ds))
    return result


def summary(m: dict[str, Any]) -> dict[str, float]:
    """The few numbers `netra models` compares versions on."""
    return {
        "macro_f1": round(m["macro_f1"], 4),
        "accuracy": round(m["accuracy"], 4),
        "partisan_f1": round(m["partisan"]["f1"], 4),
        "partisan_precision": round(m["partisan"]["precision"], 4),
        "partisan_recall": round(m["partisan"]["recall"], 4),
        "ece": round(m["ece"], 4),
        "n": m["n"],
    }


def _size(folder: Path) -> str:
    total = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.name.endswith(".png"))
    return f"{total / 1e6:.1f} MB"


def _unmasked_section(result: dict[str, Any]) -> list[str]:
    """Card rows for the candidates-not-in-the-config condition (names reach the model unmasked)."""
    u = result.get("names_unmasked")
    if not u:
        return []
    m, b = result["transformer"], result["baseline"]
    rows = [
        ("macro-F1", lambda x: x["macro_f1"]),
        ("partisan flag recall", lambda x: x["partisan"]["recall"]),
        ("partisan flag F1", lambda x: x["partisan"]["f1"]),
    ]
    return [
        "When the election config does not list a post's candidates, their names are not masked and reach"
        " the model as written. The same split scored that way (every name unmasked):",
        "",
        "| metric | this model, masked | this model, names as written | transformer alone, names as"
        " written | TF-IDF baseline (never masks) |",
        "|---|---|---|---|---|",
        *[
            f"| {name} | {get(m):.3f} | {get(u['model']):.3f} | {get(u['transformer_only']):.3f} |"
            f" {get(b):.3f} |"
            for name, get in rows
        ],
        "",
        "Keep the election config's names, nicknames and acronyms complete: masking is how the model was"
        " meant to read candidates, and the table shows what a missing one costs.",
        "",
    ]


def model_card(spec, result: dict[str, Any], ds) -> str:
    """The model's README.md: what it is, what it was trained on, how well it does, and its limits."""
    m, b = result["transformer"], result["baseline"]
    bp = result.get("baseline_preprocessed", b)
    tonly = result.get("transformer_only", m)
    blended = result.get("blend_weight") is not None
    split = result["split"]
    tr = spec.training or {}
    trained = tr.get("model", {})  # the ModelArguments it was trained with
    lora = spec.lora or {}

    def trio(get):
        return get(m), get(tonly), get(b), get(bp)

    rows = [
        ("macro-F1", *trio(lambda x: x["macro_f1"])),
        ("accuracy", *trio(lambda x: x["accuracy"])),
        ("partisan flag precision", *trio(lambda x: x["partisan"]["precision"])),
        ("partisan flag recall", *trio(lambda x: x["partisan"]["recall"])),
        ("partisan flag F1", *trio(lambda x: x["partisan"]["f1"])),
        ("partisan average precision", *trio(lambda x: x["partisan"]["average_precision"])),
        ("expected calibration error", *trio(lambda x: x["ece"])),
    ]
    lines = [
        f"# Netra stance model `{spec.version}`",
        "",
        "Classifies the stance of a social-media post toward election candidates: `support`, `oppose`,",
        "`neutral` or `unrelated` (shared/annotation-guidelines.md), and flags partisan posts",
        "(support ∪ oppose) for Bawaslu reviewers. The label describes the text, not the author.",
        "",
        "## Model",
        "",
        f"- Backbone: `{spec.backbone}` ({'LoRA adapters' if spec.finetune == 'lora' else 'full fine-tuning'}"
        + (
            f", r={lora.get('r')}, alpha={lora.get('alpha')}, modules {', '.join(lora.get('targets', []))}"
            + (f", top {lora['top_layers']} layers" if lora.get("top_layers") else ", all layers")
            if spec.finetune == "lora"
            else ""
        )
        + ")"
        + (f"; only the bottom {spec.layers} encoder layers" if spec.layers else ""),
        *(
            [
                f"- Distilled from `{trained['distill_from']}`: each training target is"
                f" {1 - trained['distill_weight']:.2f} × the label + {trained['distill_weight']:.2f} ×"
                " the teacher's calibrated probabilities"
            ]
            if trained.get("distill_from")
            else []
        ),
        f"- Head: {spec.pooling} pooling → linear layer over {len(spec.labels)} labels;"
        f" input prefix `{spec.prefix.strip() or '(none)'}`; windows of {spec.max_length} tokens"
        + (
            " (long texts: overlapping windows, logits averaged)"
            if spec.long_text == "chunks"
            else " (truncated)"
        ),
        f"- Normalisation: {json.dumps(spec.normalise)}; candidate masking: {spec.mask or 'off'}",
        f"- Calibration: temperature T = {spec.temperature:.3f}, fitted on the validation split",
        f"- Trainable parameters: {tr.get('trainable_parameters', '?'):,}; files in this folder: see below"
        if isinstance(tr.get("trainable_parameters"), int)
        else "- Trainable parameters: ?",
        f"- Created: {spec.created_at}",
        "",
        "## Data",
        "",
        "The annotated corpus in `data/annotated/` (see its DATACARD.md): fictional posts written one by one",
        "from the guidelines by several writers, plus template-generated ones; every candidate, party and",
        "region is invented. The test split was written separately, with other candidates, regions and",
        "parties, and nothing of it (texts or candidate names) is in training.",
        "",
        "| split | posts | " + " | ".join(LABELS) + " |",
        "|---|---|" + "---|" * len(LABELS),
    ]
    for name in ("train", "validation", "test"):
        if name in ds:
            counts = np.bincount(np.asarray(ds[name]["stance"]), minlength=len(LABELS))
            lines.append(f"| {name} | {len(ds[name])} | " + " | ".join(str(int(c)) for c in counts) + " |")
    lines += [
        "",
        "## Training",
        "",
        f"Hugging Face Trainer on CPU ({tr.get('torch_threads', '?')} threads),"
        + (" class-weighted" if tr.get("training", {}).get("class_weights") else "")
        + " cross-entropy,"
        + (" frozen lower layers computed once," if tr.get("frozen_layers_cached") else "")
        + f" early stopping on validation macro-F1 (best epoch {tr.get('best_epoch')}),"
        f" {tr.get('seconds')} s;"
        f" validation macro-F1 {(spec.metrics.get('validation') or {}).get('macro_f1', float('nan')):.3f}.",
        "",
        "```json",
        json.dumps(tr.get("training", {}), indent=1),
        "```",
        "",
        f"## Results on the {split} split ({m['n']} posts)",
        "",
        "| metric | this model | transformer alone | TF-IDF baseline | TF-IDF, this model's preprocessing |",
        "|---|---|---|---|---|",
        *[f"| {name} | {a:.3f} | {t:.3f} | {c:.3f} | {d:.3f} |" for name, a, t, c, d in rows],
        "",
        (
            f"This model is a blend: {result['blend_weight']:.1f} × the fine-tuned transformer +"
            f" {1 - result['blend_weight']:.1f} × a TF-IDF model on the same preprocessed text, the weight"
            " chosen on validation macro-F1, the mixture recalibrated with its own temperature"
            f" (T = {(spec.blend or {}).get('temperature', 1.0):.2f} on validation; blend.py)."
            if blended
            else "This model is the fine-tuned transformer alone."
        ),
        "",
        *_unmasked_section(result),
        "Per class (this model):",
        "",
        "| label | precision | recall | F1 | posts |",
        "|---|---|---|---|---|",
        *[
            f"| {k} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} | {v['support']} |"
            for k, v in m["per_class"].items()
        ],
        "",
        "Confusion matrix (rows: annotated, columns: predicted; " + ", ".join(LABELS) + "):",
        "",
        "```",
        *["  ".join(f"{c:4d}" for c in row) + f"   {LABELS[i]}" for i, row in enumerate(m["confusion"])],
        "```",
        "",
        f"Calibration: expected calibration error {m['ece_uncalibrated']:.3f} before and {m['ece']:.3f} after"
        f" temperature scaling (T = {spec.temperature:.3f}); reliability-{split}.png. Precision–recall of the"
        f" partisan flag: pr-{split}.png.",
        "",
        f"Target: for {m['target']['n']} partisan posts with an annotated target, the matcher named one for"
        f" {m['target']['found']:.0%} and agreed with the annotation (a shared name word or ballot number)"
        f" for {m['target']['agrees']:.0%}. Targets come from the candidate list given at inference"
        " (here the corpus's own election files).",
        "",
        "## Use",
        "",
        "```",
        f"netra classify --input posts.jsonl --output predictions.jsonl --model {spec.version}",
        "```",
        "",
        "## Limitations",
        "",
        "- Trained and tested on written-for-purpose fictional posts: real posts are messier (quotes,"
        " reposts, images whose text is not in the post). Expect lower scores on real data; the review queue"
        " and reviewers' decisions (issue 6) are how the model is checked and improved on real posts.",
        "- One stance per post: a post that supports one contestant by attacking another is `support`.",
        "- The partisan flag says nothing about the author: whether the author is an ASN is decided by"
        " registry matching, and a person reviews every flagged post.",
        "- Sarcasm, regional languages other than those in the corpus, and images are weak spots.",
        "",
        f"Files: {_size(Path(str(result.get('folder', '.'))))}" if result.get("folder") else "",
    ]
    return "\n".join(line for line in lines if line is not None) + "\n"
