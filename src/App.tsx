// The page: header, drop zone, progress (model files and stages), messages, and the result.
import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { ACTIONS, handleKey } from './actions';
import { useLiveStore } from './state/live';
import { LiveModeSwitch } from './ui/LiveModeSwitch';
import { LiveView } from './ui/LiveView';
import { useAppStore } from './state/store';
import { BackendBadge } from './ui/BackendBadge';
import { DropZone } from './ui/DropZone';
import { ModelDownloads } from './ui/ModelDownloads';
import { ModelCardLink } from './ui/ModelCardLink';
import { Notice } from './ui/Notice';
import { ResultView } from './ui/ResultView';
import { usePageManifest } from './ui/usePageManifest';
import { resultReliability } from './pipeline/reliability';
import { SampleButton } from './ui/SampleButton';
import { ShareControls } from './ui/ShareControls';
import { SharedBanner } from './ui/SharedBanner';
import { StageList } from './ui/StageList';
import { StorageReport, verifiedFiles } from './ui/StorageReport';
import { TranscriptInput } from './ui/TranscriptInput';
import { SubtitleTracks } from './ui/SubtitleTracks';

// The actions this page wires, read from the one registry (src/actions.ts).
const {
  cancel: cancelAction, dropFiles: dropFilesAction, loadSubtitles: loadSubtitlesAction, transcript: transcriptAction,
  chooseSegment: chooseSegmentAction, closeShared: closeSharedAction, exports: EXPORT_ACTIONS, findSample: findSampleAction,
  openShared: openSharedAction, share: shareAction, trySample: trySampleAction, mode: modeAction, detectBackend: detectBackendAction,
  detectSpeech: detectSpeechAction, cancelTranscription: cancelTranscriptionAction, useSubtitleTrack: useSubtitleTrackAction,
} = ACTIONS;

