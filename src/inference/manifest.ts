// The model manifest (public/models/manifest.json, written by scripts/write-manifest.mjs):
// labels, front-end parameters and every model file with size and sha256. Validated with zod on
// load, so a broken or foreign manifest is refused with a message instead of crashing later.
import { audioParamsSchema } from '../features/audio/params';
import { cropParamsSchema } from '../features/face/align';
import { z } from '../zod';

const positive = z.number().positive();
const insideModels = (p: string) => !p.startsWith('/') && !p.split('/').includes('..');
// Loose objects: parameters added to features.json (e.g. a new crop setting) reach the workers
// untouched; only the fields the app itself relies on are checked. The audio and crop sections'
// schemas live with the code that reads them (features/), which infers its parameter types from them.
export const manifestSchema = z.looseObject({
  schema: z.literal(1),
  model_id: z.string().min(1),
  labels: z.array(z.string().min(1)).min(1),
  audio: audioParamsSchema,
  face: z.looseObject({
    detector: z.string().min(1),
    min_score: z.number().min(0).max(1),
    crop: cropParamsSchema,
  }),
  text: z.looseObject({ path: z.string().min(1), dim: positive, max_length: positive, dtype: z.enum(['fp32', 'q8']).default('q8') }),
  fusion: z.object({ path: z.string().min(1) }),
  /** The model card beside the models (MODEL_CARD.md), absent when this model ships without one. */
  card: z.string().min(1).refine(insideModels, 'must stay inside models/').optional(),
  files: z.array(z.object({
    path: z.string().min(1).refine(insideModels, 'must stay inside models/'),
    bytes: z.number().int().nonnegative(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  })),
  metrics: z.array(z.object({
    name: z.string(), dataset: z.string(), split: z.string(), n: z.number(), value: z.number(),
  }).passthrough()).default([]),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestFile = Manifest['files'][number];
/** One measured number of the model ({name, dataset, split, n, value}: honest-numbers rule). */
export type ManifestMetric = Manifest['metrics'][number];

/** Parses a manifest or throws an Error listing what is wrong. */
export function parseManifest(json: unknown): Manifest {
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`The model manifest is invalid (${issues.join('; ')}).`);
  }
  const m = parsed.data;
  if (!m.files.some((f) => f.path === m.fusion.path)) {
    throw new Error(`The model manifest names ${m.fusion.path} as the fused model but does not list it in files.`);
  }
  if (m.audio.vad && !m.files.some((f) => f.path === m.audio.vad?.model)) {
    throw new Error(`The model manifest names ${m.audio.vad.model} as the voice-activity detector but does not list it in files.`);
  }
  return m;
}

/** The manifest entry for `path`, or null when the model is not shipped. */
export function findFile(m: Manifest, path: string): ManifestFile | null {
  return m.files.find((f) => f.path === path) ?? null;
}

/** Files under the text encoder's folder (transformers.js layout), empty when none is shipped. */
export function textFiles(m: Manifest): ManifestFile[] {
  return m.files.filter((f) => f.path.startsWith(`${m.text.path}/`));
}
