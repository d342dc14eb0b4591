/**
 * Decodes Stripe's request encoding (application/x-www-form-urlencoded with bracketed keys:
 * `metadata[a]=1`, `line_items[0][price_data][unit_amount]=500`, `expand[0]=latest_charge`) into
 * nested objects and arrays, for the mock Stripe server.
 */
export function parseStripeForm(text: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const path = key.replace(/\]/g, '').split('[');
    let node: Record<string, unknown> = root;
    for (const [index, part] of path.entries()) {
      if (index === path.length - 1) node[part] = value;
      else node = (node[part] ??= {}) as Record<string, unknown>;
    }
  }
  return arrays(root) as Record<string, unknown>;
}

/** Objects whose keys are 0..n-1 become arrays. */
function arrays(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).map(([key, inner]) => [key, arrays(inner)] as const);
  const indexed = entries.length > 0 && entries.every(([key], i) => key === String(i));
  return indexed ? entries.map(([, inner]) => inner) : Object.fromEntries(entries);
}
