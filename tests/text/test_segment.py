from __future__ import annotations

from emotrace.text.segment import chunk_text, split_sentences


def _words(text: str) -> int:
    return len(text.split())


def test_split_sentences() -> None:
    assert split_sentences("I waited two weeks. Nobody answered! Why?") == [
        "I waited two weeks.", "Nobody answered!", "Why?"]


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
