// Announcing a retirement in-band: Deprecation (RFC 9745, a Structured Field Date, i.e.
// "@" and seconds since the epoch), Sunset (RFC 8594, an HTTP-date), and Link relations
// that point at the migration guide and the successor. The server counts who still calls;
// the client parses the fields, checks them and warns once per endpoint.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const DEPRECATED_AT = Date.UTC(2023, 5, 30, 23, 59, 59); // Friday, 30 June 2023, 23:59:59 UTC
const SUNSET_AT = Date.UTC(2024, 5, 30, 23, 59, 59); //     Sunday, 30 June 2024, 23:59:59 UTC
let now = Date.UTC(2023, 0, 1); // injected clock, so the run is deterministic
const callsAfterDeprecation = new Map<string, number>();

const server = createServer({ requestTimeout: 5_000 }, (req, res) => {
  if (req.url === '/v2/orders/42') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":42}');
  // A provider still on a pre-RFC draft's syntax ("true", or an IMF-fixdate): the header is
  // advisory, so a client must keep working whatever it finds there.
  if (req.url === '/legacy/invoices/7') {
    return void res.writeHead(200, { 'content-type': 'application/json', deprecation: 'true' }).end('{"id":7}');
  }
  // A valid sf-date (RFC 9651 allows 15 digits) that is far outside what a JS Date can hold.
  if (req.url === '/legacy/credit-notes/8') {
    return void res.writeHead(200, { 'content-type': 'application/json', deprecation: '@99999999999999' }).end('{"id":8}');
  }
  // Sunset alone is allowed (RFC 8594): a removal is scheduled, with no deprecation announced.
  if (req.url === '/v1/exports/9') {
    const link = '<https://developer.example.com/exports-retirement>; rel="sunset"';
    return void res.writeHead(200, { 'content-type': 'application/json', sunset: 'Sun, 30 Jun 2024 23:59:59 GMT', link }).end('{"id":9}');
  }
  // Values a strict client does not read: Sunset in the obsolete RFC 850 form, and a 16,000-character
  // Link of "<" (the input that made a backtracking Link regex take hundreds of ms per call).
  if (req.url === '/legacy/reports/3') {
    const headers = { 'content-type': 'application/json', deprecation: '@1688169599', sunset: 'Sunday, 30-Jun-24 23:59:59 GMT', link: '<'.repeat(16_000) };
    return void res.writeHead(200, headers).end('{"id":3}');
  }
  const id = /^\/v1\/orders\/(\d{1,9})$/.exec(req.url ?? '')?.[1];
  if (id === undefined) {
    res.writeHead(404, { 'content-type': 'application/problem+json' });
    return void res.end(JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404 }));
  }
  const client = String(req.headers['x-client-id'] ?? 'unknown');
  if (now >= DEPRECATED_AT) callsAfterDeprecation.set(client, (callsAfterDeprecation.get(client) ?? 0) + 1);
  const headers: Record<string, string> = {
    // Sent before the date too: a future date announces a planned deprecation.
    deprecation: `@${Math.floor(DEPRECATED_AT / 1000)}`,
    sunset: new Date(SUNSET_AT).toUTCString(), // IMF-fixdate, e.g. "Sun, 30 Jun 2024 23:59:59 GMT"
    link: `<https://developer.example.com/migrate/orders-v2>; rel="deprecation"; type="text/html", </v2/orders/${id}>; rel="successor-version"`,
  };
  if (now >= SUNSET_AT) {
    res.writeHead(410, { ...headers, 'content-type': 'application/problem+json' });
    return void res.end(JSON.stringify({ type: 'about:blank', title: 'Gone', detail: 'v1 was retired on 2024-06-30; use /v2/orders' }));
  }
  res.writeHead(200, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify({ id: Number(id), total: '12.50' }));
});
await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

// --- client side ---
// Kept deliberately small. The fields are advisory, so the client does as little as it can:
// it looks at them only when a warning is due (the first response of an endpoint), ignores a
// field longer than MAX_FIELD, parses Link with a single forward scan (no regex), reads
// Deprecation only as an sf-date and Sunset only as an IMF-fixdate, and reports anything else raw.
const MAX_FIELD = 4_096; // characters; a real Link of two or three relations is a few hundred
export interface Deprecation {
  deprecatedAt: Date | undefined; // undefined when absent or not an sf-date (e.g. a draft-era "true")
  sunsetAt: Date | undefined; // undefined when absent or not an IMF-fixdate
  hasDeprecation: boolean;
  malformed: string[]; // fields that could not be read, with (a bounded prefix of) the raw value
  links: Map<string, string>; // rel -> target
}

const shown = (v: string): string => JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v) + (v.length > 40 ? ` (${v.length} chars)` : '');

/**
 * RFC 9651 section 3.3.7: sf-date = "@" sf-integer (at most 15 digits). A JS Date holds only
 * +-8.64e15 ms (+-8,640,000,000,000 s), so a valid sf-date such as @99999999999999 gives an
 * Invalid Date, which is truthy and makes toISOString() throw: treat it as unreadable.
 */
