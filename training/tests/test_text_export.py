"""The text encoder's transformers.js export: the folder loads in transformers.js (Node,
local files only), and its [CLS] equals PyTorch's within 1e-4 (fp32); the int8 variant
stays close. Also checks the shipped public/models/text against training/checkpoints/text_bert.pt."""
import json
import shutil
import subprocess
from pathlib import Path

import onnx
import pytest
import torch

from mer.text.bert import BertConfig, BertModel
from mer.text.export import TOKENIZER_DIR, export_folder, load_checkpoint
from mer.text.tokenizer import BertWordPieceTokenizer

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts/check-text-model.mjs"
SENTENCES = [
    "I can't believe you did that to me!",
    "Oh wow, that's wonderful news.",
    "ok.",
    "Why does everything always go wrong?? I'm so tired of this.",
    "The café is closed on Sundays.",
]

needs_node = pytest.mark.skipif(
    shutil.which("node") is None or not (REPO / "node_modules/@huggingface/transformers").exists()
    or not TOKENIZER_DIR.exists(), reason="needs node, @huggingface/transformers and ../shared tokenizer")


def run_transformers_js(models_dir: Path, model: str, dtype: str, sentences=SENTENCES) -> dict:
    out = subprocess.run(
        ["node", str(SCRIPT), "--models-dir", str(models_dir), "--model", model, "--dtype", dtype],
        input=json.dumps(sentences), capture_output=True, text=True, cwd=REPO, timeout=300, check=True)
    return json.loads(out.stdout)


def torch_cls(bert: BertModel, ids: list[list[int]]) -> torch.Tensor:
    with torch.no_grad():
        return torch.cat([bert.cls_feature(torch.tensor([row])) for row in ids])


@needs_node
def test_export_loads_in_transformers_js_with_cls_parity(tmp_path):
    torch.manual_seed(0)
    bert = BertModel(BertConfig(hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                                intermediate_size=64)).eval()
    sizes = export_folder(bert, tmp_path / "text")
    assert set(sizes) == {"config.json", "tokenizer.json", "tokenizer_config.json",
                          "onnx/model.onnx", "onnx/model_quantized.onnx"}
    graph = onnx.load(str(tmp_path / "text/onnx/model.onnx")).graph
    assert [i.name for i in graph.input] == ["input_ids", "attention_mask", "token_type_ids"]
    assert all(i.type.tensor_type.elem_type == onnx.TensorProto.INT64 for i in graph.input)
    assert [o.name for o in graph.output] == ["last_hidden_state"]
    assert sizes["onnx/model_quantized.onnx"] < sizes["onnx/model.onnx"] / 3

    fp32 = run_transformers_js(tmp_path, "text", "fp32")
    ours = BertWordPieceTokenizer.from_dir(tmp_path / "text")
    assert fp32["input_ids"] == [ours.encode(s) for s in SENTENCES]
    expected = torch_cls(bert, fp32["input_ids"])
    assert (torch.tensor(fp32["cls"]) - expected).abs().max() < 1e-4
    q8 = run_transformers_js(tmp_path, "text", "q8")
    assert (torch.tensor(q8["cls"]) - expected).abs().max() < 0.05 * expected.abs().max()


SHIPPED = REPO / "public/models/text"
CHECKPOINT = REPO / "training/checkpoints/text_bert.pt"


@needs_node
@pytest.mark.skipif(not (SHIPPED / "onnx/model_quantized.onnx").exists() or not CHECKPOINT.exists(),
                    reason="no shipped text model or checkpoint")
def test_shipped_text_model_matches_checkpoint():
    """The shipped int8 model (what the app loads) stays close to the checkpoint; the fp32 export
    (gitignored, present after `python -m mer.text.export`) matches it within 1e-4."""
    bert, _ = load_checkpoint(CHECKPOINT)
    config = json.loads((SHIPPED / "config.json").read_text())
    assert config["model_type"] == "bert" and config["hidden_size"] == bert.config.hidden_size
    q8 = run_transformers_js(SHIPPED.parent, SHIPPED.name, "q8")
    expected = torch_cls(bert, q8["input_ids"])
    cos = torch.nn.functional.cosine_similarity(torch.tensor(q8["cls"]), expected)
    assert cos.min() > 0.995
    if (SHIPPED / "onnx/model.onnx").exists():
        fp32 = run_transformers_js(SHIPPED.parent, SHIPPED.name, "fp32")
        assert (torch.tensor(fp32["cls"]) - expected).abs().max() < 1e-4
