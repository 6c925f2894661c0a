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
/** Timed-out seeks in a row after which the remaining frames are given up. */
export const MAX_FAILED_SEEKS = 2;

/**
 * One RGBA frame per requested time (seconds, clamped to the last frame). Pixels are read on the
 * page through a CPU-backed canvas, so workers get plain bytes (no GPU-backed ImageBitmaps, whose
 * readback in a worker can stall behind the compositor).
 * A seek that does not finish within `seekTimeoutMs` (a file cut short whose index promises more
 * than its data holds never fires `seeked`) gives `null` for that time: the caller marks that
 * segment's face missing. After MAX_FAILED_SEEKS timeouts in a row the rest are `null` too, so a
 * long damaged file cannot stall the run for minutes.
 */
export async function grabFrames(
  file: Blob, times: number[], signal?: AbortSignal, seekTimeoutMs = SEEK_TIMEOUT_MS,
): Promise<(RgbaFrame | null)[]> {
  const url = URL.createObjectURL(file);
  const video = makeVideo(url);
  try {
    await once(video, 'loadeddata', 30000).catch((e: unknown) => {
      throw new FrameReadError(e instanceof Error ? e.message : String(e));
    });
    const scale = Math.min(1, MAX_FRAME_SIDE / Math.max(video.videoWidth, video.videoHeight, 1));
    const width = Math.max(1, Math.round(video.videoWidth * scale));
    const height = Math.max(1, Math.round(video.videoHeight * scale));
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('This browser cannot read video frames (no 2D canvas).');
    const last = Math.max(0, video.duration - 1 / 30);
    const frames: (RgbaFrame | null)[] = [];
    let failed = 0;
    for (const t of times) {
      if (signal?.aborted) throw new DOMException('Cancelled', 'AbortError');
      if (failed >= MAX_FAILED_SEEKS) {
        frames.push(null);
        continue;
      }
      const target = Math.min(Math.max(0, t), last);
      if (Math.abs(video.currentTime - target) > 1e-6 || video.readyState < 2) {
        video.currentTime = target;
        const ok = await once(video, 'seeked', seekTimeoutMs).then(() => true, () => false);
        if (!ok || video.readyState < 2) {
          failed++;
          frames.push(null);
          continue;
        }
      }
      failed = 0;
      ctx.drawImage(video, 0, 0, width, height);
      const { data } = ctx.getImageData(0, 0, width, height);
      frames.push({ data, width, height });
    }
    return frames;
  } finally {
    video.removeAttribute('src');
    video.load();
    URL.revokeObjectURL(url);
  }
}
