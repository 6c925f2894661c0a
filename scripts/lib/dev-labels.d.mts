// Types for dev-labels.mjs (imported by the TypeScript Playwright fixtures).
export interface DevLabel { id: string; emotion: string; transcript: string }
export function parseDevLabels(text: string): DevLabel[];
export function readDevLabels(path: string): Map<string, Omit<DevLabel, 'id'>>;
