// The page's two modes: analyse a file, or live from the camera and microphone.
import type { PageMode } from '../state/live';

const MODES: readonly { mode: PageMode; label: string }[] = Object.freeze([
  { mode: 'file', label: 'Analyse a file' },
  { mode: 'live', label: 'Live (camera)' },
]);

export function LiveModeSwitch({ mode, disabled, onMode }: { mode: PageMode; disabled: boolean; onMode: (m: PageMode) => void }) {
  return (
    <div className="mode-switch" role="group" aria-label="Mode">
      {MODES.map((m) => (
        <button
          key={m.mode} type="button" aria-pressed={mode === m.mode} disabled={disabled && mode !== m.mode}
          onClick={() => onMode(m.mode)} data-testid={`mode-${m.mode}`}
        >
          {m.label}
        </button>
      ))}
    </div>
  );
}
