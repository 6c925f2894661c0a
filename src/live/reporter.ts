// What a live session tells the page, through a reporter as the file engine does
// (src/pipeline/reporter.ts): the session never writes to a store; live/actions.ts binds this to
// the live and app stores.
import type { PipelineReporter } from '../pipeline/reporter';
import type { Modality } from '../pipeline/result';
import type { Backend } from '../protocol';
import type { CaptureProblem } from './capture';

export type LiveTextStatus = 'none' | 'encoding' | 'ready' | 'unavailable';

export interface LivePrediction {
  /** Index of the newest segment in the window (0 = the first segment after Start). */
  segment: number;
  /** Seconds from Start to the end of that segment (capture clock). */
  time: number;
  /** Seconds per segment (the model's time base). */
  segmentSeconds: number;
  fused: number[];
  /** Voice and face decisions with the transcript masked (see AnalysisResult's `modality_basis`). */
  modalities: Record<Modality, number[] | null>;
  attention: Record<Modality, number>;
  /** The newest segment: a face was found / there was sound. */
  face: boolean;
  audio: boolean;
  /** Segments the graph saw (grows to the window size after Start). */
  windowSegments: number;
  text: boolean;
}

export interface LiveRunning {
  stream: MediaStream;
  sources: { video: string | null; audio: string | null };
  labels: string[];
  backend: Backend | null;
  /** Seconds per segment: a prediction comes every segment. */
  segmentSeconds: number;
}

export interface LiveReporter {
  /** Model loading: downloads, the backend and notes, as for files. */
  models: Pick<PipelineReporter, 'download' | 'backend'>;
  starting(detail: string): void;
  /** The camera/microphone are open: the preview shows at once, while the models still load. */
  preview(stream: MediaStream): void;
  detail(detail: string): void;
  note(text: string): void;
  running(x: LiveRunning): void;
  text(status: LiveTextStatus): void;
  waiting(why: string): void;
  predicted(p: LivePrediction): void;
  counters(dropped: number, backlog: number): void;
  failed(problem: CaptureProblem | 'pipeline', message: string): void;
}
