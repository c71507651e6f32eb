"""Classifier throughput on this machine: posts/s, peak memory and partisan-flag F1, float32 vs int8.

    python benchmarks/bench_classify.py [--model default] [--posts 2000] [--threads 2] [--no-early-exit]

The mix of lengths is what a scan sees: mostly short posts, some long captions, a few news articles.
It is drawn from the test and validation splits (texts as written, seeded), plus articles made by
joining several news-register posts (400+ tokens, so they exercise the overlapping windows). Never
from train: the TF-IDF part has learnt those posts, so early exit would skip the network on far more
of them (81% for v2, against 33% on test) than on the text a scan brings. Each variant runs in its
own process so that its peak RSS is its own; F1 is computed on the whole test split. The table's
header names the CPU and its vector extensions: int8 speed depends on them (VNNI above all).

Variants: ``float32`` (PyTorch, LoRA merged into the weights), ``ort-int8`` (the default,
``classify.runtime: onnxruntime``: exported once, dynamic int8) and ``torch-int8``
(``classify.runtime: torch``: PyTorch dynamic quantisation of every Linear layer). The ONNX export is
made (or found in the cache) before the timed processes start, so its one-off cost is not in them.
A cascade (the default) runs both its stages in the variant's runtime; "network %" is then its first
stage's share and "2nd model %" the share of posts its second model re-read.
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

    recs = read_jsonl(data_dir / "test.jsonl") + read_jsonl(data_dir / "validation.jsonl")
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


def cpu_description() -> str:
    """The CPU model and the vector extensions that decide int8 and float32 speed."""
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        import platform

        return platform.processor() or "unknown CPU"
    name = next((ln.split(":", 1)[1].strip() for ln in info.splitlines() if ln.startswith("model name")), "?")
    flags = next((ln.split(":", 1)[1].split() for ln in info.splitlines() if ln.startswith("flags")), [])
    wanted = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8")
    return f"{name} ({', '.join(f for f in wanted if f in flags) or 'no AVX2'})"


def run_variant(
    variant: str, model: str, data_dir: Path, n: int, threads: int, batch_size: int, early_exit: bool
) -> dict:
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
    predictor = StancePredictor.load(
        folder,
        settings.classify.backbone_cache,
        matcher=matcher,
        quantize=variant != "float32",
        runtime="onnxruntime" if variant == "ort-int8" else "torch",
        batch_size=batch_size,
        early_exit=early_exit,
        **({"threads": threads} if variant == "ort-int8" else {}),
    )
    load_s = time.perf_counter() - t0
    texts = workload(data_dir, n)
    predictor.predict(texts[:64])  # warm-up
    tokenizer = predictor.stages[0].tokenizer
    tokens = sum(len(x) for x in tokenizer(texts, add_special_tokens=False)["input_ids"])
    for p in (predictor, *predictor.stages):
        p.counts = dict.fromkeys(p.counts, 0)
    t0, c0 = time.perf_counter(), time.process_time()
    predictor.predict(texts)
    seconds, cpu_seconds = time.perf_counter() - t0, time.process_time() - c0
    network_share = predictor.counts["network"] / n
    deferred_share = predictor.counts.get("deferred", 0) / n  # a cascade's posts sent to its second model
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
        "network_share": network_share,
        "deferred_share": deferred_share,
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
    parser.add_argument(
        "--no-early-exit", action="store_true", help="run the network on every post (classify.early_exit off)"
    )
    args = parser.parse_args()
    if args.one:
        early_exit = not args.no_early_exit
        sizes = (args.posts, args.threads, args.batch_size)
        row = run_variant(args.one, args.model, args.data_dir, *sizes, early_exit)
        print("RESULT " + json.dumps(row))
        return
    rows = []
    if "ort-int8" in args.variants.split(","):
        from pipeline.classify.cascade import stage_folders
        from pipeline.classify.onnx import export_int8
        from pipeline.classify.registry import MODELS_DIR, resolve_model
        from pipeline.config import load_settings

        for folder in stage_folders(resolve_model(args.model, MODELS_DIR)):
            export_int8(folder, load_settings().classify.backbone_cache)
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
            *(["--no-early-exit"] if args.no_early_exit else []),
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
        f"batch {args.batch_size}, early exit {'off' if args.no_early_exit else 'on'}; F1 on the test split)"
        f"\n{cpu_description()}\n"
    )
    print(
        f"{'variant':<17}{'posts/s':>9}{'CPU s':>7}{'load':>6}{'tokens/post':>13}{'network %':>11}"
        f"{'2nd model %':>13}{'peak RSS MB':>13}{'start s':>8}{'partisan F1':>13}{'macro-F1':>10}"
    )
    for r in rows:
        print(
            f"{r['variant']:<17}{r['posts_per_s']:>9.1f}{r['cpu_s']:>7.1f}{r['load']:>6.1f}"
            f"{r['mean_tokens']:>13.1f}{100 * r['network_share']:>11.0f}{100 * r['deferred_share']:>13.0f}"
            f"{r['peak_rss_mb']:>13.0f}{r['load_s']:>8.1f}{r['partisan_f1']:>13.3f}{r['macro_f1']:>10.3f}"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
