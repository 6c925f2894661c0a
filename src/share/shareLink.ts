// Shareable result links: the result object (never the media; the transcript only when the user
// asks) in the URL fragment, so it never reaches any server. Format: `#r=v1.<base64url(deflate-raw(JSON))>`.
// Decoding is for untrusted input: size-capped before and after decompression (a decompression
// bomb is stopped mid-stream), strictly schema-checked, plain data out, and it never throws —
// every failure is `{ ok: false, error }` with a message that says what is wrong and what to do.
import { deflateSync, Inflate } from 'fflate';
import type { z } from 'zod';
import type { AnalysisResult, SegmentResult } from '../pipeline/result';
import { base64urlDecode, base64urlEncode, isBase64url } from './base64url';
import { inconsistency, SEGMENT_MS } from './consistency';
import { FORBIDDEN_KEYS, LIMITS, PROBABILITY_SCALE, type WireResult, wireSchema } from './schema';
import type { Coarse } from '../pipeline/decisions';

/**
 * A result as opened from a link: the analysis result plus the transcript if the sender included
 * it, and `coarse` when the link carries a shortened timeline (each entry averages `per` segments
 * of the `segments` the analysis had; the clip-level numbers are exact).
 */
export type SharedResult = AnalysisResult & { transcript: string | null; coarse?: Coarse };

/** How a link's timeline was shortened to fit: entries of `per` segments, of `segments` in all. */
export type { Coarse };

export type DecodeResult = { ok: true; result: SharedResult } | { ok: false; error: string };

export interface EncodeOptions {
  /** The "include the transcript" box; off by default in the UI. */
  includeTranscript: boolean;
  transcript?: string;
}

export const SHARE_VERSION = 'v1';
/** The fragment parameter that carries the result: `#r=v1.…`. */
export const SHARE_PARAM = 'r';

/** The result cannot be turned into a link (too large, or not a valid result). */
export class ShareLinkError extends Error {
  override name = 'ShareLinkError';
}

const ASK_AGAIN = 'Ask the sender to copy the whole link again.';
const ASK_NEW = 'Ask the sender for a new link.';
export const SHARE_ERRORS = Object.freeze({
  empty: 'This link does not contain a shared result (no “#r=” part). Open the app’s own links, or drop a video to analyse.',
  notOurs: `This is not a result link from this app (it should start with “#r=${SHARE_VERSION}.”). ${ASK_AGAIN}`,
  newer: (v: string) => `This link was made by a different version of the app (${v}); this version opens ${SHARE_VERSION} links. ${ASK_NEW}`,
  tooLong: (kb: number) => `This link is too long to open (${kb} KB; the limit is ${LIMITS.linkChars / 1024} KB). Ask the sender to export the result as JSON instead.`,
  badChars: `This link is damaged: it contains characters a result link never has. ${ASK_AGAIN}`,
  truncated: `This link is damaged or cut short: its data cannot be decompressed. ${ASK_AGAIN}`,
  bomb: `This link unpacks to more than ${LIMITS.inflatedBytes / 1024 / 1024} MB, far more than any result needs, so it was refused. ${ASK_NEW}`,
  notJson: `This link is damaged: its contents are not readable. ${ASK_AGAIN}`,
  forbiddenKey: `This link was tampered with: it contains a field name (“__proto__”, “constructor” or “prototype”) no result has. It was not opened. ${ASK_NEW}`,
  invalid: (detail: string) => `This link does not hold a valid result: ${detail}. It may have been edited by hand or made by an incompatible version. ${ASK_NEW}`,
  inconsistent: (detail: string) => `This link’s numbers contradict each other: ${detail}. A result made by this app never does, so the link was not opened (it may have been edited by hand). ${ASK_NEW}`,
  unexpected: `This link could not be opened. ${ASK_NEW}`,
});

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
const toProb = (p: number) => Math.round(Math.min(1, Math.max(0, p)) * PROBABILITY_SCALE);
const toProbs = (v: readonly number[] | null) => (v === null ? null : v.map(toProb));
const fromProbs = (v: readonly number[] | null) => (v === null ? null : v.map((p) => p / PROBABILITY_SCALE));
const toMs = (s: number) => Math.round(s * 1000);

