import { describe, expect, it } from 'vitest';
import type { Cue } from '../features/text/subtitles';
import type { TextResult } from '../protocol';
import { WINDOW_SEGMENTS } from '../decode/windows';
import { windowOfSegment, windowSpan, windowText, WindowTexts } from './windowTexts';

const SEG = 0.96;
const W = WINDOW_SEGMENTS * SEG; // 30.72 s
const cue = (start: number, end: number, text: string): Cue => ({ start, end, text });
const never = new AbortController().signal;

/** A stand-in encoder: a class token from the text's length; pieces over 8 words are "cut". */
function encoder() {
  const calls: string[] = [];
  const encode = async (text: string): Promise<TextResult> => {
    calls.push(text);
    const words = text.split(' ').length;
    return { cls: Float32Array.from([text.length]), tokens: Math.min(words, 8) + 2, cut: Math.max(0, words - 8) };
  };
  return { calls, encode };
}

describe('windowText: cues to windows', () => {
  const cues = [
    cue(1, 3, 'I am so happy'),
    cue(29.5, 31.5, 'across the boundary'),
    cue(33, 35, 'now I am furious'),
    cue(W * 2 - 1, W * 2, 'ends on the boundary'),
  ];
  it('gives each window the cues overlapping it; a cue spanning two windows goes to both', () => {
    expect(windowText(cues, 0, WINDOW_SEGMENTS, SEG)).toBe('I am so happy across the boundary');
    expect(windowText(cues, WINDOW_SEGMENTS, WINDOW_SEGMENTS, SEG)).toBe('across the boundary now I am furious ends on the boundary');
  });
  it('a cue ending exactly where a window starts belongs to the window before only', () => {
    expect(windowText(cues, 2 * WINDOW_SEGMENTS, 5, SEG)).toBe('');
  });
  it('a short last window covers only its own segments', () => {
    expect(windowSpan(64, 3, SEG)).toEqual({ start: 61.44, end: 64.32 });
    expect(windowText([cue(64.5, 66, 'after the end')], 64, 1, SEG)).toBe('');
  });
  it('finds the window of a segment', () => {
    const windows = [{ first: 0, count: 32 }, { first: 32, count: 10 }].map((w) => ({ ...w, start: 0, end: 0, text: '', tokens: 0, cut: 0 }));
    expect(windowOfSegment(windows, 31)?.first).toBe(0);
    expect(windowOfSegment(windows, 32)?.first).toBe(32);
    expect(windowOfSegment(windows, 42)).toBe(null);
  });
});

describe('WindowTexts', () => {
  it('encodes identical texts once, masks windows without words, and reports cut pieces per window', async () => {
    const { calls, encode } = encoder();
    const long = 'one two three four five six seven eight nine ten';
    const texts = new WindowTexts([cue(0, 5, 'hello there'), cue(2 * W + 1, 2 * W + 2, 'hello there'), cue(3 * W + 1, 3 * W + 3, long)], SEG, encode);
    const a = await texts.classToken(0, 32, never);
    const b = await texts.classToken(32, 32, never); // nobody speaks
    const c = await texts.classToken(64, 32, never);
    const d = await texts.classToken(96, 20, never);
    expect(Array.from(a!)).toEqual([11]);
    expect(b).toBe(null);
    expect(c).toBe(a); // the same text: the cached token, encoded once
    expect(Array.from(d!)).toEqual([long.length]);
    expect(calls).toEqual(['hello there', long]);
    expect(texts.distinct).toBe(2);
    expect(texts.windows.map((w) => [w.first, w.count, w.text, w.tokens, w.cut])).toEqual([
      [0, 32, 'hello there', 4, 0],
      [32, 32, '', 0, 0],
      [64, 32, 'hello there', 4, 0],
      [96, 20, long, 10, 2],
    ]);
    expect(texts.windows[3]).toMatchObject({ start: 92.16, end: 111.36 });
  });
  it('a failed encoding is not cached', async () => {
    let fail = true;
    const texts = new WindowTexts([cue(0, 1, 'hi')], SEG, async () => {
      if (fail) { fail = false; throw new Error('worker crashed'); }
      return { cls: Float32Array.from([1]), tokens: 3 };
    });
    await expect(texts.classToken(0, 32, never)).rejects.toThrow('worker crashed');
    await new Promise((r) => setTimeout(r, 0));
    expect(Array.from((await texts.classToken(0, 32, never))!)).toEqual([1]);
  });
});
