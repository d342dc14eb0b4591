'use client';

import { useState, type ChangeEvent } from 'react';
import { Field } from '@/components/ui/field';
import { TextareaField } from '@/components/ui/textarea-field';
import type { LinkFormErrors } from '../link-form-input';
import { presetUpstream, type LinkFormValues, type UpstreamValues } from '../link-form-values';
import type { PresetOption } from '../preset-options';
import { SelectField } from '@/components/ui/select-field';

const injectionOptions = [
  { value: 'bearer', label: 'Authorization: Bearer <secret>' },
  { value: 'header', label: 'A header of its own' },
  { value: 'query', label: 'A query parameter' },
  { value: 'basic', label: 'HTTP Basic auth (secret as the password)' },
];

function secretHint(mode: 'create' | 'update', hint: string | null): string {
  if (mode === 'create') return 'Stored encrypted; browsers never see it. Only its last characters are shown from now on.';
  const stored = hint ? `The stored secret ends in …${hint}.` : 'A secret is stored.';
  return `${stored} Leave empty to keep it; type a new one to replace it.`;
}

/**
 * Where the link forwards to and how the secret travels. On create, choosing a preset fills
 * the base URL, the injection, extra headers and allowed paths — all still editable; for Twilio
 * the Account SID typed is put into the paths and the Basic username. On edit the preset is fixed.
 */
export function UpstreamFields({
  mode,
  presets,
  initial,
  errors,
}: {
  mode: 'create' | 'update';
  presets: readonly PresetOption[];
  initial: LinkFormValues;
  errors: LinkFormErrors;
}) {
  const [preset, setPreset] = useState(initial.preset);
  const [sid, setSid] = useState('');
  const [values, setValues] = useState<UpstreamValues>(initial.upstream);
  const option = presets.find((candidate) => candidate.value === preset);
  const set = (field: keyof UpstreamValues) => (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) =>
    setValues((current) => ({ ...current, [field]: event.target.value }));

  function choosePreset(next: string) {
    setPreset(next);
    setValues(presetUpstream(presets.find((candidate) => candidate.value === next)?.defaults ?? null, sid));
  }

  // Only what still shows the preset's text follows the SID; edited fields are left alone.
  function changeSid(next: string) {
    const before = presetUpstream(option?.defaults ?? null, sid);
    const after = presetUpstream(option?.defaults ?? null, next);
    setValues((current) => {
      const updated = { ...current };
      for (const field of Object.keys(current) as (keyof UpstreamValues)[]) if (current[field] === before[field]) updated[field] = after[field];
      return updated;
    });
    setSid(next);
  }

  return (
    <div className="space-y-4">
      {mode === 'create' ? (
        <SelectField
          label="Preset"
          name="preset"
          value={preset}
          onChange={(event) => choosePreset(event.target.value)}
          options={presets.map(({ value, label }) => ({ value, label }))}
          error={errors.preset}
          hint="Fills in the API's base URL, how the key is sent and the usual allowed paths. Everything stays editable."
        />
      ) : (
        <p className="text-sm text-zinc-600">
          Preset: <span className="font-medium text-zinc-900">{option?.label ?? preset}</span>
        </p>
      )}
      {mode === 'create' && preset === 'twilio' ? (
        <Field
          label="Twilio Account SID"
          name="account_sid"
          value={sid}
          onChange={(event) => changeSid(event.target.value)}
          autoComplete="off"
          placeholder={`AC${'x'.repeat(32)}`}
          error={errors.account_sid}
          hint="AC followed by 32 hex digits. The allowed paths are pinned to this account."
        />
      ) : null}
      <Field
        label="Upstream base URL"
        name="upstream_base_url"
        value={values.baseUrl}
        onChange={set('baseUrl')}
        autoComplete="off"
        placeholder="https://api.example.com/v1"
        error={errors.upstream_base_url}
        hint="Requests to /proxy/{link id}/… go to this URL + the same path."
      />
      <Field
        label={option?.secretLabel ?? 'Secret'}
        name="secret"
        type="password"
        autoComplete="new-password"
        error={errors.secret}
        hint={secretHint(mode, initial.secretHint)}
      />
      <fieldset className="space-y-2">
        <legend className="text-sm font-semibold text-zinc-900">How the secret is sent</legend>
        <div className="grid gap-4 sm:grid-cols-2">
          <SelectField label="Send the secret as" name="injection_type" value={values.injectionType} onChange={set('injectionType')} options={injectionOptions} error={errors.injection_type} />
          {values.injectionType === 'header' || values.injectionType === 'query' ? (
            <Field
              label={values.injectionType === 'header' ? 'Header name' : 'Query parameter name'}
              name="injection_name"
              value={values.injectionName}
              onChange={set('injectionName')}
              autoComplete="off"
              placeholder={values.injectionType === 'header' ? 'x-api-key' : 'key'}
              error={errors.injection_name}
            />
          ) : values.injectionType === 'basic' ? (
            <Field
              label="Basic auth username"
              name="injection_username"
              value={values.injectionUsername}
              onChange={set('injectionUsername')}
              autoComplete="off"
              error={errors.injection_username}
              hint="Optional (Twilio: the Account SID)."
            />
          ) : null}
        </div>
      </fieldset>
      <TextareaField
        label="Allowed paths"
        name="allowed_paths"
        rows={5}
        value={values.allowedPaths}
        onChange={set('allowedPaths')}
        error={errors.allowed_paths}
        placeholder={'/v1/chat/completions\nGET /v1/models'}
        hint="One per line; only these are forwarded. Optionally methods first (GET,POST /v1/files). * matches one segment, ** the rest."
      />
      <TextareaField
        label="Extra headers"
        name="extra_headers"
        rows={2}
        value={values.extraHeaders}
        onChange={set('extraHeaders')}
        error={errors.extra_headers}
        placeholder="anthropic-version: 2023-06-01"
        hint="Optional: name: value, one per line, added to every forwarded request."
      />
    </div>
  );
}
