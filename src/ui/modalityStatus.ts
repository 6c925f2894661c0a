// Plain sentences for what a result lacks, computed from the result alone (so a shared link says
// the same): a modality left out entirely, or present in only some segments.
import type { AnalysisResult, Modality } from '../pipeline/result';

export interface ModalityStatement { modality: Modality; missing: 'all' | 'some'; text: string }

export function modalityStatements(result: Pick<AnalysisResult, 'modalities' | 'segments'>): ModalityStatement[] {
  const out: ModalityStatement[] = [];
  const total = result.segments.length;
  const voiced = result.segments.filter((s) => s.audio !== null).length;
  const faces = result.segments.filter((s) => s.face).length;
  if (result.modalities.audio === null) {
    out.push({ modality: 'audio', missing: 'all', text: 'No voice: no speech was heard (the sound is silent, missing, or only music, tones or noise), so the voice was left out of the decision.' });
  } else if (voiced < total) {
    out.push({ modality: 'audio', missing: 'some', text: `Voice heard in ${voiced} of ${total} segments; the others (silence, music, noise) count only through face and words.` });
  }
  if (result.modalities.visual === null) {
    out.push({ modality: 'visual', missing: 'all', text: 'No face: no face was found in the video, so the face was left out of the decision.' });
  } else if (faces < total) {
    out.push({ modality: 'visual', missing: 'some', text: `Face found in ${faces} of ${total} segments; the others count only through voice and words.` });
  }
  if (result.modalities.text === null) {
    out.push({ modality: 'text', missing: 'all', text: 'No words: no transcript was given, so what was said was left out of the decision.' });
  }
  return out;
}
