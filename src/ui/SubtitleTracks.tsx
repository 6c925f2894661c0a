// The analysed video's own subtitle tracks (issue 17), offered under the result: which one gave the
// words (or that the transcript the user gave won), and a choice of another, which analyses the
// video again with that track's words.
import { useState } from 'react';
import { describeTrack } from '../decode/subtitleTracks';
import type { EmbeddedSubtitles } from '../state/store';

export function SubtitleTracks({ found, disabled, onUse }: { found: EmbeddedSubtitles; disabled: boolean; onUse: (index: number) => void }) {
  const readable = found.tracks.filter((t) => t.text);
  const [choice, setChoice] = useState<number>(found.used ?? readable[0]?.index ?? 0);
  if (!found.tracks.length) return null;
  const used = found.tracks.find((t) => t.index === found.used) ?? null;
  return (
    <section className="panel subtitle-tracks" aria-label="Subtitles in the video" data-testid="subtitle-tracks">
      <h2>Subtitles in the video</h2>
      <p className="small" data-testid="subtitle-tracks-state" data-used={used ? used.index : ''}>
        {used
          ? <>This result used the words of subtitle {describeTrack(used)} of “{found.file}”.</>
          : readable.length
            ? <>“{found.file}” carries its own subtitles; this result did not use them.</>
            : <>“{found.file}” carries subtitles only as pictures, which have no words to read.</>}
      </p>
      {readable.length > 0 && (
        <div className="row">
          <label>
            Track{' '}
            <select value={choice} disabled={disabled} onChange={(e) => setChoice(Number(e.target.value))} data-testid="subtitle-track-choice">
              {readable.map((t) => <option key={t.index} value={t.index}>{describeTrack(t)}</option>)}
            </select>
          </label>{' '}
          <button type="button" disabled={disabled || choice === found.used} onClick={() => onUse(choice)} data-testid="subtitle-track-use">
            Analyse again with this track’s words
          </button>
          <span className="muted small"> (the transcript box is emptied: a transcript you give always comes first)</span>
        </div>
      )}
    </section>
  );
}
