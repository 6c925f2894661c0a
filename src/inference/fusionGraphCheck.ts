// Does the fused graph fit the manifest the app reads its outputs with? mer.export writes the
// model's own labels (in output order), time base, face crop and text size into the graph's
// metadata (each is checked); the manifest's `labels` name the columns the page, exports, share links and the CLI
// show. A graph for other labels (e.g. one trained on IEMOCAP's 6 classes under a manifest written
// for Ekman-7) would have its scores shown under the wrong names, so it is refused at load with a
// sentence naming both sides, before anything runs. Graphs without metadata (older exports) are
// checked by their declared output size alone.
import type { Manifest } from './manifest';
import { readOnnxInfo, type OnnxInfo } from './onnxInfo';

/** Outputs whose last dimension is the number of classes (docs/CONTRACTS.md). */
const CLASS_OUTPUTS = Object.freeze(['fused', 'audio', 'visual', 'text', 'audio_segments', 'visual_segments'] as const);

const named = (labels: readonly string[]) => `${labels.length} emotion${labels.length === 1 ? '' : 's'} (${labels.join(', ')})`;
const REMEDY = 'Rebuild the manifest from the model’s fusion.json (“npm run manifest”) or ship the graph the manifest was written for.';

function metadataLabels(info: OnnxInfo): string[] | 'bad' | null {
  const raw = info.metadata.labels;
  if (raw === undefined) return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (Array.isArray(parsed) && parsed.length > 0 && parsed.every((x) => typeof x === 'string')) return parsed as string[];
  } catch {
    // reported below
  }
  return 'bad';
}

type Expected = Pick<Manifest, 'labels'> & {
  audio: Pick<Manifest['audio'], 'segment_seconds'>;
  face: { crop: Pick<Manifest['face']['crop'], 'channels' | 'size'> };
  text: Pick<Manifest['text'], 'dim'>;
};

/** The metadata's face crop as "CxSxS", or null when it does not say. */
function metadataCrop(info: OnnxInfo): string | null {
  try {
    const c = JSON.parse(info.metadata.face_crop ?? 'null') as { channels?: unknown; size?: unknown } | null;
    return c && typeof c.channels === 'number' && typeof c.size === 'number' ? `${c.channels}x${c.size}x${c.size}` : null;
  } catch {
    return null;
  }
}

/** Why the graph in `info` cannot be read with `manifest` (a sentence for the page), or null when it fits. */
export function fusionGraphProblem(info: OnnxInfo, manifest: Expected, file: string): string | null {
  const labels = manifest.labels;
  const own = metadataLabels(info);
  if (own === 'bad') return `The fused model ${file} is damaged: its metadata’s labels are not a list of emotion names. ${REMEDY}`;
  if (own && (own.length !== labels.length || own.some((l, i) => l !== labels[i]))) {
    return `The fused model ${file} was trained for ${named(own)} but the manifest lists ${named(labels)}; `
      + `its scores would be shown under the wrong names, so it was not loaded. ${REMEDY}`;
  }
  for (const name of CLASS_OUTPUTS) {
    const dims = info.outputs[name];
    const m = dims?.[dims.length - 1];
    if (typeof m === 'number' && m !== labels.length) {
      return `The fused model ${file} outputs ${m} emotion scores but the manifest lists ${named(labels)}; `
        + `its scores would be shown under the wrong names, so it was not loaded. ${REMEDY}`;
    }
  }
  const seconds = info.metadata.segment_seconds;
  if (seconds !== undefined && Number(seconds) !== manifest.audio.segment_seconds) {
    return `The fused model ${file} works on segments of ${seconds} s but the manifest’s are ${manifest.audio.segment_seconds} s, so it was not loaded. ${REMEDY}`;
  }
  const crop = metadataCrop(info);
  const wanted = `${manifest.face.crop.channels}x${manifest.face.crop.size}x${manifest.face.crop.size}`;
  if (crop && crop !== wanted) {
    return `The fused model ${file} takes ${crop} face crops but the manifest’s are ${wanted}, so it was not loaded. ${REMEDY}`;
  }
  const textDim = info.metadata.text_dim;
  if (textDim !== undefined && Number(textDim) !== manifest.text.dim) {
    return `The fused model ${file} reads a text vector of ${textDim} numbers but the manifest’s text encoder gives ${manifest.text.dim}, so it was not loaded. ${REMEDY}`;
  }
  return null;
}

/** fusionGraphProblem on a graph's bytes; an unreadable file is a problem too. */
export function checkFusionGraph(bytes: Uint8Array, manifest: Expected, file: string): string | null {
  let info: OnnxInfo;
  try {
    info = readOnnxInfo(bytes);
  } catch (e) {
    return `The fused model ${file} is ${e instanceof Error ? e.message : 'not readable'}. ${REMEDY}`;
  }
  return fusionGraphProblem(info, manifest, file);
}
