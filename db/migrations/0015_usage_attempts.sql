-- Retries and fallback models (lib/gateway/attempts.ts): the attempts of a request that made more than one.
-- Nullable without a default, so adding it rewrites nothing: instant however many rows the table holds.
ALTER TABLE "usage_records" ADD COLUMN "attempts" jsonb;
