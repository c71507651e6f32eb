"""Match social-media accounts to ASN registry records: Splink pairs, per-account probabilities.

:class:`AccountMatcher` follows the scikit-learn contract: ``__init__`` stores parameters, ``fit``
learns from the registry (and, when given, the accounts: u probabilities by random sampling) and
returns ``self``; learned state ends in ``_``; ``predict`` returns one result per account.

Splink scores each (account, record) pair with a Bayes factor K (the product of m/u over the
seven comparisons in :mod:`pipeline.registry.model`). A pair score alone cannot say how likely it is
that *this* record is the author, because it ignores the other records that fit as well (namesakes)
and the chance that the author is in the registry at all. So the matcher treats each account as
one draw from N+1 outcomes (one of the N records, or "not in the registry") with prior π for
"in the registry", and computes

    P(record i | data) = (π/N)·K_i / ((1 − π) + (π/N)·Σ_j K_j)

Two equally plausible namesakes therefore share the probability and neither passes a threshold
of 0.5 or more on name alone. π is estimated from the accounts by EM when there are enough of
them, else ``default_prior`` is used. docs/matching.md has the derivation.
"""

from __future__ import annotations

import logging
import math
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sklearn.base import BaseEstimator

from .evidence import build_evidence, rejected_item
from .features import FEATURE_COLUMNS, Gazetteer, account_features, account_id, record_features
from .model import ACCOUNT_FACTORS, LEVELS, TF_LEVELS, account_codes, blocking_rules, settings_dict
from .names import normalise_handle

log = logging.getLogger(__name__)

REGISTRY_COLUMNS = (
    "nip", "nama", "gelar_depan", "gelar_belakang", "jabatan", "instansi", "unit_kerja",
    "kabupaten_kota", "provinsi",
)  # fmt: skip
ACCOUNT_COLUMNS = ("platform", "handle", "display_name", "bio", "location")

_ARROW_TYPES = {"VARCHAR": pa.string(), "VARCHAR[]": pa.list_(pa.string()), "INTEGER": pa.int32()}
FEATURE_SCHEMA = pa.schema([(name, _ARROW_TYPES[t]) for name, t in FEATURE_COLUMNS.items()])
DISPLAY_COLUMNS = (*REGISTRY_COLUMNS, "gender")
# An account whose linked record a reviewer rejected: its other candidates stay listed, but none is
# linked without a reviewer (the profile misled the model once; the next namesake's renormalised
# probability is not trustworthy enough to flag a civil servant on its own).
NEEDS_REVIEW = "needs_review"


@dataclass
class Feedback:
    """Reviewers' verdicts: confirmed links are certain, rejected pairs are never proposed again.

    An account with a rejected pair and no confirmation is never linked automatically again: its
    status is ``needs_review`` (see NEEDS_REVIEW). Keys are account ids as made by
    :func:`pipeline.registry.features.account_id`; ``reviewers`` names who gave each verdict.
    """

    confirmed: dict[str, str] = field(default_factory=dict)
    rejected: set[tuple[str, str]] = field(default_factory=set)
    reviewers: dict[tuple[str, str], str] = field(default_factory=dict)


def parse_declared(value: Any) -> list[tuple[str, str]]:
    """``"x:budi_santoso88; instagram:@bu.ratna.spd"`` → [("x", "budi_santoso88"), ...].

    Raises ValueError naming the bad entry; platform aliases (twitter, ig, fb, tg) are mapped.
    """
    from pipeline.schema import PLATFORMS

    aliases = {"twitter": "x", "ig": "instagram", "fb": "facebook", "tg": "telegram", "tt": "tiktok"}
    out: list[tuple[str, str]] = []
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return out
    for entry in str(value).replace(",", ";").split(";"):
        entry = entry.strip()
        if not entry:
            continue
        if ":" not in entry:
            raise ValueError(f"declared account {entry!r} is not platform:handle")
        platform, handle = entry.split(":", 1)
        platform = aliases.get(platform.strip().lower(), platform.strip().lower())
        handle = normalise_handle(handle)
        if platform not in PLATFORMS:
            raise ValueError(f"declared account {entry!r}: unknown platform {platform!r}")
        if not handle:
            raise ValueError(f"declared account {entry!r} has no handle")
        out.append((platform, handle))
    return out


