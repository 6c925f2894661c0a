// "A new version is ready" with a reload button, shown only when an update could not be applied at
// once because the user has work on screen (see register.ts).
import { Notice } from '../ui/Notice';
import { reloadToUpdate, useUpdateReady } from './register';

export function UpdateNotice() {
  const ready = useUpdateReady();
  if (!ready) return null;
  return (
    <div className="app" data-testid="update-ready">
      <Notice kind="info">
        A new version of this app is ready; reloading starts it (what is on screen now is not kept).{' '}
        <button type="button" onClick={reloadToUpdate}>Reload to update</button>
      </Notice>
    </div>
  );
}
