import { describe, expect, it } from 'vitest';
import { centsToMicros, hostOptions, microsToCents } from './stripe';

describe('Stripe client configuration', () => {
  it('STRIPE_API_BASE becomes the SDK host, port and protocol; unset means api.stripe.com', () => {
    expect(hostOptions(undefined)).toEqual({});
    expect(hostOptions('http://127.0.0.1:12111')).toEqual({ host: '127.0.0.1', port: '12111', protocol: 'http' });
    expect(hostOptions('https://stripe.internal')).toEqual({ host: 'stripe.internal', port: 443, protocol: 'https' });
  });

  it('cents and micro-dollars convert exactly; fractions of a cent cannot be charged', () => {
    expect(centsToMicros(1_050)).toBe(10_500_000);
    expect(microsToCents(10_500_000)).toBe(1_050);
    expect(() => microsToCents(10_500_001)).toThrow(RangeError);
  });
});
