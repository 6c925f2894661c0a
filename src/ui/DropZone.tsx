// Drop a video or pick one (click, Enter or Space). react-dropzone handles drag state, keyboard
// activation and the hidden file input.
import { useDropzone } from 'react-dropzone';

export function DropZone({ onFile, disabled, compact }: { onFile: (file: File) => void; disabled: boolean; compact: boolean }) {
  const { getRootProps, getInputProps, isDragActive } = useDropzone({
    multiple: false,
    disabled,
    onDrop: (accepted) => {
      const file = accepted[0];
      if (file) onFile(file);
    },
  });
  const className = ['dropzone', isDragActive ? 'dropzone-active' : '', compact ? 'dropzone-compact' : '', disabled ? 'dropzone-disabled' : '']
    .filter(Boolean).join(' ');
  return (
    <div {...getRootProps({ className, role: 'button', 'aria-label': 'Choose a video to analyse, or drop one here' })} data-testid="dropzone">
      <input {...getInputProps()} data-testid="file-input" />
      <p className="dropzone-title">{isDragActive ? 'Drop to analyse' : compact ? 'Analyse another video' : 'Drop a video here'}</p>
      {!compact && <p className="muted">or press Enter to choose a file. MP4 or WebM with sound works best.</p>}
      <p className="muted small">It never leaves this tab: decoding and the models run in your browser.</p>
    </div>
  );
}
