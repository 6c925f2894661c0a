// One live session: camera and microphone in, a fused prediction out every segment.
//
// The microphone runs through an AudioContext at 16 kHz (the browser resamples, as its decoder does
// for files) into an AudioWorklet that hands the samples to the page with their capture-clock
// frame index. When a segment's centre passes, the current camera frame is grabbed and sent to the
// face worker at once (detection and alignment run while the segment's second half is still being
// recorded); when its last sample (+ the log-mel look-ahead, src/timebase.ts) is in, the segment's
// samples go through the same window step as files (src/pipeline/windowStep.ts: log-mel, faces,
// the fused graph, with the voice and face decisions from the text-masked run), and the last
// LIVE_WINDOW_SEGMENTS segments through the same fused graph. Workers, models (same verified Cache
// API path) and feature code are the file pipeline's; only the clock is new. A pipeline that falls
// behind drops stale segments (counted) rather than queueing them. Everything the page shows is
// reported through a LiveReporter; the session writes to no store. The clock starts while the
// models load (issue 16): segments completed meanwhile wait (the latest only, its centre frame
// kept), and the first prediction follows the models by one segment's processing, not by a
// warm-up plus a whole segment's recording.
import { pageSwitch } from '../decode/route';
import { MAX_FRAME_SIDE } from '../decode/video';
import { engine } from '../pipeline/engine';
import { humanizeError } from '../pipeline/errors';
import type { PipelineReporter } from '../pipeline/reporter';
import { buildResult } from '../pipeline/result';
import { fusionInputs, SEARCH_ALL_VIEWS, trackFrom, type WindowStep } from '../pipeline/windowStep';
import type { Backend, BackendPreference, FaceBox, RgbaFrame } from '../protocol';
import { segmentEnd, type TimeBase } from '../timebase';
import { CaptureError, openCapture, releaseCapture, type Captured } from './capture';
import type { PcmMessage } from './pcmCapture.worklet';
import captureWorkletUrl from './pcmCapture.worklet.ts?worker&url';
import type { LiveReporter } from './reporter';
import { liveStats, record, resetLiveStats } from './stats';
import { centresPassed, EarlyFrames, LatestOnlyQueue, LIVE_WINDOW_SEGMENTS, PcmRing, RollingWindow, segmentsCompleted } from './window';

/** Face requests allowed in the face worker at once; a segment beyond that is dropped (the detector is behind). */
const MAX_FACES_IN_FLIGHT = 2;
/** Without a microphone the segment clock ticks on this timer instead (silence, audio masked). */
const CLOCK_TICK_MS = 32;
/** Capture-clock offsets kept to pick the freshest (see `perfTimeOfFrame`). */
const OFFSET_SAMPLES = 64;
/** Centre frames kept while the models load: the waiting segment's and the one being recorded. */
const EARLY_FRAMES = 2;
/** Segments of samples the ring keeps (a pipeline further behind drops the segment). */
const RING_SEGMENTS = 12;

interface FaceOutcome { crop: Float32Array; visual: number; box: FaceBox | null }

interface ReadySegment {
  index: number;
  /** performance.now() time at which the segment's last sample was captured. */
  endPerf: number;
  face: Promise<FaceOutcome> | null;
}

export interface LiveStartOptions { backend: BackendPreference; signal: AbortSignal }

/** The segment clock and its buffers, from the manifest alone: set before the models are loaded. */
interface Clock {
  step: WindowStep;
  time: TimeBase;
  labels: string[];
  ring: PcmRing;
  window: RollingWindow;
}

/** What the loaded models allow, set once they are loaded. */
interface Ready extends Clock {
  backend: Backend;
  faceAvailable: boolean;
  textAvailable: boolean;
}

