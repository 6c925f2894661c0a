// What is being said, for the text modality in live mode: typed, or heard by the browser's speech
// recognition when (and only when) it runs on this device; otherwise one line says why it is off.
import type { SpeechState, TextStatus } from '../state/live';

const TEXT_STATUS: Readonly<Record<TextStatus, string>> = Object.freeze({
  none: 'No text: the words are left out.',
  encoding: 'Reading the text…',
  ready: 'The words count from the next segment.',
  unavailable: 'No text encoder is installed: the words are left out.',
});

export function LiveTranscript({ value, onChange, text, speech }: { value: string; onChange: (v: string) => void; text: TextStatus; speech: SpeechState }) {
  return (
    <div className="transcript">
      <label htmlFor="live-transcript">What is being said <span className="muted">(optional; stays in this tab)</span></label>
      <textarea
        id="live-transcript" data-testid="live-transcript" rows={2} value={value}
        placeholder="Type what you are saying; the prediction uses it from the next segment."
        onChange={(e) => onChange(e.target.value)}
      />
      <p className="small muted" aria-live="polite" data-testid="live-text-status">{TEXT_STATUS[text]}</p>
      {speech.status === 'listening' && (
        <p className="small" data-testid="live-speech">Listening on this device{speech.interim ? `: “${speech.interim}”` : '…'}</p>
      )}
      {speech.status === 'off' && <p className="small muted" data-testid="live-speech-off">{speech.reason}</p>}
    </div>
  );
}
