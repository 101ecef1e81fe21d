"""Review adapter: title + body as one utterance, the star rating kept as metadata."""

from __future__ import annotations

from emotrace.channels.reading import rating_flags
from emotrace.channels.utterance import CUSTOMER, Conversation, Utterance
from emotrace.errors import EmotraceError
from emotrace.model.reading import Reading


def _check_rating(rating: float, scale: int) -> None:
    if not 1 <= rating <= scale:
        raise EmotraceError("E609", f"Rating {rating} is outside 1..{scale}.", "Give the star rating on its scale.")


def review_flags(reading: Reading, rating: float, scale: int = 5) -> list[str]:
    """Where a review's star rating (1..scale, checked) and its reading disagree."""
    _check_rating(rating, scale)
    return rating_flags(reading, rating, scale)


def read_review(body: str, title: str = "", rating: float | None = None, scale: int = 5) -> Conversation:
    """One review; ``rating`` (1..scale) is checked and kept for the sarcasm check."""
    if rating is not None:
        _check_rating(rating, scale)
    text = f"{title.strip()}. {body.strip()}" if title.strip() else body.strip()
    if not text:
        raise EmotraceError("E610", "The review has no text.", "Give a title or a body.")
    return Conversation("review", [Utterance(text, "reviewer", CUSTOMER)],
                        metadata={"rating": rating, "scale": scale, "title": title})
