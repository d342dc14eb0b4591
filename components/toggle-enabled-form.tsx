import { Button } from '@/components/ui/button';

/** Disable or enable a key or a link: reversible, so no confirmation step. */
export function ToggleEnabledForm({
  action,
  id,
  enabled,
  noun,
}: {
  action: (formData: FormData) => Promise<void>;
  id: string;
  enabled: boolean;
  noun: 'key' | 'link';
}) {
  return (
    <form action={action}>
      <input type="hidden" name="id" value={id} />
      <input type="hidden" name="enabled" value={String(!enabled)} />
      <Button type="submit" variant="secondary">
        {enabled ? `Disable ${noun}` : `Enable ${noun}`}
      </Button>
    </form>
  );
}
