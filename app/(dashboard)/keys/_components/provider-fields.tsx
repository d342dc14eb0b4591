import { PROVIDER_LABELS, PROVIDERS } from '@/lib/gateway/provider-names';

/** Which providers' models the key may use, on top of its allowed models. None checked = all. */
export function ProviderFields({ initial, error }: { initial: readonly string[]; error?: string }) {
  return (
    <fieldset className="space-y-2" aria-describedby={error ? 'allowed_providers-error' : 'allowed_providers-hint'}>
      <legend className="text-sm font-medium text-zinc-700">Allowed providers</legend>
      <div className="flex flex-wrap gap-4">
        {PROVIDERS.map((provider) => (
          <label key={provider} className="flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              name="allowed_providers"
              value={provider}
              defaultChecked={initial.includes(provider)}
              className="h-4 w-4 rounded border-zinc-300"
            />
            {PROVIDER_LABELS[provider]}
          </label>
        ))}
      </div>
      {error ? (
        <p id="allowed_providers-error" role="alert" className="text-sm text-red-600">
          {error}
        </p>
      ) : (
        <p id="allowed_providers-hint" className="text-xs text-zinc-500">
          None checked = all providers. A model must pass both this and the allowed models.
        </p>
      )}
    </fieldset>
  );
}