export class LiveSession {
  private captured: Captured | null = null;
  private audioContext: AudioContext | null = null;
  private worklet: AudioWorkletNode | null = null;
  private clockTimer: ReturnType<typeof setInterval> | null = null;
  private video: HTMLVideoElement | null = null;
  private canvas: HTMLCanvasElement | null = null;
  private stopped = false;
  private clock: Clock | null = null;
  private ready: Ready | null = null;
  /** Segments wait for this (the warm-up, then "running") before they are processed. */
  private warm: Promise<void> | null = null;
  /** Camera frames grabbed at the latest segment centres before the models were ready: detected once they are. */
  private readonly earlyFrames = new EarlyFrames<RgbaFrame>(EARLY_FRAMES);
  private hasMicrophone = false;

  private readonly queue = new LatestOnlyQueue<ReadySegment>();
  private readonly faces = new Map<number, Promise<FaceOutcome> | 'busy'>();
  private facesInFlight = 0;
  /** The detector box of the latest face found: the next segment's face is looked for around it first. */
  private lastFaceBox: FaceBox | null = null;
  /** Track, then re-detect (src/features/face/track.ts); the page's `?faces=full` searches all views every time. Read once per session. */
  private readonly trackFaces = !pageSwitch(globalThis.location?.search ?? '', 'fullFaceSearch');
  private processing = false;
  private dropped = 0;
  private firstFrame: number | null = null;
  private offsets: number[] = [];
  private clockStartPerf = 0;

  private textCls: Float32Array | null = null;
  private encodedText = '';
  private wantedText = '';

  constructor(private readonly report: LiveReporter) {}

  async start({ backend, signal }: LiveStartOptions): Promise<void> {
    // Created inside the Start click, so the autoplay policy lets it run.
    this.audioContext = typeof AudioContext === 'function' ? new AudioContext({ sampleRate: 16000, latencyHint: 'interactive' }) : null;
    this.report.starting('Asking for the camera and microphone…');
    const captured = await this.capture();
    if (!captured) return;
    // The preview shows while the models load (it used to say "Camera off." for 10-15 s).
    this.report.preview(captured.stream);
    try {
      this.report.detail('Loading the models (kept in this browser after the first time)…');
      const models = this.loadModels(backend, signal);
      models.catch(() => undefined); // awaited below, after the clock started
      // The clock starts while the models load (issue 16): the segment recorded meanwhile is the
      // first one analysed once they are ready, instead of one recorded only after they were.
      const clock = await this.startClock(captured);
      if (!clock) return;
      const ready: Ready = { ...clock, ...(await models) };
      if (this.stopped) return;
      this.ready = ready;
      if (!ready.faceAvailable && captured.video) this.report.note('No face detector is installed: the face is left out.');
      if (!this.hasMicrophone && !(this.video && ready.faceAvailable)) {
        throw new CaptureError('no-device', 'Neither the microphone nor the camera gives anything to analyse here. Check the devices and press Start again.');
      }
      // A segment already waiting is the warm-up (its runs compile the kernels); otherwise the blank
      // warm-up runs while the first segment is still being recorded.
      this.faceForWaitingSegment(ready);
      const warmUp = this.queue.backlog ? null : this.warmUp(ready, Boolean(captured.audio));
      if (warmUp) this.report.detail('Warming up the models…');
      this.warm = (async () => {
        await warmUp;
        if (!this.stopped) this.announceRunning(captured, ready);
      })();
      void this.drain();
      await this.warm;
      if (this.stopped) return;
      void this.encodeText();
    } catch (e) {
      if (this.stopped) return;
      await this.fail(e);
    }
  }

  /** Camera and microphone, or null (failure reported, or Stop pressed while the browser was asking). */
  private async capture(): Promise<Captured | null> {
    try {
      this.captured = await openCapture();
    } catch (e) {
      await this.stop();
      const err = e instanceof CaptureError ? e : new CaptureError('other', humanizeError(e));
      this.report.failed(err.problem, err.message);
      return null;
    }
    if (this.stopped) {
      releaseCapture(this.captured.stream);
      return null;
    }
    for (const n of this.captured.notes) this.report.note(n);
    return this.captured;
  }

