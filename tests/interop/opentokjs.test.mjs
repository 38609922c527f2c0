// The real opentok.js 2.35.2 in headless Chromium against gst-opentok-server:
// membership events, signals, signal errors, token checks, CORS.
//
//   GST_OPENTOK_SERVER=<builddir>/tools/gst-opentok-server \
//     node --test --test-reporter=spec tests/interop/opentokjs.test.mjs

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { suiteFixture, uniq, is } from './lib/fixture.mjs';
import { sdkFor, clientJwt } from './lib/sdk.mjs';
import { sleep } from './lib/wait.mjs';

const T = { timeout: 90000 };
const SETTLE_MS = 600; // how long "nothing else arrives" is watched

describe('opentok.js in Chromium', () => {
  const f = suiteFixture();

  test('three pages see each other, a leaver and a newcomer (banner session and token)', T, async (t) => {
    const sid = f.server.sessionId;
    const [A, B, C] = await f.join(t, sid, ['A', 'B', 'C']);

    // Each page saw every member once, with the token's connection data.
    const pages = [A, B, C];
    for (const p of pages) {
      const created = await p.find(is.kind('connectionCreated'));
      for (const q of pages) {
        const seen = created.filter((e) => e.connectionId === q.connectionId);
        assert.equal(seen.length, 1, `${p.name} saw connectionCreated for ${q.name} ${seen.length} times`);
        assert.equal(seen[0].data, `name=${q.name}`, `${p.name}: data of ${q.name}`);
        assert.equal(seen[0].own, p === q);
        assert.equal(typeof seen[0].creationTime, 'number');
      }
      assert.equal(created.length, 3, `${p.name} saw ${created.length} connectionCreated events`);
      assert.equal((await p.find(is.kind('sessionConnected'))).length, 1);
    }
    assert.equal(new Set(pages.map((p) => p.connectionId)).size, 3, 'connection ids are distinct');
    for (const p of pages)
      assert.match(p.connectionId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i);

    // B leaves: it sees its own clientDisconnected, the others see B go.
    await B.disconnect();
    const bye = await B.waitEvent(is.kind('sessionDisconnected'), 'own sessionDisconnected');
    assert.equal(bye.reason, 'clientDisconnected');
    for (const p of [A, C]) {
      const d = await p.waitEvent(is.destroyed(B.connectionId), 'connectionDestroyed for B');
      assert.equal(d.reason, 'clientDisconnected');
      assert.equal(d.data, 'name=B');
    }

    // D joins with the token the server printed at start-up.
    const D = await f.newPage(t, 'D');
    const r = await D.mustConnect(f.server.apiKey, sid, f.server.token);
    for (const p of [A, C]) {
      const c = await p.waitEvent(is.created(r.connectionId), 'connectionCreated for D');
      assert.equal(c.own, false);
    }
    await D.waitEvent(is.created(A.connectionId), 'D sees A');
    await D.waitEvent(is.created(C.connectionId), 'D sees C');
    await D.waitEvent(is.created(D.connectionId), 'D sees itself');
    await sleep(SETTLE_MS);
    assert.equal((await D.find(is.created(B.connectionId))).length, 0, 'D must not see B, which left');
    assert.equal((await D.find(is.kind('connectionCreated'))).length, 3);
    assert.equal((await A.find(is.kind('connectionDestroyed'))).length, 1);
  });

  test('broadcast, targeted and untyped signals', T, async (t) => {
    const sid = await f.newSession();
    const types = ['chat'];
    const [A, B, C] = await f.join(t, sid, ['A', 'B', 'C'], { signalTypes: types });

    // Broadcast: everyone, the sender included, gets signal and signal:chat.
    const bc = uniq('bc');
    assert.deepEqual(await A.signal({ type: 'chat', data: bc }), { error: null });
    for (const p of [A, B, C]) {
      const s = await p.waitEvent(is.signal(bc), 'broadcast signal');
      const st = await p.waitEvent(is.typed(bc), 'broadcast signal:chat');
      for (const e of [s, st]) {
        assert.equal(e.type, 'chat');
        assert.equal(e.from, A.connectionId);
        assert.equal(e.fromSelf, p === A);
      }
    }

    // Targeted A -> B: only B, and no copy for the sender.
    const tg = uniq('tg');
    assert.deepEqual(await A.signal({ type: 'chat', data: tg, to: B.connectionId }), { error: null });
    const s = await B.waitEvent(is.signal(tg), 'targeted signal');
    assert.equal(s.from, A.connectionId);
    assert.equal(s.type, 'chat');
    await B.waitEvent(is.typed(tg), 'targeted signal:chat');
    await sleep(SETTLE_MS);
    for (const p of [A, C])
      assert.equal((await p.find(is.anySignal(tg))).length, 0, `${p.name} must not get the targeted signal`);

    // Untyped: `signal` only, type null.
    const un = uniq('un');
    assert.deepEqual(await C.signal({ data: un }), { error: null });
    for (const p of [A, B, C]) {
      const e = await p.waitEvent(is.signal(un), 'untyped signal');
      assert.equal(e.type, null);
      assert.equal(e.from, C.connectionId);
    }

    // Typed without data.
    await B.watchType('nodata');
    assert.deepEqual(await A.signal({ type: 'nodata', to: B.connectionId }), { error: null });
    const nd = await B.waitEvent((e) => e.kind === 'signal:type' && e.type === 'nodata', 'signal without data');
    assert.ok(nd.data === '' || nd.data === undefined || nd.data === null, `data was ${JSON.stringify(nd.data)}`);

    // Unicode survives the trip.
    const text = `héllo ✓ 😀 ${uniq('uni')} "quoted" \\ back\nslash`;
    assert.deepEqual(await B.signal({ type: 'chat', data: text, to: C.connectionId }), { error: null });
    await C.waitEvent(is.typed(text), 'unicode signal');

    // Targeted at oneself: exactly one copy.
    const me = uniq('me');
    assert.deepEqual(await A.signal({ type: 'chat', data: me, to: A.connectionId }), { error: null });
    assert.equal((await A.waitEvent(is.signal(me), 'signal to self')).from, A.connectionId);

    // A burst of a few hundred signals (a normal chatty client) just works:
    // all accepted, all delivered, in order, nothing doubled.
    const N = 300;
    const burst = uniq('burst');
    const results = await A._eval(async (a) => {
      const rs = [];
      for (let i = 0; i < a.n; i++)
        rs.push(window.H.signal({ type: 'chat', data: `${a.burst}-${i}`, to: a.to }));
      return (await Promise.all(rs)).map((r) => r.error);
    }, { n: N, burst, to: C.connectionId }, 30000, 'burst');
    assert.deepEqual(results.filter((e) => e !== null), [], 'burst completions');
    await C.waitCount((e) => e.kind === 'signal' && e.data.startsWith(burst), N, 'burst signals', 20000);
    await sleep(SETTLE_MS);
    const all = (await C.find((e) => e.kind === 'signal' && e.data.startsWith(burst))).map((e) => e.data);
    assert.deepEqual(all, Array.from({ length: N }, (_, i) => `${burst}-${i}`), 'burst order / duplicates');

    // Totals: nothing was delivered twice anywhere.
    for (const p of [A, B, C]) {
      const sig = (await p.find(is.kind('signal'))).map((e) => e.data);
      assert.equal(new Set(sig).size, sig.length, `${p.name} got a duplicate signal: ${sig}`);
    }
  });

  test('signal limits and errors (client-side 400/413, server accepts the whole type alphabet, 404 for a leaver)', T, async (t) => {
    const sid = await f.newSession();
    const [A, B] = await f.join(t, sid, ['A', 'B']);
    const to = B.connectionId;

    // Client-side validation (never reaches the server).
    let r = await A.signal({ type: 'chat', data: 'x'.repeat(8191), to });
    assert.equal(r.error?.code, 413, JSON.stringify(r));
    assert.equal(r.error.name, 'OT_INVALID_PARAMETER');
    r = await A.signal({ type: 'x'.repeat(129), data: 'x', to });
    assert.equal(r.error?.code, 413, JSON.stringify(r));
    assert.equal(r.error.name, 'OT_INVALID_PARAMETER');
    r = await A.signal({ type: 'bad type!', data: 'x', to });
    assert.equal(r.error?.code, 400, JSON.stringify(r));
    assert.equal(r.error.name, 'OT_INVALID_PARAMETER');

    // The exact limits pass the server too, and arrive intact.
    const big = uniq('big') + 'y'.repeat(8190 - 16);
    assert.equal(big.length, 8190);
    assert.deepEqual(await A.signal({ type: 'chat', data: big, to }), { error: null });
    const gotBig = await B.waitEvent((e) => e.kind === 'signal' && e.data?.length === 8190 && e.data === big, '8190-char signal');
    assert.equal(gotBig.from, A.connectionId);

    const longType = 'T'.repeat(127) + 'x';
    await B.watchType(longType);
    const lt = uniq('lt');
    assert.deepEqual(await A.signal({ type: longType, data: lt, to }), { error: null });
    assert.equal((await B.waitEvent(is.typed(lt), '128-char type')).type, longType);

    // Every character the client allows in a type is allowed by the server.
    const alphabet = 'abcXYZ019-._~';
    await B.watchType(alphabet);
    const ab = uniq('ab');
    assert.deepEqual(await A.signal({ type: alphabet, data: ab, to }), { error: null });
    assert.equal((await B.waitEvent(is.typed(ab), 'type with - . _ ~')).type, alphabet);

    // Multi-byte data under the client's character limit but over 8192 UTF-8
    // bytes: the server either delivers it intact or answers 413 in a way the
    // client understands. Never silence, never a mangled payload.
    const euro = '€'.repeat(3000);
    r = await A.signal({ type: 'chat', data: euro, to });
    if (r.error) {
      assert.equal(r.error.code, 413, JSON.stringify(r));
      assert.equal(r.error.name, 'OT_INVALID_PARAMETER');
      t.diagnostic('3000 x U+20AC (9000 bytes): refused by the server with 413');
    } else {
      await B.waitEvent(is.signal(euro), '3000 x U+20AC signal');
      t.diagnostic('3000 x U+20AC (9000 bytes): delivered');
    }

    // Server-side validation reached through opentok.js: the target left.
    await B.disconnect();
    await A.waitEvent(is.destroyed(to), 'B leaves');
    r = await A.signal({ type: 'chat', data: 'late', to });
    assert.equal(r.error?.code, 404, JSON.stringify(r));
    assert.equal(r.error.name, 'OT_NOT_FOUND');
    assert.ok(r.error.message, 'the server gives a reason');
  });

  test('bad tokens are refused at connect with 1004', T, async (t) => {
    const sid = await f.newSession();
    const other = await f.newSession();
    const { apiKey, apiSecret } = f.server;
    const past = Math.floor(Date.now() / 1000) - 60;
    const wrong = sdkFor(f.server, { apiSecret: apiSecret + '00' });
    const cases = {
      'JWT signed with the wrong secret': wrong.generateToken(sid, { data: 'name=x' }),
      'T1 signed with the wrong secret': wrong.generateToken(sid, { data: 'name=x' }, true),
      'expired JWT': clientJwt({ apiKey, apiSecret, sessionId: sid, over: { exp: past, expire_time: past } }),
      'JWT for another session': f.token(other, 'name=x'),
      'T1 for another session': f.token(other, 'name=x', {}, true),
      'JWT with scope other than session.connect': clientJwt({ apiKey, apiSecret, sessionId: sid, over: { scope: 'nope' } }),
      'garbage token': 'this-is-not-a-token'
    };
    const pages = await Promise.all(Object.keys(cases).map((name, i) => f.newPage(t, `bad${i}`)));
    const results = await Promise.all(Object.entries(cases).map(([, tok], i) =>
      pages[i].connect(apiKey, sid, tok)));
    Object.keys(cases).forEach((name, i) => {
      const r = results[i];
      assert.equal(r.error?.code, 1004, `${name}: ${JSON.stringify(r)}`);
      assert.equal(r.error.name, 'OT_AUTHENTICATION_ERROR', name);
      assert.match(r.error.message, /\(1004\)$/, name);
    });

    // A session id the server never created (the token is fine for it):
    // invalid session, 1005.
    const ghost = '1_' + Buffer.from(`1~${apiKey}~~${Date.now()}~00112233445566778899~`).toString('base64url');
    const gp = await f.newPage(t, 'ghost');
    const g = await gp.connect(apiKey, ghost, f.token(ghost, 'name=x'));
    assert.equal(g.error?.code, 1005, `unknown session: ${JSON.stringify(g)}`);
    // The page thinks it is in another project than the server serves:
    // partner_id mismatch, 1004.
    const kp = await f.newPage(t, 'key');
    const k = await kp.connect(apiKey === '499999' ? '499998' : '499999', sid, f.token(sid, 'name=x'));
    assert.equal(k.error?.code, 1004, `api key mismatch: ${JSON.stringify(k)}`);

    // Nobody got into the session: a good page there sees only itself.
    const [G] = await f.join(t, sid, ['G']);
    await sleep(SETTLE_MS);
    assert.equal((await G.find(is.kind('connectionCreated'))).length, 1);
  });

  test('a moderator page force-disconnects another page', T, async (t) => {
    const sid = await f.newSession();
    const [A, B] = await f.join(t, sid, ['A', 'B']);
    const M = await f.newPage(t, 'M');
    const m = await M.mustConnect(f.server.apiKey, sid, f.token(sid, 'name=M', { role: 'moderator' }));
    assert.equal(m.forceDisconnect, 1, 'moderator capability');
    await M.waitEvent(is.created(B.connectionId), 'M sees B');
    assert.deepEqual(await M.forceDisconnect(B.connectionId), { error: null });
    assert.equal((await B.waitEvent(is.kind('sessionDisconnected'), 'B is thrown out')).reason, 'forceDisconnected');
    for (const p of [A, M])
      assert.equal((await p.waitEvent(is.destroyed(B.connectionId), 'B goes')).reason, 'forceDisconnected');
  });

  test('without request interception: real CORS preflights reach the server', T, async (t) => {
    // Playwright answers CORS preflights itself while routing is on, so this
    // page runs with no route at all; the resolver rules still keep it on
    // loopback. The Anvil GET carries X-OPENTOK-AUTH & co, which need a
    // preflight the server must answer.
    const sid = await f.newSession();
    const P = await f.newPage(t, 'cors', { intercept: false });
    await P.mustConnect(f.server.apiKey, sid, f.token(sid, 'name=cors'), { signalTypes: ['chat'] });
    const d = uniq('cors');
    assert.deepEqual(await P.signal({ type: 'chat', data: d }), { error: null });
    await P.waitEvent(is.typed(d), 'own broadcast');
  });
});
