// One live session: camera and microphone in, a fused prediction out every 0.96 s segment.
//
// The microphone runs through an AudioContext at 16 kHz (the browser resamples, as its decoder does
// for files) into an AudioWorklet that hands the samples to the page with their capture-clock
// frame index. When a segment's centre passes, the current camera frame is grabbed and sent to the
// face worker at once (detection and alignment run while the segment's second half is still being
// recorded); when its last sample (+ the 240-sample look-ahead) is in, the segment's window goes to
// the audio worker for the same log-mel as files, and the last LIVE_WINDOW_SEGMENTS segments go
// through the same fused graph. The workers, models (same verified Cache API path) and feature
// code are the file pipeline's; only the clock is new. A pipeline that falls behind drops stale
// segments (counted) rather than queueing them.
import { engine, type PipelineReporter } from '../pipeline/engine';
import { humanizeError } from '../pipeline/errors';
import { buildResult } from '../pipeline/result';
import { MAX_FRAME_SIDE } from '../decode/video';
import type { AudioParams, Backend, BackendPreference, FaceBox, RgbaFrame } from '../protocol';
import { useAppStore } from '../state/store';
import { useLiveStore, type LivePrediction } from '../state/live';
import { workerClient } from '../workers/client';
import { CaptureError, openCapture, releaseCapture, type Captured } from './capture';
import type { PcmMessage } from './pcmCapture.worklet';
import captureWorkletUrl from './pcmCapture.worklet.ts?worker&url';
import { liveStats, record, resetLiveStats } from './stats';
import {
  centresPassed, LatestOnlyQueue, LIVE_WINDOW_SEGMENTS, PcmRing, RollingWindow, segmentGeometry, segmentsCompleted,
  type SegmentGeometry,
} from './window';

/** Face requests allowed in the face worker at once; a segment beyond that is dropped (the detector is behind). */
const MAX_FACES_IN_FLIGHT = 2;
/** Without a microphone the segment clock ticks on this timer instead (silence, audio masked). */
const CLOCK_TICK_MS = 32;
/** Capture-clock offsets kept to pick the freshest (see `perfTimeOfFrame`). */
const OFFSET_SAMPLES = 64;

interface FaceOutcome { crop: Float32Array; visual: number; box: FaceBox | null }

interface ReadySegment {
  index: number;
  /** performance.now() time at which the segment's last sample was captured. */
  endPerf: number;
  face: Promise<FaceOutcome> | null;
}

export interface LiveStartOptions { backend: BackendPreference; signal: AbortSignal }

export class LiveSession {
  private captured: Captured | null = null;
  private audioContext: AudioContext | null = null;
  private worklet: AudioWorkletNode | null = null;
  private clockTimer: ReturnType<typeof setInterval> | null = null;
  private video: HTMLVideoElement | null = null;
  private canvas: HTMLCanvasElement | null = null;
  private stopped = false;

  private params!: AudioParams;
  private geometry!: SegmentGeometry;
  private ring!: PcmRing;
  private window!: RollingWindow;
  private labels: string[] = [];
  private backend: Backend = 'wasm';
  private faceAvailable = false;
  private textAvailable = false;
  private hasMicrophone = false;
  private hasMicrophoneTrack = false;

  private readonly queue = new LatestOnlyQueue<ReadySegment>();
  private readonly faces = new Map<number, Promise<FaceOutcome> | 'busy'>();
  private facesInFlight = 0;
  private processing = false;
  private dropped = 0;
  private firstFrame: number | null = null;
  private offsets: number[] = [];
  private clockStartPerf = 0;

  private textCls: Float32Array | null = null;
  private encodedText = '';
  private wantedText = '';

  private readonly store = useLiveStore.getState().actions;