def _chunks(registry: Any, size: int) -> Iterable[pd.DataFrame]:
    if isinstance(registry, pd.DataFrame):
        for start in range(0, len(registry), size):
            yield registry.iloc[start : start + size]
    elif isinstance(registry, pa.Table):
        for batch in registry.to_batches(size):
            yield batch.to_pandas()
    else:  # an iterable of DataFrames (a streamed file)
        yield from registry


def _clean(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def _gender_from_nip(nip: str) -> str | None:
    return {"1": "L", "2": "P"}.get(nip[14]) if len(nip) == 18 else None


class AccountMatcher(BaseEstimator):
    """Fellegi–Sunter matching of accounts to registry records with Splink (DuckDB backend).

    Parameters
    ----------
    threshold: a link is reported (``nip`` set) when its probability reaches this.
    max_candidates: how many candidate records each result lists.
    prior: P(an account is in the registry); "auto" estimates it by EM over the accounts.
    default_prior: used by "auto" when fewer than ``min_accounts_for_prior`` accounts are given.
    estimate_u: "auto" (when the data is large enough), True or False.
    u_max_pairs: pairs sampled to estimate u.
    estimate_m: "auto" (200+ accounts), True or False: m of every comparison but the name by EM
        over pairs that agree on the name (Splink's expectation maximisation; no labels).
    em_max_pairs: at most this many pairs in the EM session.
    min_weight: pairs whose Splink match weight (prior 1/N) falls below this are dropped; -14
        keeps every pair that could hold more than about 1e-4 of an account's probability.
    m_probabilities: overrides {comparison: {level: m}} of the priors in model.py.
    blocking_rules: Splink blocking rules; None uses model.blocking_rules().
    seed: random sampling seed.
    threads, memory_limit: DuckDB settings for the Splink connection (None: DuckDB's defaults).
    spark_session: a SparkSession to run Splink on Spark instead of DuckDB (the same model; needs
        pyspark, which Netra does not install, and Splink's similarity jar on the session).
    """

    def __init__(
        self,
        threshold: float = 0.6,
        max_candidates: int = 5,
        prior: float | str = "auto",
        default_prior: float = 0.1,
        min_accounts_for_prior: int = 50,
        estimate_u: bool | str = "auto",
        u_max_pairs: float = 2e6,
        estimate_m: bool | str = "auto",
        em_max_pairs: float = 2e6,
        min_weight: float = -14.0,
        m_probabilities: dict[str, dict[str, float]] | None = None,
        blocking_rules: list[Any] | None = None,
        seed: int = 7,
        threads: int | None = None,
        memory_limit: str | None = None,
        chunk_size: int = 100_000,
        spark_session: Any = None,
    ) -> None:
        self.threshold = threshold
        self.max_candidates = max_candidates
        self.prior = prior
        self.default_prior = default_prior
        self.min_accounts_for_prior = min_accounts_for_prior
        self.estimate_u = estimate_u
        self.u_max_pairs = u_max_pairs
        self.estimate_m = estimate_m
        self.em_max_pairs = em_max_pairs
        self.min_weight = min_weight
        self.m_probabilities = m_probabilities
        self.blocking_rules = blocking_rules
        self.seed = seed
        self.threads = threads
        self.memory_limit = memory_limit
        self.chunk_size = chunk_size
        self.spark_session = spark_session

    # ----------------------------------------------------------------- fit
    def fit(self, registry: Any, accounts: Any = None) -> AccountMatcher:
        """Learn the registry: features, gazetteer, name frequencies, declared accounts, u.

        ``registry`` is a DataFrame (or Arrow table, or an iterable of DataFrame chunks) with the
        import's columns; ``accounts`` (optional) the accounts to be matched, used only to
        estimate u by random sampling (no labels are used).
        """
        started = time.perf_counter()
        features: list[pa.Table] = []
        displays: list[pa.Table] = []
        regions: Counter[tuple[str, str]] = Counter()
        declared: dict[str, list[str]] = {}
        seen: set[str] = set()
        duplicates = 0
        for chunk in _chunks(registry, self.chunk_size):
            chunk = chunk.astype(object).where(pd.notna(chunk), None)
            rows = []
            for rec in chunk.to_dict("records"):
                nip = str(rec.get("nip") or "").strip()
                if not nip or nip in seen:
                    duplicates += bool(nip)
                    continue
                seen.add(nip)
                rec["nip"] = nip
                if rec.get("gender") not in ("L", "P"):
                    rec["gender"] = _gender_from_nip(nip)
                rows.append(rec)
                for platform, handle in parse_declared(rec.get("akun")) if rec.get("akun") else ():
                    declared.setdefault(f"{platform}:{handle}", []).append(nip)
            if not rows:
                continue
            features.append(pa.Table.from_pylist([record_features(r) for r in rows], schema=FEATURE_SCHEMA))
            disp = {c: [_str(r.get(c)) for r in rows] for c in DISPLAY_COLUMNS}
            displays.append(pa.table(disp))
            for r in rows:
                regions[(r.get("kabupaten_kota") or "", r.get("provinsi") or "")] += 1
        if not features:
            raise ValueError("the registry has no usable records")
        if duplicates:
            log.warning("registry: %d duplicate NIP rows ignored", duplicates)
        self.records_ = pa.concat_tables(features)
        self.record_display_ = pa.concat_tables(displays)
        self.n_records_ = self.records_.num_rows
        pairs: list[tuple[str, str]] = []
        for (kab, prov), n in regions.items():
            pairs.extend([(kab, prov)] * min(n, 3))
        self.gazetteer_ = Gazetteer.from_pairs(pairs)
        self.declared_ = declared
        words = pc.unique(pc.list_flatten(self.records_.column("name_tokens"))).drop_null()
        self.name_words_ = frozenset(w for w in words.to_pylist() if len(w) >= 3)
        counts = pd.Series(self.records_.column("name_key").to_pylist()).value_counts()
        tf = counts / self.n_records_
        self.timings_ = {"record_features": time.perf_counter() - started}
        t = time.perf_counter()
        acc = self._account_table(accounts) if accounts is not None else None
        self.timings_["account_features"] = time.perf_counter() - t
        self.name_share_ = name_share(tf, acc.column("name_key").to_pylist() if acc is not None else None)
        self.name_tf_ = pd.DataFrame({"name_key": tf.index, "tf_name_key": tf.to_numpy()})
        t = time.perf_counter()
        self.settings_, self.u_estimated_ = self._train(acc)
        self.timings_["train"] = time.perf_counter() - t
        self.level_weights_ = level_weights(self.settings_)
        log.info("matcher fitted: %d records, u estimated: %s", self.n_records_, self.u_estimated_)
        return self

    def _train(self, acc: pa.Table | None) -> tuple[dict[str, Any], bool]:
        do_u = self.estimate_u
        if do_u == "auto":
            do_u = acc is not None and acc.num_rows >= 20 and self.n_records_ >= 200
        linker, _ = self._linker(acc if acc is not None else self.records_.slice(0, 0))
        if do_u and acc is not None:
            linker.training.estimate_u_using_random_sampling(max_pairs=self.u_max_pairs, seed=self.seed)
        do_m = self.estimate_m
        if do_m == "auto":
            do_m = acc is not None and acc.num_rows >= 200 and self.n_records_ >= 200
        if do_m and acc is not None:
            from splink import block_on

            linker.training.estimate_parameters_using_expectation_maximisation(
                block_on("name_key"), estimate_without_term_frequencies=True, max_pairs=self.em_max_pairs
            )
        model = linker.misc.save_model_to_json()
        _tie_tf_levels(model)
        levels = {c: {lv.code: lv for lv in lvs} for c, lvs in LEVELS.items()}
        for comp in model["comparisons"]:
            for lvl in comp["comparison_levels"]:
                if lvl.get("is_null_level"):
                    continue
                prior = levels[comp["output_column_name"]][lvl["label_for_charts"]]
                for key, fallback in (("u_probability", prior.u), ("m_probability", prior.m)):
                    value = lvl.get(key)
                    ok = isinstance(value, int | float) and value > 0
                    lvl[key] = max(float(value), 1e-6) if ok else fallback
        return model, bool(do_u and acc is not None)

    # ------------------------------------------------------------- helpers
    def _account_table(self, accounts: Any) -> pa.Table:
        rows = self._account_rows(accounts)
        feats = [account_features(r, self.gazetteer_, self.name_words_) for r in rows]
        self._feature_cache = {_profile_key(r): f for r, f in zip(rows, feats, strict=True)}
        return pa.Table.from_pylist(feats, schema=FEATURE_SCHEMA)

    @staticmethod
    def _account_rows(accounts: Any) -> list[dict[str, Any]]:
        if isinstance(accounts, pd.DataFrame):
            items = accounts.astype(object).where(pd.notna(accounts), None).to_dict("records")
        else:
            items = list(accounts)
        latest: dict[str, dict[str, Any]] = {}
        for item in items:
            row = {c: _clean(item.get(c)) for c in ACCOUNT_COLUMNS}
            if not row["platform"] or not row["handle"]:
                continue
            latest[account_id(row["platform"], row["handle"])] = row
        return list(latest.values())

    def _linker(self, accounts: pa.Table) -> tuple[Any, Any]:
        if self.spark_session is not None:
            return self._spark_linker(accounts), None
        import duckdb
        from splink import DuckDBAPI, Linker

        con = duckdb.connect(":memory:")
        if self.threads:
            con.execute(f"SET threads = {int(self.threads)}")
        if self.memory_limit:
            con.execute(f"SET memory_limit = '{self.memory_limit}'")
        con.execute("SET preserve_insertion_order = false")
        db = DuckDBAPI(connection=con)
        a = db.register(accounts, dataset_display_name="a_accounts")
        r = db.register(self.records_, dataset_display_name="b_registry")
        settings = getattr(self, "settings_", None) or settings_dict(
            self.n_records_, self.m_probabilities, self.blocking_rules or blocking_rules()
        )
        linker = Linker([a, r], settings, log_level=None)
        tf = db.register(self.name_tf_, dataset_display_name="tf_name_key_lookup")
        linker.table_management.register_term_frequency_lookup(tf, "name_key")
        return linker, con

    def _spark_linker(self, accounts: pa.Table) -> Any:
        """The same model on Splink's Spark backend (a national registry; see docs/matching.md)."""
        from splink import Linker
        from splink.backends.spark import SparkAPI

        spark = self.spark_session
        for view in ("a_accounts", "b_registry", "tf_name_key_lookup"):  # left by an earlier fit/predict
            spark.catalog.dropTempView(view)
        db = SparkAPI(spark_session=spark, break_lineage_method="persist")

        def frame(table: pa.Table) -> Any:
            return spark.createDataFrame(table.to_pylist(), schema=_spark_schema(table.schema))

        a = db.register(frame(accounts), dataset_display_name="a_accounts")
        r = db.register(frame(self.records_), dataset_display_name="b_registry")
        settings = getattr(self, "settings_", None) or settings_dict(
            self.n_records_, self.m_probabilities, self.blocking_rules or blocking_rules()
        )
        linker = Linker([a, r], settings, log_level=None)
        tf = db.register(spark.createDataFrame(self.name_tf_), dataset_display_name="tf_name_key_lookup")
        linker.table_management.register_term_frequency_lookup(tf, "name_key")
        return linker

    # ------------------------------------------------------------- predict
    def predict(self, accounts: Any, feedback: Feedback | None = None) -> list[dict[str, Any]]:
        """One result per account (see module docstring for the probability)."""
        self._check_fitted()
        feedback = feedback or Feedback()
        rows = self._account_rows(accounts)
        if not rows:
            return []
        t = time.perf_counter()
        by_id = {account_id(r["platform"], r["handle"]): r for r in rows}
        cache = getattr(self, "_feature_cache", {})
        feats = [
            cache.get(_profile_key(r)) or account_features(r, self.gazetteer_, self.name_words_) for r in rows
        ]
        self._feature_cache = {}  # only the accounts given to fit are cached, for one predict
        self.timings_["predict_features"] = time.perf_counter() - t
        certain: dict[str, tuple[str, list[str]]] = {}
        for aid in by_id:
            if aid in feedback.confirmed:
                certain[aid] = ("confirmed", [feedback.confirmed[aid]])
            elif aid in self.declared_:
                nips = [n for n in self.declared_[aid] if (aid, n) not in feedback.rejected]
                if nips:
                    certain[aid] = ("declared", nips)
        to_score = [f for f in feats if f["unique_id"] not in certain]
        t = time.perf_counter()
        pairs = (
            self._score(pa.Table.from_pylist(to_score, schema=FEATURE_SCHEMA), feedback) if to_score else None
        )
        self.timings_["score"] = time.perf_counter() - t
        t = time.perf_counter()
        self.n_pairs_ = 0 if pairs is None else len(pairs)
        self.priors_ = self._priors(pairs, to_score)
        self.prior_ = self.priors_.pi
        results = self._results(by_id, {f["unique_id"]: f for f in feats}, certain, pairs, feedback)
        self.timings_["results"] = time.perf_counter() - t
        n_linked = sum(1 for r in results if r["nip"])
        log.info("matched %d accounts: %d linked at threshold %.2f, prior %.3f", len(results), n_linked,
                 self.threshold, self.prior_)  # fmt: skip
        return results

    match = predict

    def _check_fitted(self) -> None:
        if not hasattr(self, "settings_"):
            raise RuntimeError("AccountMatcher is not fitted: call fit(registry) first")

    def _score(self, acc: pa.Table, feedback: Feedback) -> pd.DataFrame:
        """Splink's scored pairs with log2 K and r = K/N, rejected pairs removed."""
        linker, con = self._linker(acc)
        pred = linker.inference.predict(threshold_match_weight=self.min_weight, warning_mode="never")
        cols = ["unique_id_l", "unique_id_r", "match_weight"]
        cols += [f"mw_{c}" for c in LEVELS] + ["mw_tf_adj_name"]
        if con is None:  # Spark
            df = pred.as_spark_dataframe().select(*cols).toPandas()
        else:
            df = con.execute(f"SELECT {', '.join(cols)} FROM {pred.physical_name}").df()
            con.close()
        if feedback.rejected and len(df):
            rejected = pd.MultiIndex.from_tuples(list(feedback.rejected))
            keep = ~pd.MultiIndex.from_arrays([df.unique_id_l, df.unique_id_r]).isin(rejected)
            df = df[keep]
        lam = 1.0 / max(self.n_records_, 2)
        w0 = math.log2(lam / (1 - lam))
        df = df.assign(log2k=df.match_weight - w0)
        df["r"] = np.exp2(df.log2k) / self.n_records_
        tf_levels = {code for code, _ in self.level_weights_["name"] if code in TF_LEVELS}
        codes = level_codes(self.level_weights_["name"], df["mw_name"].to_numpy())
        df["tfl"] = np.isin(codes, list(tf_levels))
        df["exact"] = codes == "exact"
        return df

    def _priors(self, pairs: pd.DataFrame | None, scored: list[dict[str, Any]]) -> Priors:
        """π, P(status, work, place | in / not in registry) and q0: fixed, or EM over the accounts."""
        f_in = {f: {lv.code: float(lv.m) for lv in lvs} for f, lvs in ACCOUNT_FACTORS.items()}
        f_out = {f: {lv.code: float(lv.u) for lv in lvs} for f, lvs in ACCOUNT_FACTORS.items()}
        fixed = isinstance(self.prior, int | float) and not isinstance(self.prior, bool)
        start = float(self.prior) if fixed else self.default_prior
        priors = Priors(start, f_in, f_out, self.name_share_)
        if fixed or pairs is None or len(scored) < self.min_accounts_for_prior:
            return priors
        tf_sum = pairs[pairs.tfl].groupby("unique_id_l")["r"].sum()
        other_sum = pairs[~pairs.tfl].groupby("unique_id_l")["r"].sum()
        ids = [f["unique_id"] for f in scored]
        s_tf = np.array([float(tf_sum.get(i, 0.0)) for i in ids])
        s_other = np.array([float(other_sum.get(i, 0.0)) for i in ids])
        exact = set(pairs.loc[pairs.exact, "unique_id_l"])
        shows = np.array([i in exact for i in ids], dtype=float)
        codes = [account_codes(f) for f in scored]
        by_factor = {name: [c[name] for c in codes] for name in ACCOUNT_FACTORS}
        return estimate_prior(s_tf, s_other, shows, by_factor, priors)

    def _account_odds(self, feats: dict[str, Any]) -> tuple[float, list[tuple[str, str, float]]]:
        """Prior odds that this account is in the registry, given what it says of its status, work
        and region; and each factor's (name, code, log2 Bayes factor) for the evidence."""
        p = self.priors_
        odds = p.pi / (1 - p.pi)
        factors = []
        for name, code in account_codes(feats).items():
            bf = p.factor_in[name][code] / p.factor_out[name][code]
            odds *= bf
            factors.append((name, code, math.log2(bf)))
        return odds, factors

    def _results(
        self,
        by_id: Mapping[str, dict[str, Any]],
        feats: Mapping[str, dict[str, Any]],
        certain: Mapping[str, tuple[str, list[str]]],
        pairs: pd.DataFrame | None,
        feedback: Feedback,
    ) -> list[dict[str, Any]]:
        groups: dict[str, tuple[int, int]] = {}
        cols: dict[str, np.ndarray] = {}
        if pairs is not None and len(pairs):
            pairs = order_pairs(pairs, self.priors_.q0)
            ids = pairs["unique_id_l"].to_numpy()
            starts = np.r_[0, np.flatnonzero(ids[1:] != ids[:-1]) + 1]
            ends = np.r_[starts[1:], len(ids)]
            groups = {ids[a]: (int(a), int(b)) for a, b in zip(starts, ends, strict=True)}
            cols = {c: pairs[c].to_numpy() for c in pairs.columns if c.startswith("mw_")}
            cols["r"] = pairs["r_adj"].to_numpy()
            cols["nip"] = pairs["unique_id_r"].to_numpy()
            cols["log2k"] = pairs["log2k"].to_numpy()
        wanted: set[str] = set()
        plans: dict[str, tuple[np.ndarray, float, tuple[int, int] | None]] = {}
        rejected_accounts: dict[str, str | None] = {}
        for aid, nip in feedback.rejected:
            rejected_accounts[aid] = feedback.reviewers.get((aid, nip))
        for aid in by_id:
            if aid in certain:
                wanted.update(certain[aid][1])
                continue
            span = groups.get(aid)
            if span is None:
                plans[aid] = (np.array([]), 0.0, None)
                continue
            a, b = span
            odds = self._account_odds(feats[aid])[0] * cols["r"][a:b]
            plans[aid] = (odds, float(odds.sum()), span)
            wanted.update(str(n) for n in cols["nip"][a : min(b, a + self.max_candidates)])
        display = self._display(wanted)
        out: list[dict[str, Any]] = []
        for aid, row in by_id.items():
            base = {"platform": row["platform"], "handle": str(row["handle"]).strip().lstrip("@")}
            if aid in certain:
                status, nips = certain[aid]
                p = 1.0 / len(nips)
                reviewer = feedback.reviewers.get((aid, nips[0])) if status == "confirmed" else None
                out.append({
                    **base, "nip": nips[0] if p >= self.threshold else None, "probability": round(p, 4),
                    "p_in_registry": 1.0, "status": status if p >= self.threshold else "ambiguous",
                    "candidates": [{"nip": n, "probability": round(p, 4)} for n in nips],
                    "other_odds": 0.0,
                    "evidence": build_evidence(status, None, feats[aid], row, display.get(nips[0]), [],
                                               self.prior_, reviewer=reviewer),
                })  # fmt: skip
                continue
            odds, total, span = plans[aid]
            probs = odds / (1.0 + total) if len(odds) else odds
            k = min(self.max_candidates, len(odds))
            a = span[0] if span else 0
            candidates = [
                {"nip": str(cols["nip"][a + i]), "probability": round(float(probs[i]), 4),
                 "weight": round(float(cols["log2k"][a + i]), 2), "odds": float(f"{odds[i]:.6g}")}
                for i in range(k)
            ]  # fmt: skip
            top = float(probs[0]) if len(probs) else 0.0
            p_in = total / (1.0 + total)
            nip = candidates[0]["nip"] if candidates and top >= self.threshold else None
            status = "matched" if nip else ("ambiguous" if p_in >= self.threshold else "unmatched")
            if aid in rejected_accounts:
                nip, status = None, NEEDS_REVIEW
            top_row = {c: v[a] for c, v in cols.items() if c.startswith("mw_")} if span else None
            evidence = build_evidence(
                "scored", top_row, feats[aid], row, display.get(candidates[0]["nip"]) if candidates else None,
                probs.tolist(), self.prior_, level_weights=self.level_weights_,
                account_factors=self._account_odds(feats[aid])[1], q0=self.priors_.q0,
            )  # fmt: skip
            if aid in rejected_accounts:
                evidence.insert(0, rejected_item(rejected_accounts[aid]))
            out.append({
                **base, "nip": nip, "probability": round(top, 4), "p_in_registry": round(p_in, 4),
                "status": status, "candidates": candidates,
                "other_odds": float(f"{odds[k:].sum():.6g}") if len(odds) > k else 0.0, "evidence": evidence,
            })  # fmt: skip
        return out

    def _display(self, nips: set[str]) -> dict[str, dict[str, Any]]:
        if not nips:
            return {}
        import pyarrow.compute as pc

        mask = pc.is_in(self.record_display_.column("nip"), value_set=pa.array(sorted(nips)))
        return {r["nip"]: r for r in self.record_display_.filter(mask).to_pylist()}

    # ------------------------------------------------------------- persistence
    def model_json(self) -> dict[str, Any]:
        """The trained Splink model (settings with m and u), e.g. to run on Spark."""
        self._check_fitted()
        return self.settings_


def order_pairs(pairs: pd.DataFrame, q0: float) -> pd.DataFrame:
    """Each account's pairs, best first, with ``r_adj`` = K/N as the per-account formula uses it.

    Pairs whose name agreement is scored with term frequencies have their r divided by q0 (see
    estimate_prior), so the order must be taken after that division, not on Splink's r: an exact
    namesake can outrank a spelling variant that Splink scored higher. Equal odds (namesakes that
    fit equally well) are ordered by NIP, so that which of them is listed first does not depend on
    the order in which the database returned them.
    """
    r_adj = pairs["r"].to_numpy() / np.where(pairs["tfl"].to_numpy(), q0, 1.0)
    out = pairs.assign(r_adj=r_adj)
    return out.sort_values(["unique_id_l", "r_adj", "unique_id_r"], ascending=[True, False, True],
                           kind="stable")  # fmt: skip


def _tie_tf_levels(model: dict[str, Any]) -> None:
    """Give every term-frequency-adjusted name level the exact level's u.

    Splink adjusts a level with term frequencies as log2(m/u_level) + log2(u_exact) − log2(tf(v)),
    so a level whose sampled u differs from the exact level's keeps that ratio as a bonus. Tying
    them makes each such level's Bayes factor m_level / (q·tf(v)): how often true matches land there
    against how common the name is, as intended.
    """
    for comp in model["comparisons"]:
        levels = comp["comparison_levels"]
        exact = next((lv for lv in levels if lv.get("label_for_charts") == "exact"), None)
        if exact is None:
            continue
        for lv in levels:
            if lv.get("tf_adjustment_column") and lv is not exact:
                lv["u_probability"] = exact["u_probability"]


def level_weights(model: dict[str, Any]) -> dict[str, list[tuple[str, float]]]:
    """log2(m/u) of every non-null level, by comparison, from a trained Splink model."""
    out: dict[str, list[tuple[str, float]]] = {}
    for comp in model["comparisons"]:
        levels = []
        for lvl in comp["comparison_levels"]:
            if lvl.get("is_null_level"):
                continue
            levels.append((lvl["label_for_charts"], math.log2(lvl["m_probability"] / lvl["u_probability"])))
        out[comp["output_column_name"]] = levels
    return out


@dataclass
class Priors:
    """What the matcher learns about the accounts as a whole (see estimate_prior)."""

    pi: float  # P(an account is in the registry)
    # {factor: {code: P(code | in the registry)}}: status asn/non_asn/silent, work and place
    # says/silent (model.ACCOUNT_FACTORS)
    factor_in: dict[str, dict[str, float]]
    factor_out: dict[str, dict[str, float]]  # the same for accounts not in the registry
    q0: float  # P(an account not in the registry shows a registry name)

    @property
    def status_in(self) -> dict[str, float]:
        return self.factor_in["status"]

    @property
    def status_out(self) -> dict[str, float]:
        return self.factor_out["status"]


def estimate_prior(
    s_tf: np.ndarray,
    s_other: np.ndarray,
    shows: np.ndarray,
    codes: Mapping[str, Sequence[str]],
    start: Priors,
    iters: int = 500,
    pseudo: float = 10.0,
) -> Priors:
    """EM over the accounts for π, P(code | in / not in the registry) of each factor, and q0.

    Per account: ``s_tf`` = Σ K_i/N over candidates whose name agreement is scored with term
    frequencies (exact, handle, within, contains; their Bayes factors assume u = tf(v) and are
    divided by q0 here), ``s_other`` = the same over its other candidates, ``shows`` 1 when its
    name is exactly a registry name, ``codes`` {factor: its code per account} (what the bio says
    of status, whether it names a job or workplace, whether it names a region).

    E-step: w = P(in registry | data) = π·θ1·S / ((1 − π)·θ0 + π·θ1·S) with S = s_tf/q0 + s_other
    and θ1, θ0 the products over the factors. M-step: π = mean w; each factor's code frequencies
    weighted by w and 1 − w; q0 = the share of accounts showing exactly a registry name among
    those weighted 1 − w. Every update is smoothed towards the starting values with ``pseudo``
    accounts' worth of weight so that a small batch cannot drive a parameter to 0 or 1.
    """
    names = [f for f in start.factor_in if f in codes]
    onehots, t1s, t0s, p1s, p0s = {}, {}, {}, {}, {}
    for f in names:
        keys = list(start.factor_in[f])
        oh = np.array([[1.0 if c == k else 0.0 for k in keys] for c in codes[f]])
        onehots[f] = oh.reshape(len(codes[f]), len(keys))
        t1s[f] = np.array([start.factor_in[f][k] for k in keys])
        t0s[f] = np.array([start.factor_out[f][k] for k in keys])
        p1s[f], p0s[f] = t1s[f].copy(), t0s[f].copy()
    pi, q0 = start.pi, start.q0
    n = len(s_tf)
    for _ in range(iters):
        a1, a0 = np.ones(n), np.ones(n)
        for f in names:
            a1, a0 = a1 * (onehots[f] @ t1s[f]), a0 * (onehots[f] @ t0s[f])
        total = s_tf / q0 + s_other
        w = pi * a1 * total / ((1 - pi) * a0 + pi * a1 * total)
        new_pi = min(max(float(w.mean()) if len(w) else pi, 1e-4), 0.99)
        for f in names:
            t1s[f] = (w @ onehots[f] + pseudo * p1s[f]) / (w.sum() + pseudo)
            t0s[f] = ((1 - w) @ onehots[f] + pseudo * p0s[f]) / ((1 - w).sum() + pseudo)
        new_q0 = float(((1 - w) @ shows + pseudo * start.q0) / ((1 - w).sum() + pseudo))
        new_q0 = min(max(new_q0, 0.02), 1.0)
        done = abs(new_pi - pi) < 1e-7 and abs(new_q0 - q0) < 1e-7
        pi, q0 = new_pi, new_q0
        if done:
            break
    f_in = {f: dict(start.factor_in[f]) for f in start.factor_in}
    f_out = {f: dict(start.factor_out[f]) for f in start.factor_out}
    for f in names:
        f_in[f] = dict(zip(list(start.factor_in[f]), t1s[f].tolist(), strict=True))
        f_out[f] = dict(zip(list(start.factor_in[f]), t0s[f].tolist(), strict=True))
    return Priors(pi, f_in, f_out, q0)


def level_codes(levels: list[tuple[str, float]], weights: np.ndarray) -> np.ndarray:
    """The level of each weight for one comparison (see evidence.level_of), vectorised."""
    codes = np.array([c for c, _ in levels] + ["null"], dtype=object)
    values = np.array([w for _, w in levels] + [0.0])
    idx = np.abs(weights[:, None] - values[None, :]).argmin(axis=1)
    return codes[idx]


def name_share(tf: pd.Series, account_keys: Sequence[str | None] | None) -> float:
    """q: how much less often accounts than registry records carry a given registry name.

    An exact name agreement on value v has u(v) = P(an account not in the registry shows v);
    Splink's term frequency stands in for it with tf(v), the registry's share of v, which assumes
    accounts carry registry names as often as the registry does. Many accounts show nicknames or no
    name at all, so u(v) = q0·tf(v). This is q over *all* accounts, Σ_v p_acc(v)·tf(v) / Σ_v tf(v)²
    (p_acc: the accounts' share of v), an upper bound for q0 since registry members show registry
    names more often than others; it starts estimate_prior's EM and stands in for q0 when there
    are too few accounts for EM. Without accounts it is 1 (the cautious value).
    """
    if not account_keys:
        return 1.0
    keys = [k for k in account_keys if k]
    if not keys:
        return 1.0
    p_acc = pd.Series(keys).value_counts() / len(keys)
    shared = float((p_acc * tf.reindex(p_acc.index).fillna(0.0)).sum())
    own = float((tf**2).sum())
    return min(max(shared / own, 0.05), 1.0) if own > 0 else 1.0


def _spark_schema(schema: pa.Schema) -> Any:
    from pyspark.sql import types as T

    def spark_type(t: pa.DataType) -> Any:
        if pa.types.is_list(t):
            return T.ArrayType(T.StringType())
        if pa.types.is_integer(t):
            return T.IntegerType()
        return T.StringType()

    return T.StructType([T.StructField(f.name, spark_type(f.type), True) for f in schema])


def _profile_key(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row.get(c) for c in ACCOUNT_COLUMNS)


def _str(value: Any) -> str | None:
    value = _clean(value)
    return None if value is None else str(value)


def results_frame(results: Sequence[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(results)