  /**
   * The segment clock from the manifest, then the camera picture and the microphone (or the timer
   * clock) started; null when stopped meanwhile. Samples count from here; segments wait in the
   * queue (the latest only) until the models are ready.
   */
  private async startClock(captured: Captured): Promise<Clock | null> {
    const manifest = await engine.loadManifest();
    const step = engine.windowStep(manifest);
    const time = step.time;
    if (this.stopped) return null;
    const clock: Clock = {
      step, time, labels: manifest.labels,
      ring: new PcmRing(time.segmentSamples * RING_SEGMENTS),
      window: new RollingWindow(LIVE_WINDOW_SEGMENTS, { ...step.shape, patchSize: step.patchSize, faceSize: step.faceSize }),
    };
    // Whether a face detector is installed is known once the models are; the picture plays meanwhile.
    if (captured.video) await this.startVideo(captured.video);
    if (this.stopped) return null;
    resetLiveStats();
    this.clock = clock;
    await this.startAudio(captured.audio, time);
    return this.stopped ? null : clock;
  }

  /** The file pipeline's models (same verified downloads): what they allow. */
  private async loadModels(backend: BackendPreference, signal: AbortSignal): Promise<Omit<Ready, keyof Clock>> {
    const models: PipelineReporter = {
      ...this.report.models,
      stage: (stage, patch) => {
        if (stage === 'models' && patch.detail && patch.status !== 'done') this.report.detail(`Loading the models: ${patch.detail}…`);
      },
      note: this.report.note,
    };
    const loaded = await engine.ensureModels(models, signal, backend);
    return { backend: loaded.backend, faceAvailable: loaded.faceAvailable, textAvailable: loaded.textAvailable };
  }

  private announceRunning(captured: Captured, ready: Ready): void {
    this.report.running({
      stream: captured.stream, labels: ready.labels, backend: ready.backend, segmentSeconds: ready.time.segmentSeconds,
      sources: {
        video: captured.video?.label || (captured.video ? 'camera' : null),
        audio: this.hasMicrophone ? captured.audio?.label || 'microphone' : null,
      },
    });
    for (const t of captured.stream.getTracks()) {
      t.addEventListener('ended', () => {
        if (this.stopped) return;
        void this.fail(new CaptureError('busy', `The ${t.kind === 'video' ? 'camera' : 'microphone'} stopped sending (it was unplugged, or another program took it). Press Start again.`));
      });
    }
  }

  /**
   * One run of the fused graph, the detector and the log-mel on blank inputs before the clock starts: the
   * runtimes' first run compiles kernels and would otherwise make the first live latency seconds long.
   */
  private async warmUp(ready: Ready, hasMicrophoneTrack: boolean): Promise<void> {
    const { step } = ready;
    const blank = { ...step.silence(1), faces: new Float32Array(step.faceSize), audioMask: new Float32Array([1]), visualMask: new Float32Array(1) };
    const run = step.fuse(fusionInputs(step.shape, blank, null));
    const frame = this.video && ready.faceAvailable ? this.grabFrame() : null;
    const detect = frame ? step.faces([frame], [0]) : null;
    const logMel = hasMicrophoneTrack ? step.audio(new Float32Array(ready.time.windowSamples), 1) : null;
    await Promise.all([run, detect, logMel]);
  }

  /** Releases camera and microphone, audio graph and timers. Results on screen stay. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.clockTimer !== null) clearInterval(this.clockTimer);
    this.clockTimer = null;
    if (this.worklet) {
      this.worklet.port.onmessage = null;
      this.worklet.disconnect();
    }
    this.worklet = null;
    const ctx = this.audioContext;
    this.audioContext = null;
    if (ctx && ctx.state !== 'closed') await ctx.close().catch(() => undefined);
    if (this.video) {
      this.video.pause();
      this.video.srcObject = null;
    }
    this.video = null;
    this.canvas = null;
    this.earlyFrames.clear();
    releaseCapture(this.captured?.stream ?? null);
    this.captured = null;
    this.faces.clear();
    this.queue.take();
    liveStats.backlog = 0;
  }

  /** The text box changed: re-encode (only if it really changed) and use it from the next segment. */
  setTranscript(text: string): void {
    this.wantedText = text.trim();
    void this.encodeText();
  }

