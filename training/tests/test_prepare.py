"""mer.data.prepare on a generated clip: the browser's front ends produce the features, T follows
the contract, a frame without a face gets mask 0; adapters write valid manifests."""
import shutil
import subprocess

import numpy as np
import pytest

from mer.data.adapters import SHARED, emodb, iemocap_dev_av
from mer.data.manifest import read_manifest, write_manifest
from mer.data.prepare import FrameSource, prepare_manifest


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")
def test_prepare_generated_clip(tmp_path):
    clip = tmp_path / "tone.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=gray:s=160x120:d=1.2:r=10",
                    "-f", "lavfi", "-i", "sine=frequency=440:duration=1.2:sample_rate=16000",
                    "-shortest", "-pix_fmt", "yuv420p", str(clip)], check=True)
    write_manifest(tmp_path / "m.jsonl", [{"id": "tone", "split": "test", "labels": ["neutral"],
                                           "transcript": None, "video": str(clip)}])
    prepare_manifest(str(tmp_path / "m.jsonl"), str(tmp_path / "p.jsonl"), str(tmp_path / "f"), random_frames=0, quiet=True,
                     face_cache=False)
    row = read_manifest(tmp_path / "p.jsonl")[0]
    assert "video" not in row
    z = np.load(row["features"])
    t = z["log_mel"].shape[0]
    assert t in (2, 3) and z["log_mel"].shape[1:] == (96, 64)      # ceil(~1.2 s / 0.96 s), AAC padding aside
    assert z["audio_mask"][0] == 1.0
    assert z["faces"].shape == (t, 1, 48, 48) and not z["visual_mask"].any()


def test_frame_prefix_source(tmp_path):
    import torch
    import torchvision.io as io
    for n in range(3):
        io.write_jpeg(torch.full((3, 8, 8), 40 * n, dtype=torch.uint8), str(tmp_path / f"image_L_{n}.jpg"))
    src = FrameSource(str(tmp_path / "image_L_"))
    assert abs(src.duration() - 0.1) < 1e-9
    frames = src.frames([0.0, 0.04, 5.0])
    assert [int(f.mean() // 20) for f in frames] == [0, 2, 4]       # frame 0, frame 1, clamped to 2


@pytest.mark.skipif(not (SHARED / "data" / "iemocap_dev_av").exists(), reason="needs ../shared data")
def test_adapters_write_valid_manifests(tmp_path):
    n = write_manifest(tmp_path / "dev.jsonl", iemocap_dev_av())
    rows = read_manifest(tmp_path / "dev.jsonl")
    assert n == 72 and {r["fold"] for r in rows} == {0, 1, 2, 3, 4}
    write_manifest(tmp_path / "emodb.jsonl", emodb())
    rows = read_manifest(tmp_path / "emodb.jsonl")
    test_speakers = {r["speaker"] for r in rows if r["split"] == "test"}
    assert test_speakers and not test_speakers & {r["speaker"] for r in rows if r["split"] == "train"}


def test_prepare_text_features(tmp_path):
    """I_t from a mer.pretrain.text-style checkpoint goes to its own file, equal to the [CLS] state."""
    from pathlib import Path
    import torch
    from mer.text.bert import BertConfig, BertModel
    from mer.text.tokenizer import BertWordPieceTokenizer
    tokenizer = Path(__file__).resolve().parents[3] / "shared/weights/bert-base-uncased-tokenizer"
    if not tokenizer.exists():
        pytest.skip("needs ../shared tokenizer")
    torch.manual_seed(0)
    cfg = BertConfig(hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32)
    bert = BertModel(cfg).eval()
    torch.save({"config": cfg.to_dict(), "bert": bert.state_dict()}, tmp_path / "text.pt")
    write_manifest(tmp_path / "m.jsonl", [{"id": "t", "split": "train", "labels": ["joy"], "transcript": "I am so happy"}])
    prepare_manifest(str(tmp_path / "m.jsonl"), str(tmp_path / "p.jsonl"), str(tmp_path / "f"),
                     text_checkpoint=str(tmp_path / "text.pt"), tokenizer_dir=str(tokenizer), quiet=True)
    row = read_manifest(tmp_path / "p.jsonl")[0]
    got = np.load(row["text_cls"])["text_cls"]
    batch = BertWordPieceTokenizer.from_dir(tokenizer, 128)("I am so happy")
    with torch.no_grad():
        want = bert.cls_feature(batch["input_ids"], batch["attention_mask"], batch["token_type_ids"])[0].numpy()
    assert np.allclose(got, want, atol=1e-6)
