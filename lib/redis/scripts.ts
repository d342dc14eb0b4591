import 'server-only';
import { createHash } from 'node:crypto';

/**
 * Lua script bookkeeping shared by every backend.
 *
 * @upstash/ratelimit's scripts start with `#!lua flags=allow-key-locking`, a flag Redis 7.0 (the one
 * Debian ships) rejects with `ERR Unexpected flag in script shebang`. We drop the shebang line and run
 * the rest, which is valid legacy-mode Lua. The SDK addresses scripts by the SHA1 of the text *it*
 * sent, while Redis only ever sees the stripped text, so we remember original SHA -> stripped script
 * and turn EVALSHA of a known SHA into EVAL. Unknown SHAs pass through: Redis answers NOSCRIPT and the
 * SDK falls back to EVAL, which teaches us the script.
 *
 * A script without a shebang is the same text on both sides, so Redis knows it by the caller's SHA:
 * its EVALSHA goes through as it is (a NOSCRIPT after a Redis restart makes the caller EVAL it once
 * more). Rewriting it too sent every hot-path script's whole source with every request — ~60 µs of
 * Redis CPU per request under `npm run bench` (INFO commandstats: EVAL at 32 µs a call, ~2 a request).
 * Only a backend that keeps no script cache of its own (the embedded store) has every script
 * remembered and run as EVAL.
 */

/** Bounded so that a client sending endless distinct scripts cannot grow our memory without limit. */
const MAX_SCRIPTS = 1_000;

export type Reply = string | number | null | Reply[];

export interface Rewritten {
  command: string[];
  /** Adjusts the backend's reply so the client sees what a real Upstash database would answer. */
  mapReply?: (reply: Reply) => Reply;
}

export function sha1(text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('hex');
}

/** Replaces a leading `#!lua ...` line by an empty one, so Lua error line numbers stay right. */
export function stripShebang(script: string): string {
  if (!script.startsWith('#!lua')) return script;
  const newline = script.indexOf('\n');
  return newline === -1 ? '' : script.slice(newline);
}

export class ScriptCache {
  private readonly scripts = new Map<string, string>();

  /** `evalshaAsEval`: the backend keeps no scripts (the embedded store); every EVALSHA becomes EVAL. */
  constructor(private readonly evalshaAsEval = false) {}

  /** Remembers `script` under the SHA the client knows it by (if Redis does not); returns the text to run. */
  remember(script: string): string {
    const stripped = stripShebang(script);
    if (stripped === script && !this.evalshaAsEval) return script;
    const sha = sha1(script);
    this.scripts.delete(sha); // re-insert: Map order is then oldest-taught first, our eviction order
    this.scripts.set(sha, stripped);
    if (this.scripts.size > MAX_SCRIPTS) {
      const oldest = this.scripts.keys().next().value;
      if (oldest !== undefined) this.scripts.delete(oldest);
    }
    return stripped;
  }

  lookup(sha: string): string | undefined {
    return this.scripts.get(sha.toLowerCase());
  }

  /** Rewrites EVAL / EVALSHA / SCRIPT commands; every other command is returned untouched. */
  rewrite(command: string[]): Rewritten {
    const [name = '', first, ...rest] = command;
    const lower = name.toLowerCase();
    if (first === undefined) return { command };

    if (lower === 'eval' || lower === 'eval_ro') {
      return { command: [name, this.remember(first), ...rest] };
    }
    if (lower === 'evalsha' || lower === 'evalsha_ro') {
      const script = this.lookup(first);
      // Redis only knows the stripped script's SHA, so a known original SHA must become an EVAL.
      if (script === undefined) return { command };
      return { command: [lower === 'evalsha' ? 'eval' : 'eval_ro', script, ...rest] };
    }
    if (lower === 'script') return this.rewriteScript(command, first.toLowerCase(), rest);
    return { command };
  }

  private rewriteScript(command: string[], subcommand: string, rest: string[]): Rewritten {
    const [name = 'script'] = command;
    if (subcommand === 'load' && rest.length === 1 && rest[0] !== undefined) {
      const original = rest[0];
      // Redis still compiles the stripped script (so syntax errors surface), but the client expects
      // the SHA of what it sent.
      return { command: [name, 'load', this.remember(original)], mapReply: () => sha1(original) };
    }
    if (subcommand === 'exists') {
      // A script we hold is runnable (we EVAL it), whatever the backend's own cache says.
      return {
        command,
        mapReply: (reply) =>
          Array.isArray(reply) ? reply.map((found, i) => (this.lookup(rest[i] ?? '') ? 1 : found)) : reply,
      };
    }
    if (subcommand === 'flush') this.scripts.clear();
    return { command };
  }
}
