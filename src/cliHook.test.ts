// The command-line hook's features: the engine's windows put back together as one clip.
import { describe, expect, it } from 'vitest';
import { assembleWindows } from './cliHook';
import type { FusionInputs } from './protocol';

/** A window of `count` segments whose values name their segment (log-mel 2 x 1, face 1 x 1 x 1). */
function window(first: number, count: number): { first: number; inputs: FusionInputs } {
  const seg = (per: number) => Float32Array.from({ length: count * per }, (_, i) => first + Math.floor(i / per) + 1);
  return {
    first,
    inputs: {
      log_mel: { data: seg(2), dims: [1, count, 2, 1] },
      faces: { data: seg(1), dims: [1, count, 1, 1, 1] },
      text_cls: { data: Float32Array.from([0.5, -0.5]), dims: [1, 2] },
      audio_mask: { data: new Float32Array(count).fill(1), dims: [1, count] },
      visual_mask: { data: new Float32Array(count).fill(1), dims: [1, count] },
      text_mask: { data: Float32Array.from([1]), dims: [1, 1] },
    },
  };
}

describe('assembleWindows', () => {
  it('concatenates windows along T and drops the batch dimension', () => {
    const out = assembleWindows([window(0, 2), window(2, 1)], 3);
    expect(out.log_mel?.dims).toEqual([3, 2, 1]);
    expect([...(out.log_mel?.data ?? [])]).toEqual([1, 1, 2, 2, 3, 3]);
    expect(out.faces?.dims).toEqual([3, 1, 1, 1]);
    expect([...(out.audio_mask?.data ?? [])]).toEqual([1, 1, 1]);
    expect(out.text_cls?.dims).toEqual([2]);
    expect(out.text_mask?.dims).toEqual([1]);
  });

  it('leaves a window the engine skipped (nothing present) as zeros with masks 0', () => {
    const out = assembleWindows([window(0, 2), window(4, 2)], 6);
    expect([...(out.faces?.data ?? [])]).toEqual([1, 2, 0, 0, 5, 6]);
    expect([...(out.visual_mask?.data ?? [])]).toEqual([1, 1, 0, 0, 1, 1]);
  });

  it('gives nothing when no window ran', () => {
    expect(assembleWindows([], 4)).toEqual({});
  });
});
