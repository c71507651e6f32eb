"""Which normalisation steps help? Measured on validation (``python -m pipeline.classify.ablation``).

Fine-tuning the encoder once per option would take hours on a 2-core CPU, so each option is scored
with two cheap probes that see the same preprocessed text the fine-tuned model would:

- ``e5+LR``: frozen e5-small (mean-pooled, ``query:`` prefix) embeddings → logistic regression;
- ``tfidf``: the TF-IDF word+character baseline.

Steps are added one at a time in pipeline order; each row is validation macro-F1 (and partisan F1)
with everything above it switched on. The validation split has only a few hundred posts, so a
difference of 0.01–0.02 is a handful of posts; ``e5 CV`` adds the mean macro-F1 of a 5-fold
cross-validation over train+validation grouped by contest (every post scored once, unseen contests),
which is steadier. The table goes into docs/classifier.md.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from pipeline.text.normalise import NormaliseOptions

from .backbone import DEFAULT_BACKBONE, ensure_backbone, load_encoder, load_tokenizer
from .baseline import TfidfBaseline
from .corpus import load_corpus
from .infer import Preprocessor, encode_windows, length_sorted_batches, pad_batch
from .model import ModelSpec
from .train import make_matcher

RAW = NormaliseOptions(placeholders=False, emoji=False, hashtags=False, slang=None, elongation=False)
STEPS: list[tuple[str, dict, str | None]] = [
    ("raw text", {}, None),
    ("+ @user/http placeholders", {"placeholders": True}, None),
    ("+ emoji → words", {"emoji": True}, None),
    ("+ hashtag splitting", {"hashtags": True}, None),
    ("+ elongation (bangettt → banget)", {"elongation": True}, None),
]
SLANG = ["indonlp", "basa", "indo-normalizer"]


_CACHE: dict[str, np.ndarray] = {}


def embed(encoder, tokenizer, texts: list[str]) -> np.ndarray:
    """Embeddings, re-using those of texts a previous option left unchanged (most of them)."""
    todo = sorted({t for t in texts if t not in _CACHE})
    if todo:
        for t, e in zip(todo, _embed(encoder, tokenizer, todo), strict=True):
            _CACHE[t] = e
    return np.stack([_CACHE[t] for t in texts])


@torch.inference_mode()
def _embed(encoder, tokenizer, texts: list[str], max_length: int = 128, batch_size: int = 32) -> np.ndarray:
    windows, owner = encode_windows(tokenizer, texts, max_length, "query: ", 32, "chunks")
    out = np.zeros((len(windows), encoder.config.hidden_size), dtype=np.float32)
    for batch in length_sorted_batches([len(w) for w in windows], batch_size):
        ids, mask = pad_batch([windows[i] for i in batch], tokenizer.pad_token_id)
        h = encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        m = mask.unsqueeze(-1).float()
        out[batch] = ((h * m).sum(1) / m.sum(1)).numpy()
    summed = np.zeros((len(texts), out.shape[1]))
    np.add.at(summed, owner, out)
    counts = np.bincount(owner, minlength=len(texts))[:, None]
    emb = summed / counts
    return emb / np.linalg.norm(emb, axis=1, keepdims=True)


def grouped_cv(x: np.ndarray, y: np.ndarray, groups: list[str], c: float, folds: int = 5) -> float:
    """Mean macro-F1 of logistic regression over folds that keep each contest in one fold."""
    from sklearn.model_selection import StratifiedGroupKFold

    out = []
    for tr, te in StratifiedGroupKFold(folds, shuffle=True, random_state=0).split(x, y, groups):
        clf = LogisticRegression(C=c, class_weight="balanced", max_iter=3000).fit(x[tr], y[tr])
        out.append(scores(y[te], clf.predict(x[te]))[0])
    return float(np.mean(out))


def scores(y_true, y_pred) -> tuple[float, float]:
    macro = f1_score(y_true, y_pred, average="macro", labels=[0, 1, 2, 3], zero_division=0)
    partisan = f1_score(np.isin(y_true, [0, 1]), np.isin(y_pred, [0, 1]), zero_division=0)
    return float(macro), float(partisan)


def run(
    data_dir: Path, cache: str, election_dir: str | None, out: Path | None, leave_one_out: bool = False
) -> list[dict]:
    torch.set_num_threads(min(2, torch.get_num_threads()))
    ds = load_corpus(data_dir, ("train", "validation"))
    path = ensure_backbone(DEFAULT_BACKBONE, cache)
    tok, enc = load_tokenizer(path), load_encoder(path).eval()
    matcher = make_matcher(election_dir) if election_dir else None
    tr_text, va_text = list(ds["train"]["text"]), list(ds["validation"]["text"])
    y_tr, y_va = np.asarray(ds["train"]["stance"]), np.asarray(ds["validation"]["stance"])
    groups = [
        e or i
        for e, i in zip(
            list(ds["train"]["election"]) + list(ds["validation"]["election"]),
            list(ds["train"]["id"]) + list(ds["validation"]["id"]),
            strict=True,
        )
    ]

    configs: list[tuple[str, NormaliseOptions, str | None]] = []
    if leave_one_out:
        # Each step switched off (or on) from the chosen set, so no step is judged behind another.
        chosen = NormaliseOptions(placeholders=True, emoji=False, hashtags=True, slang=None, elongation=True)
        configs.append(("chosen: placeholders, hashtags, elongation; names masked", chosen, "names"))
        configs.append(("  without masking", chosen, None))
        configs.append(("  masking names and numbers", chosen, "all"))
        for key in ("placeholders", "hashtags", "elongation"):
            configs.append((f"  without {key}", replace(chosen, **{key: False}), "names"))
        configs.append(("  with emoji → words", replace(chosen, emoji=True), "names"))
        for lex in SLANG:
            configs.append((f"  with slang lexicon {lex}", replace(chosen, slang=lex), "names"))
    else:
        opts = RAW
        for name, change, mask in STEPS:
            opts = replace(opts, **change)
            configs.append((name, opts, mask))
        full = opts
        for lex in SLANG:
            configs.append((f"+ slang lexicon: {lex}", replace(full, slang=lex), None))
        configs.append(("+ candidate masking: names", full, "names"))
        configs.append(("+ candidate masking: names and numbers", full, "all"))

    rows = []
    for name, options, mask in configs:
        started = time.time()
        spec = ModelSpec(normalise=options.to_dict(), mask=mask)
        try:
            pre = Preprocessor(spec, matcher)
            a, b = pre(tr_text), pre(va_text)
        except Exception as exc:  # a lexicon package that is not installed
            rows.append({"step": name, "error": str(exc)})
            print(f"{name:<42} skipped: {exc}", flush=True)
            continue
        x_tr, x_va = embed(enc, tok, a), embed(enc, tok, b)
        best = (-1.0, 0.0, 0.0)
        for c in (1.0, 3.0, 10.0, 30.0):
            clf = LogisticRegression(C=c, class_weight="balanced", max_iter=3000).fit(x_tr, y_tr)
            m, p = scores(y_va, clf.predict(x_va))
            best = max(best, (m, p, c))
        cv = grouped_cv(np.vstack([x_tr, x_va]), np.concatenate([y_tr, y_va]), groups, best[2])
        base = TfidfBaseline().fit(a, y_tr, b, y_va)
        bm, bp = scores(y_va, base.predict_proba(b).argmax(1))
        row = {
            "step": name,
            "e5_macro_f1": round(best[0], 4),
            "e5_partisan_f1": round(best[1], 4),
            "e5_cv_macro_f1": round(cv, 4),
            "tfidf_macro_f1": round(bm, 4),
            "tfidf_partisan_f1": round(bp, 4),
            "seconds": round(time.time() - started, 1),
        }
        rows.append(row)
        print(
            f"{name:<42} e5+LR {row['e5_macro_f1']:.3f} / {row['e5_partisan_f1']:.3f}  cv {cv:.3f}   "
            f"tfidf {row['tfidf_macro_f1']:.3f} / {row['tfidf_partisan_f1']:.3f}   ({row['seconds']} s)",
            flush=True,
        )
    if out:
        out.write_text(
            json.dumps({"train": len(tr_text), "validation": len(va_text), "rows": rows}, indent=2) + "\n"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("data/annotated"))
    parser.add_argument("--cache", default="~/.cache/netra/backbones")
    parser.add_argument("--elections", default="data/annotated/elections")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--leave-one-out", action="store_true", help="vary one step at a time from the chosen set"
    )
    args = parser.parse_args()
    run(args.data_dir, args.cache, args.elections, args.out, args.leave_one_out)


if __name__ == "__main__":
    main()