export function App() {
  const s = useAppStore(useShallow((st) => ({
    phase: st.phase, fileName: st.fileName, stages: st.stages, downloads: st.downloads, notes: st.notes,
    result: st.result, error: st.error, backend: st.backend, backendDetail: st.backendDetail,
    transcript: st.transcript, setTranscript: st.actions.transcript, keepTranscript: st.keepTranscript, setKeep: st.actions.keepTranscript,
    transcriptUsed: st.transcriptUsed, transcriptSource: st.transcriptSource, usedTranscript: st.usedTranscript, transcriptNotice: st.transcriptNotice, expectedBackend: st.expectedBackend,
    speech: st.speech, speechOn: st.actions.speechOn,
    shared: st.shared, sharedError: st.sharedError, share: st.share,
    textWindows: st.textWindows, embeddedSubtitles: st.embeddedSubtitles,
    mediaUrl: st.mediaUrl, crops: st.crops, segment: st.segment, seek: st.seek, playhead: st.actions.playhead, sample: st.sample,
  })));
  const metrics = usePageManifest()?.metrics ?? [];
  useEffect(() => void findSampleAction.perform(), []);
  useEffect(() => void detectBackendAction.perform(), []);
  useEffect(() => void detectSpeechAction.perform(), []);
  const chooseSegment = (i: number) => void chooseSegmentAction.perform(i);
  useEffect(() => {
    window.addEventListener('keydown', handleKey);
    return () => window.removeEventListener('keydown', handleKey);
  }, []);
  useEffect(() => {
    const open = () => void openSharedAction.perform(location.hash);
    open();
    window.addEventListener('hashchange', open);
    return () => window.removeEventListener('hashchange', open);
  }, []);
  const running = s.phase === 'running';
  const mode = useLiveStore((st) => st.mode);
  const back = () => void closeSharedAction.perform();
  return (
    <div className="app" data-phase={s.phase}>
      <header className="header">
        <h1>Emotion in video</h1>
        <p className="muted">Voice, face and words — analysed in this tab. Nothing is uploaded.</p>
        <BackendBadge backend={s.backend} detail={s.backendDetail} expected={s.expectedBackend} />
      </header>
      {s.shared ? (
        <main>
          <SharedBanner onBack={back} backLabel={closeSharedAction.label} />
          <ResultView result={s.shared} segment={s.segment} onChooseSegment={chooseSegment} exports={EXPORT_ACTIONS} />
          {s.shared.transcript !== null && (
            <section className="panel" aria-label="Transcript">
              <h2>Transcript</h2>
              <p className="shared-transcript" data-testid="shared-transcript">{s.shared.transcript}</p>
            </section>
          )}
        </main>
      ) : (
      <main>
        {s.sharedError && (
          <div data-testid="shared-error">
            <Notice kind="error">
              {s.sharedError}{' '}
              <button type="button" onClick={back} data-testid="shared-back">{closeSharedAction.label}</button>
            </Notice>
          </div>
        )}
        <LiveModeSwitch mode={mode} disabled={running} onMode={(m) => void modeAction.perform(m)} />
        {mode === 'live' && <LiveView />}
        {mode === 'file' && (<>
        <TranscriptInput value={s.transcript} onChange={(t) => void transcriptAction.perform(t)} disabled={running} keep={s.keepTranscript} onKeep={s.setKeep}
          used={s.transcriptUsed} sourceLabel={s.transcriptSource.kind === 'subtitles' ? `subtitles from ${s.transcriptSource.name}` : null}
          onSubtitles={(f) => void loadSubtitlesAction.perform(f)} notice={s.transcriptNotice}
          speech={s.speech} onSpeechOn={s.speechOn} onCancelSpeech={() => void cancelTranscriptionAction.perform()} />
        <DropZone onFiles={(files) => void dropFilesAction.perform(files)} disabled={running} compact={s.phase !== 'idle'} />
        <SampleButton sample={s.sample} label={trySampleAction.label} disabled={running} onTry={() => void trySampleAction.perform()} />
        {s.error && <Notice kind="error">{s.error}</Notice>}
        {s.phase === 'cancelled' && <Notice kind="info">Analysis cancelled.</Notice>}
        {s.notes.map((n) => <Notice key={n} kind="info">{n}</Notice>)}
        {s.result && s.phase === 'done' && (
          <ResultView result={s.result} mediaUrl={s.mediaUrl} crops={s.crops} segment={s.segment} seek={s.seek}
            onChooseSegment={chooseSegment} onPlayhead={s.playhead} exports={EXPORT_ACTIONS} transcriptUsed={s.usedTranscript}
            textWindows={s.textWindows} trust={resultReliability(metrics, s.result)} />
        )}
        {s.embeddedSubtitles && s.phase !== 'running' && (
          <SubtitleTracks key={`${s.embeddedSubtitles.file}:${s.embeddedSubtitles.used}`} found={s.embeddedSubtitles} disabled={running}
            onUse={(i) => void useSubtitleTrackAction.perform(i)} />
        )}
        {s.result && s.phase === 'done' && (
          <ShareControls label={shareAction.label} hasTranscript={s.transcript.trim() !== ''} link={s.share.link}
            error={s.share.error} copied={s.share.copied} onShare={(o) => void shareAction.perform(o)} />
        )}
        {s.phase !== 'idle' && (
          <section className="panel" aria-label="Progress" aria-busy={running}>
            <div className="panel-head">
              <h2>{running ? `Analysing ${s.fileName ?? ''}` : s.fileName}</h2>
              {running && (
                <button type="button" onClick={() => void cancelAction.perform()} aria-keyshortcuts={cancelAction.key}>
                  {cancelAction.label}
                </button>
              )}
            </div>
            <StageList stages={s.stages} />
          </section>
        )}
        </>)}
        <ModelDownloads downloads={Object.values(s.downloads)} />
        {/* Measured again when a run ends and whenever another model file is verified into the
            cache (live mode loads them without a run): it never says "nothing stored" beside
            models that are. */}
        {s.phase !== 'running' && <StorageReport refreshKey={`${s.phase}:${verifiedFiles(s.downloads)}`} />}
      </main>
      )}
      <footer className="footer muted small">
        MER-SEM-MBT (Xia et al., 2022) · models and runtime served from this site only
        <ModelCardLink />
      </footer>
    </div>
  );
}
