// The official OpenTok Node SDK 2.23.2 (REST) against gst-opentok-server,
// with real opentok.js pages as the receiving end.
//
//   GST_OPENTOK_SERVER=<builddir>/tools/gst-opentok-server \
//     node --test --test-reporter=spec tests/interop/nodesdk.test.mjs

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { suiteFixture, uniq, is } from './lib/fixture.mjs';
import { sdkFor, createSession, sdkSignal, sdkForceDisconnect, rawRest, signJwt } from './lib/sdk.mjs';
import { sleep } from './lib/wait.mjs';

const T = { timeout: 90000 };
const SETTLE_MS = 600;

// Decode a session id the way the SDK does (drop "1_", base64url, split "~").
function decodeSid (sid) {
  return Buffer.from(sid.slice(2), 'base64url').toString('utf8').split('~');
}

describe('OpenTok Node SDK', () => {
  const f = suiteFixture();

  test('createSession (relayed, routed, always-archived) gives ids pages can join', T, async (t) => {
    const relayed = await createSession(f.ot, {});
    const routed = await createSession(f.ot, { mediaMode: 'routed' });
    const archived = await createSession(f.ot, { mediaMode: 'routed', archiveMode: 'always' });
    const ids = [relayed.sessionId, routed.sessionId, archived.sessionId];
    assert.equal(new Set(ids).size, 3, 'distinct session ids');
    for (const sid of ids) {
      assert.match(sid, /^[A-Za-z0-9_~.-]+$/, 'URL-safe session id');
      assert.equal(decodeSid(sid)[1], f.server.apiKey, `session id ${sid} names the api key`);
    }
    for (const [i, sid] of ids.entries()) {
      const [p, q] = await f.join(t, sid, [`s${i}a`, `s${i}b`]);
      assert.equal((await p.find(is.kind('connectionCreated'))).length, 2);
      assert.equal((await q.find(is.kind('connectionCreated'))).length, 2);
    }
  });

  test('JWT (default) and legacy T1 tokens from generateToken are both accepted', T, async (t) => {
    const sid = await f.newSession();
    const jwt = f.token(sid, 'name=jwt');
    const t1 = f.token(sid, 'name=t1', { role: 'subscriber' }, true);
    assert.match(jwt, /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.match(t1, /^T1==/);
    const J = await f.newPage(t, 'J');
    const K = await f.newPage(t, 'K');
    const j = await J.mustConnect(f.server.apiKey, sid, jwt);
    const k = await K.mustConnect(f.server.apiKey, sid, t1);
    assert.equal(j.data, 'name=jwt');
    assert.equal(k.data, 'name=t1');
    assert.equal((await J.waitEvent(is.created(k.connectionId), 'J sees K')).data, 'name=t1');
    assert.equal((await K.waitEvent(is.created(j.connectionId), 'K sees J')).data, 'name=jwt');
    // Connection data with characters that need escaping in a T1 token.
    const odd = 'name=ä & b=c%20;"x"';
    const L = await f.newPage(t, 'L');
    const l = await L.mustConnect(f.server.apiKey, sid, f.token(sid, odd, {}, true));
    assert.equal(l.data, odd);
    assert.equal((await J.waitEvent(is.created(l.connectionId), 'J sees L')).data, odd);
  });

  test('REST signals to the session and to one connection arrive with from === null', T, async (t) => {
    const sid = await f.newSession();
    const [A, B] = await f.join(t, sid, ['A', 'B'], { signalTypes: ['rest'] });

    const all = uniq('all');
    assert.equal(await sdkSignal(f.ot, sid, null, { type: 'rest', data: all }), null);
    for (const p of [A, B]) {
      for (const pred of [is.signal(all), is.typed(all)]) {
        const e = await p.waitEvent(pred, 'REST broadcast');
        assert.equal(e.from, null);
        assert.equal(e.type, 'rest');
      }
    }

    const one = uniq('one');
    assert.equal(await sdkSignal(f.ot, sid, B.connectionId, { type: 'rest', data: one }), null);
    const e = await B.waitEvent(is.typed(one), 'REST targeted');
    assert.equal(e.from, null);
    await sleep(SETTLE_MS);
    assert.equal((await A.find(is.anySignal(one))).length, 0, 'A must not get B\'s signal');
    assert.equal((await B.find(is.anySignal(one))).length, 2, 'B gets signal + signal:rest once');

    // Untyped, and exact limits (128-char type, 8192-char data).
    const un = uniq('un');
    assert.equal(await sdkSignal(f.ot, sid, A.connectionId, { data: un }), null);
    assert.equal((await A.waitEvent(is.signal(un), 'REST untyped')).type, null);
    const longType = 'r'.repeat(128);
    await A.watchType(longType);
    const big = uniq('big') + 'z'.repeat(8192 - 16);
    assert.equal(await sdkSignal(f.ot, sid, A.connectionId, { type: longType, data: big }), null);
    const g = await A.waitEvent(is.typed(big), '8192-char REST signal');
    assert.equal(g.type, longType);

    // Raw status of a success is 204.
    const raw = await rawRest(f.server, 'POST', `/v2/project/${f.server.apiKey}/session/${sid}/signal`,
      { ot: f.ot, body: { type: 'rest', data: uniq('raw') } });
    assert.equal(raw.status, 204, raw.text);
  });

  test('REST signal errors: 400, 413, 404, 403', T, async (t) => {
    const sid = await f.newSession();
    const [A] = await f.join(t, sid, ['A']);
    const k = f.server.apiKey;
    const base = `/v2/project/${k}/session/${sid}`;
    const unknownSid = '1_' + Buffer.from(`1~${k}~~${Date.now()}~0123456789abcdef~`).toString('base64url');
    const otherKey = k === '499999' ? '499998' : '499999';
    const raw = (path, body, opts = {}) => rawRest(f.server, 'POST', path, { ot: f.ot, body, ...opts });

    // Through the SDK: error classes and messages as the SDK reports them.
    let err = await sdkSignal(f.ot, sid, null, { type: 'bad type!', data: 'x' });
    assert.ok(err, 'bad type must fail');
    assert.match(err.message, /Unexpected response from OpenTok/);
    err = await sdkSignal(f.ot, sid, null, { type: 'x', data: 'd'.repeat(8193) });
    assert.ok(err, 'data of 8193 characters must fail');
    assert.match(err.message, /Unexpected response from OpenTok/);
    err = await sdkSignal(f.ot, sid, '00000000-0000-4000-8000-000000000000', { type: 'x', data: 'x' });
    assert.equal(err?.message, 'Session or Connection not found');
    err = await sdkSignal(sdkFor(f.server, { apiSecret: f.server.apiSecret + 'x' }), sid, null, { type: 'x', data: 'x' });
    assert.equal(err?.message, 'Invalid API key or secret');

    // The statuses behind them.
    const cases = [
      ['type with a space', raw(`${base}/signal`, { type: 'bad type!', data: 'x' }), 400],
      ['type of 129 characters', raw(`${base}/signal`, { type: 't'.repeat(129), data: 'x' }), 413],
      ['data of 8193 characters', raw(`${base}/signal`, { type: 'x', data: 'd'.repeat(8193) }), 413],
      ['body that is not JSON', raw(`${base}/signal`, '{not json'), 400],
      ['unknown connection', raw(`${base}/connection/00000000-0000-4000-8000-000000000000/signal`, { data: 'x' }), 404],
      ['unknown session', raw(`/v2/project/${k}/session/${unknownSid}/signal`, { data: 'x' }), 404],
      ['JWT signed with another secret', raw(`${base}/signal`, { data: 'x' },
        { jwt: sdkFor(f.server, { apiSecret: 'nope' }).generateJwt() }), 403],
      ['expired JWT', raw(`${base}/signal`, { data: 'x' }, {
        jwt: signJwt({ iss: k, ist: 'project', iat: 1, exp: Math.floor(Date.now() / 1000) - 10 }, f.server.apiSecret)
      }), 403],
      ['JWT with ist other than project', raw(`${base}/signal`, { data: 'x' }, {
        jwt: signJwt({ iss: k, ist: 'account', iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 60 }, f.server.apiSecret)
      }), 403],
      ['no X-OPENTOK-AUTH at all', raw(`${base}/signal`, { data: 'x' }, { jwt: null }), [401, 403]],
      // our JWT is valid, but for another project than the one in the path
      ['path names another project', raw(`/v2/project/${otherKey}/session/${sid}/signal`, { data: 'x' }), [403, 404]]
    ];
    const problems = [];
    for (const [name, p, want] of cases) {
      const r = await p;
      if (![want].flat().includes(r.status))
        problems.push(`${name}: want ${want}, got ${r.status} ${r.text.slice(0, 120)}`);
      else if ((want === 400 || want === 413) && !(r.json && typeof r.json.message === 'string'))
        problems.push(`${name}: error body should be JSON with a "message" (the SDK shows it), got ${r.text.slice(0, 120)}`);
    }
    assert.deepEqual(problems, []);

    // None of these reached the page.
    await sleep(SETTLE_MS);
    assert.equal((await A.find(is.kind('signal'))).length, 0, 'refused signals must not be delivered');
  });

  test('forceDisconnect: the victim sees forceDisconnected, the others connectionDestroyed', T, async (t) => {
    const sid = await f.newSession();
    const [A, B, C] = await f.join(t, sid, ['A', 'B', 'C']);
    assert.equal(await sdkForceDisconnect(f.ot, sid, B.connectionId), null);
    const d = await B.waitEvent(is.kind('sessionDisconnected'), 'B is disconnected');
    assert.equal(d.reason, 'forceDisconnected');
    for (const p of [A, C]) {
      const e = await p.waitEvent(is.destroyed(B.connectionId), 'B goes');
      assert.equal(e.reason, 'forceDisconnected');
      assert.equal(e.data, 'name=B');
    }
    // Gone means gone: a second time, and a REST signal to it, are 404.
    const again = await sdkForceDisconnect(f.ot, sid, B.connectionId);
    assert.equal(again?.message, 'Session or Connection not found');
    const sig = await sdkSignal(f.ot, sid, B.connectionId, { data: 'x' });
    assert.equal(sig?.message, 'Session or Connection not found');
    // The others still talk.
    const s = uniq('after');
    assert.deepEqual(await A.signal({ data: s, to: C.connectionId }), { error: null });
    await C.waitEvent(is.signal(s), 'signal after the force disconnect');
    // Bad credentials on DELETE.
    const bad = await sdkForceDisconnect(sdkFor(f.server, { apiSecret: 'nope' }), sid, A.connectionId);
    assert.equal(bad?.message, 'Invalid API key or secret');
    await sleep(SETTLE_MS);
    assert.equal((await A.find(is.kind('sessionDisconnected'))).length, 0, 'A must still be connected');
  });

  test('HTTP side endpoints: healthz, metrics, analytics sinks, unknown paths', T, async () => {
    const get = (p, opts) => fetch(f.server.url + p, { signal: AbortSignal.timeout(5000), ...opts });
    let r = await get('/healthz');
    assert.equal(r.status, 200);
    r = await get('/metrics');
    assert.equal(r.status, 200);
    assert.ok((await r.text()).length > 0, 'metrics body');
    for (const p of ['/logging/ClientEvent', '/logging/ClientQos']) {
      r = await get(p, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"action":"x"}' });
      assert.equal(r.status, 200, p);
    }
    // CORS preflight as Chromium sends it before the Anvil GET.
    r = await get(`/session/${f.server.sessionId}?extended=true`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://localhost:1234',
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'x-opentok-auth,x-tb-client-version,x-tb-connectionid,x-tb-version'
      }
    });
    assert.ok(r.status >= 200 && r.status < 300, `preflight status ${r.status}`);
    assert.ok(['*', 'http://localhost:1234'].includes(r.headers.get('access-control-allow-origin')));
    assert.match(r.headers.get('access-control-allow-headers') || '', /x-opentok-auth/i);
    r = await get('/definitely/not/here');
    assert.equal(r.status, 404);
    // Anvil with a bad token: 2xx with an error element (what opentok.js needs).
    r = await get(`/session/${f.server.sessionId}?extended=true`, { headers: { 'X-OPENTOK-AUTH': 'garbage' } });
    assert.ok(r.status >= 200 && r.status < 300, `anvil status ${r.status}`);
    const body = await r.json();
    assert.ok(Array.isArray(body) && body.some((e) => e && e.error && e.error.code === 403), JSON.stringify(body));
  });

  test('the API secret can come from OPENTOK_API_SECRET', T, async () => {
    const s = await f.extraServer({ secretInEnv: true });
    const ot = sdkFor(s);
    const session = await createSession(ot, {});
    assert.equal(decodeSid(session.sessionId)[1], s.apiKey);
    assert.equal(await sdkSignal(ot, session.sessionId, null, { data: 'x' }), null);
  });
});
