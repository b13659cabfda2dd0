// JWT verification pitfalls, with node:crypto only. A naive verifier trusts the token's own
// `alg` header, compares signatures with ===, and checks no claims; a strict one checks the
// explicit type `at+jwt` (RFC 9068, 4; RFC 8725, 3.11), so an ID token is not taken for an
// access token, pins the algorithm to the key (RFC 8725, 3.1), verifies exp/nbf with a small
// leeway, iss and aud (RFC 8725, 3.8 and 3.9), and consults a deny-list of revoked token ids.
// Every rejection is a JwtError with a code (a 401 in a service), never a TypeError (a 500).
// Also: the PKCE S256 transform (RFC 7636, 4.2), checked against the RFC's Appendix B vector.
import { createHash, createHmac, generateKeyPairSync, sign, timingSafeEqual, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

const b64u = (data: Buffer | string): string => Buffer.from(data).toString('base64url');
const json64 = (value: object): string => b64u(JSON.stringify(value));

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicPem = publicKey.export({ type: 'spki', format: 'pem' }) as string; // public: anyone can fetch it

function signRs256(header: object, claims: object): string {
  const input = `${json64(header)}.${json64(claims)}`;
  return `${input}.${b64u(sign('sha256', Buffer.from(input), privateKey))}`;
}

// ---- The naive verifier: every line below is a real-world bug ------------------------------
function naiveVerify(token: string, key: string): Record<string, unknown> {
  const [h, p, s] = token.split('.') as [string, string, string];
  const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg: string };
  const input = Buffer.from(`${h}.${p}`);
  let ok: boolean;
  if (header.alg === 'none') ok = true; // "unsecured JWT" (RFC 7519, 6): no signature at all
  else if (header.alg === 'HS256') ok = b64u(createHmac('sha256', key).update(input).digest()) === s; // key is the public PEM!
  else ok = verify('sha256', input, key, Buffer.from(s ?? '', 'base64url'));
  if (!ok) throw new Error('bad signature');
  return JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>; // exp, aud, iss never checked
}

// ---- The strict verifier ------------------------------------------------------------------
class JwtError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'JwtError';
    this.code = code;
  }
}
type KeyEntry = { readonly alg: 'RS256'; readonly key: KeyObject } | { readonly alg: 'HS256'; readonly secret: Buffer };
interface Expect {
  readonly issuer: string;
  readonly audience: string;
  readonly leewayS: number;
  readonly nowS: number;
  readonly isRevoked: (jti: string) => boolean;
}

const isJsonObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// RFC 7515, 4.1.9: media type values are case-insensitive, and a `typ` without '/' is read as
// if "application/" were prepended. So "at+jwt", "AT+JWT" and "application/at+jwt" all match.
function isAccessTokenType(typ: unknown): boolean {
  if (typeof typ !== 'string') return false;
  const lower = typ.toLowerCase();
  return (lower.includes('/') ? lower : `application/${lower}`) === 'application/at+jwt';
}

function strictVerify(token: string, keys: ReadonlyMap<string, KeyEntry>, expect: Expect): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== 3) throw new JwtError('ERR_JWT_FORMAT', 'not a JWS compact serialization');
  const [h, p, s] = parts as [string, string, string];
  let header: unknown;
  let claims: unknown;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString());
    claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  } catch {
    throw new JwtError('ERR_JWT_FORMAT', 'header or payload is not JSON');
  }
  // `null`, `[]`, `7` and `"x"` are valid JSON too. A JOSE header and a claims set are JSON
  // objects; check that, or the property reads below throw a TypeError instead of a JwtError.
  if (!isJsonObject(header) || !isJsonObject(claims)) throw new JwtError('ERR_JWT_FORMAT', 'header or payload is not a JSON object');
  // Explicit typing (RFC 9068, 4): "at+jwt" or "application/at+jwt" and nothing else. An OpenID
  // Connect ID token (usually typ "JWT" or no typ) from the same issuer and keys fails here.
  if (!isAccessTokenType(header.typ)) throw new JwtError('ERR_JWT_TYPE', `typ ${String(header.typ)} is not at+jwt`);
  const entry = typeof header.kid === 'string' ? keys.get(header.kid) : undefined;
  if (entry === undefined) throw new JwtError('ERR_JWT_KEY', 'unknown kid');
  // The key decides the algorithm; the token's header only has to agree with it.
  if (header.alg !== entry.alg) throw new JwtError('ERR_JWT_ALG', `alg ${String(header.alg)} not allowed for this key`);
  const input = Buffer.from(`${h}.${p}`);
  const sig = Buffer.from(s, 'base64url');
  const ok =
    entry.alg === 'RS256'
      ? verify('sha256', input, entry.key, sig)
      : (() => {
          const mac = createHmac('sha256', entry.secret).update(input).digest();
          return mac.length === sig.length && timingSafeEqual(mac, sig); // constant-time compare
        })();
  if (!ok) throw new JwtError('ERR_JWT_SIGNATURE', 'signature does not verify');
  if (typeof claims.exp !== 'number') throw new JwtError('ERR_JWT_CLAIM', 'exp is required');
  if (expect.nowS >= claims.exp + expect.leewayS) throw new JwtError('ERR_JWT_EXPIRED', 'token expired');
  if (typeof claims.nbf === 'number' && expect.nowS < claims.nbf - expect.leewayS) throw new JwtError('ERR_JWT_CLAIM', 'not yet valid');
  if (claims.iss !== expect.issuer) throw new JwtError('ERR_JWT_CLAIM', 'wrong issuer');
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.includes(expect.audience)) throw new JwtError('ERR_JWT_AUDIENCE', 'token is for another audience');
  if (typeof claims.jti === 'string' && expect.isRevoked(claims.jti)) throw new JwtError('ERR_JWT_REVOKED', 'token revoked');
  return claims;
}

