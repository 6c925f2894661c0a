// A small, additive hook for `npm run analyze` (scripts/analyze.mjs): the command line drives this
// same page in headless Chromium and calls `window.__merAnalyze` with a file's bytes, so the CLI
// runs exactly the app's pipeline (decoders, workers, models, fused graph). `window.__merResult`
// exposes the result of the last analysis made through the UI, for the browser/CLI parity test.
// Nothing here fetches anything or changes what the page does for a user.
import type { BackendPreference } from './protocol';
import { parseSubtitles, transcriptFor } from './features/text/subtitles';
import { engine, type PipelineReporter } from './pipeline/engine';
import { humanizeError } from './pipeline/errors';
import type { AnalysisResult } from './pipeline/result';
import { useAppStore } from './state/store';

export interface CliAnalyzeOptions {
  backend?: BackendPreference;
  transcript?: string;
  /** The text of a .srt/.vtt file: the cues' text (whole clip) becomes the transcript. */
  subtitles?: string;
  subtitlesName?: string;
}

export type CliAnalyzeOutcome = { ok: true; result: AnalysisResult; notes: string[] } | { ok: false; error: string; notes: string[] };

declare global {
  interface Window {
    __merAnalyze?: (bytes: Uint8Array<ArrayBuffer> | ArrayBuffer | Blob, name: string, opts?: CliAnalyzeOptions) => Promise<CliAnalyzeOutcome>;
    __merResult?: () => AnalysisResult | null;
  }
}

export function installCliHook(): void {
  window.__merResult = () => useAppStore.getState().result;
  window.__merAnalyze = async (bytes, name, opts = {}) => {
    const notes: string[] = [];
    // Stage changes go to the console, where the command line shows them as progress.
    const reporter: PipelineReporter = {
      stage: (stage, patch) => { if (patch.status) console.info(`[mer-cli] ${stage}: ${patch.status}${patch.detail ? ` (${patch.detail})` : ''}`); },
      download: () => undefined,
      note: (t) => notes.push(t),
      backend: (b, detail) => console.info(`[mer-cli] backend: ${b}${detail ? ` (${detail})` : ''}`),
    };
    try {
      let transcript = opts.transcript;
      if (opts.subtitles !== undefined) {
        const parsed = parseSubtitles(opts.subtitles, opts.subtitlesName ?? '');
        if (!parsed.ok) return { ok: false, error: parsed.error, notes };
        transcript = transcriptFor(parsed.cues, 0, Infinity);
      }
      const file = new File([bytes], name);
      const result = await engine.analyze(file, reporter, new AbortController().signal, { backend: opts.backend ?? 'auto', transcript });
      return { ok: true, result, notes };
    } catch (e) {
      return { ok: false, error: humanizeError(e), notes };
    }
  };
}
