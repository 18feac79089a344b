"""Coverage-guided fuzzing (atheris) of every reader and of the extractor.

    .venv/bin/pip install -e '.[fuzz]'
    .venv/bin/python fuzz/fuzz_targets.py -atheris_runs=20000          # all targets in turn
    .venv/bin/python fuzz/fuzz_targets.py -atheris_runs=20000 -max_len=4096 fuzz/corpus

One target takes the fuzzer's bytes and, from the first byte, sends the rest to one entry
point: the JSON Lines, JSON, text, HTML and feed readers, the stream reader and
``sitroom.extract.extract``. A reader may refuse an input with an ``IngestError`` (that is its
clear message); any other exception is a crash, which atheris reports with the input that
caused it, and exits non-zero; a clean run ends with libFuzzer's ``Done N runs`` and exit 0.
"""

from __future__ import annotations

import atexit
import io
import logging
import sys

import atheris

with atheris.instrument_imports():
    from sitroom.errors import IngestError
    from sitroom.extract import extract
    from sitroom.ingest import feeds, html, jsonl, read_stream, sniff_format, text

logging.disable(logging.CRITICAL)  # the readers' warnings about bad input are expected here

LANGUAGES = [None, "en", "ar", "ru", "uk", "fa", "he", "tr", "fr", "de", "es", "pt", "ckb", "is"]
RUNS = 0


def _drain(items: object) -> None:
    for _ in items:  # type: ignore[attr-defined]
        pass


def test_one_input(data: bytes) -> None:
    global RUNS
    RUNS += 1
    if not data:
        return
    fdp = atheris.FuzzedDataProvider(data[1:])
    target = data[0] % 8
    try:
        if target == 0:
            lines = fdp.ConsumeBytes(fdp.remaining_bytes()).split(b"\n")
            _drain(jsonl.documents_from_lines(enumerate(lines, start=1), origin="fuzz.jsonl"))
        elif target == 1:
            _drain(jsonl.documents_from_json(fdp.ConsumeUnicodeNoSurrogates(100_000), origin="fuzz.json"))
        elif target == 2:
            raw = fdp.ConsumeBytes(fdp.remaining_bytes())
            text.decode_bytes(raw)
            text.document_from_bytes(raw, origin="fuzz.txt")
        elif target == 3:
            raw = fdp.ConsumeBytes(fdp.remaining_bytes())
            html.document_from_bytes(raw, origin="fuzz.html")
        elif target == 4:
            html.html_to_text(fdp.ConsumeUnicodeNoSurrogates(100_000))
        elif target == 5:
            _drain(feeds.documents_from_bytes(fdp.ConsumeBytes(fdp.remaining_bytes()), origin="fuzz.xml"))
        elif target == 6:
            whole = fdp.ConsumeUnicodeNoSurrogates(100_000)
            sniff_format(whole)
            _drain(read_stream(io.StringIO(whole), name="stdin"))
        else:
            language = LANGUAGES[fdp.ConsumeIntInRange(0, len(LANGUAGES) - 1)]
            published = fdp.PickValueInList([None, "2024-03-05", "2024-02-29", "1970-01-01"])
            extract(fdp.ConsumeUnicodeNoSurrogates(100_000), published=published, language=language)
    except IngestError:
        pass  # a clear refusal of this input


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atexit.register(lambda: print(f"fuzz_targets: {RUNS} inputs run", file=sys.stderr))
    atheris.Fuzz()  # exits non-zero with the crashing input on the first failure


if __name__ == "__main__":
    main()
