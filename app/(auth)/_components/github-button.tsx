import { Button } from '@/components/ui/button';
import { githubSignInAction } from '../actions';

/** Rendered only when AUTH_GITHUB_ID / AUTH_GITHUB_SECRET are configured. */
export function GitHubButton() {
  return (
    <form action={githubSignInAction}>
      <Button type="submit" variant="secondary" className="w-full">
        Continue with GitHub
      </Button>
      <div className="my-6 flex items-center gap-3 text-xs uppercase text-zinc-400">
        <span className="h-px flex-1 bg-zinc-200" /> or <span className="h-px flex-1 bg-zinc-200" />
      </div>
    </form>
  );
}