/**
 * The timeline averaged over groups of `per` segments (the last group may be shorter): each entry
 * spans its group, its voice and face decisions are the means over the segments that had them
 * (null when none did), and boxes are dropped (an average of boxes from different frames is no box).
 */
export function coarsenSegments(segments: readonly SegmentResult[], per: number): SegmentResult[] {
  const mean = (rows: (number[] | null)[]) => {
    const present = rows.filter((r): r is number[] => r !== null);
    if (!present.length) return null;
    return (present[0] ?? []).map((_, k) => present.reduce((a, r) => a + (r[k] ?? 0), 0) / present.length);
  };
  const out: SegmentResult[] = [];
  for (let i = 0; i < segments.length; i += per) {
    const group = segments.slice(i, i + per);
    const visual = mean(group.map((g) => g.visual));
    out.push({
      start: group[0]?.start ?? 0,
      end: group[group.length - 1]?.end ?? 0,
      audio: mean(group.map((g) => g.audio)),
      visual,
      face: group.some((g) => g.face),
      face_box: null,
    });
  }
  return out;
}

/** How a result is written into a link: probabilities to 1e-4, times to 1 ms, boxes to 0.01 px. */
function toWire(result: AnalysisResult, transcript: string | null, per = 1): WireResult {
  const segments = per > 1 ? coarsenSegments(result.segments, per) : result.segments;
  return {
    file: result.file,
    labels: [...result.labels],
    fused: result.fused.map(toProb),
    modalities: {
      audio: toProbs(result.modalities.audio),
      visual: toProbs(result.modalities.visual),
      text: toProbs(result.modalities.text),
    },
    attention: [toProb(result.attention.audio), toProb(result.attention.visual), toProb(result.attention.text)],
    ...(Math.abs(result.segment_seconds - SEGMENT_MS / 1000) > 1e-9 ? { segment_ms: Math.round(result.segment_seconds * 1000) } : {}),
    ...(result.modality_basis !== 'unknown' ? { basis: result.modality_basis } : {}),
    segments: segments.map((s) => [
      toMs(s.start), toMs(s.end), toProbs(s.audio), toProbs(s.visual), s.face ? 1 : 0,
      s.face_box ? [round(s.face_box[0], 2), round(s.face_box[1], 2), round(s.face_box[2], 2), round(s.face_box[3], 2)] : null,
    ]),
    backend: result.backend,
    timings_ms: Object.fromEntries(Object.entries(result.timings_ms).map(([k, v]) => [k, Math.max(0, Math.round(v))])),
    transcript,
    ...(per > 1 ? { coarse: [per, result.segments.length] as [number, number] } : {}),
  };
}

function fromWire(w: WireResult): SharedResult {
  return {
    file: w.file,
    labels: [...w.labels],
    segment_seconds: (w.segment_ms ?? SEGMENT_MS) / 1000,
    fused: fromProbs(w.fused) ?? [],
    modalities: { audio: fromProbs(w.modalities.audio), visual: fromProbs(w.modalities.visual), text: fromProbs(w.modalities.text) },
    modality_basis: w.basis ?? 'unknown',
    attention: {
      audio: w.attention[0] / PROBABILITY_SCALE,
      visual: w.attention[1] / PROBABILITY_SCALE,
      text: w.attention[2] / PROBABILITY_SCALE,
    },
    segments: w.segments.map(([start, end, audio, visual, face, box]) => ({
      start: start / 1000,
      end: end / 1000,
      audio: fromProbs(audio),
      visual: fromProbs(visual),
      face: face === 1,
      face_box: box ? [box[0], box[1], box[2], box[3]] : null,
    })),
    backend: w.backend,
    // Plain object built key by key from validated names (FORBIDDEN_KEYS never get this far).
    timings_ms: Object.fromEntries(Object.entries(w.timings_ms)),
    transcript: w.transcript,
    ...(w.coarse ? { coarse: { per: w.coarse[0], segments: w.coarse[1] } } : {}),
  };
}

