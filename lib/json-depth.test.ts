import { describe, expect, it } from 'vitest';
import { jsonNestedDeeperThan } from './json-depth';

describe('jsonNestedDeeperThan', () => {
  const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  it('counts arrays and objects, up to the limit and one past it', () => {
    expect(jsonNestedDeeperThan(nested(64), 64)).toBe(false);
    expect(jsonNestedDeeperThan(nested(65), 64)).toBe(true);
    expect(jsonNestedDeeperThan(`${'{"a":'.repeat(65)}1${'}'.repeat(65)}`, 64)).toBe(true);
    // Siblings are not depth.
    expect(jsonNestedDeeperThan(`[${Array.from({ length: 1_000 }, () => '[{}]').join(',')}]`, 3)).toBe(false);
  });

  it('skips strings whole, escaped quotes and backslashes included', () => {
    for (const value of ['[[[[', '"[[[[', '\\', '\\"[[[[', 'x\\\\"']) {
      const text = JSON.stringify({ value, after: [[1]] });
      expect(jsonNestedDeeperThan(text, 3)).toBe(false);
      expect(jsonNestedDeeperThan(text, 2)).toBe(true);
    }
  });

  it('leaves malformed text to JSON.parse', () => {
    expect(jsonNestedDeeperThan('"[[[[', 2)).toBe(false);
    expect(jsonNestedDeeperThan(']]]]', 2)).toBe(false);
  });
});
