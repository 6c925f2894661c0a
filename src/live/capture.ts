// Camera and microphone for live mode: asks for both, settles for one when the other is missing,
// and turns every way this can fail (blocked, no device, device busy, insecure page, old browser)
// into a sentence that says what happened and what to do. Stopping releases every track, so the
// camera light goes off.

export type CaptureProblem = 'insecure' | 'unsupported' | 'denied' | 'no-device' | 'busy' | 'other';

/** A capture failure the user can act on; `problem` lets the UI and tests tell the cases apart. */
export class CaptureError extends Error {
  override name = 'CaptureError';
  constructor(readonly problem: CaptureProblem, message: string) {
    super(message);
  }
}

export const CAPTURE_MESSAGES = Object.freeze({
  insecure: (origin: string) =>
    `Live mode needs a secure page: browsers only offer the camera and microphone on https:// addresses or on this computer (localhost). This page was opened as ${origin}; open it over https:// instead.`,
  unsupported: 'This browser does not offer camera or microphone access to web pages. Try a current Chrome, Edge or Firefox — or analyse a recorded video instead.',
  denied: 'Camera and microphone access was blocked, so live mode cannot see or hear you. Allow them for this site (the camera icon in the address bar, or the browser’s site settings), then press Start again. Nothing is recorded or sent anywhere.',
  noDevice: 'No camera or microphone was found. Connect one (and check that it is switched on and not disabled in the system settings), then press Start again.',
  busy: 'The camera or microphone is in use by another program or could not be started. Close other apps that use it (video calls, other tabs), then press Start again.',
  other: (detail: string) => `The camera or microphone could not be started (${detail}). Check the device and press Start again.`,
});

/** Why `getUserMedia` failed, in plain words. */
export function explainMediaError(e: unknown): CaptureError {
  if (e instanceof CaptureError) return e;
  const name = e instanceof DOMException || e instanceof Error ? e.name : '';
  const message = e instanceof Error ? e.message : String(e);
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return new CaptureError('denied', CAPTURE_MESSAGES.denied);
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return new CaptureError('no-device', CAPTURE_MESSAGES.noDevice);
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return new CaptureError('busy', CAPTURE_MESSAGES.busy);
    default:
      return new CaptureError('other', CAPTURE_MESSAGES.other(message || name || 'unknown error'));
  }
}

export interface CaptureEnvironment {
  isSecureContext: boolean;
  origin: string;
  mediaDevices: Pick<MediaDevices, 'getUserMedia'> | undefined;
}

export interface Captured {
  stream: MediaStream;
  video: MediaStreamTrack | null;
  audio: MediaStreamTrack | null;
  /** What is missing and why, when only one of camera and microphone could be opened. */
  notes: string[];
}

const VIDEO: MediaTrackConstraints = { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 15, max: 30 } };
// The model hears what the file pipeline hears: no automatic gain or noise suppression reshaping
// the voice (echo cancellation off too: nothing is played back).
const AUDIO: MediaTrackConstraints = { channelCount: { ideal: 1 }, echoCancellation: false, noiseSuppression: false, autoGainControl: false };

/**
 * Opens camera and microphone; with only one of them present (or allowed), continues with it and
 * says which modality is left out. Throws a CaptureError when neither can be opened.
 */
export async function openCapture(env: CaptureEnvironment = browserEnvironment()): Promise<Captured> {
  if (!env.isSecureContext) throw new CaptureError('insecure', CAPTURE_MESSAGES.insecure(env.origin));
  const devices = env.mediaDevices;
  if (!devices || typeof devices.getUserMedia !== 'function') throw new CaptureError('unsupported', CAPTURE_MESSAGES.unsupported);
  const tracks = (s: MediaStream): Captured => ({
    stream: s, video: s.getVideoTracks()[0] ?? null, audio: s.getAudioTracks()[0] ?? null, notes: [],
  });
  try {
    return tracks(await devices.getUserMedia({ video: VIDEO, audio: AUDIO }));
  } catch (both) {
    const first = explainMediaError(both);
    if (first.problem !== 'no-device' && first.problem !== 'busy') throw first;
    // One of the two is missing or busy: try each alone.
    for (const [constraints, note] of [
      [{ video: VIDEO }, 'No microphone could be opened: the voice is left out; the face (and any text you type) is analysed.'],
      [{ audio: AUDIO }, 'No camera could be opened: the face is left out; the voice (and any text you type) is analysed.'],
    ] as const) {
      try {
        const got = tracks(await devices.getUserMedia(constraints));
        return { ...got, notes: [note] };
      } catch {
        // try the other one
      }
    }
    throw first;
  }
}

export function browserEnvironment(): CaptureEnvironment {
  return {
    isSecureContext: globalThis.isSecureContext ?? false,
    origin: globalThis.location?.origin ?? '',
    mediaDevices: globalThis.navigator?.mediaDevices,
  };
}

/** Stops every track of the stream: the camera light goes off and the devices are free again. */
export function releaseCapture(stream: MediaStream | null): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}
