/** What an operator has to set to take payments (shown instead of the payment forms). */
export function NotConfigured({ webhookUrl }: { webhookUrl: string }) {
  return (
    <div className="space-y-3 text-sm text-zinc-700" data-testid="billing-not-configured">
      <p>
        Payments are not set up on this installation. Credit still works — the trial credit and API usage are in the history
        below — but it cannot be bought until Stripe is configured. Set these variables and restart:
      </p>
      <ul className="list-disc space-y-1 pl-5">
        <li>
          <code>STRIPE_SECRET_KEY</code> — your Stripe secret key (<code>sk_live_…</code> or <code>sk_test_…</code>).
        </li>
        <li>
          <code>STRIPE_WEBHOOK_SECRET</code> — the signing secret (<code>whsec_…</code>) of a webhook endpoint at <code>{webhookUrl}</code>.
        </li>
      </ul>
      <p>
        Locally, <code>stripe listen --forward-to {webhookUrl}</code> prints a signing secret to use. See the README&apos;s Billing
        section.
      </p>
    </div>
  );
}
