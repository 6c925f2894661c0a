// The analysed video, played from the dropped file's object URL (never uploaded). It reports where
// it is so the timeline can follow, and makes the seeks the timeline asks for, playing from there.
import { useEffect, useRef } from 'react';

export interface VideoPlayerProps {
  src: string;
  title: string;
  /** A seek to make; a new nonce asks again even for the same time. */
  seek: { time: number; nonce: number } | null;
  onTime: (seconds: number) => void;
}

export function VideoPlayer({ src, title, seek, onTime }: VideoPlayerProps) {
  const video = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const el = video.current;
    if (!el || !seek) return;
    el.currentTime = seek.time;
    // Choosing a cell plays from there (as the timeline's help says); a browser that refuses to
    // start playback without a gesture leaves it paused at that point, nothing more.
    void el.play()?.catch(() => undefined);
  }, [seek]);
  const report = () => {
    const el = video.current;
    if (el) onTime(el.currentTime);
  };
  return (
    <video
      ref={video}
      className="player"
      src={src}
      controls
      playsInline
      preload="metadata"
      aria-label={`The analysed video: ${title}`}
      data-testid="player"
      onTimeUpdate={report}
      onSeeked={report}
      onLoadedMetadata={() => {
        // A seek asked before the metadata arrived would have been lost.
        const el = video.current;
        if (el && seek && Math.abs(el.currentTime - seek.time) > 0.01) el.currentTime = seek.time;
      }}
    />
  );
}