const MODALITY_WORDS = Object.freeze({ audio: 'voice', visual: 'face', text: 'words' } as Record<string, string>);
const SEGMENT_PARTS = Object.freeze(['start', 'end', 'voice scores', 'face scores', 'face flag', 'face box']);

/**
 * What a path of the wire format is called in a sentence, and whether that name is plural. Only
 * numbers and known names are used: a key is link content and is never echoed.
 */
function fieldName(path: readonly PropertyKey[]): [string, boolean] {
  const [head, a, b] = path;
  const n = (x: unknown) => (typeof x === 'number' ? x + 1 : null);
  switch (head) {
    case undefined: return ['the result', false];
    case 'file': return ['the file name', false];
    case 'labels': return n(a) ? [`emotion name ${n(a)}`, false] : ['the list of emotions', false];
    case 'fused': return n(a) ? [`overall score ${n(a)}`, false] : ['the overall scores', true];
    case 'modalities': {
      const word = typeof a === 'string' ? MODALITY_WORDS[a] : undefined;
      if (!word) return ['the modalities', true];
      return n(b) ? [`${word} score ${n(b)}`, false] : [`the ${word} scores`, true];
    }
    case 'attention': {
      const word = typeof a === 'number' ? Object.values(MODALITY_WORDS)[a] : undefined;
      return word ? [`the ${word} weight`, false] : ['the modality weights', true];
    }
    case 'segments': {
      if (!n(a)) return ['the timeline', false];
      const part = typeof b === 'number' ? SEGMENT_PARTS[b] : undefined;
      return part ? [`the ${part} of segment ${n(a)} of the timeline`, part.endsWith('scores')] : [`segment ${n(a)} of the timeline`, false];
    }
    case 'backend': return ['the backend name', false];
    case 'timings_ms': return a === undefined ? ['the timings', true] : ['a timing', false];
    case 'transcript': return ['the transcript', false];
    case 'coarse': return ['the note on the shortened timeline', false];
    default: return ['a part of the result', false];
  }
}

/** What is wrong, for a singular and a plural subject. */
const REASONS: Readonly<Record<string, [string, string]>> = Object.freeze({
  invalid_type: ['is missing or has the wrong kind of value', 'are missing or have the wrong kind of value'],
  too_big: ['is too large or too long', 'are too large or too long'],
  too_small: ['is too small or too short', 'are too small or too short'],
  invalid_value: ['has a value that is not allowed', 'have a value that is not allowed'],
  invalid_union: ['has a value that is not allowed', 'have a value that is not allowed'],
  unrecognized_keys: ['has fields a result does not have', 'have fields a result does not have'],
  invalid_key: ['has a field name that is not allowed', 'have a field name that is not allowed'],
  invalid_element: ['has an entry that is not allowed', 'have an entry that is not allowed'],
  not_multiple_of: ['is not a whole number', 'are not whole numbers'],
});

/**
 * The first schema problems as plain clauses joined with "and" ("the overall scores are too large
 * or too long"), never field paths, never link content.
 */
