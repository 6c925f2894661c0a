// Types for cli.mjs (imported by the TypeScript tests).
import type { ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
export class UsageError extends Error {}
export function parseCommandLine(argv: string[], options: Options, settings?: { allowPositionals?: boolean }): {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
};
export function usageFailure(error: unknown, command: string, usage: string): number;
