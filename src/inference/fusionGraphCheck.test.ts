// The fused graph is checked against the manifest at load: the shipped pair agrees; a graph whose
// metadata labels or output size differ is refused with a sentence naming both label sets.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkFusionGraph, fusionGraphProblem } from './fusionGraphCheck';
import { parseManifest } from './manifest';
import { readOnnxInfo } from './onnxInfo';

// A minimal protobuf writer for hand-made ModelProtos (field numbers of onnx.proto).
const varint = (n: number): number[] => {
  const out: number[] = [];
  do {
    out.push((n % 128) | (n >= 128 ? 0x80 : 0));
    n = Math.floor(n / 128);
  } while (n > 0);
  return out;
};
const bytesField = (no: number, body: number[] | string) => {
  const b = typeof body === 'string' ? [...new TextEncoder().encode(body)] : body;
  return [...varint(no * 8 + 2), ...varint(b.length), ...b];
};
const varintField = (no: number, n: number) => [...varint(no * 8), ...varint(n)];
const dim = (d: number | string) => bytesField(1, typeof d === 'number' ? varintField(1, d) : bytesField(2, d));
const output = (name: string, dims: (number | string)[]) =>
  bytesField(12, [...bytesField(1, name), ...bytesField(2, bytesField(1, [...varintField(1, 1), ...bytesField(2, dims.flatMap(dim))]))]);
function model(outputs: [string, (number | string)[]][], metadata: Record<string, string> = {}): Uint8Array {
  const graph = bytesField(7, [...bytesField(5, new Array(300).fill(7)), ...outputs.flatMap(([n, d]) => output(n, d))]);
  const props = Object.entries(metadata).flatMap(([k, v]) => bytesField(14, [...bytesField(1, k), ...bytesField(2, v)]));
  return Uint8Array.from([...varintField(1, 8), ...graph, ...props]);
}

const EKMAN = ['anger', 'disgust', 'fear', 'happiness', 'sadness', 'surprise', 'neutral'];
const IEMOCAP = ['ang', 'exc', 'fru', 'hap', 'neu', 'sad'];
const manifest = (labels: string[]) => ({ labels, audio: { segment_seconds: 0.96 }, face: { crop: { channels: 1 as const, size: 48 } }, text: { dim: 256 } });

describe('readOnnxInfo', () => {
  it('reads metadata and declared output shapes, symbolic dims included', () => {
    const info = readOnnxInfo(model([['fused', [1, 6]], ['audio_segments', ['N', 'T', 6]]], { labels: JSON.stringify(IEMOCAP), text_dim: '256' }));
    expect(info.metadata).toEqual({ labels: JSON.stringify(IEMOCAP), text_dim: '256' });
    expect(info.outputs).toEqual({ fused: [1, 6], audio_segments: ['N', 'T', 6] });
  });

  it('refuses bytes that are not a model', () => {
    expect(() => readOnnxInfo(Uint8Array.from([0x0a, 0xff, 0xff, 0x7f, 1, 2]))).toThrow(/not a readable ONNX model/);
    expect(checkFusionGraph(Uint8Array.from([0x0f]), manifest(EKMAN), 'fusion.onnx')).toMatch(/fusion\.onnx is not a readable ONNX model/);
  });

  it('reads the shipped fused graph: its outputs have as many classes as the manifest has labels, and nothing is refused', () => {
    const m = parseManifest(JSON.parse(readFileSync('public/models/manifest.json', 'utf8')));
    const bytes = new Uint8Array(readFileSync(`public/models/${m.fusion.path}`));
    expect(readOnnxInfo(bytes).outputs.fused).toEqual([1, m.labels.length]);
    expect(checkFusionGraph(bytes, m, m.fusion.path)).toBeNull();
  });
});

describe('fusionGraphProblem', () => {
  const iemocapGraph = readOnnxInfo(model([['fused', [1, 6]], ['audio_segments', ['N', 'T', 6]]], {
    labels: JSON.stringify(IEMOCAP), segment_seconds: '0.96', text_dim: '256',
  }));

  it('accepts a custom model under its own labels', () => {
    expect(fusionGraphProblem(iemocapGraph, manifest(IEMOCAP), 'fusion.onnx')).toBeNull();
  });

  it('refuses it under another label set, naming both sets and their sizes', () => {
    const said = fusionGraphProblem(iemocapGraph, manifest(EKMAN), 'fusion.onnx') ?? '';
    expect(said).toContain('was trained for 6 emotions (ang, exc, fru, hap, neu, sad)');
    expect(said).toContain('the manifest lists 7 emotions (anger, disgust, fear, happiness, sadness, surprise, neutral)');
    expect(said).toContain('not loaded');
  });

  it('refuses the same names in another order (a silent relabelling otherwise)', () => {
    expect(fusionGraphProblem(iemocapGraph, manifest([...IEMOCAP].reverse()), 'fusion.onnx')).toMatch(/trained for 6 emotions/);
  });

  it('checks a graph without metadata by its output size', () => {
    const bare = readOnnxInfo(model([['fused', [1, 6]]]));
    expect(fusionGraphProblem(bare, manifest(EKMAN), 'fusion.onnx')).toMatch(/outputs 6 emotion scores but the manifest lists 7 emotions/);
    expect(fusionGraphProblem(bare, manifest(IEMOCAP), 'fusion.onnx')).toBeNull();
  });

  it('refuses another time base, face crop or text size, and unreadable labels', () => {
    const other = (metadata: Record<string, string>) => fusionGraphProblem(readOnnxInfo(model([['fused', [1, 6]]], metadata)), manifest(IEMOCAP), 'f.onnx');
    expect(other({ segment_seconds: '1.0' })).toMatch(/segments of 1.0 s but the manifest’s are 0.96 s/);
    expect(other({ text_dim: '16' })).toMatch(/text vector of 16 numbers but the manifest’s text encoder gives 256/);
    expect(other({ labels: 'ang,exc' })).toMatch(/labels are not a list of emotion names/);
    expect(other({ face_crop: '{"channels": 3, "size": 64}' })).toMatch(/takes 3x64x64 face crops but the manifest’s are 1x48x48/);
    expect(other({ face_crop: '{"channels": 1, "size": 48}' })).toBeNull();
  });
});
