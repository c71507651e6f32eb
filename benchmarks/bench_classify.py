"""Classifier throughput on this machine: posts/s, peak memory and partisan-flag F1, float32 vs int8.

    python benchmarks/bench_classify.py [--model default] [--posts 2000] [--threads 2]

The mix of lengths is what a scan sees: mostly short posts, some long captions, a few news articles.
It is drawn from the annotated test split (texts as written, seeded), plus articles made by joining
several news-register posts (400+ tokens, so they exercise the overlapping windows). Each variant runs
in its own process so that its peak RSS is its own; F1 is computed on the whole test split.

Variants: ``float32`` (PyTorch, LoRA merged into the weights), ``ort-int8`` (the default,
``classify.runtime: onnxruntime``: exported once, dynamic int8) and ``torch-int8``
(``classify.runtime: torch``: PyTorch dynamic quantisation of every Linear layer). The ONNX export is
made (or found in the cache) before the timed processes start, so its one-off cost is not in them.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def workload(data_dir: Path, n: int, seed: int = 0) -> list[str]:
    """~80% short posts, ~15% long captions (60–200 tokens), ~5% news articles (400+ tokens)."""
    from pipeline.classify.corpus import read_jsonl

    recs = read_jsonl(data_dir / "test.jsonl") + read_jsonl(data_dir / "train.jsonl")
    rng = random.Random(seed)
    short = [r["text"] for r in recs if len(r["text"].split()) <= 40]
    longer = [r["text"] for r in recs if len(r["text"].split()) > 40]
    news = [r["text"] for r in recs if r.get("register") == "news"] or longer
    out = []
    for _ in range(n):
        u = rng.random()
        if u < 0.80 and short:
            out.append(rng.choice(short))
        elif u < 0.95 and longer:
            out.append(rng.choice(longer))
        else:
            out.append("\n\n".join(rng.sample(news, min(4, len(news)))))
    return out


def run_variant(variant: str, model: str, data_dir: Path, n: int, threads: int, batch_size: int) -> dict:
    import numpy as np
    import torch

    torch.set_num_threads(threads)
    from pipeline.classify.corpus import read_jsonl
    from pipeline.classify.infer import StancePredictor
    from pipeline.classify.registry import MODELS_DIR, resolve_model
    from pipeline.classify.train import make_matcher
    from pipeline.config import load_settings

    settings = load_settings()
    folder = resolve_model(model, MODELS_DIR)
    matcher = make_matcher(str(data_dir / "elections"))
    t0 = time.perf_counter()
    if variant == "ort-int8":
        from pipeline.classify.onnx import OrtPredictor

        predictor = OrtPredictor.load(
            folder,
            settings.classify.backbone_cache,
            matcher=matcher,
            batch_size=batch_size,
            threads=threads,
        )
    else:
        predictor = StancePredictor.load(
            folder,
            settings.classify.backbone_cache,
            matcher=matcher,
            quantize=variant == "torch-int8",
            runtime="torch",
            batch_size=batch_size,
        )
    load_s = time.perf_counter() - t0
    texts = workload(data_dir, n)
    predictor.predict(texts[:64])  # warm-up
    tokens = sum(len(x) for x in predictor.tokenizer(texts, add_special_tokens=False)["input_ids"])
    t0, c0 = time.perf_counter(), time.process_time()
    predictor.predict(texts)
    seconds, cpu_seconds = time.perf_counter() - t0, time.process_time() - c0
    load = os.getloadavg()[0]  # other work on the machine slows this down: shown beside the result
    test = read_jsonl(data_dir / "test.jsonl")
    preds = predictor.predict([r["text"] for r in test])
    gold = np.array([r["stance"] in ("support", "oppose") for r in test])
    flag = np.array([p.partisan for p in preds])
    tp = int((gold & flag).sum())
    f1 = 2 * tp / max(1, gold.sum() + flag.sum())
    labels = ["support", "oppose", "neutral", "unrelated"]
    from sklearn.metrics import f1_score

    macro = f1_score([r["stance"] for r in test], [p.stance for p in preds], labels=labels, average="macro")
    return {
        "variant": variant,
        "posts": n,
        "mean_tokens": tokens / n,
        "seconds": seconds,
        "posts_per_s": n / seconds,
        "cpu_s": cpu_seconds,
        "load": load,
        "load_s": load_s,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "partisan_f1": f1,
        "macro_f1": float(macro),
        "test_posts": len(test),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Classifier throughput: float32 vs int8")
    parser.add_argument("--model", default="default")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data" / "annotated")
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--variants", default="float32,torch-int8,ort-int8")
    parser.add_argument("--one", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, default=None, help="also write the rows here")
    args = parser.parse_args()
    if args.one:
        row = run_variant(args.one, args.model, args.data_dir, args.posts, args.threads, args.batch_size)
        print("RESULT " + json.dumps(row))
        return
    rows = []
    if "ort-int8" in args.variants.split(","):
        from pipeline.classify.onnx import export_int8
        from pipeline.classify.registry import MODELS_DIR, resolve_model
        from pipeline.config import load_settings

        export_int8(resolve_model(args.model, MODELS_DIR), load_settings().classify.backbone_cache)
    for variant in args.variants.split(","):
        cmd = [
            sys.executable,
            __file__,
            "--one",
            variant,
            "--model",
            args.model,
            "--data-dir",
            str(args.data_dir),
            "--posts",
            str(args.posts),
            "--threads",
            str(args.threads),
            "--batch-size",
            str(args.batch_size),
        ]
        env = {**os.environ, "OMP_NUM_THREADS": str(args.threads)}
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
        if line is None:
            print(f"{variant}: failed\n{proc.stderr[-2000:]}", file=sys.stderr)
            continue
        rows.append(json.loads(line[len("RESULT ") :]))
    print(
        f"\nclassifier throughput ({args.posts} posts, mixed lengths, {args.threads} threads, "
        f"batch {args.batch_size}; F1 on the test split)\n"
    )
    print(
        f"{'variant':<17}{'posts/s':>9}{'CPU s':>7}{'load':>6}{'tokens/post':>13}{'peak RSS MB':>13}"
        f"{'start s':>8}{'partisan F1':>13}{'macro-F1':>10}"
    )
    for r in rows:
        print(
            f"{r['variant']:<17}{r['posts_per_s']:>9.1f}{r['cpu_s']:>7.1f}{r['load']:>6.1f}"
            f"{r['mean_tokens']:>13.1f}{r['peak_rss_mb']:>13.0f}{r['load_s']:>8.1f}{r['partisan_f1']:>13.3f}{r['macro_f1']:>10.3f}"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
