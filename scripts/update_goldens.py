"""Regenerate the extraction golden files: tests/golden/expected/<name>.json.

    python scripts/update_goldens.py        # rewrite every expected file; review the diff before committing

Each input in tests/golden/inputs is a document we wrote; the expected file is the exact list
of mentions that sitroom.extract_document gives it, as JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from golden_io import GOLDEN, extract_as_json  # noqa: E402


def main() -> int:
    for src in sorted((GOLDEN / "inputs").glob("*.json")):
        out = GOLDEN / "expected" / src.name
        out.write_text(
            json.dumps(extract_as_json(src), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
