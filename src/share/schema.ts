// The wire format of a share link (v1) and its strict zod schema. A link carries a compact copy
// of the result object (docs/CONTRACTS.md "Result object"): probabilities as integers in 1e-4
// units, times in milliseconds, never any media. Everything a link says is checked here before
// the app sees it — a link is untrusted input typed by a stranger.
import { z } from '../zod';
import { BACKENDS } from '../protocol';

/** Probability resolution of a link: 1e-4 (the UI shows at most one decimal of a percent). */
export const PROBABILITY_SCALE = 10_000;

export const LIMITS = Object.freeze({
  /** Characters of the `v1.<base64url>` payload; refused before any decoding. */
  linkChars: 128 * 1024,
  /** Bytes after decompression; the inflater stops as soon as it would exceed this. */
  inflatedBytes: 1024 * 1024,
  /**
   * Timeline entries in a link. 20 minutes of 0.96 s segments (1,250) fit whole; a longer clip's
   * timeline is averaged over groups of segments until it fits (`coarse`; src/share/shareLink.ts).
   */
  segments: 1_500,
  /** Segments a coarse link may stand for: 24 hours of 0.96 s segments. */
  coarseSegments: 90_000,
  labels: 32,
  labelChars: 40,
  fileChars: 255,
  transcriptChars: 30_000,
  timings: 32,
  timingKeyChars: 40,
});

// Control characters and bidi overrides (which can disguise a file name) are never accepted.
const UNSAFE_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069]/;
const UNSAFE_LINE_CHARS = /[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/;
const LABEL = /^[\p{L}\p{N}][\p{L}\p{N} _'-]*$/u;
const TIMING_KEY = /^[A-Za-z][A-Za-z0-9_]*$/;
/** Keys that could reach an object's prototype; refused anywhere in a link. */
export const FORBIDDEN_KEYS = Object.freeze(['__proto__', 'constructor', 'prototype'] as const);

const prob = z.number().int().min(0).max(PROBABILITY_SCALE);
const probs = z.array(prob).max(LIMITS.labels);
const ms = z.number().int().min(0).max(24 * 3600 * 1000);
const coordinate = z.number().finite().min(-1e5).max(1e5);
const faceBox = z.tuple([coordinate, coordinate, coordinate.min(0), coordinate.min(0)]);

/** One segment as a tuple: [start_ms, end_ms, audio | null, visual | null, face 0|1, face_box | null]. */
const wireSegment = z.tuple([ms, ms, probs.nullable(), probs.nullable(), z.union([z.literal(0), z.literal(1)]), faceBox.nullable()]);

export const wireSchema = z.strictObject({
  file: z.string().max(LIMITS.fileChars).refine((s) => !UNSAFE_LINE_CHARS.test(s), 'contains control characters'),
  labels: z.array(
    z.string().min(1).max(LIMITS.labelChars).regex(LABEL, 'must be a plain word'),
  ).min(1).max(LIMITS.labels),
  fused: probs,
  modalities: z.strictObject({ audio: probs.nullable(), visual: probs.nullable(), text: probs.nullable() }),
  /** α for audio, visual, text. */
  attention: z.tuple([prob, prob, prob]),
  segments: z.array(wireSegment).max(LIMITS.segments),
  backend: z.enum(BACKENDS),
  timings_ms: z.record(
    z.string().max(LIMITS.timingKeyChars).regex(TIMING_KEY, 'must be a plain name'),
    z.number().int().min(0).max(1e9),
  ),
  transcript: z.string().max(LIMITS.transcriptChars)
    .refine((s) => !UNSAFE_CHARS.test(s), 'contains control characters').nullable(),
  /**
   * Present when the timeline was shortened to fit the link: [segments per entry (2 or more),
   * segments of the analysis]. Each entry then averages that many 0.96 s segments.
   */
  coarse: z.tuple([z.number().int().min(2).max(LIMITS.coarseSegments), z.number().int().min(2).max(LIMITS.coarseSegments)]).optional(),
}).superRefine((w, ctx) => {
  if (w.coarse && Math.ceil(w.coarse[1] / w.coarse[0]) !== w.segments.length) {
    ctx.addIssue({ code: 'custom', path: ['coarse'], message: 'does not match the number of segments' });
  }
  const m = w.labels.length;
  const sized = (path: (string | number)[], v: number[] | null) => {
    if (v !== null && v.length !== m) ctx.addIssue({ code: 'custom', path, message: `has ${v.length} values for ${m} labels` });
  };
  if (new Set(w.labels).size !== m) ctx.addIssue({ code: 'custom', path: ['labels'], message: 'repeat a label' });
  sized(['fused'], w.fused);
  if (w.fused.length === 0) ctx.addIssue({ code: 'custom', path: ['fused'], message: 'is empty' });
  sized(['modalities', 'audio'], w.modalities.audio);
  sized(['modalities', 'visual'], w.modalities.visual);
  sized(['modalities', 'text'], w.modalities.text);
  if (Object.keys(w.timings_ms).length > LIMITS.timings) {
    ctx.addIssue({ code: 'custom', path: ['timings_ms'], message: `has more than ${LIMITS.timings} entries` });
  }
  let previousEnd = 0;
  w.segments.forEach(([start, end, audio, visual, face, box], i) => {
    if (end <= start) ctx.addIssue({ code: 'custom', path: ['segments', i], message: 'ends before it starts' });
    if (start < previousEnd) ctx.addIssue({ code: 'custom', path: ['segments', i], message: 'overlaps the previous segment' });
    previousEnd = end;
    sized(['segments', i, 2], audio);
    sized(['segments', i, 3], visual);
    if (face === 0 && box !== null) ctx.addIssue({ code: 'custom', path: ['segments', i, 5], message: 'has a face box without a face' });
  });
});

export type WireResult = z.infer<typeof wireSchema>;
