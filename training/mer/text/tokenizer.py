"""bert-base-uncased WordPiece tokenizer in plain Python, equal to what the browser's text
worker gets from transformers.js (``AutoTokenizer`` on ``public/models/text/tokenizer.json``,
``truncation: true, max_length: 128``), so training sees the token ids the app computes.

It follows transformers.js (not Python ``transformers``) where the two differ:
- truncation keeps the first ``max_length`` ids of ``[CLS] ... [SEP]`` (a truncated text
  loses its final [SEP]);
- the normalizer's control/whitespace classes and CJK spacing are transformers.js's
  (JS ``\\s``; Cc/Cf/Co/Cs; CJK checked per UTF-16 unit, so only BMP ideographs are split).
A golden test (training/tests/test_tokenizer.py) compares ids with transformers.js.
"""
from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Iterable, Sequence

import torch

# JS `\s` in unicode mode (WhiteSpace + LineTerminator), used by clean_text, trim and the split.
_JS_WHITESPACE = frozenset(
    "\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff"
    + "".join(chr(c) for c in range(0x2000, 0x200B)))
_CONTROL_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs"})
# (lo, hi) code point ranges transformers.js treats as CJK ideographs (BMP part only matters).
_CJK_RANGES = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F),
               (0x2B740, 0x2B81F), (0x2B820, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))


def _is_punctuation(ch: str) -> bool:
    cp = ord(ch)
    if 0x21 <= cp <= 0x2F or 0x3A <= cp <= 0x40 or 0x5B <= cp <= 0x60 or 0x7B <= cp <= 0x7E:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp: int) -> bool:
    return cp < 0x10000 and any(lo <= cp <= hi for lo, hi in _CJK_RANGES)


def normalize(text: str) -> str:
    """BertNormalizer(clean_text, handle_chinese_chars, lowercase, strip accents)."""
    out = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD:
            continue
        if ch not in "\t\n\r" and unicodedata.category(ch) in _CONTROL_CATEGORIES:
            continue
        out.append(" " if ch in _JS_WHITESPACE else ch)
    text = "".join(f" {ch} " if _is_cjk(ord(ch)) else ch for ch in out)
    text = unicodedata.normalize("NFD", text.lower())
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")


def pre_tokenize(text: str) -> list[str]:
    """BertPreTokenizer: split on whitespace; every punctuation character is its own word."""
    words, current = [], []
    for ch in text:
        if ch in _JS_WHITESPACE:
            if current:
                words.append("".join(current))
                current = []
        elif _is_punctuation(ch):
            if current:
                words.append("".join(current))
                current = []
            words.append(ch)
        else:
            current.append(ch)
    if current:
        words.append("".join(current))
    return words


class BertWordPieceTokenizer:
    def __init__(self, vocab: dict[str, int], special_tokens: Sequence[str] = (),
                 unk_token: str = "[UNK]", cls_token: str = "[CLS]", sep_token: str = "[SEP]",
                 pad_token: str = "[PAD]", prefix: str = "##", max_input_chars_per_word: int = 100,
                 max_length: int = 128):
        self.vocab = vocab
        self.id_to_token = {i: t for t, i in vocab.items()}
        self.special_tokens = sorted(special_tokens, key=len, reverse=True)
        self.unk_token, self.prefix = unk_token, prefix
        self.unk_id, self.cls_id = vocab[unk_token], vocab[cls_token]
        self.sep_id, self.pad_id = vocab[sep_token], vocab[pad_token]
        self.max_input_chars_per_word = max_input_chars_per_word
        self.max_length = max_length

    @classmethod
    def from_dir(cls, folder: str | Path, max_length: int | None = None) -> "BertWordPieceTokenizer":
        """Read a transformers.js/HF folder holding ``tokenizer.json`` (+ ``tokenizer_config.json``)."""
        folder = Path(folder)
        spec = json.loads((folder / "tokenizer.json").read_text())
        model = spec["model"]
        if model["type"] != "WordPiece":
            raise ValueError(f"tokenizer model {model['type']!r}: valid is 'WordPiece'")
        vocab = dict(model["vocab"])
        specials = []
        for added in spec.get("added_tokens", []):
            vocab[added["content"]] = added["id"]
            specials.append(added["content"])
        if max_length is None:
            config_path = folder / "tokenizer_config.json"
            config = json.loads(config_path.read_text()) if config_path.exists() else {}
            max_length = int(config.get("model_max_length", 512))
        return cls(vocab, specials, unk_token=model.get("unk_token", "[UNK]"),
                   prefix=model.get("continuing_subword_prefix", "##"),
                   max_input_chars_per_word=model.get("max_input_chars_per_word", 100),
                   max_length=max_length)

    def _word_pieces(self, word: str) -> list[str]:
        if len(word) > self.max_input_chars_per_word:
            return [self.unk_token]
        pieces, start = [], 0
        while start < len(word):
            end, found = len(word), None
            while start < end:
                piece = word[start:end] if start == 0 else self.prefix + word[start:end]
                if piece in self.vocab:
                    found = piece
                    break
                end -= 1
            if found is None:
                return [self.unk_token]
            pieces.append(found)
            start = end
        return pieces

    def _split_special(self, text: str) -> list[str]:
        """Cut out special tokens written literally in the text (not normalized), as
        transformers.js's added-token splitter does."""
        sections, start, i = [], 0, 0
        while i < len(text):
            match = next((t for t in self.special_tokens if text.startswith(t, i)), None)
            if match:
                if i > start:
                    sections.append(text[start:i])
                sections.append(match)
                i += len(match)
                start = i
            else:
                i += 1
        if start < len(text):
            sections.append(text[start:])
        return sections

    def tokenize(self, text: str) -> list[str]:
        """Word pieces without [CLS]/[SEP]."""
        tokens = []
        for section in self._split_special(text):
            if section in self.special_tokens:
                tokens.append(section)
                continue
            for word in pre_tokenize(normalize(section)):
                tokens += self._word_pieces(word)
        return tokens

    def encode(self, text: str, max_length: int | None = None) -> list[int]:
        """``[CLS] pieces [SEP]`` ids, cut to ``max_length`` (default: the tokenizer's)."""
        ids = [self.cls_id] + [self.vocab[t] for t in self.tokenize(text)] + [self.sep_id]
        return ids[: max_length or self.max_length]

    def batch(self, id_lists: Iterable[Sequence[int]]) -> dict[str, torch.Tensor]:
        """Right-pad encoded texts into input_ids / attention_mask / token_type_ids (int64)."""
        id_lists = list(id_lists)
        width = max(len(ids) for ids in id_lists)
        input_ids = torch.full((len(id_lists), width), self.pad_id, dtype=torch.long)
        attention_mask = torch.zeros((len(id_lists), width), dtype=torch.long)
        for row, ids in enumerate(id_lists):
            input_ids[row, : len(ids)] = torch.tensor(ids, dtype=torch.long)
            attention_mask[row, : len(ids)] = 1
        return {"input_ids": input_ids, "attention_mask": attention_mask,
                "token_type_ids": torch.zeros_like(input_ids)}

    def __call__(self, texts: str | Sequence[str], max_length: int | None = None) -> dict[str, torch.Tensor]:
        if isinstance(texts, str):
            texts = [texts]
        return self.batch(self.encode(t, max_length) for t in texts)
