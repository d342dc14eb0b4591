import { Button } from '@/components/ui/button';
import { setKeyEnabledAction } from '../../actions';

/** Disable or enable: reversible, so no confirmation step. */
export function ToggleKeyForm({ keyId, enabled }: { keyId: string; enabled: boolean }) {
  return (
    <form action={setKeyEnabledAction}>
      <input type="hidden" name="id" value={keyId} />
      <input type="hidden" name="enabled" value={String(!enabled)} />
      <Button type="submit" variant="secondary">
        {enabled ? 'Disable key' : 'Enable key'}
      </Button>
    </form>
  );
}