function parseSfDate(value: string): Date | undefined {
  const m = /^@(-?\d{1,15})$/.exec(value.trim());
  if (!m) return undefined;
  const d = new Date(Number(m[1]) * 1000);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/**
 * IMF-fixdate only (RFC 9110 section 5.6.7), e.g. "Sun, 30 Jun 2024 23:59:59 GMT": always 29
 * characters, always GMT. The value must format back to itself, which rejects a wrong weekday,
 * 31 Jun or 24:00:00. Never `new Date(string)`: V8's lenient parser turns "1" into 2001-01-01
 * and reads a date without a zone in local time. The obsolete RFC 850 and asctime forms, which
 * senders must not generate, are reported as unreadable rather than guessed at.
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function parseImfFixdate(value: string): Date | undefined {
  if (value.length !== 29) return undefined;
  const m = /^[A-Z][a-z]{2}, (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/.exec(value);
  const month = m ? MONTHS.indexOf(m[2]!) : -1;
  if (!m || month < 0) return undefined;
  const d = new Date(0);
  d.setUTCFullYear(Number(m[3]), month, Number(m[1])); // not Date.UTC: it maps years 0-99 to 19xx
  d.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), 0);
  return d.toUTCString() === value ? d : undefined;
}

/**
 * Link (RFC 8288), simplified: `<target>; param; rel="a b", <target>; ...`. One forward scan:
 * every character is looked at a bounded number of times, so the cost is linear in the length
 * (and the length is capped by the caller). A link without a closing ">" ends the scan.
 */
function parseLinks(value: string): Map<string, string> {
  const links = new Map<string, string>();
  let i = 0;
  while (i < value.length) {
    const open = value.indexOf('<', i);
    if (open < 0) break;
    const close = value.indexOf('>', open + 1);
    if (close < 0) break;
    let end = close + 1; // parameters run to the next comma outside a quoted string
    for (let quoted = false; end < value.length && (quoted || value[end] !== ','); end++) if (value[end] === '"') quoted = !quoted;
    for (const param of value.slice(close + 1, end).split(';')) {
      const eq = param.indexOf('=');
      if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'rel') continue;
      let rels = param.slice(eq + 1).trim();
      if (rels.startsWith('"')) rels = rels.slice(1);
      if (rels.endsWith('"')) rels = rels.slice(0, -1);
      for (const rel of rels.split(' ')) {
        if (rel !== '' && !links.has(rel.toLowerCase())) links.set(rel.toLowerCase(), value.slice(open + 1, close));
      }
    }
    i = end + 1;
  }
  return links;
}

/**
 * Reads Deprecation, Sunset and Link; undefined when the response has neither Deprecation nor
 * Sunset (RFC 8594 allows Sunset alone). Never throws on a value: RFC 9745 (its Scope section)
 * calls deprecation information "only a hint" and asks that clients work without it.
 */
export function readDeprecation(headers: Headers): Deprecation | undefined {
  const depRaw = headers.get('deprecation');
  const sunsetRaw = headers.get('sunset');
  if (depRaw === null && sunsetRaw === null) return undefined;
  const malformed: string[] = [];
  const read = <T>(name: string, raw: string | null, parse: (v: string) => T | undefined): T | undefined => {
    if (raw === null) return undefined;
    const value = raw.length <= MAX_FIELD ? parse(raw) : undefined;
    if (value === undefined) malformed.push(`${name} ${shown(raw)}`);
    return value;
  };
  const linkRaw = headers.get('link');
  return {
    deprecatedAt: read('Deprecation', depRaw, parseSfDate),
    sunsetAt: read('Sunset', sunsetRaw, (value) => parseImfFixdate(value.trim())),
    hasDeprecation: depRaw !== null,
    malformed,
    links: read('Link', linkRaw, parseLinks) ?? new Map<string, string>(),
  };
}

// Once per endpoint (method + route template, not the concrete path with its ids) and process.
// The keys come from the code's route list, so they are few. The cap is a backstop in case a
// caller passes concrete paths: once it is reached, one line says so and no key is added, so
// neither memory nor warning volume can grow with traffic.
const MAX_WARNED = 256;
const warned = new Set<string>();
let suppressed = false;
function shouldWarn(key: string): boolean {
  if (warned.has(key)) return false;
  if (warned.size >= MAX_WARNED) {
    if (!suppressed) console.log(`  WARN ${MAX_WARNED} deprecated endpoints already reported; suppressing further deprecation warnings`);
    suppressed = true;
    return false;
  }
  warned.add(key);
  return true;
}
const resetWarnings = (): void => { warned.clear(); suppressed = false; }; // demo only: "a new process"

