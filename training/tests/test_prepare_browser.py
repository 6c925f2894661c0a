"""``mer.data.prepare --browser-features``: rows found in an ``npm run prepare-dataset`` folder take
its feature files (no Python twin runs for them); the others are prepared as before. And
``decode_pcm16k`` downmixes to the mean of the channels, as the browser does."""
import shutil
import subprocess

import numpy as np
import pytest

from mer.data.manifest import read_manifest, write_manifest
from mer.data.prepare import browser_features, decode_pcm16k, prepare_manifest


def test_rows_from_the_browser_folder_are_not_recomputed(tmp_path):
    browser = tmp_path / "browser"
    (browser / "features").mkdir(parents=True)
    np.savez(browser / "features" / "a.npz", log_mel=np.zeros((2, 96, 64), np.float32), audio_mask=np.ones(2, np.float32),
             faces=np.zeros((2, 1, 48, 48), np.float32), visual_mask=np.zeros(2, np.float32))
    write_manifest(browser / "manifest.jsonl", [{"id": "a", "split": "train", "labels": ["hap"], "transcript": "hi",
                                                 "features": str(browser / "features" / "a.npz")}])
    assert browser_features(browser) == {"a": str((browser / "features" / "a.npz").resolve())}
    # The video does not exist: preparing it here would fail, so passing proves the browser's file was taken.
    write_manifest(tmp_path / "m.jsonl", [{"id": "a", "split": "train", "labels": ["hap"], "transcript": "hi",
                                           "video": str(tmp_path / "missing.mp4"), "speaker": "S1"}])
    prepare_manifest(str(tmp_path / "m.jsonl"), str(tmp_path / "p.jsonl"), str(tmp_path / "f"), quiet=True,
                     browser_dir=str(browser))
    row = read_manifest(tmp_path / "p.jsonl")[0]
    assert row["features"] == str((browser / "features" / "a.npz").resolve())
    assert "video" not in row and row["speaker"] == "S1"


def test_missing_browser_folder_says_how_to_make_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="npm run prepare-dataset"):
        browser_features(tmp_path)


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")
def test_decode_downmixes_to_the_mean_of_the_channels(tmp_path):
    clip = tmp_path / "stereo.wav"
    # Left a 440 Hz tone, right silent: the mean has half the left's amplitude (ffmpeg's -ac 1 gives 1/sqrt 2).
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=0.5:sample_rate=16000",
                    "-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-filter_complex", "[0][1]amerge=inputs=2",
                    "-t", "0.5", str(clip)], check=True)
    left = subprocess.run(["ffmpeg", "-v", "error", "-i", str(clip), "-af", "pan=mono|c0=c0", "-f", "f32le", "-"],
                          capture_output=True, check=True).stdout
    left = np.frombuffer(left, np.float32)
    mono = decode_pcm16k(str(clip))
    assert len(mono) == len(left)
    np.testing.assert_allclose(mono, left / 2, atol=1e-6)
