// The result as a PNG picture: the fused probability chart, the fusion weights α, each modality's
// own decision and the per-segment timeline (with the face crops when they are at hand — the
// picture is saved on the user's own machine). Drawn on a canvas from the data rather than by
// photographing the page: the picture is the same whatever the window size or theme, needs no
// DOM-to-image library (which would fight the strict CSP), and every number in it is text.
import { MODALITIES, type AnalysisResult, type Modality } from '../pipeline/result';
import { colourFor, formatClock, percent } from '../format';
import { readingOf, type TranscriptKind } from './reading';
import { argmax, cellSpan, overviewBins, segmentDecision } from '../pipeline/decisions';
import { secondsLabel } from '../timebase';

/** Light, print-friendly colours (the page's light theme). */
const INK = Object.freeze({
  background: '#ffffff', text: '#1a1d23', muted: '#5c6370', track: '#e3eaff', bar: '#2f5bd3', barTop: '#c2410c',
  audio: '#2f5bd3', visual: '#0f8a6c', text_: '#a24bc9', missing: '#c9ced6', rule: '#d9dde3',
});
const MODALITY_INK: Readonly<Record<Modality, string>> = Object.freeze({ audio: INK.audio, visual: INK.visual, text: INK.text_ });
const MODALITY_NAMES: Readonly<Record<Modality, string>> = Object.freeze({ audio: 'Voice (audio)', visual: 'Face (visual)', text: 'Words (text)' });

export const CHART_WIDTH = 960;
const PAD = 32;
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

const loadImage = (src: string) => new Promise<HTMLImageElement | null>((resolve) => {
  const img = new Image();
  img.onload = () => resolve(img);
  img.onerror = () => resolve(null);
  img.src = src;
});

/** Tick times (seconds) for a timeline of `end` seconds: at most about 10, at round steps up to an hour. */
export function axisTicks(end: number): number[] {
  const step = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600].find((s) => end / s <= 10) ?? 7200;
  const ticks: number[] = [];
  for (let t = 0; t <= end + 1e-6; t += step) ticks.push(t);
  return ticks;
}

/** Draws the whole picture and returns how tall it came out (logical pixels). */
/**
 * The picture's opening lines, in words: the headline (uncertain when it is; src/pipeline/verdict.ts),
 * the file and its segments, that each emotion is scored on its own, the transcript used if known,
 * and how far to trust it when known (src/pipeline/reliability.ts).
 */
export function headerLines(result: AnalysisResult, transcript: TranscriptKind | null = null, trust: string | null = null): { headline: string; details: string[] } {
  const reading = readingOf(result, transcript, null, trust);
  const span = cellSpan(result);
  const details = [
    `${result.file || 'file name not shared'} · ${span.segments.toLocaleString('en')} segment${span.segments === 1 ? '' : 's'} of ${secondsLabel(result.segment_seconds)}`
      + (reading.transcript ? ` · transcript used: ${reading.transcript}` : ''),
    reading.scores,
    ...(reading.trust ? [reading.trust] : []),
  ];
  return { headline: reading.headline, details };
}

/** ``s`` cut at spaces into lines no wider than ``width`` in the context's current font. */
function wrapped(ctx: CanvasRenderingContext2D, s: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of s.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (line && ctx.measureText(next).width > width) {
      lines.push(line);
      line = word;
    } else {
      line = next;
    }
  }
  return line ? [...lines, line] : lines;
}

