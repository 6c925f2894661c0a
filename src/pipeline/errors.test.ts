import { describe, expect, it } from 'vitest';
import { failedStage, failureOf, inStage, UserFacingError } from './errors';

describe('failures name their stage', () => {
  it('inStage marks a failure with its stage; the innermost mark wins', async () => {
    const e = new UserFacingError('no face model');
    const caught = await inStage('fusion', inStage('face', Promise.reject(e))).catch((x: unknown) => x);
    expect(caught).toBe(e);
    expect(failedStage(caught)).toBe('face');
  });
  it('a cancel is nobody’s failure', async () => {
    const abort = new DOMException('Cancelled', 'AbortError');
    const caught = await inStage('decode', async () => { throw abort; }).catch((x: unknown) => x);
    expect(failedStage(caught)).toBeNull();
  });
  it('unmarked errors and thrown strings have no stage', () => {
    expect(failedStage(new Error('x'))).toBeNull();
    expect(failedStage(failureOf('text', 'models'))).toBeNull();
  });
});
