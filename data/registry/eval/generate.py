"""Generate the fictional matching evaluation set (seeded; re-running gives the same files).

    python data/registry/eval/generate.py

Writes, next to this script:
  registry.csv    4,000 fictional ASN records in the canonical import shape (many namesakes)
  accounts.jsonl  600 accounts: 320 run by registry members (about 8% declared in the registry's akun
                  column), 180 by namesakes who are not in the registry, 100 by unrelated people
  truth.csv       platform, handle, nip (empty when not in the registry), kind, and for registry
                  members the profile: how much the account reveals (rich 55%, medium 35%,
                  weak 10%; see synthetic.PROFILES)
Everything is invented; see pipeline/registry/synthetic.py for how.
"""

from __future__ import annotations

import csv
import json
import random
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from pipeline.registry.synthetic import (  # noqa: E402
    asn_account,
    generate_records,
    other_account,
    person_name,
    public_record,
    regions,
)

SEED = 20261122
N_RECORDS = 4000
N_ASN, N_NAMESAKE, N_OTHER = 320, 180, 100
DECLARED_RATE = 0.08
PLATFORMS = ["x"] * 5 + ["instagram"] * 2 + ["tiktok", "facebook", "telegram"]
COLUMNS = ["nip", "nama", "gelar_depan", "gelar_belakang", "jabatan", "instansi", "unit_kerja",
           "kabupaten_kota", "provinsi", "akun"]  # fmt: skip


def main(out: Path = HERE) -> None:
    rng = random.Random(SEED)
    regs = regions(SEED)
    records = list(generate_records(N_RECORDS, seed=SEED, region_list=regs))
    accounts: list[dict] = []
    truth: list[dict] = []
    seen: set[tuple[str, str]] = set()

    def add(acc: dict, nip: str, kind: str) -> dict:
        profile = acc.pop("_profile", "")
        key = (acc["platform"], acc["handle"].lower())
        while key in seen:
            acc["handle"] = f"{acc['handle']}{rng.randint(0, 9)}"
            key = (acc["platform"], acc["handle"].lower())
        seen.add(key)
        accounts.append(acc)
        truth.append({"platform": acc["platform"], "handle": acc["handle"], "nip": nip, "kind": kind,
                      "profile": profile})  # fmt: skip
        return acc

    for rec in rng.sample(records, N_ASN):
        acc = add(asn_account(rng, rec, regs, rng.choice(PLATFORMS)), rec["nip"], "asn")
        if rng.random() < DECLARED_RATE:
            rec["akun"] = f"{acc['platform']}:{acc['handle']}"
            truth[-1]["kind"] = "declared"
    for _ in range(N_NAMESAKE):
        rec = rng.choice(records)
        add(other_account(rng, rec["_words"], rec["_gender"], regs, rng.choice(PLATFORMS)), "", "namesake")
    for _ in range(N_OTHER):
        gender = rng.choice("LP")
        add(
            other_account(rng, person_name(rng, gender, 0.0), gender, regs, rng.choice(PLATFORMS)),
            "",
            "other",
        )
    order = list(range(len(accounts)))
    rng.shuffle(order)
    with (out / "registry.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        for rec in records:
            w.writerow({k: public_record(rec).get(k, "") for k in COLUMNS})
    with (out / "accounts.jsonl").open("w", encoding="utf-8") as fh:
        for i in order:
            fh.write(json.dumps(accounts[i], ensure_ascii=False) + "\n")
    with (out / "truth.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["platform", "handle", "nip", "kind", "profile"])
        w.writeheader()
        for i in order:
            w.writerow(truth[i])
    names = Counter(" ".join(r["_words"]) for r in records)
    print(f"{len(records)} records, {len(accounts)} accounts; most shared names: {names.most_common(5)}")


if __name__ == "__main__":
    main()