function draw(ctx: CanvasRenderingContext2D, result: AnalysisResult, crops: (HTMLImageElement | null)[] | null, transcript: TranscriptKind | null,
  trust: string | null): number {
  const W = CHART_WIDTH;
  const inner = W - 2 * PAD;
  let y = PAD;
  const text = (s: string, x: number, yy: number, size = 15, colour: string = INK.text, weight = 400, align: CanvasTextAlign = 'left') => {
    ctx.font = `${weight} ${size}px ${FONT}`;
    ctx.fillStyle = colour;
    ctx.textAlign = align;
    ctx.textBaseline = 'middle';
    ctx.fillText(s, x, yy);
  };
  const heading = (s: string) => {
    y += 14;
    ctx.fillStyle = INK.rule;
    ctx.fillRect(PAD, y, inner, 1);
    y += 22;
    text(s, PAD, y, 17, INK.text, 600);
    y += 26;
  };

  const top = argmax(result.fused);
  text('How the speaker feels', PAD, y + 10, 24, INK.text, 700);
  y += 40;
  const header = headerLines(result, transcript, trust);
  const span = cellSpan(result);
  text(header.headline, PAD, y, 17, INK.text, 600);
  ctx.font = `400 14px ${FONT}`;
  for (const line of header.details.flatMap((d) => wrapped(ctx, d, inner))) {
    y += 22;
    text(line, PAD, y, 14, INK.muted);
  }
  y += 12;

  heading('Emotions (fused decision; multi-label, each 0-100 %)');
  const labelW = 130;
  const valueW = 70;
  const trackW = inner - labelW - valueW - 16;
  result.labels.forEach((label, i) => {
    const v = Math.min(1, Math.max(0, result.fused[i] ?? 0));
    const cy = y + 11;
    text(label, PAD, cy, 15, INK.text, i === top ? 700 : 400);
    ctx.fillStyle = INK.track;
    ctx.fillRect(PAD + labelW, cy - 7, trackW, 14);
    ctx.fillStyle = i === top ? INK.barTop : INK.bar;
    ctx.fillRect(PAD + labelW, cy - 7, trackW * v, 14);
    text(percent(v), W - PAD, cy, 15, INK.text, 400, 'right');
    y += 26;
  });

  heading('What the decision rested on: fusion weights α');
  let x = PAD;
  const alphaSum = MODALITIES.reduce((a, m) => a + result.attention[m], 0) || 1;
  ctx.fillStyle = INK.track;
  ctx.fillRect(PAD, y, inner, 16);
  for (const m of MODALITIES) {
    const w = (inner * result.attention[m]) / alphaSum;
    ctx.fillStyle = MODALITY_INK[m];
    ctx.fillRect(x, y, w, 16);
    x += w;
  }
  y += 30;
  for (const m of MODALITIES) {
    const decision = result.modalities[m];
    ctx.fillStyle = MODALITY_INK[m];
    ctx.fillRect(PAD, y - 6, 12, 12);
    text(`${MODALITY_NAMES[m]}: α = ${result.attention[m].toFixed(3)}`, PAD + 20, y, 15);
    const own = decision
      ? `own decision${m === 'text' ? '' : ' (without the words)'}: ${result.labels[argmax(decision)] ?? ''} ${percent(decision[argmax(decision)] ?? 0)}`
      : 'not available — left out of the fusion';
    text(own, PAD + 300, y, 15, decision ? INK.text : INK.muted);
    y += 24;
  }

  // One column per segment while they are at least 2 px wide; a longer clip (an hour is 3,750
  // segments on 896 px) is drawn as columns that each average a few segments (timeline.ts
  // overviewBins), so every column is a real decision rather than sub-pixel slivers.
  const n = result.segments.length;
  const columns = n * 2 <= inner ? null : overviewBins(result, Math.floor(inner / 2));
  heading(columns
    ? `Timeline: ${columns.length} columns of ${columns[0]?.count ?? 1} segments (${((columns[0]?.count ?? 1) * span.seconds).toFixed(2)} s), mean of voice and face (weighted by α)`
    : `Timeline: ${span.seconds.toFixed(2)} s cells, top emotion of voice and face (weighted by α)`);
  const count = columns ? columns.length : n;
  const cellW = inner / Math.max(1, count);
  const gap = cellW >= 6 ? 2 : 0;
  const cropH = !columns && crops && cellW >= 16 ? Math.min(64, cellW - gap) : 0;
  for (let i = 0; i < count; i++) {
    const cx = PAD + i * cellW;
    const w = Math.max(0.5, cellW - gap);
    const image = crops?.[i];
    if (cropH) {
      if (image) {
        ctx.imageSmoothingEnabled = false;
        ctx.drawImage(image, cx + (w - cropH) / 2, y, cropH, cropH);
      } else {
        ctx.strokeStyle = INK.missing;
        ctx.setLineDash([3, 3]);
        ctx.strokeRect(cx + (w - cropH) / 2 + 0.5, y + 0.5, cropH - 1, cropH - 1);
        ctx.setLineDash([]);
      }
    }
    const column = columns?.[i];
    const segment = result.segments[i];
    const top = column ? column.top : segment ? segmentDecision(result, segment).top : -1;
    const voice = column ? column.voice >= 0.5 : Boolean(segment?.audio);
    const face = column ? column.face >= 0.5 : Boolean(segment?.face);
    const cellY = y + (cropH ? cropH + 6 : 0);
    ctx.fillStyle = top < 0 ? INK.missing : colourFor(result.labels, top);
    ctx.fillRect(cx, cellY, w, 26);
    // Voice and face marks: filled when present (in most of a column's segments), pale when missing.
    ctx.fillStyle = voice ? INK.audio : INK.missing;
    ctx.fillRect(cx, cellY + 30, w, 4);
    ctx.fillStyle = face ? INK.visual : INK.missing;
    ctx.fillRect(cx, cellY + 37, w, 4);
  }
  y += (cropH ? cropH + 6 : 0) + 44;
  const end = result.segments[n - 1]?.end ?? 0;
  for (const t of axisTicks(end)) {
    const tx = PAD + (inner * t) / Math.max(end, 1e-6);
    ctx.fillStyle = INK.muted;
    ctx.fillRect(tx, y, 1, 6);
    text(end >= 120 ? formatClock(t) : `${t} s`, Math.min(tx, W - PAD - 12), y + 16, 12, INK.muted, 400, t === 0 ? 'left' : 'center');
  }
  y += 36;
  x = PAD;
  const legend = [
    ...result.labels.map((l, i) => [colourFor(result.labels, i), l] as const),
    [INK.missing, 'no voice and no face'] as const,
    [INK.audio, 'upper line: voice heard'] as const,
    [INK.visual, 'lower line: face found (pale: missing)'] as const,
  ];
  ctx.font = `400 13px ${FONT}`;
  for (const [colour, label] of legend) {
    const w = 20 + ctx.measureText(label).width + 18;
    if (x + w > W - PAD) {
      x = PAD;
      y += 22;
    }
    ctx.fillStyle = colour;
    ctx.fillRect(x, y - 6, 12, 12);
    text(label, x + 18, y, 13, INK.text);
    x += w;
  }
  y += 30;
  text(`MER-SEM-MBT, analysed in the browser (${result.backend}); nothing was uploaded.`, PAD, y, 12, INK.muted);
  return y + PAD / 2;
}

