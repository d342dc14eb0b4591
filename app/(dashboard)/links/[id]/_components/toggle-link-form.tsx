import { Button } from '@/components/ui/button';
import { setLinkEnabledAction } from '../../actions';

/** Disable or enable: reversible, so no confirmation step. A disabled link answers 403 link_disabled. */
export function ToggleLinkForm({ linkId, enabled }: { linkId: string; enabled: boolean }) {
  return (
    <form action={setLinkEnabledAction}>
      <input type="hidden" name="id" value={linkId} />
      <input type="hidden" name="enabled" value={String(!enabled)} />
      <Button type="submit" variant="secondary">
        {enabled ? 'Disable link' : 'Enable link'}
      </Button>
    </form>
  );
}
