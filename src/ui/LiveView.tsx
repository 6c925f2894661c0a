// Live mode's page: Start/Stop, the camera picture, what is being said, and — once predictions
// come — the newest fused probabilities, the weights α, each modality's decision and the last
// minute as a chart, and how far to trust it (src/pipeline/reliability.ts). Reads the live store; its actions come from the registry (src/actions.ts).
import { useShallow } from 'zustand/react/shallow';
import { ACTIONS } from '../actions';
import { LIVE_WINDOW_SEGMENTS } from '../live/window';
import { useLiveStore } from '../state/live';
import { AttentionWeights } from './AttentionWeights';
import { LiveChart } from './LiveChart';
import { LiveControls } from './LiveControls';
import { LiveModalities } from './LiveModalities';
import { LivePreview } from './LivePreview';
import { LiveTranscript } from './LiveTranscript';
import { Notice } from './Notice';
import { ProbabilityBars } from './ProbabilityBars';
import { secondsLabel } from '../timebase';
import { useAppStore, type DownloadState } from '../state/store';
import { formatBytes } from './format';
import { ProgressBar } from './ProgressBar';
import { ReliabilityNote } from './ReliabilityNote';
import { usePageManifest } from './usePageManifest';
import { resultReliability } from '../pipeline/reliability';
import { verdict } from '../pipeline/verdict';

// Live mode's actions, from the one registry (src/actions.ts).
const { liveStart: liveStartAction, liveStop: liveStopAction, liveTranscript: liveTranscriptAction } = ACTIONS;

/** All model files as one progress: bytes loaded of bytes in all (a kept file counts as loaded). */
export function modelProgress(downloads: readonly DownloadState[]): { loaded: number; total: number; fraction: number | null } {
  const total = downloads.reduce((a, d) => a + d.total, 0);
  const loaded = downloads.reduce((a, d) => a + (d.status === 'verified' || d.status === 'cached' ? d.total : Math.min(d.loaded, d.total)), 0);
  return { loaded, total, fraction: total > 0 ? loaded / total : null };
}

export function LiveView() {
  const s = useLiveStore(useShallow((st) => ({
    status: st.status, detail: st.detail, error: st.error, notes: st.notes, labels: st.labels, stream: st.stream,
    latest: st.latest, history: st.history, predictions: st.predictions, dropped: st.dropped, waiting: st.waiting,
    transcript: st.transcript, text: st.text, speech: st.speech, segmentSeconds: st.segmentSeconds,
  })));
  const latest = s.latest;
  // Model files while the session starts: the preview and this progress show at once.
  const downloads = useAppStore(useShallow((st) => Object.values(st.downloads)));
  const loading = s.status === 'starting' && downloads.length > 0 ? modelProgress(downloads) : null;
  // How far to trust it: measured on whole utterances (about one sentence, as a live window is).
  const metrics = usePageManifest()?.metrics ?? [];
  const trust = latest ? resultReliability(metrics, latest) : null;
  const now = latest ? verdict(s.labels, latest.fused) : null;
  const present = latest && {
    audio: latest.modalities.audio !== null, visual: latest.modalities.visual !== null, text: latest.modalities.text !== null,
  };
  return (
    <div className="live" data-testid="live-view">
      <section className="panel" aria-labelledby="live-title">
        <h2 id="live-title">Live: camera and microphone</h2>
        <p className="small muted">
          {s.segmentSeconds
            ? `Every ${secondsLabel(s.segmentSeconds)} the last ${LIVE_WINDOW_SEGMENTS} segments (${(LIVE_WINDOW_SEGMENTS * s.segmentSeconds).toFixed(1)} s, about one sentence)`
            : `After every segment the last ${LIVE_WINDOW_SEGMENTS} segments (about one sentence)`}
          {' '}are analysed in this tab. Nothing is recorded or sent anywhere.
        </p>
        <LiveControls
          status={s.status} detail={s.detail} predictions={s.predictions} dropped={s.dropped} segmentSeconds={s.segmentSeconds}
          startLabel={liveStartAction.label} stopLabel={liveStopAction.label}
          startKey={liveStartAction.key ?? 'l'} stopKey={liveStopAction.key ?? 'Escape'}
          onStart={() => void liveStartAction.perform()} onStop={() => void liveStopAction.perform()}
        />
        {s.error && (
          <div data-testid="live-error" data-problem={s.error.problem}>
            <Notice kind="error">{s.error.message}</Notice>
          </div>
        )}
        {s.notes.map((n) => <Notice key={n} kind="info">{n}</Notice>)}
        <div className="live-top">
          <LivePreview stream={s.stream} face={latest ? latest.face : null} sound={latest ? latest.audio : null} />
          <LiveTranscript value={s.transcript} onChange={(v) => liveTranscriptAction.perform(v)} text={s.text} speech={s.speech} />
        </div>
        {loading && (
          <div data-testid="live-model-progress">
            <ProgressBar label="Loading the models" value={loading.fraction}
              detail={`${formatBytes(loading.loaded)} of ${formatBytes(loading.total)}; predictions start as soon as they are ready`} />
          </div>
        )}
        {s.waiting && s.status === 'running' && <Notice kind="info">{s.waiting}</Notice>}
      </section>
      {latest && present && (
        <div className="result" data-testid="live-result" data-segment={latest.segment}>
          {/* The same verdict as a file's result: "Uncertain: A or B" when the top two are close or none reaches 50%. */}
          <p className="headline" aria-live="polite" data-testid="live-headline" data-verdict={now?.kind}>
            {now?.headline}
            <span className="muted"> · now, over the last {(latest.windowSegments * latest.segmentSeconds).toFixed(1)} s</span>
          </p>
          {trust && <div className="muted small"><ReliabilityNote reliability={trust} /></div>}
          <div className="grid">
            <ProbabilityBars title="Emotions now (fused)" labels={s.labels} values={latest.fused} />
            <AttentionWeights attention={latest.attention} present={present} />
          </div>
          <LiveModalities labels={s.labels} prediction={latest} />
          <LiveChart labels={s.labels} history={s.history} />
        </div>
      )}
    </div>
  );
}
