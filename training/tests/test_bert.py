"""The text encoder's parameter names and shapes are Hugging Face BertModel's, so a real
bert-base-uncased checkpoint loads unchanged; I_t is the last layer's [CLS]."""
from pathlib import Path

import pytest
import torch

from mer.text.bert import BertConfig, BertModel

SHARED_CONFIG = Path(__file__).resolve().parents[3] / "shared/weights/bert-base-uncased-tokenizer/config.json"

# HF transformers BertModel(bert-base-uncased).state_dict(): name -> shape, written out by hand.
HF_EMBEDDINGS = {
    "embeddings.word_embeddings.weight": (30522, 768),
    "embeddings.position_embeddings.weight": (512, 768),
    "embeddings.token_type_embeddings.weight": (2, 768),
    "embeddings.LayerNorm.weight": (768,),
    "embeddings.LayerNorm.bias": (768,),
}
HF_LAYER = {
    "attention.self.query.weight": (768, 768),
    "attention.self.query.bias": (768,),
    "attention.self.key.weight": (768, 768),
    "attention.self.key.bias": (768,),
    "attention.self.value.weight": (768, 768),
    "attention.self.value.bias": (768,),
    "attention.output.dense.weight": (768, 768),
    "attention.output.dense.bias": (768,),
    "attention.output.LayerNorm.weight": (768,),
    "attention.output.LayerNorm.bias": (768,),
    "intermediate.dense.weight": (3072, 768),
    "intermediate.dense.bias": (3072,),
    "output.dense.weight": (768, 3072),
    "output.dense.bias": (768,),
    "output.LayerNorm.weight": (768,),
    "output.LayerNorm.bias": (768,),
}
HF_POOLER = {"pooler.dense.weight": (768, 768), "pooler.dense.bias": (768,)}


def hf_bert_base_shapes() -> dict:
    shapes = dict(HF_EMBEDDINGS)
    for n in range(12):
        shapes.update({f"encoder.layer.{n}.{k}": v for k, v in HF_LAYER.items()})
    shapes.update(HF_POOLER)
    return shapes


def bert_base_config() -> BertConfig:
    if SHARED_CONFIG.exists():
        return BertConfig.from_json(SHARED_CONFIG)
    return BertConfig()  # defaults are bert-base's


TINY = BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=2, num_attention_heads=4,
                  intermediate_size=32, max_position_embeddings=20)


def test_config_reads_hf_json():
    config = bert_base_config()
    assert (config.vocab_size, config.hidden_size, config.num_hidden_layers,
            config.num_attention_heads, config.intermediate_size) == (30522, 768, 12, 12, 3072)
    assert config.hidden_act == "gelu" and config.layer_norm_eps == 1e-12


def test_bert_base_state_dict_matches_hf_names_and_shapes():
    model = BertModel(bert_base_config())
    got = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    assert got == hf_bert_base_shapes()
    assert sum(v.numel() for v in model.parameters()) == 109_482_240  # bert-base's 110M


def _fake_hf_checkpoint(config: BertConfig, prefix: str, old_names: bool) -> dict:
    source = BertModel(config).state_dict()
    out = {}
    for k, v in source.items():
        if old_names:
            k = k.replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta")
        out[prefix + k] = v.clone()
    out[prefix + "embeddings.position_ids"] = torch.arange(config.max_position_embeddings)[None]
    out["cls.predictions.bias"] = torch.zeros(config.vocab_size)
    return out, source


@pytest.mark.parametrize("prefix,old_names", [("", False), ("bert.", False), ("bert.", True)])
def test_loads_hf_checkpoints_unchanged(prefix, old_names):
    torch.manual_seed(0)
    checkpoint, source = _fake_hf_checkpoint(TINY, prefix, old_names)
    model = BertModel(TINY)
    model.load_hf_state_dict(checkpoint)
    for k, v in model.state_dict().items():
        assert torch.equal(v, source[k]), k
    # Plain load_state_dict of a bare BertModel state dict works too.
    BertModel(TINY).load_state_dict(source)


def test_forward_shapes_and_cls_feature():
    torch.manual_seed(0)
    model = BertModel(TINY).eval()
    ids = torch.randint(1, 50, (3, 7))
    h = model(ids)
    assert h.shape == (3, 7, 16)
    assert torch.allclose(model.cls_feature(ids), h[:, 0])
    assert model.pooled(h).shape == (3, 16)


def test_padding_does_not_change_cls():
    torch.manual_seed(0)
    model = BertModel(TINY).eval()
    ids = torch.randint(1, 50, (1, 5))
    padded = torch.cat([ids, torch.zeros(1, 4, dtype=torch.long)], dim=1)
    mask = torch.cat([torch.ones(1, 5), torch.zeros(1, 4)], dim=1).long()
    with torch.no_grad():
        a = model.cls_feature(ids)
        b = model.cls_feature(padded, mask)
    assert torch.allclose(a, b, atol=1e-5)


def test_invalid_config_lists_choices():
    with pytest.raises(ValueError, match="valid are"):
        BertConfig(hidden_act="swishy")
    with pytest.raises(ValueError, match="multiple"):
        BertConfig(hidden_size=10, num_attention_heads=3)
