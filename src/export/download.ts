// Saves a Blob as a file on the user's machine (an `<a download>` on an object URL): nothing is sent
// anywhere. File names derive from the analysed file's name, made safe for any file system.
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  // The download has taken its copy once click() returns; a delay spares browsers that read lazily.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** `talk.final.mp4` + `segments.csv` -> `talk.final-segments.csv`; `result-…` when the name was not shared. */
export function exportFileName(sourceName: string, suffix: string): string {
  const base = sourceName.replace(/\.[A-Za-z0-9]{1,5}$/, '')
    .replace(/[\u0000-\u001f\u007f<>:"/\\|?*\u202a-\u202e\u2066-\u2069]+/g, '_')
    .replace(/^[.\s_]+|[.\s]+$/g, '')
    .slice(0, 100);
  return `${base || 'result'}-${suffix}`;
}
