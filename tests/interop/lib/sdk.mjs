// The official OpenTok Node SDK pointed at our server, plus the few things
// the SDK will not do for us (tokens it refuses to mint, raw statuses).

import crypto from 'node:crypto';
import { loadOpenTokSdk } from './env.mjs';
import { withTimeout } from './wait.mjs';

// new OpenTok(apiKey, apiSecret, { apiUrl }) - `apiUrl` is the option name in
// opentok 2.23.2 (lib/opentok.js), used both for session creation and for the
// /v2/project REST calls.
export function sdkFor (server, { apiSecret = server.apiSecret, apiKey = server.apiKey } = {}) {
  const OpenTok = loadOpenTokSdk();
  return new OpenTok(apiKey, apiSecret, { apiUrl: server.url, timeout: 10000 });
}

// Promise wrappers; every call is bounded.
export function createSession (ot, opts = {}) {
  return withTimeout(new Promise((resolve, reject) => {
    ot.createSession(opts, (err, session) => err ? reject(err) : resolve(session));
  }), 15000, 'OpenTok.createSession');
}

// Resolves with the SDK error (or null): the error IS the result here.
export function sdkSignal (ot, sessionId, connectionId, payload) {
  return withTimeout(new Promise((resolve) => {
    ot.signal(sessionId, connectionId, payload, (err) => resolve(err || null));
  }), 15000, 'OpenTok.signal');
}

export function sdkForceDisconnect (ot, sessionId, connectionId) {
  return withTimeout(new Promise((resolve) => {
    ot.forceDisconnect(sessionId, connectionId, (err) => resolve(err || null));
  }), 15000, 'OpenTok.forceDisconnect');
}

function b64url (buf) {
  return Buffer.from(buf).toString('base64url');
}

// An HS256 JWT signed by hand, for tokens the SDK refuses to produce
// (expired ones) or to vary one claim at a time.
export function signJwt (claims, secret) {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify(claims));
  const sig = crypto.createHmac('sha256', secret).update(`${head}.${body}`).digest();
  return `${head}.${body}.${b64url(sig)}`;
}

// A client token with the same claims as the SDK's generateToken, overridden
// by `over` (e.g. { exp: past, expire_time: past }).
export function clientJwt ({ apiKey, apiSecret, sessionId, data, role = 'publisher', over = {} }) {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: String(apiKey),
    ist: 'project',
    iat: now,
    exp: now + 3600,
    session_id: sessionId,
    create_time: now,
    nonce: Math.random(),
    role,
    expire_time: now + 3600,
    initial_layout_class_list: '',
    scope: 'session.connect'
  };
  if (data !== undefined)
    claims.connection_data = data;
  return signJwt({ ...claims, ...over }, apiSecret);
}

// A raw REST call authenticated exactly like the SDK does (its own
// generateJwt()), to see the HTTP status the SDK hides behind error classes.
export async function rawRest (server, method, path, { ot, jwt, body, headers = {} } = {}) {
  const h = { Accept: 'application/json', ...headers };
  const auth = jwt !== undefined ? jwt : (ot || sdkFor(server)).generateJwt();
  if (auth !== null)
    h['X-OPENTOK-AUTH'] = auth;
  let payload;
  if (body !== undefined) {
    payload = typeof body === 'string' ? body : JSON.stringify(body);
    if (!h['Content-Type'])
      h['Content-Type'] = 'application/json';
  }
  const res = await fetch(server.url + path, {
    method, headers: h, body: payload, signal: AbortSignal.timeout(10000)
  });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {}
  return { status: res.status, text, json, headers: res.headers };
}
