"""The model's tokenizer, read from its ``tokenizer.json`` with the `tokenizers` library: the same ids as the
transformers fast tokenizer that training saved, without importing transformers or torch (which cost a cold
``emotrace analyze`` seconds)."""

from __future__ import annotations

import json
from pathlib import Path

from tokenizers import Tokenizer

from emotrace.errors import EmotraceError

TOKENIZER_FILE = "tokenizer.json"


class WordPieces:
    """Text to token ids without special tokens, truncation or padding (the classifier chunks and pads itself)."""

    def __init__(self, directory: Path) -> None:
        config_file = directory / "tokenizer_config.json"
        try:  # the tokenizers library raises its own untyped errors
            self.backend = Tokenizer.from_file(str(directory / TOKENIZER_FILE))
            config = json.loads(config_file.read_text(encoding="utf-8")) if config_file.exists() else {}
            if not isinstance(config, dict):
                raise ValueError("tokenizer_config.json is not a JSON object")
            self.cls_token_id = self._id(config.get("cls_token", "[CLS]"))
            self.sep_token_id = self._id(config.get("sep_token", "[SEP]"))
            self.unk_token_id = self._id(config.get("unk_token", "[UNK]"))
        except Exception as exc:
            raise EmotraceError("E117", f"The tokenizer files of {directory} could not be read ({exc}).",
                                "Restore tokenizer.json and tokenizer_config.json from the model's release.") from None
        self.backend.no_truncation()  # the saved file carries training's max_length; reading chunks long texts
        self.backend.no_padding()

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
