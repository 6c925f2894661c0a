"""Parameter and FLOP counting with hooks: exact on hand-countable modules."""
import torch
from torch import nn

from mer.report import count_macs, report_config
from mer.config import TRAINING_DIR


def test_counts_conv_linear_matmul():
    class Toy(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(2, 4, 3, padding=1)
            self.fc = nn.Linear(4, 5)

        def forward(self, x):
            y = self.conv(x).mean(dim=(2, 3))                          # [1, 4]
            z = self.fc(y)                                             # [1, 5]
            return torch.matmul(z.unsqueeze(-1), z.unsqueeze(1))       # [1, 5, 5], k = 1
    macs = count_macs(Toy(), torch.randn(1, 2, 6, 6))
    assert macs == 4 * 36 * (2 * 9) + 5 * 4 + 25 * 1


def test_report_tiny_config():
    row = report_config(str(TRAINING_DIR / "configs" / "tiny.yaml"), segments=3, text_tokens=8)
    assert row["params_fused"] > 0 and row["gmacs_fused"] > 2.5 * row["gmacs_fused_per_segment"]
