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
