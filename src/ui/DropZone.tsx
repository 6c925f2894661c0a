// Drop a video or pick one (click, Enter or Space), optionally with its subtitles (.srt/.vtt).
// react-dropzone handles drag state, keyboard activation and the hidden file input; what the files
// mean (video, subtitles, not a video) is decided by the action (src/features/text/captions.ts).
import { useDropzone } from 'react-dropzone';

export function DropZone({ onFiles, disabled, compact }: { onFiles: (files: File[]) => void; disabled: boolean; compact: boolean }) {
  const { getRootProps, getInputProps, isDragActive, inputRef } = useDropzone({
    multiple: true,
    disabled,
    // The input is emptied once react-dropzone has read its files: Chromium fires no `change` when
    // the file it already holds is set again, so the same file picked after its error did nothing.
    onDrop: (accepted) => {
      if (inputRef.current) inputRef.current.value = '';
      if (accepted.length) onFiles(accepted);
    },
  });
  const className = ['dropzone', isDragActive ? 'dropzone-active' : '', compact ? 'dropzone-compact' : '', disabled ? 'dropzone-disabled' : '']
    .filter(Boolean).join(' ');
  return (
    <div {...getRootProps({ className, role: 'button', 'aria-label': 'Choose a video to analyse (and its .srt or .vtt subtitles), or drop them here' })} data-testid="dropzone">
      <input {...getInputProps()} data-testid="file-input" />
      <p className="dropzone-title">{isDragActive ? 'Drop to analyse' : compact ? 'Analyse another video' : 'Drop a video here'}</p>
      {!compact && <p className="muted">or press Enter to choose a file. MP4 or WebM with sound works best; add its .srt or .vtt subtitles for the words.</p>}
      <p className="muted small">It never leaves this tab: decoding and the models run in your browser.</p>
    </div>
  );
}
