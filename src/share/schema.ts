// The wire format of a share link (v1) and its strict zod schema. A link carries a compact copy
// of the result object (docs/CONTRACTS.md "Result object"): probabilities as integers in 1e-4
// units, times in milliseconds, never any media. Everything a link says is checked here before
// the app sees it — a link is untrusted input typed by a stranger.
import { z } from '../zod';
import { BACKENDS } from '../protocol';

/** ModalityBasis values a link may carry (src/pipeline/result.ts). */
export const MODALITY_BASES = Object.freeze(['text_masked', 'unknown'] as const);

/** Probability resolution of a link: 1e-4 (the UI shows at most one decimal of a percent). */
export const PROBABILITY_SCALE = 10_000;

export const LIMITS = Object.freeze({
  /** Characters of the `v1.<base64url>` payload; refused before any decoding. */
  linkChars: 128 * 1024,
  /** Bytes after decompression; the inflater stops as soon as it would exceed this. */
  inflatedBytes: 1024 * 1024,
  /**
   * Timeline entries in a link. 20 minutes of the default model's segments (1,250) fit whole; a longer clip's
   * timeline is averaged over groups of segments until it fits (`coarse`; src/share/shareLink.ts).
   */
  segments: 1_500,
  /** Segments a coarse link may stand for: 24 hours of the default model's segments. */
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
  /** Milliseconds per segment (the model's time base); absent in links made before it was recorded: 960. */
  segment_ms: z.number().int().min(100).max(60_000).optional(),
  /** How the voice and face decisions were made (src/pipeline/result.ts ModalityBasis); absent: "unknown". */
  basis: z.enum(MODALITY_BASES).optional(),
  backend: z.enum(BACKENDS),
  timings_ms: z.record(
    z.string().max(LIMITS.timingKeyChars).regex(TIMING_KEY, 'must be a plain name'),
    z.number().int().min(0).max(1e9),
  ),
  transcript: z.string().max(LIMITS.transcriptChars)
    .refine((s) => !UNSAFE_CHARS.test(s), 'contains control characters').nullable(),
  /**
   * Present when the timeline was shortened to fit the link: [segments per entry (2 or more),
   * segments of the analysis]. Each entry then averages that many segments.
   */
  coarse: z.tuple([z.number().int().min(2).max(LIMITS.coarseSegments), z.number().int().min(2).max(LIMITS.coarseSegments)]).optional(),
}).superRefine((w, ctx) => {
  // Messages here are whole clauses for a person (path [] so no field path is put before them).
  const say = (message: string) => ctx.addIssue({ code: 'custom', path: [], message });
  if (w.coarse && Math.ceil(w.coarse[1] / w.coarse[0]) !== w.segments.length) {
    say(`its shortened timeline should have ${Math.ceil(w.coarse[1] / w.coarse[0]).toLocaleString('en')} cells but has ${w.segments.length.toLocaleString('en')}`);
  }
  const m = w.labels.length;
  const sized = (what: string, v: number[] | null) => {
    if (v !== null && v.length !== m) say(`there ${v.length === 1 ? 'is' : 'are'} ${v.length} ${what} for ${m} emotions`);
  };
  if (new Set(w.labels).size !== m) say('its list of emotions names the same emotion twice');
  sized('overall scores', w.fused);
  sized('voice scores', w.modalities.audio);
  sized('face scores', w.modalities.visual);
  sized('words scores', w.modalities.text);
  if (Object.keys(w.timings_ms).length > LIMITS.timings) say(`it lists more than ${LIMITS.timings} timings`);
  let previousEnd = 0;
  w.segments.forEach(([start, end, audio, visual, face, box], i) => {
    const which = `segment ${i + 1} of the timeline`;
    if (end <= start) say(`${which} ends before it starts`);
    if (start < previousEnd) say(`${which} overlaps the segment before it`);
    previousEnd = end;
    sized(`voice scores in ${which}`, audio);
    sized(`face scores in ${which}`, visual);
    if (face === 0 && box !== null) say(`${which} has a face box but no face`);
  });
});

export type WireResult = z.infer<typeof wireSchema>;
