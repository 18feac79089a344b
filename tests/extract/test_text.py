import itertools

from sitroom.extract.text import split_sentences


def test_abbreviations_do_not_end_sentences() -> None:
    text = "The U.S. military said on Sunday, Dec. 3, that Gen. Smith approved it. A second strike followed."
    parts = [s.text for s in split_sentences(text)]
    assert parts == [
        "The U.S. military said on Sunday, Dec. 3, that Gen. Smith approved it.",
        "A second strike followed.",
    ]


def test_offsets_point_into_the_text_and_newlines_split() -> None:
    text = "Headline here\n\nFirst sentence. Second one!\nThird"
    sents = split_sentences(text)
    assert [text[s.start : s.end] for s in sents] == [s.text for s in sents]
    assert [s.text for s in sents] == ["Headline here", "First sentence.", "Second one!", "Third"]
    assert sents[0].paragraph < sents[1].paragraph == sents[2].paragraph < sents[3].paragraph


def test_non_latin_punctuation() -> None:
    text = "قصفت طائرة مسيرة الموقع. وأصيب ثلاثة أشخاص؟ نعم"
    assert len(split_sentences(text)) == 3


def test_arabic_letter_folds_keep_every_offset() -> None:
    from sitroom.extract.text import fold_chars, fold_letters

    text = "أعلنت إدارة المستشفى أنّ مسيّرة ضربت منطقة الأنبار"
    folded = fold_letters(text)
    assert len(folded) == len(text)
    assert "اعلنت" in folded and "ادارة" in folded and "الانبار" in folded
    assert folded.split()[4].startswith("مسيرة")  # the shadda moved behind the word
    assert fold_chars("مسيّرة") == "مسيرة"
    assert fold_letters("plain English") == "plain English"


def test_a_quoted_paragraph_in_another_language_is_read_with_its_own_lexicon() -> None:
    from sitroom.extract.document import language_segments

    text = (
        "A drone struck a fuel depot near Kharkiv on Tuesday, the governor said in a statement.\n\n"
        "Беспилотник атаковал нефтебазу под Харьковом во вторник, сообщил губернатор области.\n\n"
        "Firefighters put out the blaze by the morning."
    )
    segments = language_segments(text, "en")
    assert [lang for _, _, lang in segments] == ["en", "ru", "en"]
    assert segments[0][0] == 0 and segments[-1][1] == len(text)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(segments))
