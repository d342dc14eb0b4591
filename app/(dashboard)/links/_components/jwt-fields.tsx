'use client';

import { useState } from 'react';
import { Field } from '@/components/ui/field';
import type { JwtMode, LinkFormErrors } from '../link-form-input';
import type { LinkFormValues } from '../link-form-values';
import { SelectField } from '@/components/ui/select-field';

const modes: { value: JwtMode; label: string }[] = [
  { value: 'off', label: 'Off — the access token is enough' },
  { value: 'HS256', label: 'HS256 — shared secret' },
  { value: 'RS256', label: 'RS256 — public keys from a JWKS URL' },
  { value: 'ES256', label: 'ES256 — public keys from a JWKS URL' },
];

/**
 * End-user JWTs: when on, every request also carries `Authorization: Bearer <JWT>` made by the
 * customer's backend; the user it names gets the per-end-user limits and usage rows. The HS256
 * secret is write-only like the link's own secret.
 */
export function JwtFields({ mode: formMode, initial, errors }: { mode: 'create' | 'update'; initial: LinkFormValues['jwt']; errors: LinkFormErrors }) {
  const [mode, setMode] = useState<JwtMode>(initial.mode);
  const keepSecret = formMode === 'update' && initial.mode === 'HS256' && initial.hasSecret;
  return (
    <fieldset className="space-y-4">
      <legend className="text-sm font-semibold text-zinc-900">End-user JWT verification</legend>
      <SelectField
        label="End-user JWT"
        name="jwt_mode"
        value={mode}
        onChange={(event) => setMode(event.target.value as JwtMode)}
        options={modes}
        error={errors.jwt_mode}
        hint="Optional. Your backend signs a JWT per user; never create them in the browser."
      />
      {mode === 'HS256' ? (
        <Field
          label="JWT secret"
          name="jwt_secret"
          type="password"
          autoComplete="new-password"
          error={errors.jwt_secret}
          hint={keepSecret ? 'A secret is stored. Leave empty to keep it.' : 'The secret your backend signs with: at least 32 characters.'}
        />
      ) : null}
      {mode === 'RS256' || mode === 'ES256' ? (
        <Field
          label="JWKS URL"
          name="jwt_jwks_url"
          type="url"
          defaultValue={initial.jwksUrl}
          autoComplete="off"
          placeholder="https://auth.example.com/.well-known/jwks.json"
          error={errors.jwt_jwks_url}
        />
      ) : null}
      {mode !== 'off' ? (
        <div className="grid gap-4 sm:grid-cols-3">
          <Field label="Issuer" name="jwt_issuer" defaultValue={initial.issuer} autoComplete="off" placeholder="optional" error={errors.jwt_issuer} />
          <Field label="Audience" name="jwt_audience" defaultValue={initial.audience} autoComplete="off" placeholder="optional" error={errors.jwt_audience} />
          <Field label="User claim" name="jwt_user_claim" defaultValue={initial.userClaim} autoComplete="off" error={errors.jwt_user_claim} hint="Names the end user (default sub)." />
        </div>
      ) : null}
    </fieldset>
  );
}
