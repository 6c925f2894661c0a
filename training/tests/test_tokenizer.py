"""The Python WordPiece tokenizer gives exactly the ids transformers.js gives in the
browser's text worker (golden: transformers.js run in Node at test time), on edge cases and
on a few hundred real sentences from the text datasets."""
import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from mer.text.export import TOKENIZER_DIR
from mer.text.tokenizer import BertWordPieceTokenizer, normalize, pre_tokenize

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts/check-text-model.mjs"

EDGE_CASES = [
    "Hello, World!",
    "I'm SO angry!!! >:(",
    "Café naïve résumé façade Ångström",
    "你好世界 and 日本語 mixed with English",
    "tabs\tand\nnewlines\r\nand\u00a0nbsp\u2028line sep\u3000ideographic space",
    "zero\u200bwidth and soft\u00adhyphen and bom\ufeff and ctrl\x07bell \x00nul \ufffdrepl",
    "emoji 😀😡 and symbols € £ © ™ ° ± § ¶ • … “quotes” ‘single’ — dash",
    "ΟΔΟΣ Σίσυφος İstanbul ß ẞ",
    "[NAME] said [MASK] and [CLS] is [sep] not [UNK]",
    "a" * 101 + " ok " + "b" * 100,
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "numbers 3.14159 1,000,000 $5 50% #hashtag @user http://example.com/a?b=c",
    "   leading and trailing spaces   ",
    "",
    " ".join(["word"] * 200),  # truncated at 128
    "Ｆｕｌｌｗｉｄｔｈ ｌｅｔｔｅｒｓ and ﬁ ligature",
    "𠀀 astral CJK and 𝐁𝐨𝐥𝐝 math letters",
]

needs_node = pytest.mark.skipif(
    shutil.which("node") is None or not (REPO / "node_modules/@huggingface/transformers").exists()
    or not TOKENIZER_DIR.exists(), reason="needs node, @huggingface/transformers and ../shared tokenizer")


def transformers_js_ids(models_dir: Path, sentences: list[str]) -> list[list[int]]:
    out = subprocess.run(["node", str(SCRIPT), "--models-dir", str(models_dir), "--model", "text",
                          "--tokens-only", "--max-length", "128"],
                         input=json.dumps(sentences), capture_output=True, text=True, cwd=REPO,
                         timeout=300, check=True)
    return json.loads(out.stdout)["input_ids"]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("models")
    (folder / "text").mkdir()
    shutil.copyfile(TOKENIZER_DIR / "tokenizer.json", folder / "text/tokenizer.json")
    config = json.loads((TOKENIZER_DIR / "tokenizer_config.json").read_text())
    config["model_max_length"] = 128
    (folder / "text/tokenizer_config.json").write_text(json.dumps(config))
    (folder / "text/config.json").write_text(json.dumps({"model_type": "bert"}))
    return folder


def real_sentences(per_dataset: int = 120) -> list[str]:
    from mer.text import datasets
    rng = random.Random(0)
    out = []
    for name in datasets.DATASETS:
        try:
            rows = datasets.load(name, "test")
        except FileNotFoundError:
            continue
        out += [r.text for r in rng.sample(rows, min(per_dataset, len(rows)))]
    return out


def test_normalize_and_split_basics():
    assert normalize("Café ÅNGSTRÖM") == "cafe angstrom"
    assert normalize("好a") == " 好 a"
    assert pre_tokenize("hi,there!! ok") == ["hi", ",", "there", "!", "!", "ok"]


def test_truncation_keeps_first_ids_like_transformers_js():
    tok = BertWordPieceTokenizer.from_dir(TOKENIZER_DIR, max_length=8) if TOKENIZER_DIR.exists() else None
    if tok is None:
        pytest.skip("no tokenizer")
    ids = tok.encode("one two three four five six seven eight nine")
    assert len(ids) == 8 and ids[0] == tok.cls_id and ids[-1] != tok.sep_id
    batch = tok(["hello", "hello there friend"])
    assert batch["input_ids"].shape == (2, 5) and batch["attention_mask"][0].tolist() == [1, 1, 1, 0, 0]


@needs_node
def test_ids_equal_transformers_js(model_dir):
    sentences = EDGE_CASES + real_sentences()
    assert len(sentences) > 100 or not (Path(TOKENIZER_DIR).parents[1] / "data").exists()
    expected = transformers_js_ids(model_dir, sentences)
    ours = BertWordPieceTokenizer.from_dir(model_dir / "text")
    mismatches = [(s, ours.encode(s), e) for s, e in zip(sentences, expected) if ours.encode(s) != e]
    assert not mismatches, mismatches[:3]