  async start({ backend, signal }: LiveStartOptions): Promise<void> {
    // Created inside the Start click, so the autoplay policy lets it run.
    this.audioContext = typeof AudioContext === 'function' ? new AudioContext({ sampleRate: 16000, latencyHint: 'interactive' }) : null;
    this.store.starting('Asking for the camera and microphone…');
    try {
      this.captured = await openCapture();
    } catch (e) {
      await this.stop();
      const err = e instanceof CaptureError ? e : new CaptureError('other', humanizeError(e));
      this.store.failed(err.problem, err.message);
      return;
    }
    if (this.stopped) {
      releaseCapture(this.captured.stream); // Stop was pressed while the browser was asking
      return;
    }
    for (const n of this.captured.notes) this.store.note(n);
    try {
      this.store.detail('Loading the models (kept in this browser after the first time)…');
      const loaded = await engine.ensureModels(this.reporter(), signal, backend);
      if (this.stopped) return;
      const { manifest } = loaded;
      this.params = manifest.audio;
      this.labels = manifest.labels;
      this.backend = loaded.backend;
      this.faceAvailable = loaded.faceAvailable;
      this.textAvailable = loaded.textAvailable;
      this.geometry = segmentGeometry(this.params);
      this.ring = new PcmRing(this.geometry.segmentSamples * 12);
      const crop = manifest.face.crop;
      this.window = new RollingWindow(LIVE_WINDOW_SEGMENTS, {
        patchSize: this.params.patch_frames * this.params.mel_bins, faceSize: crop.channels * crop.size * crop.size,
        patchFrames: this.params.patch_frames, melBins: this.params.mel_bins, channels: crop.channels, cropSize: crop.size,
        textDim: manifest.text.dim,
      });
      if (!this.faceAvailable && this.captured.video) this.store.note('No face detector is installed: the face is left out.');
      if (this.captured.video && this.faceAvailable) await this.startVideo(this.captured.video);
      if (this.stopped) return;
      this.store.detail('Warming up the models…');
      this.hasMicrophoneTrack = Boolean(this.captured.audio);
      await this.warmUp(crop, manifest.text.dim);
      if (this.stopped) return;
      resetLiveStats();
      await this.startAudio(this.captured.audio);
      if (this.stopped) return;
      this.store.running({
        stream: this.captured.stream, labels: this.labels, backend: this.backend,
        sources: { video: this.captured.video?.label || (this.captured.video ? 'camera' : null), audio: this.hasMicrophone ? this.captured.audio?.label || 'microphone' : null },
      });
      for (const t of this.captured.stream.getTracks()) {
        t.addEventListener('ended', () => {
          if (this.stopped) return;
          void this.fail(new CaptureError('busy', `The ${t.kind === 'video' ? 'camera' : 'microphone'} stopped sending (it was unplugged, or another program took it). Press Start again.`));
        });
      }
      void this.encodeText();
    } catch (e) {
      if (this.stopped) return;
      await this.fail(e);
    }
  }

  /**
   * One run of the fused graph, the detector and the log-mel on blank inputs before the clock starts: the
   * runtimes' first run compiles kernels and would otherwise make the first live latency seconds long.
   */
  private async warmUp(crop: { channels: number; size: number }, textDim: number): Promise<void> {
    const p = this.params;
    const run = workerClient('fusion').request({
      worker: 'fusion', type: 'run', inputs: {
        log_mel: { data: new Float32Array(p.patch_frames * p.mel_bins), dims: [1, 1, p.patch_frames, p.mel_bins] },
        faces: { data: new Float32Array(crop.channels * crop.size * crop.size), dims: [1, 1, crop.channels, crop.size, crop.size] },
        text_cls: { data: new Float32Array(textDim), dims: [1, textDim] },
        audio_mask: { data: new Float32Array([1]), dims: [1, 1] },
        visual_mask: { data: new Float32Array([0]), dims: [1, 1] },
        text_mask: { data: new Float32Array([0]), dims: [1, 1] },
      },
    });
    const frame = this.video && this.faceAvailable ? this.grabFrame() : null;
    const detect = frame
      ? workerClient('face').request({ worker: 'face', type: 'detect', frames: [frame], times: [0] }, { transfer: [frame.data.buffer] })
      : null;
    const silence = new Float32Array(this.geometry.windowSamples);
    const logMel = this.hasMicrophoneTrack
      ? workerClient('audio').request({ worker: 'audio', type: 'logmel', pcm: silence, params: p }, { transfer: [silence.buffer] })
      : null;
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
    if (!this.labels.length || this.stopped) return; // models not loaded yet: encoded at start
    if (!text) {
      this.textCls = null;
      this.encodedText = '';
      this.store.text('none');
      return;
    }
    if (!this.textAvailable) {
      this.store.text('unavailable');
      return;
    }
    if (text === this.encodedText) return;
    this.store.text('encoding');
    try {
      const done = await workerClient('text').request({ worker: 'text', type: 'encode', text });
      if (done.status !== 'complete' || this.stopped || text !== this.wantedText) return;
      this.textCls = done.result.cls;
      this.encodedText = text;
      this.store.text('ready');
    } catch (e) {
      if (!this.stopped) await this.fail(e);
    }
  }

