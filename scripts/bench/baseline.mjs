// `npm run bench -- --baseline <git-ref>`: the app as it was at another commit, built in a
// temporary git worktree (node_modules linked from this checkout, the worktree removed afterwards)
// and kept as a built dist/ in bench/.generated/baseline/<sha>/ (a commit never changes, so a
// second comparison against it starts at once). It is served with `vite preview` and this
// checkout's headers, beside the working tree's build, so the two run interleaved in one bench.
// `--baseline-models working-tree` builds it with this checkout's public/models instead of its
// own: code against code, the model files held equal (a retrained graph costs what it costs).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../lib/app-browser.mjs';
import { GENERATED } from './clips.mjs';

const git = (args, cwd = ROOT) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** The full commit id `ref` names; throws a readable error when it names none. */
export function resolveCommit(ref) {
  try {
    return git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new Error(`--baseline ${ref}: no such commit in this repository.`);
  }
}

/** Runs a command in `cwd`, its output on our stderr; throws when it fails. */
function sh(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', process.stderr, process.stderr], env: { ...process.env, MER_BENCH_BASELINE: '1' } });
  if (r.status !== 0) throw new Error(`\`${cmd} ${args.join(' ')}\` failed in the baseline worktree (exit ${r.status}).`);
}

/** The files under `dir` (relative paths, sorted). */
function filesUnder(dir, prefix = '') {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    return e.isDirectory() ? filesUnder(dir, rel) : [rel];
  }).sort();
}

/** A short digest of every file's path and bytes under `dir`: the cache key of a build made with them. */
export function folderDigest(dir) {
  const hash = createHash('sha256');
  for (const rel of filesUnder(dir)) hash.update(`${rel}\0${statSync(join(dir, rel)).size}\0`).update(readFileSync(join(dir, rel)));
  return hash.digest('hex').slice(0, 12);
}

/** The working tree's model folder, which `--baseline-models working-tree` puts into the baseline's build. */
export const WORKING_TREE_MODELS = join(ROOT, 'public', 'models');

/**
 * `{sha, short, dist, models}` of the built app at `ref`: reused from
 * bench/.generated/baseline/<sha>[-models-<digest>]/dist when built before, else built in a
 * temporary worktree that is removed whatever happens. With `models` (a folder), that folder
 * replaces the commit's public/models before its prebuild writes the manifest.
 */
export function buildBaseline(ref, log, { models = null } = {}) {
  const sha = resolveCommit(ref);
  const digest = models ? folderDigest(models) : null;
  const short = sha.slice(0, 7);
  const dir = join(GENERATED, 'baseline', digest ? `${sha}-models-${digest}` : sha);
  const dist = join(dir, 'dist');
  const modelsLabel = digest ? `the working tree's public/models (${digest})` : 'its own public/models';
  if (existsSync(join(dist, 'index.html'))) {
    log(`baseline ${short} with ${modelsLabel}: reusing its build in ${dist.replace(`${ROOT}/`, '')}`);
    return { sha, short, dist, models: modelsLabel };
  }
  const tree = join(mkdtempSync(join(tmpdir(), 'mer-bench-baseline-')), 'tree');
  log(`baseline ${short}: building in a temporary worktree (${tree}) …`);
  git(['worktree', 'add', '--detach', tree, sha]);
  try {
    symlinkSync(join(ROOT, 'node_modules'), join(tree, 'node_modules'), 'dir');
    if (models) {
      rmSync(join(tree, 'public', 'models'), { recursive: true, force: true });
      cpSync(models, join(tree, 'public', 'models'), { recursive: true });
      log(`baseline ${short}: built with ${modelsLabel}`);
    }
    // The prebuild steps (runtime files, manifest, sample clip) as that commit defines them, then
    // vite build alone: its type check is not what is measured.
    const scripts = JSON.parse(readFileSync(join(tree, 'package.json'), 'utf8')).scripts ?? {};
    if (scripts.prebuild) sh('npm', ['run', '--silent', 'prebuild'], tree);
    sh(join(ROOT, 'node_modules', '.bin', 'vite'), ['build', '--logLevel', 'warn'], tree);
    mkdirSync(dir, { recursive: true });
    cpSync(join(tree, 'dist'), dist, { recursive: true });
  } finally {
    try {
      git(['worktree', 'remove', '--force', tree]);
    } catch (e) {
      log(`could not remove the worktree ${tree}: ${e.message.split('\n')[0]}`);
    }
    rmSync(join(tree, '..'), { recursive: true, force: true });
    git(['worktree', 'prune']);
  }
  return { sha, short, dist, models: modelsLabel };
}

/** `{url, close}` of `vite preview` serving an already built dist/ with this checkout's config (headers). */
export async function serveDist(dist) {
  const { preview } = await import('vite');
  const port = await new Promise((res, rej) => {
    const s = createServer().on('error', rej).listen(0, '127.0.0.1', () => {
      const { port: p } = s.address();
      s.close(() => res(p));
    });
  });
  const server = await preview({
    root: ROOT, logLevel: 'silent', build: { outDir: dist },
    preview: { port, strictPort: true, host: '127.0.0.1', open: false },
  });
  return { url: `http://127.0.0.1:${port}/`, close: () => server.close() };
}
