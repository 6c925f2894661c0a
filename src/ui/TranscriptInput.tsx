// Optional transcript: what is said in the video. It feeds the text modality (the SEM's sentence
// meaning) and, like the video, never leaves the tab. It belongs to one video: once a run used it,
// the next video starts with an empty box unless "keep this transcript for the next video" is ticked.
// A .srt/.vtt file dropped on the box or picked with "Load subtitles" becomes the transcript (its
// caption text); what could not be read is said under the box (`notice`).
import { useRef } from 'react';
import { isSubtitleFile } from '../features/text/captions';

export interface TranscriptInputProps {
  value: string;
  onChange: (v: string) => void;
  disabled: boolean;
  /** The "keep for the next video" box. */
  keep: boolean;
  onKeep: (keep: boolean) => void;
  /** The text was used by the last run (so the next video will not get it unless kept). */
  used: boolean;
  /** Where the text came from, e.g. "subtitles from talk.srt"; null when typed. */
  sourceLabel?: string | null;
  /** A subtitle file dropped on the box or picked. */
  onSubtitles: (file: File) => void;
  /** A sentence about the box's text (captions read, cues left out, a file refused), or null. */
  notice?: string | null;
  /** On-device transcription of the dropped video's speech (store `speech`); absent: not shown. */
  speech?: { offered: boolean; reason: string | null; on: boolean; progress: number | null };
  onSpeechOn?: (on: boolean) => void;
  onCancelSpeech?: () => void;
}

export function TranscriptInput({ value, onChange, disabled, keep, onKeep, used, sourceLabel = null, onSubtitles, notice = null, speech, onSpeechOn, onCancelSpeech }: TranscriptInputProps) {
  const hasText = value.trim() !== '';
  const picker = useRef<HTMLInputElement>(null);
  const dropped = (e: React.DragEvent<HTMLTextAreaElement>) => {
    const file = Array.from(e.dataTransfer.files).find(isSubtitleFile);
    if (!file) return; // text dragged in is handled by the textarea itself
    e.preventDefault();
    onSubtitles(file);
  };
  return (
    <div className="transcript">
      <label htmlFor="transcript">Transcript <span className="muted">(optional — what is said in the video)</span></label>
      <textarea
        id="transcript"
        data-testid="transcript"
        rows={2}
        value={value}
        disabled={disabled}
        placeholder="Type or paste what the speaker says, before dropping the video."
        onChange={(e) => onChange(e.target.value)}
        onDrop={dropped}
      />
      <div className="transcript-meta small">
        <label className="keep-transcript">
          <input type="checkbox" checked={keep} disabled={disabled} onChange={(e) => onKeep(e.target.checked)} data-testid="keep-transcript" />
          {' '}Keep this transcript for the next video
        </label>
        <button type="button" className="link-button" disabled={disabled} onClick={() => picker.current?.click()} data-testid="load-subtitles">
          Load subtitles (.srt, .vtt)
        </button>
        <input ref={picker} type="file" accept=".srt,.vtt,text/vtt,application/x-subrip" hidden data-testid="subtitles-input"
          onChange={(e) => { const f = e.target.files?.[0]; e.target.value = ''; if (f) onSubtitles(f); }} />
        {sourceLabel && hasText && <span className="muted" data-testid="transcript-source"> · {sourceLabel}</span>}
        {used && hasText && !keep && (
          <span className="muted" data-testid="transcript-will-clear"> · used for the last video; the next video starts without it</span>
        )}
      </div>
      {speech?.offered && (
        <label className="small keep-transcript">
          <input type="checkbox" checked={speech.on} disabled={disabled || speech.progress !== null} onChange={(e) => onSpeechOn?.(e.target.checked)} data-testid="transcribe-speech" />
          {' '}With the box empty, transcribe the video’s speech on this device first (takes about as long as the audio; nothing is sent anywhere)
        </label>
      )}
      {speech && !speech.offered && speech.reason && <p className="muted small transcript-notice" data-testid="speech-unavailable">{speech.reason}</p>}
      {speech?.progress !== null && speech?.progress !== undefined && (
        <p className="small transcript-notice" role="status" data-testid="speech-progress">
          Transcribing the speech on this device: {Math.round(speech.progress * 100)}%{' '}
          <button type="button" className="link-button" onClick={() => onCancelSpeech?.()}>Cancel</button>
        </p>
      )}
      {/* Once a run used the text, what its captions lost is one of that run's notes instead. */}
      {notice && !used && <p className="small transcript-notice" role="status" data-testid="transcript-notice">{notice}</p>}
    </div>
  );
}