  private reporter(): PipelineReporter {
    const app = useAppStore.getState().actions;
    return {
      stage: (stage, patch) => {
        if (stage === 'models' && patch.detail && patch.status !== 'done') this.store.detail(`Loading the models: ${patch.detail}…`);
      },
      download: app.download,
      note: this.store.note,
      backend: app.backend,
    };
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

  private async startAudio(track: MediaStreamTrack | null): Promise<void> {
    const ctx = this.audioContext;
    if (track && ctx) {
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
        return;
      } catch (e) {
        // Firefox cannot feed a 48 kHz microphone into a 16 kHz context.
        this.store.note(`The microphone could not be read at 16 kHz in this browser (${e instanceof Error ? e.message : String(e)}): the voice is left out.`);
      }
    }
    if (ctx) await ctx.close().catch(() => undefined);
    this.audioContext = null;
    if (!this.video) throw new CaptureError('no-device', 'Neither the microphone nor the camera gives anything to analyse here. Check the devices and press Start again.');
    // Camera only: the same segment clock, ticking on a timer, with silence (audio masked).
    this.clockStartPerf = performance.now();
    let sent = 0;
    this.clockTimer = setInterval(() => {
      const due = Math.floor(((performance.now() - this.clockStartPerf) / 1000) * this.params.sample_rate);
      if (due > sent) {
        this.onPcm({ frame: sent, samples: new Float32Array(due - sent), sampleRate: this.params.sample_rate });
        sent = due;
      }
    }, CLOCK_TICK_MS);
  }

  /** performance.now() time at which capture frame `frame` was recorded. */
  private perfTimeOfFrame(frame: number): number {
    // offset = performance.now() - currentTime, read together; currentTime lags the audio thread
    // by up to one callback, so the smallest recent offset is the freshest reading.
    const offset = this.offsets.length ? Math.min(...this.offsets) : 0;
    return offset + (frame / this.params.sample_rate) * 1000;
  }

  private onPcm(m: PcmMessage): void {
    if (this.stopped) return;
    const ctx = this.audioContext;
    this.offsets.push(ctx ? performance.now() - ctx.currentTime * 1000 : this.clockStartPerf);
    if (this.offsets.length > OFFSET_SAMPLES) this.offsets.shift();
    if (this.firstFrame === null) this.firstFrame = m.frame;
    const before = this.ring.total;
    // A gap in the capture clock (the audio thread skipped) is filled with silence to stay in time.
    const gap = m.frame - this.firstFrame - before;
    if (gap > 0 && gap < this.ring.capacity) this.ring.push(new Float32Array(gap));
    this.ring.push(m.samples);
    const after = this.ring.total;
    for (const t of centresPassed(before, after, this.geometry)) this.onCentre(t);
    for (const t of segmentsCompleted(before, after, this.geometry)) this.onSegmentComplete(t);
  }