function warnDeprecated(key: string, path: string, headers: Headers): void {
  try {
    // The order is the point: two cheap has() calls on every response, then the once-per-endpoint
    // check, and only then any parsing. Later responses of the same endpoint parse nothing.
    if (!headers.has('deprecation') && !headers.has('sunset')) return;
    if (!shouldWarn(key)) return;
    const dep = readDeprecation(headers);
    if (!dep) return;
    const at = dep.deprecatedAt;
    const state = !dep.hasDeprecation ? 'has a Sunset but no Deprecation field'
      : !at ? 'is deprecated (date unreadable)' : at.getTime() <= now ? `deprecated since ${at.toISOString()}` : `will be deprecated on ${at.toISOString()}`;
    const sunset = dep.sunsetAt ? `, sunset ${dep.sunsetAt.toISOString()}` : '';
    const order = at && dep.sunsetAt && dep.sunsetAt < at ? ' (invalid: Sunset earlier than Deprecation)' : '';
    const bad = dep.malformed.length > 0 ? ` (unparsed: ${dep.malformed.join(', ')})` : '';
    const where = key.endsWith(` ${path}`) ? key : `${key} (${path})`;
    console.log(`  WARN ${where} ${state}${sunset}${order}${bad}; see ${dep.links.get('deprecation') ?? dep.links.get('sunset') ?? '(no link)'}, successor ${dep.links.get('successor-version') ?? '(none)'}`);
  } catch (err) {
    // Advisory information must never cost the caller its response.
    console.log(`  WARN ${key}: deprecation headers could not be reported (${(err as Error).name})`);
  }
}

/** `route` is the template, e.g. '/v1/orders/:id'; `params` fill it in. */
async function getOrder(route: string, params: Record<string, string | number> = {}): Promise<unknown> {
  const path = route.replace(/:(\w+)/g, (_, name: string) => {
    if (params[name] === undefined) throw new TypeError(`missing parameter ${name} for ${route}`);
    return encodeURIComponent(String(params[name]));
  });
  const res = await fetch(base + path, { headers: { 'x-client-id': 'billing-worker' }, signal: AbortSignal.timeout(2_000) });
  warnDeprecated(`GET ${route}`, path, res.headers);
  if (!res.ok) {
    await res.body?.cancel(); // release the connection before throwing
    throw Object.assign(new Error(`GET ${path} failed with ${res.status}`), { code: 'ERR_HTTP_STATUS', status: res.status });
  }
  return res.json();
}

try {
  for (const [label, at] of [['2023-01-01', Date.UTC(2023, 0, 1)], ['2024-01-01', Date.UTC(2024, 0, 1)], ['2024-07-01', Date.UTC(2024, 6, 1)]] as const) {
    now = at;
    resetWarnings(); // a new process each time, for the demonstration
    console.log(`clock at ${label}:`);
    try {
      console.log(`  body ${JSON.stringify(await getOrder('/v1/orders/:id', { id: 42 }))}`);
      await getOrder('/v1/orders/:id', { id: 43 }); // another order, same endpoint: no second warning
    } catch (err) {
      console.log(`  ${(err as Error).message} (code ${(err as { code?: string }).code})`);
    }
  }
  console.log('a provider on draft syntax (Deprecation: true):');
  console.log(`  body ${JSON.stringify(await getOrder('/legacy/invoices/7'))}`);
  await getOrder('/legacy/invoices/7'); // still one warning, and the call still succeeds
  console.log('a valid sf-date beyond the range of a JS Date (Deprecation: @99999999999999):');
  console.log(`  body ${JSON.stringify(await getOrder('/legacy/credit-notes/8'))}`);
  console.log('a Sunset without Deprecation (RFC 8594 allows it):');
  console.log(`  body ${JSON.stringify(await getOrder('/v1/exports/9'))}`);
  console.log('an RFC 850 Sunset and a 16,000-character Link:');
  console.log(`  body ${JSON.stringify(await getOrder('/legacy/reports/3'))}`);
  await getOrder('/legacy/reports/3'); // already warned: the headers are not even parsed
  const raw = await fetch(`${base}/v1/orders/42`, { signal: AbortSignal.timeout(2_000) });
  await raw.body?.cancel();
  console.log(`raw fields: Deprecation: ${raw.headers.get('deprecation')} | Sunset: ${raw.headers.get('sunset')}`);
  console.log(`server-side: calls after deprecation by client ${JSON.stringify(Object.fromEntries(callsAfterDeprecation))}`);
  console.log('a worker reading 1,000 different orders in one process (clock at 2023-01-01):');
  now = Date.UTC(2023, 0, 1);
  resetWarnings();
  let bodies = 0;
  for (let id = 1; id <= 1_000; id++) if (await getOrder('/v1/orders/:id', { id })) bodies++;
  console.log(`  ${bodies} bodies; warning keys held: ${warned.size} (${[...warned].join(', ')})`);
} finally {
  // close() stops accepting and closes the connections idle at that moment (Node >= 19). A
  // request still in flight keeps its connection, which then goes back to keep-alive: closing
  // idle ones every 50 ms ends it once its response is out, and closeAllConnections() cuts
  // whatever is left at the 2 s deadline.
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const idle = setInterval(() => server.closeIdleConnections(), 50);
  const deadline = setTimeout(() => server.closeAllConnections(), 2_000);
  await closed;
  clearInterval(idle);
  clearTimeout(deadline);
}
