// The scripts' shared command-line parsing: util.parseArgs with plain messages for bad usage.
import type { ParseArgsConfig } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseCommandLine, UsageError, usageFailure } from './cli.mjs';

const OPTIONS: NonNullable<ParseArgsConfig['options']> = {
  out: { type: 'string' },
  runs: { type: 'string', default: '3' },
  skip: { type: 'string', multiple: true, default: [] },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
};

const usageMessage = (argv: string[], allowPositionals = false) => {
  try {
    parseCommandLine(argv, OPTIONS, { allowPositionals });
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
};

describe('parseCommandLine', () => {
  it('reads values, switches, defaults, repeated options and positionals', () => {
    const { values, positionals } = parseCommandLine(['a.mp4', '--out', 'dir', '--json', '--skip', 'x', '--skip=y', '-h', 'b.mp4'], OPTIONS, { allowPositionals: true });
    expect({ ...values }).toEqual({ out: 'dir', runs: '3', skip: ['x', 'y'], json: true, help: true });
    expect(positionals).toEqual(['a.mp4', 'b.mp4']);
  });
  it('takes the next argument as the value even when it starts with a dash, and --name=value', () => {
    expect(parseCommandLine(['--out', '--json'], OPTIONS).values.out).toBe('--json');
    expect(parseCommandLine(['--out', '-'], OPTIONS).values.out).toBe('-');
    expect(parseCommandLine(['--out=-x'], OPTIONS).values.out).toBe('-x');
    expect(parseCommandLine(['--out', 'a', '--out', 'b'], OPTIONS).values.out).toBe('b');
  });
  it('treats what follows -- as positional', () => {
    expect(parseCommandLine(['--', '--json'], OPTIONS, { allowPositionals: true }).positionals).toEqual(['--json']);
  });
  it('names an unknown option and lists the valid ones', () => {
    expect(usageMessage(['--fast'])).toBe('Unknown option --fast; valid are --out, --runs, --skip, --json, --help.');
    expect(usageMessage(['--fast=1'])).toMatch(/^Unknown option --fast;/);
    expect(usageMessage(['-x'])).toMatch(/^Unknown option -x;/);
    expect(usageMessage(['--toString'])).toMatch(/^Unknown option --toString;/);
  });
  it('says which option is missing its value, and refuses a value for a switch', () => {
    expect(usageMessage(['--json', '--out'])).toBe('--out needs a value.');
    expect(usageMessage(['--json=yes'])).toBe('--json takes no value.');
  });
  it('refuses positional arguments unless allowed', () => {
    expect(usageMessage(['stray'])).toBe('Unexpected argument stray.');
    expect(usageMessage(['--', 'stray'])).toBe('Unexpected argument stray.');
  });
  it('reports the first problem in argument order', () => {
    expect(usageMessage(['--bogus', '--out'])).toMatch(/^Unknown option --bogus/);
    expect(usageMessage(['--json=1', '--bogus'])).toBe('--json takes no value.');
  });
});

describe('usageFailure', () => {
  afterEach(() => vi.restoreAllMocks());
  it('prints the command, the message and the usage, and gives exit code 2', () => {
    const printed: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((text: string) => printed.push(text));
    expect(usageFailure(new UsageError('--out needs a value.'), 'npm run thing', 'Usage: npm run thing -- --out DIR')).toBe(2);
    expect(printed).toEqual(['npm run thing: --out needs a value.\n\nUsage: npm run thing -- --out DIR']);
  });
  it('rethrows anything that is not bad usage', () => {
    const crash = new TypeError('boom');
    expect(() => usageFailure(crash, 'npm run thing', 'Usage')).toThrow(crash);
  });
});
