"""Quality gate on the shared gold corpora (../shared), scored by the shared scorer.

Floors live in tests/gate_floors.json and may only rise. Skips when ../shared is absent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SITROOM_SHARED", ROOT.parent / "shared"))
FLOORS = json.loads((ROOT / "tests" / "gate_floors.json").read_text(encoding="utf-8"))

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(
        not (SHARED / "eval" / "score.py").exists(), reason="../shared is not beside the repo"
    ),
]


def _score(corpus: str, tmp_path: Path, langs: list[str]) -> dict[str, object]:
    sitroom = Path(sys.executable).with_name("sitroom")
    db, out = tmp_path / f"{corpus}.db", tmp_path / f"{corpus}.jsonl"
    docs = SHARED / "corpus" / corpus / "docs.jsonl"
    subprocess.run(
        [str(sitroom), "--db", str(db), "ingest", "-q", str(docs)], check=True, capture_output=True
    )
    subprocess.run(
        [str(sitroom), "--db", str(db), "export", "--format", "jsonl", "-o", str(out)],
        check=True,
        capture_output=True,
    )
    args = [
        sys.executable,
        str(SHARED / "eval" / "score.py"),
        str(SHARED / "corpus" / corpus),
        str(out),
        "--json",
    ]
    for lang in langs:
        args += ["--lang", lang]
    result = subprocess.run(args, check=True, capture_output=True, text=True)
    scored: dict[str, object] = json.loads(result.stdout)
    return scored


def _flat(scored: dict[str, object]) -> dict[str, float]:
    flat = {k: float(v) for k, v in scored.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    fields = scored.get("fields")
    if isinstance(fields, dict):
        flat.update({f"field_{k}": float(v) for k, v in fields.items() if v is not None})
    by_language = scored.get("recall_by_language")
    if isinstance(by_language, dict):
        flat.update({f"recall_{k}": float(v) for k, v in by_language.items() if v is not None})
    return flat


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_gate(name: str, tmp_path: Path) -> None:
    spec = FLOORS[name]
    flat = _flat(_score(spec["corpus"], tmp_path, spec.get("lang", [])))
    low = {k: (flat.get(k), v) for k, v in spec["min"].items() if flat.get(k, -1.0) + 1e-9 < v}
    high = {k: (flat.get(k), v) for k, v in spec.get("max", {}).items() if flat.get(k, 2.0) - 1e-9 > v}
    assert not low, f"{name}: below floor (got, floor): {low}"
    assert not high, f"{name}: above ceiling (got, ceiling): {high}"