/** The picture as a PNG blob, at twice the logical size for sharp text. */
export async function resultPng(result: AnalysisResult, cropUrls: readonly (string | null)[] | null, transcript: TranscriptKind | null = null,
  trust: string | null = null): Promise<Blob> {
  // Crops are drawn only when each segment has a column at least 16 px wide (about 56 segments):
  // a long clip's thousands of crops are not even loaded.
  const drawsCrops = cropUrls !== null && (CHART_WIDTH - 2 * PAD) / Math.max(1, result.segments.length) >= 16;
  const crops = cropUrls && drawsCrops ? await Promise.all(cropUrls.map((u) => (u ? loadImage(u) : Promise.resolve(null)))) : null;
  const scale = 2;
  const work = document.createElement('canvas');
  work.width = CHART_WIDTH * scale;
  work.height = 4000 * scale;
  const ctx = work.getContext('2d');
  if (!ctx) throw new Error('This browser cannot draw the chart (no 2D canvas).');
  ctx.scale(scale, scale);
  ctx.fillStyle = INK.background;
  ctx.fillRect(0, 0, CHART_WIDTH, 4000);
  const height = Math.ceil(draw(ctx, result, crops, transcript, trust));
  const out = document.createElement('canvas');
  out.width = CHART_WIDTH * scale;
  out.height = height * scale;
  out.getContext('2d')?.drawImage(work, 0, 0);
  return new Promise((resolve, reject) => out.toBlob((b) => (b ? resolve(b) : reject(new Error('The chart could not be encoded as PNG.'))), 'image/png'));
}
