// Deterministic, same-shape inputs for timing an ONNX graph, identical in Node (onnxruntime-node)
// and in the bench page (onnxruntime-web): both import this very file (the page gets it through a
// route of run.mjs), so "same inputs" holds by construction. Values are plausible (log-mel around
// its real range, crops in [0, 1], word-piece ids in the vocabulary); only shapes matter for time.

/** Small seeded PRNG (mulberry32): the same numbers on every runtime. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const uniform = (n, lo, hi, rand) => Float32Array.from({ length: n }, () => lo + (hi - lo) * rand());

/**
 * Inputs as `{name: {type, dims, data}}` for one graph kind:
 * - `fusion`: {segments, channels, size, textDim} -> the contract's six inputs, every segment present;
 * - `text`: {tokens} -> input_ids / attention_mask / token_type_ids ([CLS] ... [SEP]);
 * - `detector`: {batch, size} -> `image` [batch, size, size, 3].
 */
export function graphInputs(kind, shape, seed = 7) {
  const rand = prng(seed);
  if (kind === 'fusion') {
    const { segments: t, channels: c, size: s, textDim: d } = shape;
    const ones = () => ({ type: 'float32', dims: [1, t], data: new Float32Array(t).fill(1) });
    return {
      log_mel: { type: 'float32', dims: [1, t, 96, 64], data: uniform(t * 96 * 64, -7, 1, rand) },
      faces: { type: 'float32', dims: [1, t, c, s, s], data: uniform(t * c * s * s, 0, 1, rand) },
      text_cls: { type: 'float32', dims: [1, d], data: uniform(d, -1, 1, rand) },
      audio_mask: ones(),
      visual_mask: ones(),
      text_mask: { type: 'float32', dims: [1, 1], data: new Float32Array([1]) },
    };
  }
  if (kind === 'text') {
    const n = shape.tokens;
    const ids = BigInt64Array.from({ length: n }, (_, i) => (i === 0 ? 101n : i === n - 1 ? 102n : BigInt(1000 + Math.floor(rand() * 29000))));
    return {
      input_ids: { type: 'int64', dims: [1, n], data: ids },
      attention_mask: { type: 'int64', dims: [1, n], data: new BigInt64Array(n).fill(1n) },
      token_type_ids: { type: 'int64', dims: [1, n], data: new BigInt64Array(n) },
    };
  }
  if (kind === 'detector') {
    const { batch, size } = shape;
    return { image: { type: 'float32', dims: [batch, size, size, 3], data: uniform(batch * size * size * 3, -1, 1, rand) } };
  }
  throw new Error(`Unknown graph kind ${kind}; valid: fusion, text, detector.`);
}

/** Warm-up before timing: at least one run, then more until WARM_UP.budgetMs is spent (at most
 *  WARM_UP.maxRuns). Why: V8 first runs wasm as baseline (Liftoff) code and tiers hot functions up
 *  while they run. A fresh page measured the fused graph at T=11 as 649, 345, 332, 229, 287, 151,
 *  459, 555, 412, 130, 151, 139 ms (run by run), then 93-97 ms steady; the app's own workers share
 *  the tiered code of the one onnxruntime wasm module, so its graphs run near the steady state. */
export const WARM_UP = Object.freeze({ maxRuns: 20, budgetMs: 8000 });

/** Times `runs` calls of `session.run` after the warm-up; `makeTensor(spec)` builds the runtime's Tensor. */
export async function timeSession(session, inputs, makeTensor, runs, now = () => performance.now()) {
  const feeds = Object.fromEntries(Object.entries(inputs).map(([k, spec]) => [k, makeTensor(spec)]));
  const warmStart = now();
  for (let i = 0; i < WARM_UP.maxRuns && (i === 0 || now() - warmStart < WARM_UP.budgetMs); i++) await session.run(feeds);
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = now();
    await session.run(feeds);
    times.push(now() - t0);
  }
  return times;
}
