// Video probing and frame grabbing through a <video> element: metadata (duration, size) and
// frames at given times via seeking + createImageBitmap. Object URLs are in memory, so seeking
// needs no HTTP Range support; served files (samples) rely on the server answering Range requests.

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

/** One frame per requested time (seconds, clamped to the last frame), as ImageBitmaps. */
export async function grabFrames(file: Blob, times: number[], signal?: AbortSignal): Promise<ImageBitmap[]> {
  const url = URL.createObjectURL(file);
  const video = makeVideo(url);
  const frames: ImageBitmap[] = [];
  try {
    await once(video, 'loadeddata', 30000);
    const last = Math.max(0, video.duration - 1 / 30);
    for (const t of times) {
      if (signal?.aborted) throw new DOMException('Cancelled', 'AbortError');
      video.currentTime = Math.min(Math.max(0, t), last);
      await once(video, 'seeked', 30000);
      frames.push(await createImageBitmap(video));
    }
    return frames;
  } catch (e) {
    for (const f of frames) f.close();
    throw e;
  } finally {
    video.removeAttribute('src');
    video.load();
    URL.revokeObjectURL(url);
  }
}
