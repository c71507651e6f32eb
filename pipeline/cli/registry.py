"""`netra registry ...` and `netra match ...`: the ASN registry and account matching (issue 3).

Output names no person: counts on the terminal, names and NIPs only in the files asked for.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import typer

from . import app
from .common import Exit, console, fail, state

log = logging.getLogger(__name__)

registry_app = typer.Typer(help="The ASN registry: import a BKN export, list versions.", no_args_is_help=True)
app.add_typer(registry_app, name="registry")
match_app = typer.Typer(help="Match accounts to the ASN registry; `netra match evaluate` measures it.")
app.add_typer(match_app, name="match")


def _mapping(map_file: Path | None):
    from pipeline.config import ConfigError
    from pipeline.registry.importer import load_mapping

    try:
        return load_mapping(map_file)
    except ConfigError as exc:
        fail(f"mapping: {exc}", Exit.USAGE)


def _resolve_map(ctx: typer.Context, map_file: Path | None) -> Path | None:
    """``--map siasn`` means configs/mappings/registry-siasn.yaml."""
    if map_file is None or map_file.exists():
        return map_file
    settings = state(ctx).settings
    for candidate in (settings.config_file(f"mappings/registry-{map_file}.yaml"),
                      settings.config_file(f"mappings/{map_file}.yaml")):  # fmt: skip
        if candidate.exists():
            return candidate
    fail(f"mapping {map_file}: no such file (nor configs/mappings/registry-{map_file}.yaml)", Exit.NO_INPUT)
    return None


@registry_app.command("import")
def registry_import(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="CSV or XLSX registry export (BKN/SIASN shape)."),
    map_file: Path | None = typer.Option(
        None, "--map", "-m", help="Column mapping YAML, or a name from configs/mappings (siasn)."
    ),
) -> None:
    """Import a registry file as a new version and report what was added, removed and changed."""
    from pipeline.registry.importer import RegistryImportError, import_registry

    st = state(ctx)
    if not file.exists():
        fail(f"{file}: no such file", Exit.NO_INPUT)
    map_file = _resolve_map(ctx, map_file)
    mapping = _mapping(map_file)
    try:
        report = import_registry(
            st.engine, file, mapping, mapping_name=str(map_file) if map_file else None,
            rejects_dir=st.settings.path(st.settings.collect.rejects_dir),
        )  # fmt: skip
    except RegistryImportError as exc:
        fail(str(exc), Exit.DATA)
        return
    if report.missing_columns:
        console.print(f"columns not found (left empty): {', '.join(report.missing_columns)}")
    if report.unchanged:
        typer.echo(f"no changes: version {report.previous_version} stays current ({report.n_valid} records)")
    else:
        prev = f" (previous {report.previous_version})" if report.previous_version else ""
        typer.echo(
            f"version {report.version}{prev}: {report.n_valid} records, "
            f"added {report.added}, removed {report.removed}, changed {report.changed}"
        )
        if report.changed_fields:
            typer.echo("changed fields: " + ", ".join(f"{k} {v}" for k, v in report.changed_fields.items()))
    if report.rejects:
        n_dropped = len(report.rejects) - report.n_rejected
        typer.echo(
            f"rejected {report.n_rejected} rows" + (f", dropped {n_dropped} values" if n_dropped else "")
        )
        for r in report.rejects[:10]:
            line = f"  {r.file}:{r.line}: {r.field}: {r.reason} ({r.action})"
            console.print(line, highlight=False, soft_wrap=True)
        if len(report.rejects) > 10:
            console.print(f"  ... {len(report.rejects) - 10} more", highlight=False, soft_wrap=True)
        if report.rejects_path:
            typer.echo(f"rejects: {report.rejects_path}")
        raise typer.Exit(int(Exit.PARTIAL))


@registry_app.command("versions")
def registry_versions(ctx: typer.Context) -> None:
    """List the imported registry versions, newest last."""
    from pipeline.registry.importer import list_versions

    rows = list_versions(state(ctx).engine)
    if not rows:
        typer.echo("no registry imported yet: netra registry import FILE")
        return
    typer.echo(f"{'version':>7}  {'imported (UTC)':19}  {'records':>8}  {'added':>7}  {'removed':>7}  "
               f"{'changed':>7}  {'rejected':>8}  source")  # fmt: skip
    for r in rows:
        typer.echo(
            f"{r['id']:>7}  {r['imported_at']:%Y-%m-%d %H:%M:%S}  {r['n_records']:>8}  {r['n_added']:>7}  "
            f"{r['n_removed']:>7}  {r['n_changed']:>7}  {r['n_rejected']:>8}  {r['source']}"
        )


@match_app.callback(invoke_without_command=True)
def match(
    ctx: typer.Context,
    registry: Path | None = typer.Option(
        None, "--registry", "-r", help="Registry CSV/XLSX to match against."
    ),
    accounts: Path | None = typer.Option(None, "--accounts", "-a", help="Accounts JSONL."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Where to write match results (JSONL)."),
    map_file: Path | None = typer.Option(None, "--map", "-m", help="Column mapping of the registry file."),
    from_store: bool = typer.Option(False, "--from-store", help="Match the authors of stored posts instead."),
    force: bool = typer.Option(
        False, "--force", help="With --from-store: re-match authors already up to date."
    ),
    threshold: float | None = typer.Option(None, "--threshold", help="Override match.threshold."),
    pseudonymise: bool = typer.Option(
        False,
        "--pseudonymise",
        help="Write NIPs as keyed pseudonyms (needs NETRA_PSEUDONYM_KEY) and no record values.",
    ),
    store: bool = typer.Option(True, "--store/--no-store", help="Import the registry and store the results."),
) -> None:
    """Match accounts to the registry: `--registry R --accounts A --output O`, or `--from-store`."""
    if ctx.invoked_subcommand is not None:
        return
    st = state(ctx)
    settings = st.settings
    if threshold is not None:
        settings.match.threshold = threshold
    if from_store:
        from pipeline.registry import match_authors

        mapping_file = _resolve_map(ctx, map_file)
        summary = match_authors(
            settings, st.engine, registry_file=registry, mapping_file=mapping_file, force=force
        )
        typer.echo(" ".join(f"{k}={v}" for k, v in summary.items()))
        return
    if registry is None or accounts is None or output is None:
        fail("give --registry, --accounts and --output (or --from-store)", Exit.USAGE)
    for path in (registry, accounts):
        if not path.exists():
            fail(f"{path}: no such file", Exit.NO_INPUT)
    _match_files(ctx, registry, accounts, output, _resolve_map(ctx, map_file), pseudonymise, store)


def _match_files(
    ctx: typer.Context, registry: Path, accounts: Path, output: Path, map_file: Path | None,
    pseudonymise: bool, store: bool,
) -> None:  # fmt: skip
    from pipeline.registry.evaluate import read_accounts, read_registry_file
    from pipeline.registry.features import account_id
    from pipeline.registry.importer import RegistryImportError, import_registry, load_registry
    from pipeline.registry.matcher import AccountMatcher, Feedback
    from pipeline.registry.pseudonym import PseudonymKeyMissing, key_from_settings, pseudonymise_result
    from pipeline.registry.store import load_feedback, profile_hash, save_matches

    st = state(ctx)
    settings = st.settings
    started = time.perf_counter()
    key = None
    if pseudonymise:
        try:
            key = key_from_settings(settings)
        except PseudonymKeyMissing as exc:
            fail(str(exc), Exit.USAGE)
    mapping = _mapping(map_file)
    version = None
    feedback = Feedback()
    if store:
        try:
            report = import_registry(
                st.engine, registry, mapping, mapping_name=str(map_file) if map_file else None,
                rejects_dir=settings.path(settings.collect.rejects_dir),
            )  # fmt: skip
        except RegistryImportError as exc:
            fail(str(exc), Exit.DATA)
        with st.engine.connect() as conn:
            version, frame = load_registry(conn)
            feedback = load_feedback(conn)
        n_rejected = report.n_rejected
    else:
        frame, n_rejected = read_registry_file(registry, mapping)
    items, bad = read_accounts(accounts)
    for line, reason in bad[:10]:
        console.print(f"  {accounts}:{line}: {reason} (account set aside)", highlight=False, soft_wrap=True)
    if not items:
        fail(f"{accounts}: no usable account lines", Exit.DATA)
    m = settings.match
    matcher = AccountMatcher(threshold=m.threshold, max_candidates=m.max_candidates)
    results = matcher.fit(frame, items).predict(items, feedback)
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8") as fh:
        for r in results:
            out = pseudonymise_result(r, key) if key else r
            fh.write(json.dumps(out, ensure_ascii=False) + "\n")
    if store:
        hashes = {account_id(a["platform"], a["handle"]): profile_hash(a) for a in items}
        with st.engine.begin() as conn:
            save_matches(conn, results, version, m.threshold, hashes)
    linked = sum(1 for r in results if r["nip"])
    ambiguous = sum(1 for r in results if r["status"] == "ambiguous")
    typer.echo(
        f"matched {len(results)} accounts against {matcher.n_records_} records"
        + (f" (registry version {version})" if version else "")
        + f": {linked} linked at threshold {m.threshold:.2f}, {ambiguous} ambiguous; "
        f"prior {matcher.prior_:.3f}; {time.perf_counter() - started:.1f}s -> {output}"
    )
    if bad or n_rejected:
        typer.echo(f"set aside: {len(bad)} account lines, {n_rejected} registry rows")
        raise typer.Exit(int(Exit.PARTIAL))


@match_app.command("evaluate")
def match_evaluate(
    ctx: typer.Context,
    data: Path = typer.Option(Path("data/registry/eval"), "--data", help="Evaluation set folder."),
    out: Path | None = typer.Option(None, "--out", help="Folder for match-eval.json and match-pr.png."),
    threshold: float | None = typer.Option(None, "--threshold", help="Default: match.threshold."),
) -> None:
    """Precision and recall at the configured threshold on the evaluation set, and the PR curve."""
    from pipeline.registry.evaluate import evaluate, plot_curve

    settings = state(ctx).settings
    t = settings.match.threshold if threshold is None else threshold
    data = data if data.is_absolute() else settings.path(data)
    if not (data / "truth.csv").exists():
        fail(f"{data}: not an evaluation set (needs registry.csv, accounts.jsonl, truth.csv)", Exit.NO_INPUT)
    result = evaluate(data, t)
    folder = out or settings.path(settings.report.output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "match-eval.json").write_text(json.dumps(result.as_dict(), indent=2), encoding="utf-8")
    plot_curve(result, folder / "match-pr.png")
    best = max((c for c in result.curve if c["precision"] >= 0.95), key=lambda c: c["recall"], default=None)
    typer.echo(f"evaluation set {data}: {result.n_accounts} accounts, {result.n_positive} in the registry")
    typer.echo(f"threshold {t:.2f}: precision {result.precision:.3f}, recall {result.recall:.3f} "
               f"({result.n_correct} of {result.n_links} links correct); prior {result.prior:.3f}; "
               f"Brier {result.brier:.3f}; {result.seconds:.1f}s")  # fmt: skip
    if best:
        typer.echo(
            f"highest recall at precision >= 0.95: {best['recall']:.3f} (threshold {best['threshold']:.2f})"
        )
    for kind, c in [*sorted(result.by_kind.items()), *sorted(result.by_profile.items())]:
        n, linked, right = c["accounts"], c["linked"], c["linked_correctly"]
        typer.echo(f"  {kind:10} {n:>4} accounts, {linked:>4} linked, {right:>4} correctly")
    typer.echo(f"wrote {folder / 'match-eval.json'} and {folder / 'match-pr.png'}")
