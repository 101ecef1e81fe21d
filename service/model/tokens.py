"""The model's tokenizer, read from its ``tokenizer.json`` with the `tokenizers` library: the same ids as the
transformers fast tokenizer that training saved, without importing transformers or torch (which cost a cold
``emotrace analyze`` seconds)."""

from __future__ import annotations

import json
from pathlib import Path

from tokenizers import Tokenizer

TOKENIZER_FILE = "tokenizer.json"


class WordPieces:
    """Text to token ids without special tokens, truncation or padding (the classifier chunks and pads itself)."""

    def __init__(self, directory: Path) -> None:
        self.backend = Tokenizer.from_file(str(directory / TOKENIZER_FILE))
        self.backend.no_truncation()  # the saved file carries training's max_length; reading chunks long texts
        self.backend.no_padding()
        config_file = directory / "tokenizer_config.json"
        config = json.loads(config_file.read_text(encoding="utf-8")) if config_file.exists() else {}
        self.cls_token_id = self._id(config.get("cls_token", "[CLS]"))
        self.sep_token_id = self._id(config.get("sep_token", "[SEP]"))
        self.unk_token_id = self._id(config.get("unk_token", "[UNK]"))

    def _id(self, token: str) -> int:
        found = self.backend.token_to_id(token)
        if found is None:
            raise ValueError(f"{token} is not in the tokenizer's vocabulary")
        return int(found)

    def ids(self, text: str) -> list[int]:
        """The token ids of one text."""
        return list(self.backend.encode(text, add_special_tokens=False).ids)

    def ids_of(self, texts: list[str]) -> list[list[int]]:
        """The token ids of each text."""
        return [list(e.ids) for e in self.backend.encode_batch(texts, add_special_tokens=False)]
