// The camera picture while live mode runs (mirrored, as people expect of a selfie view), with
// what the newest segment had: a face, sound.
import { useEffect, useRef } from 'react';

export function LivePreview({ stream, face, sound }: { stream: MediaStream | null; face: boolean | null; sound: boolean | null }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const video = ref.current;
    if (!video) return;
    video.srcObject = stream;
    if (stream) void video.play().catch(() => undefined);
  }, [stream]);
  const hasVideo = Boolean(stream?.getVideoTracks().length);
  return (
    <div className="live-preview">
      {hasVideo ? <video ref={ref} muted playsInline aria-label="Your camera" data-testid="live-video" /> : (
        <div className="live-novideo muted">{stream ? 'No camera: listening only.' : 'Camera off.'}</div>
      )}
      {stream && (
        <p className="live-flags small" aria-live="polite">
          <span data-testid="live-face" data-value={face === null ? '' : String(face)}>Face: {face === null ? '…' : face ? 'found' : 'not found'}</span>
          {' · '}
          <span data-testid="live-sound" data-value={sound === null ? '' : String(sound)}>Voice: {sound === null ? '…' : sound ? 'heard' : 'none'}</span>
        </p>
      )}
    </div>
  );
}
