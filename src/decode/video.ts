// Video probing and frame grabbing through a <video> element: metadata (duration, size) and
// frames at given times via seeking + a canvas. Object URLs are in memory, so seeking
// needs no HTTP Range support; served files (samples) rely on the server answering Range requests.

import type { RgbaFrame } from '../protocol';

/** The browser could not seek or read the frames of a video it could open. */
export class FrameReadError extends Error {
  override name = 'FrameReadError';
}

export interface VideoInfo { seconds: number; width: number; height: number; hasVideo: boolean }

function once(el: HTMLMediaElement, ok: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { cleanup(); reject(new Error(`The video did not respond (${ok} timed out).`)); }, timeoutMs);
    const onOk = () => { cleanup(); resolve(); };
    const onErr = () => { cleanup(); reject(new Error(el.error?.message || 'The browser cannot decode this video.')); };
    const cleanup = () => { clearTimeout(timer); el.removeEventListener(ok, onOk); el.removeEventListener('error', onErr); };
    el.addEventListener(ok, onOk);
    el.addEventListener('error', onErr);
  });
}

function makeVideo(url: string): HTMLVideoElement {
  const video = document.createElement('video');
  video.muted = true;
  video.preload = 'auto';
  video.playsInline = true;
  video.src = url;
  return video;
}

/** Duration and frame size; null when the browser cannot read the file as media at all. */
export async function probeVideo(file: Blob): Promise<VideoInfo | null> {
  const url = URL.createObjectURL(file);
  const video = makeVideo(url);
  try {
    await once(video, 'loadedmetadata', 15000);
    const seconds = Number.isFinite(video.duration) ? video.duration : 0;
    return { seconds, width: video.videoWidth, height: video.videoHeight, hasVideo: video.videoWidth > 0 };
  } catch {
    return null;
  } finally {
    video.removeAttribute('src');
    video.load();
    URL.revokeObjectURL(url);
  }
}

/** Frames larger than this (longest side) are scaled down: the detector sees at most 192 px per view. */
export const MAX_FRAME_SIDE = 1920;
/** How long one seek may take before its frame counts as unreadable. */
export const SEEK_TIMEOUT_MS = 5000;
/** The seek timeout is at least this many times the slowest successful step on the same file... */
export const SLOW_FACTOR = 10;
/** ...and at most this long. */
export const MAX_SEEK_TIMEOUT_MS = 60_000;
/** Timed-out seeks in a row after which the remaining frames are given up. */
export const MAX_FAILED_SEEKS = 2;

/** The size frames are read at: the displayed size, scaled so the longest side is at most MAX_FRAME_SIDE. */
export function frameSize(v: { width: number; height: number }): { width: number; height: number } {
  const scale = Math.min(1, MAX_FRAME_SIDE / Math.max(v.width, v.height, 1));
  return { width: Math.max(1, Math.round(v.width * scale)), height: Math.max(1, Math.round(v.height * scale)) };
}

/** Where a frame is read for time `t`: not before 0, nor past one 30 fps frame before the end
 * (`duration`, `<video>`'s), where a seek may show no frame. webcodecs.ts clamps the same way. */
export function clampFrameTime(t: number, duration: number): number {
  return Math.min(Math.max(0, t), Math.max(0, duration - 1 / 30));
}

/** A `<video>` kept open across chunks of frames: a long file is parsed once, not once per chunk. */
export interface FrameReader {
  width: number;
  height: number;
  /**
   * One frame per time (see `grabFrames`); null where the seek timed out. `upcoming`: the times
   * likely asked next, which a reader may decode now (webcodecs.ts does; seeking ignores them).
   */
  read(times: number[], signal?: AbortSignal, upcoming?: number[]): Promise<(RgbaFrame | null)[]>;
  close(): void;
}

/**
 * Opens `file` for frame reading. Pixels are read on the page through a CPU-backed canvas, so
 * workers get plain bytes (no GPU-backed ImageBitmaps, whose readback in a worker can stall
 * behind the compositor). Frames are scaled so the longest side is at most MAX_FRAME_SIDE.
 * A seek that does not finish within `seekTimeoutMs` (a file cut short whose index promises more
 * than its data holds never fires `seeked`) gives `null` for that time: the caller marks that
 * segment's face missing. After MAX_FAILED_SEEKS timeouts in a row the rest are `null` too, so a
 * long damaged file cannot stall the run for minutes.
 */
