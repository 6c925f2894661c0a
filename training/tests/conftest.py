"""Session header: the torch version and whether GPU tests run (they skip without CUDA, and the
summary says why)."""


def pytest_report_header(config):
    import torch
    if torch.cuda.is_available():
        gpus = ", ".join(torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count()))
        return f"torch {torch.__version__}; CUDA {torch.version.cuda}: {gpus} (GPU tests run)"
    return f"torch {torch.__version__}; no CUDA GPU: the GPU tests (test_gpu.py) are skipped"


def pytest_terminal_summary(terminalreporter):
    for report in terminalreporter.stats.get("skipped", []):
        if "test_gpu" in report.nodeid and isinstance(report.longrepr, tuple):
            terminalreporter.write_line(f"SKIPPED {report.nodeid}: {report.longrepr[2]}")
