// Hostile and malformed input on the Rumor WebSocket, from a hand-made client,
// while real opentok.js pages are connected: the bad socket is closed (or gets
// an error), nothing leaks into the session, the pages keep working.
//
//   GST_OPENTOK_SERVER=<builddir>/tools/gst-opentok-server \
//     node --test --test-reporter=spec tests/interop/robustness.test.mjs

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, test } from 'node:test';
import { suiteFixture, uniq, is } from './lib/fixture.mjs';
import { rawWebSocket, rawMember as member, rumorFrame, parseRumor, RUMOR } from './lib/rawws.mjs';
import { sleep, waitFor } from './lib/wait.mjs';

const T = { timeout: 90000 };
const WS_PATH = '/rumorwebsocketsv2';

async function anvil (server, sid, token) {
  const r = await fetch(`${server.url}/session/${sid}?extended=true`, {
    headers: { 'X-OPENTOK-AUTH': token, 'X-TB-VERSION': '1', Accept: 'application/json' },
    signal: AbortSignal.timeout(5000)
  });
  assert.equal(r.status, 200);
  const [info] = await r.json();
  assert.ok(info && info.symphony_address && info.messaging_url, JSON.stringify(info));
  return info;
}

// Wait until the server closes the socket; returns the close code (null when
// the TCP connection ended without a close frame).
async function closedByServer (ws, what, timeout = 5000) {
  await waitFor(() => ws.close || ws.ended, { timeout, what: `the server to close the socket after ${what}` });
  return ws.close ? ws.close.code : null;
}

async function pingPong (ws, what) {
  const before = ws.binaryFrames().length;
  ws.send(rumorFrame(RUMOR.PING));
  const f = await waitFor(() => ws.binaryFrames().slice(before).map(parseRumor).find((m) => m.type === RUMOR.PONG),
    { timeout: 5000, what: `PONG (${what})` });
  return f;
}