  /** The segment's centre: look at the face now, while its second half is being recorded. */
  private onCentre(t: number): void {
    if (!this.video || !this.faceAvailable) return;
    if (this.facesInFlight >= MAX_FACES_IN_FLIGHT) {
      this.faces.set(t, 'busy');
      return;
    }
    const frame = this.grabFrame();
    if (!frame) return; // no picture yet: this segment's face is missing
    this.facesInFlight++;
    const centre = (t + 0.5) * this.params.segment_seconds;
    const started = performance.now();
    const done = workerClient('face')
      .request({ worker: 'face', type: 'detect', frames: [frame], times: [centre] }, { transfer: [frame.data.buffer] })
      .then((e): FaceOutcome => {
        if (e.status !== 'complete') throw new Error('The face worker returned no crop.');
        record(liveStats.stages_ms.face, performance.now() - started);
        return { crop: e.result.crops, visual: e.result.visualMask[0] ?? 0, box: e.result.boxes[0] ?? null };
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

  private onSegmentComplete(t: number): void {
    const face = this.faces.get(t);
    this.faces.delete(t);
    for (const k of this.faces.keys()) if (k < t) this.faces.delete(k);
    const firstFrame = this.firstFrame ?? 0;
    const endPerf = this.perfTimeOfFrame(firstFrame + (t + 1) * this.geometry.segmentSamples);
    if (face === 'busy') {
      this.dropped++; // the face detector is behind: skip the segment rather than queue it
    } else {
      const replaced = this.queue.push({ index: t, endPerf, face: face ?? null });
      if (replaced) this.dropped++;
    }
    this.publishCounters();
    void this.drain();
  }

  private publishCounters(): void {
    liveStats.dropped_segments = this.dropped;
    liveStats.backlog = this.queue.backlog;
    this.store.counters(this.dropped, this.queue.backlog);
  }

  private async drain(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
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

  private async process(seg: ReadySegment): Promise<void> {
    const { segmentSamples, windowSamples } = this.geometry;
    const from = seg.index * segmentSamples;
    if (from < this.ring.total - this.ring.capacity) {
      this.dropped++; // far behind: its samples are gone
      return;
    }
    const patchSize = this.params.patch_frames * this.params.mel_bins;
    let logMel = new Float32Array(patchSize);
    let audio = 0;
    if (this.hasMicrophone) {
      const pcm = this.ring.read(from, from + windowSamples);
      const started = performance.now();
      const done = await workerClient('audio').request({ worker: 'audio', type: 'logmel', pcm, params: this.params }, { transfer: [pcm.buffer] });
      if (done.status !== 'complete') throw new Error('The audio worker returned no features.');
      logMel = done.result.logMel.slice(0, patchSize); // patch 0 = this segment (the window adds only the look-ahead)
      audio = done.result.audioMask[0] ?? 0;
      record(liveStats.stages_ms.audio, performance.now() - started);
    }
    const face = seg.face ? await seg.face : null;
    if (this.stopped) return;
    this.window.add({
      index: seg.index, logMel, audio, face: face?.crop ?? new Float32Array(0), visual: face?.visual ?? 0, box: face?.box ?? null,
    });
    const textCls = this.textCls;
    if (!this.window.hasAudioOrFace() && !textCls) {
      this.store.waiting(`No sound, no face and no text in the last ${(LIVE_WINDOW_SEGMENTS * this.params.segment_seconds).toFixed(1)} s: nothing to analyse yet.`);
      return;
    }
    const w = this.window.assemble(textCls);
    const fusionStarted = performance.now();
    const fused = await workerClient('fusion').request(
      { worker: 'fusion', type: 'run', inputs: w.inputs },
      { transfer: [w.inputs.log_mel.data.buffer, w.inputs.faces.data.buffer] },
    );
    if (fused.status !== 'complete') throw new Error('The fusion worker returned no result.');
    record(liveStats.stages_ms.fusion, performance.now() - fusionStarted);
    if (this.stopped) return;
    const result = buildResult({
      file: 'live', labels: this.labels, segmentSeconds: this.params.segment_seconds, outputs: fused.result.outputs,
      audioMask: w.audioMask, visualMask: w.visualMask, textPresent: textCls !== null, faceBoxes: w.boxes,
      backend: fused.result.backend, timings: {},
    });
    const prediction: LivePrediction = {
      segment: seg.index, time: (seg.index + 1) * this.params.segment_seconds, fused: result.fused,
      modalities: result.modalities, attention: result.attention, face: (face?.visual ?? 0) > 0, audio: audio > 0,
      windowSegments: w.indexes.length, text: textCls !== null,
    };
    this.store.predicted(prediction);
    liveStats.predictions++;
    // Latency = end of the segment (capture clock) to the frame after the prediction is rendered.
    requestAnimationFrame(() => record(liveStats.latencies_ms, performance.now() - seg.endPerf));
  }

  private async fail(e: unknown): Promise<void> {
    const problem = e instanceof CaptureError ? e.problem : 'pipeline';
    const message = e instanceof CaptureError ? e.message : `Live analysis stopped: ${humanizeError(e)}`;
    if (!(e instanceof CaptureError)) console.error(e);
    await this.stop();
    this.store.failed(problem, message);
  }
}
