// How the pipeline tells the page what it is doing: the file engine and live mode both report
// through a reporter (the page binds it to its stores), so nothing in pipeline/ or live/ writes to
// a store itself.
import type { Backend } from '../protocol';
import type { DownloadState, Stage, StageState } from './stages';
import type { TextWindow } from './windowTexts';
import type { SubtitleTrack } from '../decode/subtitleTracks';

/** The file's own subtitle tracks and the one whose words the run used (null: the given transcript won, or none was readable). */
export interface EmbeddedWords { tracks: SubtitleTrack[]; used: SubtitleTrack | null; name: string | null; words: number }

export interface PipelineReporter {
  stage(stage: Stage, patch: Partial<StageState>): void;
  download(path: string, patch: Partial<DownloadState>): void;
  note(text: string): void;
  backend(backend: Backend, detail: string): void;
  /** The face crops the model will see, one per segment (zeros where `present` is 0); a copy for display. */
  faceCrops?(crops: FaceCrops): void;
  /** With timed captions: the words each window was given (for the segment detail and the exports). */
  textWindows?(windows: TextWindow[]): void;
  /** The file's own subtitle tracks (only for files that have some) and which one the run used. */
  embeddedSubtitles?(found: EmbeddedWords): void;
}

/**
 * Segment face crops for display: T x size x size grey bytes (0-255, the first channel of what the
 * fusion graph got; zeros where `present` is 0). Bytes, not floats: an hour is 3,750 crops, 8.6 MB
 * as bytes where the graph's float32 copies would be 35 MB.
 */
export interface FaceCrops { pixels: Uint8Array; present: Float32Array; size: number; channels: 1 }
