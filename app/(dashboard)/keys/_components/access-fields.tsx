import { OPERATION_LABELS, OPERATIONS } from '@/lib/keys/schema';
import type { KeyFormErrors } from '../key-form-schema';
import type { KeyFormValues } from './key-form';
import { TextareaField } from '@/components/ui/textarea-field';
import { ProviderFields } from './provider-fields';

/** What the key may reach: models, providers, operations, client IPs. Empty means "no restriction". */
export function AccessFields({ initial, errors }: { initial: KeyFormValues; errors: KeyFormErrors }) {
  const operationsError = errors.allowed_operations;
  return (
    <div className="space-y-4">
      <TextareaField
        label="Allowed models"
        name="allowed_models"
        defaultValue={initial.allowedModels}
        error={errors.allowed_models}
        placeholder={'gpt-4o-mini\nclaude-3-5*'}
        hint="One per line or comma-separated: exact ids, or a prefix ending in * (gpt-4o*). Empty = all models."
      />
      <ProviderFields initial={initial.allowedProviders} error={errors.allowed_providers} />
      <fieldset className="space-y-2" aria-describedby={operationsError ? 'allowed_operations-error' : 'allowed_operations-hint'}>
        <legend className="text-sm font-medium text-zinc-700">Allowed operations</legend>
        <div className="flex flex-wrap gap-4">
          {OPERATIONS.map((operation) => (
            <label key={operation} className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                name="allowed_operations"
                value={operation}
                defaultChecked={initial.allowedOperations.includes(operation)}
                className="h-4 w-4 rounded border-zinc-300"
              />
              {OPERATION_LABELS[operation]}
            </label>
          ))}
        </div>
        {operationsError ? (
          <p id="allowed_operations-error" role="alert" className="text-sm text-red-600">
            {operationsError}
          </p>
        ) : (
          <p id="allowed_operations-hint" className="text-xs text-zinc-500">
            None checked = all operations.
          </p>
        )}
      </fieldset>
      <TextareaField
        label="IP allowlist"
        name="ip_allowlist"
        defaultValue={initial.ipAllowlist}
        error={errors.ip_allowlist}
        placeholder={'203.0.113.7\n10.0.0.0/8'}
        hint="One IP address or CIDR range per line. Empty = any IP."
      />
    </div>
  );
}