  private async encodeText(): Promise<void> {
    const text = this.wantedText;
    const ready = this.ready;
    if (!ready || this.stopped) return; // models not loaded yet: encoded at start
    if (!text) {
      this.textCls = null;
      this.encodedText = '';
      this.report.text('none');
      return;
    }
    if (!ready.textAvailable) {
      this.report.text('unavailable');
      return;
    }
    if (text === this.encodedText) return;
    this.report.text('encoding');
    try {
      const encoded = await ready.step.text(text);
      if (this.stopped || text !== this.wantedText) return;
      this.textCls = encoded.cls;
      this.encodedText = text;
      this.report.text('ready');
    } catch (e) {
      if (!this.stopped) await this.fail(e);
    }
  }

  private async startVideo(track: MediaStreamTrack): Promise<void> {
    const video = document.createElement('video');
    video.muted = true;
    video.playsInline = true;
    video.srcObject = new MediaStream([track]);
    this.video = video;
    this.canvas = document.createElement('canvas');
    await video.play().catch(() => undefined); // frames are read only once it has data
  }

  private async startAudio(track: MediaStreamTrack | null, time: TimeBase): Promise<void> {
    const ctx = this.audioContext;
    if (track && ctx && await this.startMicrophone(track, ctx)) return;
    if (ctx) await ctx.close().catch(() => undefined);
    this.audioContext = null;
    if (!this.video) throw new CaptureError('no-device', 'Neither the microphone nor the camera gives anything to analyse here. Check the devices and press Start again.');
    // Camera only: the same segment clock, ticking on a timer, with silence (audio masked).
    this.clockStartPerf = performance.now();
    let sent = 0;
    this.clockTimer = setInterval(() => {
      const due = Math.floor(((performance.now() - this.clockStartPerf) / 1000) * time.sampleRate);
      if (due > sent) {
        this.onPcm({ frame: sent, samples: new Float32Array(due - sent), sampleRate: time.sampleRate });
        sent = due;
      }
    }, CLOCK_TICK_MS);
  }