describe('malformed and hostile Rumor input', () => {
  const f = suiteFixture();

  // A real client handshake done by hand: CONNECT, SUBSCRIBE, create.
  function rawMember (sid, info, token, connectionId, socketId) {
    return member(f.server.url, {
      apiKey: f.server.apiKey, sessionId: sid, symphony: info.symphony_address, token, connectionId, socketId
    });
  }

  function statusFor (ws, tid) {
    return ws.binaryFrames().map(parseRumor).find((m) => m.type === RUMOR.STATUS && m.headers['TRANSACTION-ID'] === tid);
  }

  test('the hand-made client is understood (positive control)', T, async (t) => {
    const sid = await f.newSession();
    const [A] = await f.join(t, sid, ['A']);
    const info = await anvil(f.server, sid, f.token(sid, 'name=raw'));
    const m = await rawMember(sid, info, f.token(sid, 'name=raw'));
    t.after(() => m.close());
    const st = await waitFor(() => statusFor(m.ws, m.createTid), { timeout: 5000, what: 'STATUS of create' });
    assert.equal(st.headers.STATUS, '200', st.payload);
    assert.ok(Array.isArray(JSON.parse(st.payload).connection));
    const created = await A.waitEvent(is.created(m.connectionId), 'A sees the raw client');
    assert.equal(created.data, 'name=raw');
    await pingPong(m.ws, 'after connect');
    // A signal from the raw client reaches A with the right sender.
    const d = uniq('raw');
    const tid = crypto.randomUUID();
    m.ws.send(rumorFrame(RUMOR.MESSAGE, [info.symphony_address], {
      'Content-Type': 'application/x-raptor+v2', 'TRANSACTION-ID': tid, 'X-TB-FROM-ADDRESS': m.connectionId
    }, JSON.stringify({ method: 'signal', uri: `${m.topic}/signal/${crypto.randomUUID()}`, content: { type: 'chat', data: d } })));
    assert.equal((await A.waitEvent(is.signal(d), 'raw signal')).from, m.connectionId);
    assert.equal((await waitFor(() => statusFor(m.ws, tid), { what: 'signal STATUS' })).headers.STATUS, '200');
  });

  test('a session with 150 members: everyone is announced, broadcasts reach all once', T, async (t) => {
    const N = 150;
    const sid = await f.newSession();
    const [A] = await f.join(t, sid, ['A']);
    const info = await anvil(f.server, sid, f.token(sid, 'name=x'));
    const members = [];
    t.after(() => members.forEach((m) => m.close()));
    for (let i = 0; i < N; i++) {
      members.push(await member(f.server.url, {
        apiKey: f.server.apiKey, sessionId: sid, symphony: info.symphony_address, token: f.token(sid, `name=m${i}`)
      }));
    }
    await waitFor(() => members.every((m) => m.status(m.createTid)), { timeout: 20000, what: 'every create answered' });
    const refused = members.filter((m) => m.status(m.createTid).headers.STATUS !== '200');
    assert.equal(refused.length, 0, `refused creates: ${refused.map((m) => m.status(m.createTid).payload).join(', ')}`);
    await A.waitCount(is.kind('connectionCreated'), N + 1, 'connectionCreated for all members', 20000);

    const K = 10;
    const tag = uniq('fan');
    const rs = await Promise.all(Array.from({ length: K }, (_, i) => A.signal({ data: `${tag}-${i}` })));
    assert.deepEqual(rs.filter((r) => r.error), []);
    await waitFor(() => members.every((m) => m.signals().filter((x) => x.body.content?.data?.startsWith(tag)).length >= K),
      { timeout: 20000, what: `${K} broadcasts at every member` });
    await sleep(500);
    for (const m of members) {
      const got = m.signals().filter((x) => x.body.content?.data?.startsWith(tag));
      assert.deepEqual(got.map((x) => x.body.content.data), Array.from({ length: K }, (_, i) => `${tag}-${i}`), `member ${m.connectionId}`);
      assert.ok(got.every((x) => x.headers['X-TB-FROM-ADDRESS'] === A.connectionId));
    }
    assert.equal((await A.find((e) => e.kind === 'signal' && e.data.startsWith(tag))).length, K, 'the sender\'s own copies');
    // Everyone leaves at once: the page sees every one go.
    for (const m of members)
      m.ws.send(rumorFrame(RUMOR.DISCONNECT, [], { reconnect: '' }));
    await A.waitCount(is.kind('connectionDestroyed'), N, 'connectionDestroyed for all members', 20000);
  });

  test('acknowledgements are consumed: a reconnect re-sends exactly the unacknowledged messages', T, async (t) => {
    const sid = await f.newSession();
    const [A] = await f.join(t, sid, ['A']);
    const info = await anvil(f.server, sid, f.token(sid, 'name=x'));
    const m = await rawMember(sid, info, f.token(sid, 'name=m'), undefined, crypto.randomUUID());
    t.after(() => m.close());
    await A.waitEvent(is.created(m.connectionId), 'A sees m');
    const data = (x) => x.body?.content?.data;
    const acked = [uniq('acked'), uniq('acked')];
    for (const d of acked)
      assert.deepEqual(await A.signal({ data: d, to: m.connectionId }), { error: null });
    await waitFor(() => acked.every((d) => m.signals().some((x) => data(x) === d)), { what: 'm gets the acked signals' });
    m.autoAck = false;
    const unacked = uniq('unacked');
    assert.deepEqual(await A.signal({ data: unacked, to: m.connectionId }), { error: null });
    const first = await waitFor(() => m.signals().find((x) => data(x) === unacked), { what: 'm gets the unacked signal' });
    await sleep(300); // let the acks reach the server
    m.autoAck = true;
    await m.reconnect();
    const again = await waitFor(() => m.messages.find((x) => x.socket === 1 && data(x) === unacked),
      { timeout: 5000, what: 'the unacknowledged signal re-sent on the new socket' });
    assert.equal(again.headers['TRANSACTION-ID'], first.headers['TRANSACTION-ID'], 'same TRANSACTION-ID');
    await sleep(800);
    const resent = m.messages.filter((x) => x.socket === 1);
    assert.deepEqual(resent.map((x) => `${x.body?.method} ${data(x) ?? x.body?.uri}`), [`signal ${unacked}`],
      'only the unacknowledged message comes again');
    // The taken-over connection still works both ways, and A saw nothing.
    const after = uniq('after');
    assert.deepEqual(await A.signal({ data: after, to: m.connectionId }), { error: null });
    await waitFor(() => m.messages.find((x) => x.socket === 1 && data(x) === after), { what: 'signal after the takeover' });
    assert.equal((await A.find(is.destroyed(m.connectionId))).length, 0);
  });

  test('malformed frames close that socket with a close code; a connected page keeps working', T, async (t) => {
    const sid = await f.newSession();
    const [A, B] = await f.join(t, sid, ['A', 'B']);
    const good = rumorFrame(RUMOR.PING);
    const cases = {
      'declared length longer than the frame': (() => {
        const b = Buffer.from(good);
        b.writeUInt32BE(1000, 0);
        return b;
      })(),
      'declared length 0xffffffff': (() => {
        const b = Buffer.from(good);
        b.writeUInt32BE(0xffffffff, 0);
        return b;
      })(),
      'shorter than a header': Buffer.from([0, 0, 0]),
      'address count past the end': Buffer.from([0, 0, 0, 8, 0, 0, 2, 3, 0, 1, 0x61, 0]),
      'address length past the end': Buffer.from([0, 0, 0, 7, 0, 0, 2, 1, 0xff, 0xff, 0x61]),
      'header count past the end': Buffer.from([0, 0, 0, 5, 0, 0, 2, 0, 9]),
      'empty binary message': Buffer.alloc(0)
    };
    const codes = {};
    for (const [name, bytes] of Object.entries(cases)) {
      const ws = await rawWebSocket(f.server.url, WS_PATH);
      t.after(() => ws.destroy());
      await pingPong(ws, `before: ${name}`);
      ws.send(bytes);
      codes[name] = await closedByServer(ws, name);
      assert.ok(codes[name] === null || (codes[name] >= 1000 && codes[name] < 5000), `${name}: close code ${codes[name]}`);
    }
    t.diagnostic(`close codes: ${JSON.stringify(codes)}`);
    const withoutFrame = Object.entries(codes).filter(([, c]) => c === null).map(([n]) => n);
    assert.deepEqual(withoutFrame, [], 'every malformed frame gets a WebSocket close frame with a code');

    const d = uniq('still');
    assert.deepEqual(await A.signal({ data: d, to: B.connectionId }), { error: null });
    await B.waitEvent(is.signal(d), 'signal after the bad sockets');
  });

  test('a text frame, an unknown type and junk JSON do not crash the server', T, async (t) => {
    const sid = await f.newSession();
    const [A, B] = await f.join(t, sid, ['A', 'B']);
    const info = await anvil(f.server, sid, f.token(sid, 'name=x'));
    const probes = {
      'text frame': [Buffer.from('hello'), 1],
      'unknown message type 6': [rumorFrame(6, [], {}, '')],
      'MESSAGE with junk JSON': [rumorFrame(RUMOR.MESSAGE, [info.symphony_address], { 'TRANSACTION-ID': 'j1' }, '{"method":')],
      'MESSAGE with JSON that is an array': [rumorFrame(RUMOR.MESSAGE, [info.symphony_address], { 'TRANSACTION-ID': 'j2' }, '[1,2]')],
      'STATUS nobody asked for': [rumorFrame(RUMOR.STATUS, ['x'], { 'TRANSACTION-ID': 'nope' }, '')]
    };
    const outcome = {};
    for (const [name, [bytes, opcode]] of Object.entries(probes)) {
      const ws = await rawWebSocket(f.server.url, WS_PATH);
      t.after(() => ws.destroy());
      ws.send(bytes, opcode);
      await sleep(200);
      if (ws.close || ws.ended) {
        outcome[name] = `closed ${ws.close?.code ?? 'without a close frame'}`;
      } else {
        await pingPong(ws, `after ${name}`);
        const st = ws.binaryFrames().map(parseRumor).find((m) => m.type === RUMOR.STATUS);
        outcome[name] = st ? `STATUS ${st.headers.STATUS}` : 'ignored';
      }
    }
    t.diagnostic(JSON.stringify(outcome));
    f.server.assertAlive();
    const d = uniq('alive');
    assert.deepEqual(await A.signal({ data: d, to: B.connectionId }), { error: null });
    await B.waitEvent(is.signal(d), 'signal after the junk');
  });

  test('no signal without a connection; no spoofed sender; no hijacked connection id', T, async (t) => {
    const sid = await f.newSession();
    const [A, B] = await f.join(t, sid, ['A', 'B']);
    const info = await anvil(f.server, sid, f.token(sid, 'name=x'));
    const topic = `/v2/partner/${f.server.apiKey}/session/${sid}`;
    const signalFrame = (from, data) => rumorFrame(RUMOR.MESSAGE, [info.symphony_address], {
      'Content-Type': 'application/x-raptor+v2', 'TRANSACTION-ID': crypto.randomUUID(), 'X-TB-FROM-ADDRESS': from
    }, JSON.stringify({ method: 'signal', uri: `${topic}/signal/${crypto.randomUUID()}`, content: { data } }));

    // 1. Never connected: claims to be A.
    const anon = await rawWebSocket(f.server.url, WS_PATH);
    t.after(() => anon.destroy());
    const d1 = uniq('anon');
    anon.send(signalFrame(A.connectionId, d1));
    // 2. CONNECT as A's id, without a create.
    const half = await rawWebSocket(f.server.url, WS_PATH);
    t.after(() => half.destroy());
    half.send(rumorFrame(RUMOR.CONNECT, [], { uniqueId: A.connectionId, 'TRANSACTION-ID': crypto.randomUUID(), notifyDisconnectAddress: info.symphony_address }));
    const d2 = uniq('half');
    half.send(signalFrame(A.connectionId, d2));
    // 3. A full member with a valid token that claims to be A when signalling.
    const m = await rawMember(sid, info, f.token(sid, 'name=mallory'));
    t.after(() => m.close());
    await A.waitEvent(is.created(m.connectionId), 'A sees mallory');
    const d3 = uniq('spoof');
    m.ws.send(signalFrame(A.connectionId, d3));
    // 4. A second create for A's own connection id with a valid token.
    const hij = await rawMember(sid, info, f.token(sid, 'name=hijack'), A.connectionId);
    t.after(() => hij.close());

    await sleep(1500);
    for (const d of [d1, d2])
      assert.equal((await B.find(is.signal(d))).length, 0, `unauthenticated signal ${d} must not be delivered`);
    const spoofed = await B.find(is.signal(d3));
    assert.ok(spoofed.every((e) => e.from === m.connectionId), `spoofed sender reached B: ${JSON.stringify(spoofed)}`);
    t.diagnostic(`signal with a forged X-TB-FROM-ADDRESS: ${spoofed.length ? 'delivered with the real sender' : 'not delivered'}`);
    const hst = statusFor(hij.ws, hij.createTid);
    const hijackRefused = hij.ws.close || hij.ws.ended || (hst && hst.headers.STATUS && !hst.headers.STATUS.startsWith('2'));
    assert.ok(hijackRefused, `a second create for a live connection id must be refused, got ${hst ? 'STATUS ' + hst.headers.STATUS : 'no answer'}`);
    assert.equal((await A.find(is.kind('sessionDisconnected'))).length, 0, 'A must not be affected');
    assert.equal((await B.find(is.destroyed(A.connectionId))).length, 0, 'B must still see A');
    const d = uniq('ok');
    assert.deepEqual(await A.signal({ data: d, to: B.connectionId }), { error: null });
    assert.equal((await B.waitEvent(is.signal(d), 'A still works')).from, A.connectionId);
  });
});
