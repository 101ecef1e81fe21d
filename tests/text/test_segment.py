from __future__ import annotations

from emotrace.text.segment import chunk_text, plain_sentences, split_sentences


def _words(text: str) -> int:
    return len(text.split())


def test_split_sentences() -> None:
    assert split_sentences("I waited two weeks. Nobody answered! Why?") == [
        "I waited two weeks.", "Nobody answered!", "Why?"]


def test_plain_sentences_end_at_punctuation_before_space_or_at_a_line_break() -> None:
    """The hot path's splitter (no spaCy, which imports torch): as spaCy's sentencizer splits these."""
    text = "I waited two weeks. Nobody answered!! Why? It cost 3.50 (plus fees).\nDone"
    assert plain_sentences(text) == ["I waited two weeks.", "Nobody answered!!", "Why?", "It cost 3.50 (plus fees).",
                                     "Done"]
    assert plain_sentences(text) == split_sentences(text)
    assert plain_sentences("no end at all") == ["no end at all"] and plain_sentences(" \n ") == []


def test_short_text_is_one_chunk() -> None:
    assert chunk_text("Short one.", _words, 10) == ["Short one."]


def test_chunks_fit_and_lose_nothing() -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(40))
    chunks = chunk_text(text, _words, 12)
    assert all(_words(c) <= 12 for c in chunks)
    assert " ".join(chunks).split() == text.split()


def test_overlong_sentence_is_cut_on_words() -> None:
    text = " ".join(["word"] * 50)
    chunks = chunk_text(text, _words, 16)
    assert [_words(c) for c in chunks] == [16, 16, 16, 2]


def test_a_word_longer_than_the_window_is_cut_into_runs_that_fit() -> None:
    """Found by a review: a run with no spaces ("ok,ok,...", a line of Chinese) longer than the window stayed one
    piece and the model's window cut off its tail: the last words were never read."""
    def characters(text: str) -> int:
        return len(text.replace(" ", ""))

    text = "Fine. " + "ok," * 100 + "terrible"
    chunks = chunk_text(text, characters, 40)
    assert all(characters(c) <= 40 for c in chunks)
    assert "".join(c.replace(" ", "") for c in chunks) == text.replace(" ", "")
