// The command line's progress lines (`npm run analyze`, through src/cliHook.ts): every stage change,
// and while a stage runs a line with its progress and detail at most every `everyMs` (a 15-minute
// file used to print nothing for five minutes and more).
import type { StageState } from './pipeline/stages';

export const CLI_PROGRESS_EVERY_MS = 10_000;

/** A function that turns stage reports into lines to print (null: nothing to print now). */
export function cliStageLines(now: () => number = Date.now, everyMs = CLI_PROGRESS_EVERY_MS) {
  const last = new Map<string, { status: string; at: number }>();
  return (stage: string, patch: Partial<StageState>): string | null => {
    const before = last.get(stage);
    const status = patch.status ?? before?.status ?? 'running';
    const changed = patch.status !== undefined && patch.status !== before?.status;
    const due = !changed && status === 'running' && before !== undefined && now() - before.at >= everyMs
      && (patch.progress !== undefined || Boolean(patch.detail));
    if (!changed && !due) return null;
    last.set(stage, { status, at: now() });
    const pct = patch.progress !== undefined && status === 'running' && patch.progress > 0 ? `, ${Math.round(patch.progress * 100)}%` : '';
    return `${stage}: ${status}${pct}${patch.detail ? ` (${patch.detail})` : ''}`;
  };
}
