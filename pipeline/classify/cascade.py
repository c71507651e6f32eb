"""A cascade of two stance models: a fast one decides the posts it is sure of, a stronger one the rest.

Why: the distilled student (the bottom 4 layers of e5-small) runs three to four times as fast as
the full model but finds fewer partisan posts, and the two disagree mostly where the student's
partisan score is near the threshold. Sending only those posts on gives the full model's decision
where it matters, at close to the student's speed.

The rule is one number, ``margin``: a post goes to the second model when the first model's partisan
score is within ``margin`` log-odds of the queue's threshold (at threshold 0.5, margin 2.2 is the
band 0.1–0.9). In log-odds so that the same margin means the same doubt at any threshold. It is
fitted on the validation split (:func:`fit_cascade`): the smallest margin at which the cascade's
partisan flags agree with the second model's on a set share of posts.

A cascade is a model version like any other: a folder under ``models/`` whose ``netra_model.json``
names its stages (by version, in the same models folder) and holds its own test metrics and card.
The scan stores its predictions under its version, so nothing downstream needs to know it is two
models. Each stage keeps its own early exit, and the band is applied to the first stage's scores as
it gives them: a post its TF-IDF part decides alone is routed on its estimated score. Requiring the
route to be exact as well would make the first network run on nearly every post (the band's edges
lie inside almost every post's possible range) and halve the cascade's speed; on the test split the
estimated route changes 1 decision of 750 (the card states the count, see :func:`evaluate_cascade`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .infer import Predictor, StancePredictor
from .model import ModelSpec

# Candidate margins (log-odds) for fitting: the bands 0.4–0.6, 0.3–0.7, … 0.01–0.99 at threshold 0.5.
MARGINS = tuple(round(math.log(p / (1 - p)), 3) for p in (0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99))


def band(threshold: float, margin: float) -> tuple[float, float]:
    """The partisan scores (low, high) between which the first model's answer is sent on."""
    z = math.log(threshold / (1 - threshold))
    return 1 / (1 + math.exp(-(z - margin))), 1 / (1 + math.exp(-(z + margin)))


def deferred(partisan_score: np.ndarray, threshold: float, margin: float) -> np.ndarray:
    low, high = band(threshold, margin)
    return (partisan_score > low) & (partisan_score < high)


def same_text(a: ModelSpec, b: ModelSpec) -> bool:
    """Whether two models prepare text alike, so one's prepared text can be given to the other."""
    return all(getattr(a, k) == getattr(b, k) for k in ("normalise", "mask"))


def stage_folders(folder: Path) -> list[Path]:
    """The model folders that run for the version in ``folder``: itself, or a cascade's two stages."""
    from .registry import resolve_model

    spec = ModelSpec.load(Path(folder))
    if not spec.cascade:
        return [Path(folder)]
    return [resolve_model(spec.cascade[k], Path(folder).parent) for k in ("first", "second")]


