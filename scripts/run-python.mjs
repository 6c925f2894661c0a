#!/usr/bin/env node
// Runs the training code under Debian's Python (the one with PyTorch), with training/ on the
// import path, so npm scripts work whichever `python3` comes first on PATH.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const python = process.env.MER_PYTHON ?? '/usr/bin/python3';
if (!existsSync(python)) {
  console.error(`Python not found at ${python}. Install Debian's python3 and python3-torch (apt-get install python3-torch python3-onnx), or set MER_PYTHON.`);
  process.exit(1);
}
const probe = spawnSync(python, ['-c', 'import torch, numpy, onnx'], { encoding: 'utf8' });
if (probe.status !== 0) {
  console.error(`${python} lacks PyTorch/ONNX. As root: apt-get install -y python3-torch python3-torchvision python3-torchaudio python3-onnx python3-numpy python3-flatbuffers python3-h5py python3-pytest python3-sklearn python3-yaml python3-tqdm`);
  process.exit(1);
}
const env = { ...process.env, PYTHONPATH: [join(root, 'training'), process.env.PYTHONPATH].filter(Boolean).join(':') };
const result = spawnSync(python, process.argv.slice(2), { stdio: 'inherit', env, cwd: root });
process.exit(result.status ?? 1);