  /** The microphone into the capture worklet; false (with a note) when this browser cannot. */
  private async startMicrophone(track: MediaStreamTrack, ctx: AudioContext): Promise<boolean> {
    try {
      await ctx.audioWorklet.addModule(captureWorkletUrl);
      const source = ctx.createMediaStreamSource(new MediaStream([track]));
      const node = new AudioWorkletNode(ctx, 'mer-pcm-capture', { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1] });
      node.port.onmessage = (e: MessageEvent<PcmMessage>) => this.onPcm(e.data);
      // A silent sink keeps the node pulled by the graph; nothing is played.
      const mute = ctx.createGain();
      mute.gain.value = 0;
      source.connect(node).connect(mute).connect(ctx.destination);
      await ctx.resume();
      this.worklet = node;
      this.hasMicrophone = true;
      return true;
    } catch (e) {
      // Firefox cannot feed a 48 kHz microphone into a 16 kHz context.
      this.report.note(`The microphone could not be read at 16 kHz in this browser (${e instanceof Error ? e.message : String(e)}): the voice is left out.`);
      return false;
    }
  }

  /** performance.now() time at which capture frame `frame` was recorded. */
  private perfTimeOfFrame(frame: number, sampleRate: number): number {
    // offset = performance.now() - currentTime, read together; currentTime lags the audio thread
    // by up to one callback, so the smallest recent offset is the freshest reading.
    const offset = this.offsets.length ? Math.min(...this.offsets) : 0;
    return offset + (frame / sampleRate) * 1000;
  }

  private onPcm(m: PcmMessage): void {
    const clock = this.clock;
    if (this.stopped || !clock) return;
    const { ring, time } = clock;
    const ctx = this.audioContext;
    this.offsets.push(ctx ? performance.now() - ctx.currentTime * 1000 : this.clockStartPerf);
    if (this.offsets.length > OFFSET_SAMPLES) this.offsets.shift();
    if (this.firstFrame === null) this.firstFrame = m.frame;
    const before = ring.total;
    // A gap in the capture clock (the audio thread skipped) is filled with silence to stay in time.
    const gap = m.frame - this.firstFrame - before;
    if (gap > 0 && gap < ring.capacity) ring.push(new Float32Array(gap));
    ring.push(m.samples);
    const after = ring.total;
    for (const t of centresPassed(before, after, time)) this.onCentre(t, this.ready);
    for (const t of segmentsCompleted(before, after, time)) this.onSegmentComplete(t, time);
  }

  /**
   * The segment's centre: look at the face now, while its second half is being recorded. Before the
   * models are ready the picture is kept (the last EARLY_FRAMES) and looked at once they are; `early` is that picture.
   */
  private onCentre(t: number, ready: Ready | null, early?: RgbaFrame): void {
    if (!ready) {
      const frame = this.video ? this.grabFrame() : null;
      if (frame) this.earlyFrames.put(t, frame);
      return;
    }
    if (!this.video || !ready.faceAvailable) return;
    if (this.facesInFlight >= MAX_FACES_IN_FLIGHT) {
      this.faces.set(t, 'busy');
      return;
    }
    const frame = early ?? this.grabFrame();
    if (!frame) return; // no picture yet: this segment's face is missing
    this.facesInFlight++;
    const started = performance.now();
    const done = ready.step.faces([frame], [t], undefined, this.trackFaces ? trackFrom(this.lastFaceBox) : SEARCH_ALL_VIEWS)
      .then((r): FaceOutcome => {
        record(liveStats.stages_ms.face, performance.now() - started);
        if (this.trackFaces) this.lastFaceBox = r.detections?.[0] ?? null;
        return { crop: r.crops, visual: r.visualMask[0] ?? 0, box: r.boxes[0] ?? null };
      })
      .finally(() => { this.facesInFlight--; });
    done.catch(() => undefined); // reported when the segment is processed
    this.faces.set(t, done);
  }

  private grabFrame(): RgbaFrame | null {
    const video = this.video;
    const canvas = this.canvas;
    if (!video || !canvas || video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA || !video.videoWidth) return null;
    const scale = Math.min(1, MAX_FRAME_SIDE / Math.max(video.videoWidth, video.videoHeight));
    const width = Math.max(1, Math.round(video.videoWidth * scale));
    const height = Math.max(1, Math.round(video.videoHeight * scale));
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    const g = canvas.getContext('2d', { willReadFrequently: true });
    if (!g) return null;
    g.drawImage(video, 0, 0, width, height);
    const { data } = g.getImageData(0, 0, width, height);
    return { data, width, height };
  }

  /** Segment `t`'s face from the picture kept at its centre while the models loaded, if one was. */
  private faceFromEarlyFrame(t: number, ready: Ready): void {
    const early = this.earlyFrames.take(t);
    if (early && !this.faces.has(t)) this.onCentre(t, ready, early);
  }

  /** The segment that completed while the models loaded (waiting in the queue) gets its face now. */
  private faceForWaitingSegment(ready: Ready): void {
    const seg = this.queue.take();
    if (!seg) return;
    this.faceFromEarlyFrame(seg.index, ready);
    const face = this.faces.get(seg.index);
    this.faces.delete(seg.index);
    this.queue.push(face && face !== 'busy' ? { ...seg, face } : seg);
  }

  private onSegmentComplete(t: number, time: TimeBase): void {
    if (this.ready) this.faceFromEarlyFrame(t, this.ready);
    const face = this.faces.get(t);
    this.faces.delete(t);
    for (const k of this.faces.keys()) if (k < t) this.faces.delete(k);
    const firstFrame = this.firstFrame ?? 0;
    const endPerf = this.perfTimeOfFrame(firstFrame + (t + 1) * time.segmentSamples, time.sampleRate);
    if (face === 'busy') {
      this.dropped++; // the face detector is behind: skip the segment rather than queue it
    } else {
      const replaced = this.queue.push({ index: t, endPerf, face: face ?? null });
      // Before the models are ready only the latest segment waits; the earlier ones were never due (not a fall behind).
      if (replaced && this.ready) this.dropped++;
    }
    this.publishCounters();
    void this.drain();
  }

  private publishCounters(): void {
    liveStats.dropped_segments = this.dropped;
    liveStats.backlog = this.queue.backlog;
    this.report.counters(this.dropped, this.queue.backlog);
  }

  private async drain(): Promise<void> {
    if (this.processing || !this.warm) return; // before the models are ready, the latest segment waits
    this.processing = true;
    try {
      await this.warm;
      for (let seg = this.queue.take(); seg && !this.stopped; seg = this.queue.take()) {
        this.publishCounters();
        await this.process(seg);
      }
    } catch (e) {
      if (!this.stopped) await this.fail(e);
    } finally {
      this.processing = false;
      if (!this.stopped) this.publishCounters();
    }
  }

  /** One completed segment: its log-mel (the window step's audio), its face, then the rolling window through the graph. */
  private async process(seg: ReadySegment): Promise<void> {
    const ready = this.ready!;
    const { ring, time, step } = ready;
    const from = seg.index * time.segmentSamples;
    if (from < ring.total - ring.capacity) {
      this.dropped++; // far behind: its samples are gone
      return;
    }
    let sound = step.silence(1);
    if (this.hasMicrophone) {
      const started = performance.now();
      // patch 0 = this segment (the samples add only the look-ahead)
      sound = await step.audio(ring.read(from, from + time.windowSamples), 1);
      record(liveStats.stages_ms.audio, performance.now() - started);
    }
    const face = seg.face ? await seg.face : null;
    if (this.stopped) return;
    ready.window.add({
      index: seg.index, logMel: sound.logMel, audio: sound.audioMask[0] ?? 0,
      face: face?.crop ?? new Float32Array(0), visual: face?.visual ?? 0, box: face?.box ?? null,
    });
    await this.predict(seg, ready, { face: (face?.visual ?? 0) > 0, audio: (sound.audioMask[0] ?? 0) > 0 });
  }

  /** The rolling window through the fused graph (one request; the worker runs it twice with a transcript), reported as the newest prediction. */
  private async predict(seg: ReadySegment, ready: Ready, newest: { face: boolean; audio: boolean }): Promise<void> {
    const { time, window } = ready;
    const textCls = this.textCls;
    if (!window.hasAudioOrFace() && !textCls) {
      this.report.waiting(`No voice, no face and no text in the last ${(LIVE_WINDOW_SEGMENTS * time.segmentSeconds).toFixed(1)} s: nothing to analyse yet.`);
      return;
    }
    const w = window.assemble(textCls);
    const fusionStarted = performance.now();
    const fused = await ready.step.fuse(w.inputs);
    record(liveStats.stages_ms.fusion, performance.now() - fusionStarted);
    if (this.stopped) return;
    const result = buildResult({
      file: 'live', labels: ready.labels, segmentSeconds: time.segmentSeconds, outputs: fused.outputs,
      audioMask: w.audioMask, visualMask: w.visualMask, textPresent: textCls !== null, faceBoxes: w.boxes,
      backend: fused.backend, timings: {},
    });
    this.report.predicted({
      segment: seg.index, time: segmentEnd(seg.index, time.segmentSeconds), segmentSeconds: time.segmentSeconds,
      fused: result.fused, modalities: result.modalities, attention: result.attention, ...newest,
      windowSegments: w.indexes.length, text: textCls !== null,
    });
    liveStats.predictions++;
    // Latency = end of the segment (capture clock) to the frame after the prediction is rendered.
    requestAnimationFrame(() => record(liveStats.latencies_ms, performance.now() - seg.endPerf));
  }

  private async fail(e: unknown): Promise<void> {
    const problem = e instanceof CaptureError ? e.problem : 'pipeline';
    const message = e instanceof CaptureError ? e.message : `Live analysis stopped: ${humanizeError(e)}`;
    if (!(e instanceof CaptureError)) console.error(e);
    await this.stop();
    this.report.failed(problem, message);
  }
}