class CascadePredictor(Predictor):
    """Two loaded models and the rule between them; predicts like a single model."""

    def __init__(
        self,
        first: StancePredictor,
        second: StancePredictor,
        spec: ModelSpec,
        partisan_threshold: float = 0.5,
    ) -> None:
        if first.spec.labels != second.spec.labels:
            raise ValueError(
                f"cascade {spec.version}: its stages have different labels "
                f"({first.spec.labels} and {second.spec.labels})"
            )
        self.first, self.second = first, second
        self.spec = spec
        self.spec.labels = list(first.spec.labels)
        self.margin = float(spec.cascade["margin"])
        self.threshold = partisan_threshold
        self.matcher = first.matcher
        self.shared_text = same_text(first.spec, second.spec)
        self.counts = {"posts": 0, "network": 0, "deferred": 0}

    @classmethod
    def load(
        cls, folder, cache, matcher=None, partisan_threshold: float = 0.5, **kwargs: Any
    ) -> CascadePredictor:
        """Both stages, each as :meth:`StancePredictor.load` would load it (same runtime and options)."""
        spec = ModelSpec.load(Path(folder))
        first, second = (
            StancePredictor.load(f, cache, matcher, partisan_threshold=partisan_threshold, **kwargs)
            for f in stage_folders(Path(folder))
        )
        if not isinstance(first, StancePredictor) or not isinstance(second, StancePredictor):
            raise ValueError(f"cascade {spec.version}: a stage is itself a cascade")
        return cls(first, second, spec, partisan_threshold)

    @property
    def stages(self) -> tuple[StancePredictor, ...]:
        return (self.first, self.second)

    @property
    def preprocess(self):
        return self.first.preprocess

    def probabilities(
        self,
        texts: Sequence[str],
        prepared: Sequence[str] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """The first model's probabilities, replaced by the second model's for the posts in the band."""
        texts = list(texts)
        prepared = self.first.preprocess(texts) if prepared is None else list(prepared)
        probs = self.first.probabilities(texts, prepared, progress)
        sent = np.flatnonzero(self.sent_on(probs))
        if len(sent):
            again = [prepared[i] for i in sent] if self.shared_text else None
            probs[sent] = self.second.probabilities([texts[i] for i in sent], again)
        self.counts["posts"] += len(texts)
        self.counts["network"] = self.first.counts["network"]
        self.counts["deferred"] += len(sent)
        return probs

    def sent_on(self, first_probs: np.ndarray) -> np.ndarray:
        """Which posts go to the second model, given the first model's probabilities."""
        return deferred(first_probs[:, self.partisan_idx].sum(1), self.threshold, self.margin)


def fit_cascade(
    first: StancePredictor,
    second: StancePredictor,
    texts: Sequence[str],
    threshold: float = 0.5,
    agreement: float = 0.995,
    margins: Sequence[float] = MARGINS,
) -> dict[str, Any]:
    """The smallest margin at which the cascade's flags agree with ``second``'s on ``agreement`` of
    ``texts`` (the validation split), with what each candidate margin gave.

    Agreement with the second model, not accuracy on labels: the cascade is meant to reproduce the
    stronger model's decisions, and agreement needs no labels, so it is not tuned to the few
    validation posts both models get wrong. If no margin reaches ``agreement``, the widest is taken.
    """
    prepared = first.preprocess(list(texts))
    p1 = first.probabilities(texts, prepared)  # as the cascade will see them (with early exit if on)
    p2 = second.probabilities(texts, prepared if same_text(first.spec, second.spec) else None)
    idx = first.partisan_idx
    s1, flag2 = p1[:, idx].sum(1), p2[:, idx].sum(1) >= threshold
    tried = []
    for margin in sorted(margins):
        send = deferred(s1, threshold, margin)
        flag = np.where(send, flag2, s1 >= threshold)
        share, agree = float(send.mean()), float((flag == flag2).mean())
        tried.append({"margin": margin, "deferred": round(share, 4), "agreement": round(agree, 4)})
    chosen = next((t for t in tried if t["agreement"] >= agreement), tried[-1])
    return {
        "margin": chosen["margin"],
        "band_at_threshold": [round(x, 4) for x in band(threshold, chosen["margin"])],
        "threshold": threshold,
        "agreement_target": agreement,
        "validation": {"posts": len(texts), "chosen": chosen, "tried": tried},
    }


def write_cascade(folder: Path, first: ModelSpec, second: ModelSpec, fitted: dict[str, Any]) -> ModelSpec:
    """A cascade version's folder: its spec (stages by version, the fitted rule); metrics come later."""
    from datetime import UTC, datetime

    spec = ModelSpec(
        version=folder.name,
        backbone=f"cascade: {first.version} → {second.version}",
        finetune="cascade",
        labels=list(first.labels),
        max_length=first.max_length,
        normalise=dict(first.normalise),
        mask=first.mask,
        cascade={"first": first.version, "second": second.version, **fitted},
        created_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    spec.save(folder)
    return spec


def evaluate_cascade(
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
    """Score a cascade and each of its stages on ``split``; write its metrics, PR plot and card.

    The same keys as :func:`~pipeline.classify.evaluate.evaluate_model` where they mean the same
    (``transformer`` is the model as shipped), so retraining compares against a cascade default too.
    """
    from .corpus import load_corpus
    from .evaluate import classification_metrics, partisan_targets, plot_pr, summary
    from .train import make_matcher

    ds = load_corpus(data_dir)
    matcher = make_matcher(str(election_dir)) if election_dir else None
    predictor = CascadePredictor.load(
        model_dir, cache, matcher, partisan_threshold=threshold, quantize=quantize, runtime=runtime
    )
    first, second, spec = predictor.first, predictor.second, predictor.spec
    texts, y = list(ds[split]["text"]), np.asarray(ds[split]["stance"])
    prepared = first.preprocess(texts)
    # Each stage alone: the full blend, as single models are evaluated.
    p1 = first.probabilities(texts, prepared)
    p2 = second.probabilities(texts, prepared if predictor.shared_text else None)
    idx = predictor.partisan_idx

    def route(first_probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sent = predictor.sent_on(first_probs)
        return np.where(sent[:, None], p2, first_probs), sent

    def flags(probs: np.ndarray) -> np.ndarray:
        return probs[:, idx].sum(1) >= threshold

    # The cascade as it runs (classify.early_exit on, the default): routed on the first stage's
    # scores with early exit, where a post decided by its TF-IDF part has an estimated score.
    first.early_exit = True
    probs, sent = route(first.probabilities(texts, prepared))
    full_route, _ = route(p1)
    changed = (probs.argmax(1) != full_route.argmax(1)) | (flags(probs) != flags(full_route))
    metrics = classification_metrics(probs, y, threshold)
    metrics["target"] = partisan_targets(predictor, texts, y, ds[split]["target"])
    stages = {first.spec.version: classification_metrics(p1, y, threshold)}
    stages[second.spec.version] = classification_metrics(p2, y, threshold)
    result = {
        "model": spec.version,
        "split": split,
        "quantized": quantize,
        "runtime": runtime if quantize else "torch",
        "transformer": metrics,  # the cascade as shipped
        "stages": stages,
        "margin": predictor.margin,
        "band": list(band(threshold, predictor.margin)),
        "deferred": float(sent.mean()),
        "early_exit_route_changes": int(changed.sum()),  # decisions unlike routing on full scores
        "flag_agreement_with_second": float((flags(probs) == flags(p2)).mean()),
        "corpus": {name: len(ds[name]) for name in ds},
    }
    if write:
        suffix = "-int8" if quantize else ""
        (model_dir / f"metrics-{split}{suffix}.json").write_text(json.dumps(result, indent=2) + "\n")
        if not quantize:
            gold = np.isin(y, idx)
            plot_pr(
                model_dir / f"pr-{split}.png",
                {
                    spec.version: (probs[:, idx].sum(1), gold),
                    **{
                        v: (p[:, idx].sum(1), gold)
                        for v, p in ((first.spec.version, p1), (second.spec.version, p2))
                    },
                },
            )
            spec.metrics[split] = summary(metrics)
            spec.metrics[f"{split}_stages"] = {v: summary(m) for v, m in stages.items()}
            spec.metrics[f"{split}_deferred"] = round(result["deferred"], 4)
            spec.save(model_dir)
            (model_dir / "README.md").write_text(cascade_card(spec, result))
    return result


def cascade_card(spec: ModelSpec, result: dict[str, Any]) -> str:
    """The cascade's README.md: its stages, its rule and how it was fitted, and its scores beside theirs."""
    c, m, split = spec.cascade, result["transformer"], result["split"]
    first, second = c["first"], c["second"]
    s1, s2 = result["stages"][first], result["stages"][second]
    low, high = result["band"]
    rows = [
        ("macro-F1", lambda x: x["macro_f1"]),
        ("accuracy", lambda x: x["accuracy"]),
        ("partisan flag precision", lambda x: x["partisan"]["precision"]),
        ("partisan flag recall", lambda x: x["partisan"]["recall"]),
        ("partisan flag F1", lambda x: x["partisan"]["f1"]),
        ("partisan average precision", lambda x: x["partisan"]["average_precision"]),
        ("expected calibration error", lambda x: x["ece"]),
    ]
    fit = c.get("validation", {})
    lines = [
        f"# Netra stance model `{spec.version}` (a cascade)",
        "",
        "Classifies the stance of a social-media post toward election candidates (`support`,",
        "`oppose`, `neutral`, `unrelated`; shared/annotation-guidelines.md) and flags partisan posts",
        "(support ∪ oppose) for Bawaslu reviewers, with two trained models and no network of its own",
        "(pipeline/classify/cascade.py):",
        "",
        f"1. `{first}` reads every post (its card: models/{first}/README.md).",
        f"2. `{second}` reads the posts whose partisan score from the first is within"
        f" {c['margin']:.2f} log-odds of the queue's threshold: at threshold {c.get('threshold', 0.5)},"
        f" scores between {low:.2f} and {high:.2f} (its card: models/{second}/README.md)."
        " Its answer replaces the first model's.",
        "",
        "Each post's stance, scores and flag come from one of the two models, calibrated as that model is.",
        "",
        "## How the rule was fitted",
        "",
        f"On the validation split ({fit.get('posts', '?')} posts), float32: the smallest margin at which the"
        f" cascade's partisan flags agree with `{second}`'s on at least {c.get('agreement_target', 0):.1%}"
        " of posts (agreement with the stronger model needs no labels, so the rule is not tuned to the few"
        " posts both models get wrong).",
        "",
        "| margin (log-odds) | band at 0.5 | posts sent on | flags agreeing with the second model |",
        "|---|---|---|---|",
        *[
            f"| {t['margin']:.2f} | {band(0.5, t['margin'])[0]:.2f}–{band(0.5, t['margin'])[1]:.2f} |"
            f" {t['deferred']:.1%} | {t['agreement']:.1%}"
            + (" (chosen) |" if t["margin"] == c["margin"] else " |")
            for t in fit.get("tried", [])
        ],
        "",
        f"## Results on the {split} split ({m['n']} posts)",
        "",
        f"{result['deferred']:.1%} of the posts were sent to `{second}`; the cascade's flags agree with"
        f" `{second}`'s on {result['flag_agreement_with_second']:.1%} of them all. Scored as it runs, with"
        " early exit: a post the first model's TF-IDF part decides alone is routed on its estimated score,"
        f" which changed {result.get('early_exit_route_changes', 0)} decision(s) against routing every post"
        " on its full score.",
        "",
        f"| metric | this cascade | {first} alone | {second} alone |",
        "|---|---|---|---|",
        *[f"| {name} | {get(m):.3f} | {get(s1):.3f} | {get(s2):.3f} |" for name, get in rows],
        "",
        "Per class (this cascade):",
        "",
        "| label | precision | recall | F1 | posts |",
        "|---|---|---|---|---|",
        *[
            f"| {k} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} | {v['support']} |"
            for k, v in m["per_class"].items()
        ],
        "",
        "Confusion matrix (rows: annotated, columns: predicted; " + ", ".join(spec.labels) + "):",
        "",
        "```",
        *["  ".join(f"{n:4d}" for n in row) + f"   {spec.labels[i]}" for i, row in enumerate(m["confusion"])],
        "```",
        "",
        f"Precision–recall of the partisan flag, the cascade beside its stages: pr-{split}.png. Target: for"
        f" {m['target']['n']} partisan posts with an annotated target, the matcher named one for"
        f" {m['target']['found']:.0%} and agreed with the annotation for {m['target']['agrees']:.0%}.",
        "",
        "## Speed",
        "",
        "Most posts cost only the first model; how many go on depends on the text. Measure on this machine:",
        "",
        "```",
        f"python benchmarks/bench_classify.py --model {spec.version}",
        "```",
        "",
        "## Use",
        "",
        "```",
        f"netra classify --input posts.jsonl --output predictions.jsonl --model {spec.version}",
        "```",
        "",
        "## Limitations",
        "",
        f"- Everything in the stages' cards holds here. The cascade's flag follows `{second}` closely,",
        "  but a post the first model is sure of and wrong about stays wrong; the side (support or",
        f"  oppose) and the neutral/unrelated split of the posts it keeps are `{first}`'s, so macro-F1",
        "  sits between the two models'.",
        "- The rule was fitted at one threshold; a very different queue threshold keeps the margin in",
        "  log-odds, not a refit. Refit after retraining either stage: `netra models cascade`.",
        "",
    ]
    return "\n".join(lines)
