#!/usr/bin/env node
// `npm test`: every test suite of the project, in one command, on a fresh machine.
//  1. checks the system prerequisites (Debian's chromium, ffmpeg, Python with PyTorch/ONNX) and,
//     as root, installs what is missing with apt-get (never a browser download); otherwise it
//     says exactly what to install and exits non-zero;
//  2. refreshes the runtime assets and the model manifest;
//  3. runs vitest, the Python training tests and the Playwright end-to-end tests;
//  4. prints `N passed, N failed` over all suites as its last line; exits non-zero on any failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const results = join(root, 'test-results');
const PYTHON = process.env.MER_PYTHON ?? '/usr/bin/python3';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
const quiet = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'ignore' }).status === 0;
const onPath = (bin) => quiet('sh', ['-c', `command -v ${bin}`]);

const PREREQUISITES = Object.freeze([
  { name: 'Chromium (Debian)', ok: () => existsSync(CHROMIUM), apt: ['chromium'] },
  { name: 'ffmpeg', ok: () => onPath('ffmpeg'), apt: ['ffmpeg'] },
  {
    name: `Python with PyTorch, ONNX and pytest (${PYTHON})`,
    ok: () => existsSync(PYTHON) && quiet(PYTHON, ['-c', 'import torch, torchvision, torchaudio, onnx, numpy, pytest, flatbuffers']),
    apt: ['python3', 'python3-torch', 'python3-torchvision', 'python3-torchaudio', 'python3-onnx', 'python3-numpy',
      'python3-flatbuffers', 'python3-h5py', 'python3-pytest', 'python3-sklearn', 'python3-yaml', 'python3-tqdm'],
  },
]);

function ensurePrerequisites() {
  if (!existsSync(join(root, 'node_modules', '.bin', 'vitest'))) {
    console.error('test-all: node_modules is missing. Run `npm install` (or `npm ci`) first.');
    process.exit(1);
  }
  const missing = PREREQUISITES.filter((p) => !p.ok());
  if (!missing.length) return;
  const packages = [...new Set(missing.flatMap((p) => p.apt))];
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !onPath('apt-get')) {
    console.error(`test-all: missing ${missing.map((p) => p.name).join(', ')}.\nInstall them (Debian): sudo apt-get update && sudo apt-get install -y ${packages.join(' ')}`);
    process.exit(1);
  }
  console.log(`test-all: installing ${packages.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (run('apt-get', ['update'], { env }).status !== 0 || run('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { env }).status !== 0) {
    console.error('test-all: apt-get failed; install the packages above by hand.');
    process.exit(1);
  }
  const still = missing.filter((p) => !p.ok());
  if (still.length) {
    console.error(`test-all: still missing after apt-get: ${still.map((p) => p.name).join(', ')}`);
    process.exit(1);
  }
}

const readJson = (path) => {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
};

/** Each suite returns { passed, failed, skipped }; a suite that crashed without a report counts as 1 failure. */
const SUITES = Object.freeze([
  {
    name: 'unit (vitest)',
    run() {
      const out = join(results, 'vitest.json');
      rmSync(out, { force: true });
      const r = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile=${out}`]);
      const j = readJson(out);
      if (!j) return { passed: 0, failed: 1, skipped: 0, status: r.status };
      return { passed: j.numPassedTests, failed: j.numFailedTests + (j.numRuntimeErrorTestSuites ?? 0), skipped: j.numPendingTests + j.numTodoTests, status: r.status };
    },
  },
  {
    name: 'training (pytest)',
    run() {
      const out = join(results, 'pytest.xml');
      rmSync(out, { force: true });
      const r = run('node', ['scripts/run-python.mjs', '-m', 'pytest', '-q', 'training/tests', `--junitxml=${out}`, '-p', 'no:cacheprovider']);
      if (r.status === 5) return { passed: 0, failed: 0, skipped: 0, status: 0 }; // no tests collected
      if (!existsSync(out)) return { passed: 0, failed: 1, skipped: 0, status: r.status };
      const xml = readFileSync(out, 'utf8');
      const attr = (name) => [...xml.matchAll(new RegExp(`<testsuite\\b[^>]*\\b${name}="(\\d+)"`, 'g'))].reduce((a, m) => a + Number(m[1]), 0);
      const tests = attr('tests');
      const failed = attr('failures') + attr('errors');
      const skipped = attr('skipped');
      return { passed: tests - failed - skipped, failed: failed || (r.status ? 1 : 0), skipped, status: r.status };
    },
  },
  {
    name: 'end-to-end (Playwright, Chromium)',
    run() {
      const out = join(results, 'playwright.json');
      rmSync(out, { force: true });
      const r = run('npx', ['playwright', 'test']);
      const j = readJson(out);
      if (!j?.stats) return { passed: 0, failed: 1, skipped: 0, status: r.status };
      const { expected = 0, unexpected = 0, flaky = 0, skipped = 0 } = j.stats;
      const crashed = (j.errors?.length ?? 0) > 0 ? 1 : 0; // e.g. the web server did not start
      return { passed: expected + flaky, failed: unexpected + (unexpected ? 0 : crashed), skipped, status: r.status };
    },
  },
]);

ensurePrerequisites();
mkdirSync(results, { recursive: true });
for (const script of ['scripts/copy-runtime-assets.mjs', 'scripts/write-manifest.mjs']) {
  if (run('node', [script]).status !== 0) {
    console.error(`test-all: ${script} failed`);
    process.exit(1);
  }
}

const totals = { passed: 0, failed: 0, skipped: 0 };
const lines = [];
for (const suite of SUITES) {
  console.log(`\n=== ${suite.name} ===`);
  const started = Date.now();
  const r = suite.run();
  // A suite that exits non-zero with no failed test (a crash, a type error) still fails the run.
  if (r.status && !r.failed) r.failed = 1;
  totals.passed += r.passed;
  totals.failed += r.failed;
  totals.skipped += r.skipped;
  lines.push(`  ${suite.name}: ${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}
console.log(`\nSummary\n${lines.join('\n')}`);
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed ? 1 : 0);