export async function openFrameReader(file: Blob, seekTimeoutMs = SEEK_TIMEOUT_MS): Promise<FrameReader> {
  const url = URL.createObjectURL(file);
  const video = makeVideo(url);
  const close = () => {
    video.removeAttribute('src');
    video.load();
    URL.revokeObjectURL(url);
  };
  const opening = performance.now();
  try {
    await once(video, 'loadeddata', 30000).catch((e: unknown) => {
      throw new FrameReadError(e instanceof Error ? e.message : String(e));
    });
  } catch (e) {
    close();
    throw e;
  }
  const { width, height } = frameSize({ width: video.videoWidth, height: video.videoHeight });
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) {
    close();
    throw new Error('This browser cannot read video frames (no 2D canvas).');
  }
  let failed = 0;
  let presentWaits = 0;
  // A busy machine (a model compiling, other tabs) slows every seek: the timeout grows with the
  // slowest successful step seen on this file, so only a seek that never ends counts as failed.
  let slowest = performance.now() - opening;
  const timeout = () => Math.min(MAX_SEEK_TIMEOUT_MS, Math.max(seekTimeoutMs, SLOW_FACTOR * slowest));
  const read = async (times: number[], signal?: AbortSignal) => {
    const frames: (RgbaFrame | null)[] = [];
    for (const t of times) {
      if (signal?.aborted) throw new DOMException('Cancelled', 'AbortError');
      if (failed >= MAX_FAILED_SEEKS) {
        frames.push(null);
        continue;
      }
      const target = clampFrameTime(t, video.duration);
      if (Math.abs(video.currentTime - target) > 1e-6 || video.readyState < 2) {
        // Chromium fires `seeked` before the new frame is presented: drawn at once, the canvas
        // often still holds the previous segment's frame (measured on the dev clips). Waiting for
        // the frame callback, registered before the seek, gives the frame at `target` every time.
        const presented = waitForPresentedFrame(video, presentWaits < MAX_MISSED_PRESENTS);
        video.currentTime = target;
        const seeking = performance.now();
        const ok = await once(video, 'seeked', timeout()).then(() => true, () => false);
        if (!ok || video.readyState < 2) {
          presented.cancel();
          failed++;
          frames.push(null);
          continue;
        }
        if (!(await presented.done)) presentWaits++;
        else presentWaits = 0;
        slowest = Math.max(slowest, performance.now() - seeking);
      }
      failed = 0;
      ctx.drawImage(video, 0, 0, width, height);
      const { data } = ctx.getImageData(0, 0, width, height);
      frames.push({ data, width, height });
    }
    return frames;
  };
  return { width, height, read, close };
}

/** How long to wait for a sought frame to be presented before drawing what is there. */
const PRESENT_WAIT_MS = 1000;
/** After this many waits in a row without a frame callback (a browser that never calls it for an
 * off-screen video), stop waiting. */
const MAX_MISSED_PRESENTS = 3;

/** Resolves true when the video presents its next frame, false after PRESENT_WAIT_MS (or at once
 * when `enabled` is false or the browser lacks requestVideoFrameCallback). */
function waitForPresentedFrame(video: HTMLVideoElement, enabled: boolean): { done: Promise<boolean>; cancel: () => void } {
  if (!enabled || typeof video.requestVideoFrameCallback !== 'function') return { done: Promise.resolve(false), cancel: () => {} };
  let handle = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const done = new Promise<boolean>((resolve) => {
    handle = video.requestVideoFrameCallback(() => {
      clearTimeout(timer);
      resolve(true);
    });
    timer = setTimeout(() => {
      video.cancelVideoFrameCallback(handle);
      resolve(false);
    }, PRESENT_WAIT_MS);
  });
  return {
    done,
    cancel: () => {
      clearTimeout(timer);
      video.cancelVideoFrameCallback(handle);
    },
  };
}

/** One RGBA frame per requested time (seconds, clamped to the last frame); see `openFrameReader`. */
export async function grabFrames(
  file: Blob, times: number[], signal?: AbortSignal, seekTimeoutMs = SEEK_TIMEOUT_MS,
): Promise<(RgbaFrame | null)[]> {
  const reader = await openFrameReader(file, seekTimeoutMs);
  try {
    return await reader.read(times, signal);
  } finally {
    reader.close();
  }
}
