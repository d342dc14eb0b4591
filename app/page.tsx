import Link from 'next/link';
import { Logo } from '@/components/logo';

const features = [
  {
    title: 'Conduit API — one OpenAI-compatible gateway',
    body: 'Point the OpenAI SDK at /v1 with a condt_ key. Each key carries its own allowed models and operations, IP allowlist, expiry, rate limits per minute, hour and day, and hard spending limits per day, week and month — drawn from prepaid credit, so a bill can never surprise you.',
  },
  {
    title: 'Conduit Link — secure proxy links',
    body: 'Store an OpenAI, Anthropic, Stripe, Google Maps, SendGrid or Twilio secret once. Your frontend calls /proxy/{linkId} with an access token; Conduit checks the allowed paths, verifies your end user’s JWT, injects the real secret and streams the answer back. The secret never reaches the browser.',
  },
  {
    title: 'See where the money goes',
    body: 'Requests, tokens, spend and latency per key, link, model and end user.',
  },
];

export default function LandingPage() {
  return (
    <main className="mx-auto max-w-5xl px-6 py-10">
      <header className="flex items-center justify-between">
        <Logo />
        <nav className="flex items-center gap-4 text-sm">
          <Link href="/login" className="text-zinc-700 hover:text-zinc-900">
            Log in
          </Link>
          <Link href="/signup" className="rounded-md bg-brand-600 px-4 py-2 font-medium text-white hover:bg-brand-700">
            Sign up
          </Link>
        </nav>
      </header>
      <section className="py-20 text-center">
        <h1 className="text-4xl font-bold tracking-tight sm:text-5xl">Use paid APIs without leaking your keys.</h1>
        <p className="mx-auto mt-6 max-w-2xl text-lg text-zinc-600">
          Conduit is an LLM gateway with per-key permissions and spending limits, and secure proxy links that let your
          frontend call third-party APIs without ever seeing the secret. No leaked keys, no surprise bills.
        </p>
        <div className="mt-8 flex justify-center gap-3">
          <Link href="/signup" className="rounded-md bg-brand-600 px-5 py-3 font-medium text-white hover:bg-brand-700">
            Create an account
          </Link>
          <Link href="/login" className="rounded-md border border-zinc-300 bg-white px-5 py-3 font-medium hover:bg-zinc-50">
            Log in
          </Link>
        </div>
      </section>
      <section className="grid gap-6 sm:grid-cols-3">
        {features.map((feature) => (
          <article key={feature.title} className="rounded-lg border border-zinc-200 bg-white p-6 shadow-sm">
            <h2 className="font-semibold">{feature.title}</h2>
            <p className="mt-2 text-sm leading-6 text-zinc-600">{feature.body}</p>
          </article>
        ))}
      </section>
    </main>
  );
}