const now = Math.floor(Date.now() / 1000);
const base = { iss: 'https://id.example.com', sub: 'user-7', aud: 'orders-api', client_id: 'web-app', iat: now, exp: now + 300, scope: 'orders:read' };
const header = { alg: 'RS256', typ: 'at+jwt', kid: 'k1' };
// The forgeries carry the right typ: an attacker sets whatever header gets past the checks.
const hsHeader = json64({ alg: 'HS256', typ: 'at+jwt', kid: 'k1' });
const hsPayload = json64({ ...base, sub: 'admin', scope: 'orders:write' });
const tokens: ReadonlyArray<readonly [string, string]> = [
  ['valid RS256', signRs256(header, { ...base, jti: 't-1' })],
  ['alg none', `${json64({ alg: 'none', typ: 'at+jwt', kid: 'k1' })}.${json64({ ...base, sub: 'admin' })}.`],
  ['HS256 keyed with the public key', `${hsHeader}.${hsPayload}.${b64u(createHmac('sha256', publicPem).update(`${hsHeader}.${hsPayload}`).digest())}`],
  ['expired an hour ago', signRs256(header, { ...base, iat: now - 7200, exp: now - 3600 })],
  ['for another audience', signRs256(header, { ...base, aud: 'billing-api' })],
  ['revoked jti', signRs256(header, { ...base, jti: 't-revoked' })],
  // Same issuer, same key, and an aud that happens to equal the API's identifier (a client id
  // reused as a resource id): only typ tells it apart. ID tokens are usually typed "JWT" or not at all.
  ['ID token (typ JWT, right aud)', signRs256({ alg: 'RS256', typ: 'JWT', kid: 'k1' }, { iss: base.iss, sub: 'user-7', aud: 'orders-api', iat: now, exp: now + 300, nonce: 'n-0S6', auth_time: now })],
];
const keys = new Map<string, KeyEntry>([['k1', { alg: 'RS256', key: publicKey }]]);
const expect: Expect = { issuer: 'https://id.example.com', audience: 'orders-api', leewayS: 30, nowS: now, isRevoked: (jti) => jti === 't-revoked' };

for (const [label, token] of tokens) {
  let naive: string;
  try {
    naive = `accepted (sub ${String(naiveVerify(token, publicPem).sub)})`;
  } catch (err) {
    naive = `rejected (${(err as Error).message})`;
  }
  let strict: string;
  try {
    strict = `accepted (sub ${String(strictVerify(token, keys, expect).sub)})`;
  } catch (err) {
    if (!(err instanceof JwtError)) throw err; // anything else is a bug in the verifier
    strict = `rejected ${err.code}`;
  }
  console.log(`${label.padEnd(32)} naive: ${naive.padEnd(28)} strict: ${strict}`);
}

// Parts that are JSON but not objects: "null" (bnVsbA), "[]" and "7". The strict verifier must
// answer with its own error and code, not crash on `null.typ`.
const typed = JSON.stringify(header);
const nonObjects = [['header null', 'null', '{}'], ['claims null', typed, 'null'], ['header []', '[]', '{}'], ['claims 7', typed, '7']] as const;
for (const [label, h, p] of nonObjects) {
  let strict: string;
  try {
    strictVerify(`${b64u(h)}.${b64u(p)}.x`, keys, expect);
    strict = 'accepted';
  } catch (err) {
    strict = err instanceof JwtError ? `rejected ${err.code} (${err.name})` : `crashed ${(err as Error).name}`;
  }
  console.log(`${label.padEnd(32)} strict: ${strict}`);
}

// PKCE: the client keeps code_verifier secret and sends only its S256 transform.
const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'; // RFC 7636, Appendix B
const challenge = createHash('sha256').update(verifier, 'ascii').digest('base64url');
console.log(`PKCE S256 challenge: ${challenge} (matches RFC 7636 Appendix B: ${challenge === 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'})`);
