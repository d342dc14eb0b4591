/**
 * Just enough MIME to read back what Conduit sends (lib/email/transport.ts: one text/plain part,
 * 7bit, quoted-printable or base64; headers possibly RFC 2047-encoded): tests assert on the words
 * and follow the links. Node built-ins only, so Playwright's mock process can use it too.
 */

export interface ReceivedMail {
  /** Envelope recipients. */
  to: string[];
  from: string;
  subject: string;
  text: string;
  /** Every header, names lower-cased (repeated ones joined with `, `). */
  headers: Record<string, string>;
  receivedAt: string;
}

function decodeWords(value: string): string {
  return value.replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=\s*/g, (_match, _charset: string, encoding: string, data: string) =>
    encoding.toUpperCase() === 'B'
      ? Buffer.from(data, 'base64').toString('utf8')
      : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8'),
  );
}

function decodeQuotedPrintable(body: string): string {
  const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

export function parseMail(raw: string, envelopeTo: string[], receivedAt = new Date()): ReceivedMail {
  const split = raw.search(/\r?\n\r?\n/);
  const head = split === -1 ? raw : raw.slice(0, split);
  const body = split === -1 ? '' : raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = decodeWords(line.slice(colon + 1).trim());
    headers[name] = headers[name] ? `${headers[name]}, ${value}` : value;
  }
  const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  const text =
    encoding === 'quoted-printable' ? decodeQuotedPrintable(body) : encoding === 'base64' ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8') : body;
  return {
    to: envelopeTo,
    from: headers.from ?? '',
    subject: headers.subject ?? '',
    text: text.replace(/\r\n/g, '\n'),
    headers,
    receivedAt: receivedAt.toISOString(),
  };
}

/** The first link in a message's text that starts with `origin + path`. */
export function linkIn(mail: Pick<ReceivedMail, 'text'>, path: string): string | undefined {
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return mail.text.match(new RegExp(`https?://[^\\s]+${escaped}\\?token=[\\w-]+`))?.[0];
}