function describeIssues(error: z.ZodError): string {
  const clauses = error.issues.slice(0, 2).map((issue) => {
    const [name, plural] = fieldName(issue.path);
    if (issue.code === 'custom' && issue.path.length === 0) return issue.message.replace(/[<>&"]/g, '');
    const reason = issue.code === 'custom' || issue.code === 'invalid_format'
      ? issue.message.replace(/[<>&"]/g, '')
      : (REASONS[issue.code] ?? ['is not valid', 'are not valid'])[plural ? 1 : 0];
    return `${name} ${reason}`;
  });
  return [...new Set(clauses)].join(', and ');
}

/**
 * Fewest timeline entries a shortened link keeps: below this a timeline says little, and a link
 * that needs fewer is refused (the transcript is then what does not fit).
 */
export const MIN_COARSE_ENTRIES = 200;

/** The fragment for `result` with its timeline in groups of `per` segments, or why it does not fit. */
function encodeWith(result: AnalysisResult, transcript: string | null, per: number): { fragment: string } | { tooBig: number } {
  const wire = toWire(result, transcript, per);
  const checked = wireSchema.safeParse(wire);
  if (!checked.success) {
    if (wire.segments.length > LIMITS.segments) return { tooBig: Infinity };
    throw new ShareLinkError(`This result cannot be shared as a link: ${describeIssues(checked.error)}.`);
  }
  const contradiction = inconsistency(checked.data);
  if (contradiction) throw new ShareLinkError(`This result cannot be shared as a link: ${contradiction}.`);
  const json = new TextEncoder().encode(JSON.stringify(checked.data));
  if (json.length > LIMITS.inflatedBytes) return { tooBig: Infinity };
  const payload = `${SHARE_VERSION}.${base64urlEncode(deflateSync(json, { level: 9 }))}`;
  if (payload.length > LIMITS.linkChars) return { tooBig: payload.length };
  return { fragment: `#${SHARE_PARAM}=${payload}` };
}

/**
 * The URL fragment for `result`, e.g. `#r=v1.…` (append it to the app's URL). Media is never
 * included; the transcript only when `includeTranscript` is set. A result whose timeline is too
 * long for a link (an hour is 3,750 segments, about 270 KB) gets a shortened one: its segments
 * averaged in groups, as few groups as fit, the clip-level result exact; the link says so
 * (`coarse`, shown by the shared view and by `describeShareLink`). Throws `ShareLinkError` (with
 * a message for the user) when even that does not fit or the result is not a valid result.
 */
export function encodeShareLink(result: AnalysisResult, options: EncodeOptions): string {
  const transcript = options.includeTranscript ? (options.transcript ?? '').trim() || null : null;
  const total = result.segments.length;
  let per = 1;
  let last = encodeWith(result, transcript, per);
  while (!('fragment' in last)) {
    // Next group size: enough for the entry limit, and about enough for the size that was over.
    const bySize = Number.isFinite(last.tooBig) ? Math.ceil(per * (last.tooBig / (LIMITS.linkChars * 0.95))) : per * 2;
    const next = Math.max(per + 1, Math.ceil(total / LIMITS.segments), bySize);
    if (Math.ceil(total / next) < MIN_COARSE_ENTRIES || total < 2 * MIN_COARSE_ENTRIES) {
      const kb = Number.isFinite(last.tooBig) ? ` (${Math.ceil(last.tooBig / 1024)} KB; the limit is ${LIMITS.linkChars / 1024} KB)` : '';
      throw new ShareLinkError(
        `This result is too large to share as a link${kb}${transcript ? '. Try again without the transcript, or' : '.'} Export it as JSON instead.`,
      );
    }
    per = next;
    last = encodeWith(result, transcript, per);
  }
  return last.fragment;
}

/**
 * A sentence saying what a link leaves out, for the person sharing it (null when it holds the
 * whole result). Decodes the link: call it once per link made, not per render.
 */
export function describeShareLink(fragment: string): string | null {
  const decoded = decodeShareLink(fragment);
  if (!decoded.ok || !decoded.result.coarse) return null;
  const { per, segments } = decoded.result.coarse;
  const seconds = per * decoded.result.segment_seconds;
  return `This clip is too long for a link to hold all ${segments.toLocaleString('en')} segments: the link has the whole clip's result `
    + `and a shortened timeline (each cell the average of ${per} segments, ${seconds.toFixed(2)} s). Export JSON or CSV for every segment.`;
}

class InflateLimitExceeded extends Error {}

/** Raw inflate, fed in small chunks so that no single step can outgrow the limit by much. */
function inflateCapped(data: Uint8Array, limit: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const inflater = new Inflate((chunk) => {
    total += chunk.length;
    if (total > limit) throw new InflateLimitExceeded();
    chunks.push(chunk);
  });
  const step = 4096; // deflate expands at most ~1032:1, so one step yields at most ~4 MB
  if (data.length === 0) inflater.push(data, true);
  for (let i = 0; i < data.length; i += step) inflater.push(data.subarray(i, i + step), i + step >= data.length);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) { out.set(c, offset); offset += c.length; }
  return out;
}

/** The `v1.…` payload of a fragment, a full URL, or the payload itself; null when there is none. */
function payloadOf(input: string): string | null {
  const hash = input.indexOf('#');
  const fragment = hash >= 0 ? input.slice(hash + 1) : input;
  for (const part of fragment.split('&')) {
    if (part.startsWith(`${SHARE_PARAM}=`)) return part.slice(SHARE_PARAM.length + 1);
  }
  return /^v\d+\./.test(fragment) ? fragment : null;
}

function decode(input: string): DecodeResult {
  if (typeof input !== 'string') return { ok: false, error: SHARE_ERRORS.empty };
  // Cheap length check before anything else touches the string.
  if (input.length > LIMITS.linkChars + 4096) return { ok: false, error: SHARE_ERRORS.tooLong(Math.ceil(input.length / 1024)) };
  const payload = payloadOf(input.trim());
  if (payload === null || payload === '') return { ok: false, error: SHARE_ERRORS.empty };
  if (payload.length > LIMITS.linkChars) return { ok: false, error: SHARE_ERRORS.tooLong(Math.ceil(payload.length / 1024)) };
  const dot = payload.indexOf('.');
  const version = dot > 0 ? payload.slice(0, dot) : '';
  if (!/^v\d{1,4}$/.test(version)) return { ok: false, error: SHARE_ERRORS.notOurs };
  if (version !== SHARE_VERSION) return { ok: false, error: SHARE_ERRORS.newer(version) };
  const body = payload.slice(dot + 1);
  if (!isBase64url(body)) return { ok: false, error: SHARE_ERRORS.badChars };
  const compressed = base64urlDecode(body);
  if (!compressed) return { ok: false, error: SHARE_ERRORS.truncated };

  let inflated: Uint8Array;
  try {
    inflated = inflateCapped(compressed, LIMITS.inflatedBytes);
  } catch (e) {
    return { ok: false, error: e instanceof InflateLimitExceeded ? SHARE_ERRORS.bomb : SHARE_ERRORS.truncated };
  }
  let parsed: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(inflated);
    parsed = JSON.parse(text, (key, value: unknown) => {
      if ((FORBIDDEN_KEYS as readonly string[]).includes(key)) throw new ForbiddenKey();
      return value;
    });
  } catch (e) {
    return { ok: false, error: e instanceof ForbiddenKey ? SHARE_ERRORS.forbiddenKey : SHARE_ERRORS.notJson };
  }
  const checked = wireSchema.safeParse(parsed);
  if (!checked.success) return { ok: false, error: SHARE_ERRORS.invalid(describeIssues(checked.error)) };
  const contradiction = inconsistency(checked.data);
  if (contradiction) return { ok: false, error: SHARE_ERRORS.inconsistent(contradiction) };
  return { ok: true, result: fromWire(checked.data) };
}

class ForbiddenKey extends Error {}

/**
 * Opens a share link: `fragment` may be `location.hash` (`#r=v1.…`), a whole URL, or the
 * `v1.…` payload. Never throws; on any problem returns `{ ok: false, error }` with a plain-text
 * message for the user. The result is plain data (no HTML): render its strings as text.
 */
export function decodeShareLink(fragment: string): DecodeResult {
  try {
    return decode(fragment);
  } catch {
    return { ok: false, error: SHARE_ERRORS.unexpected };
  }
}

/** True when a URL fragment carries a share link (so the app opens it read-only on load). */
export function hasShareLink(fragment: string): boolean {
  return typeof fragment === 'string' && payloadOf(fragment) !== null;
}
