// signalbin (the GStreamer element) in real `gst-launch-1.0 -m -e` processes,
// the real opentok.js 2.35.2 in Chromium and the official Node SDK, in one
// session on gst-opentok-server.
//
//   GST_OPENTOK_SERVER=<builddir>/tools/gst-opentok-server \
//   GST_PLUGIN_PATH_1_0=<builddir>/plugin \
//     node --test --test-reporter=spec tests/interop/signalbin.test.mjs

import assert from 'node:assert/strict';
import http from 'node:http';
import { before, describe, test } from 'node:test';
import { suiteFixture, uniq, is } from './lib/fixture.mjs';
import { sdkSignal } from './lib/sdk.mjs';
import { launch, requireGstLaunch } from './lib/gstlaunch.mjs';
import { sleep } from './lib/wait.mjs';

const T = { timeout: 120000 };
const SETTLE_MS = 800; // how long "nothing else arrives" is watched
const N = 25; // signals per series
const TYPES = ['chat', 'news', 'rest'];
// The server's default reconnect window; a clean leave must be seen far
// sooner than a lost socket would be.
const RECONNECT_WINDOW_MS = 40000;
const PROMPT_MS = 5000;

const series = (tag, n = N) => Array.from({ length: n }, (_, i) => `${tag}-${i}`);

describe('signalbin in gst-launch-1.0 with opentok.js and the Node SDK', () => {
  const f = suiteFixture();

  before(() => {
    requireGstLaunch();
  });

  // Start `gst-launch-1.0 -m -e fdsrc fd=0 ! text/x-raw,format=utf8 !
  // signalbin ... ! fdsink fd=3` and wait until it joined. `auth` is
  // { secret, data } (the element mints its token) or { token }.
  async function startSignalbin (t, name, sid, auth, { type, to } = {}) {
    const words = ['fdsrc', 'fd=0', '!', 'text/x-raw,format=utf8', '!',
      'signalbin', `name=${name}`, `api-url=${f.server.url}`, `api-key=${f.server.apiKey}`,
      `session-id=${sid}`];
    if (auth.token)
      words.push(`token=${auth.token}`);
    else
      words.push(`api-secret=${auth.secret}`, `connection-data=${auth.data}`);
    if (type)
      words.push(`signal-type=${type}`);
    if (to)
      words.push(`signal-to=${to}`);
    words.push('!', 'fdsink', 'fd=3', 'sync=false');
    const g = launch(t, name, words);
    const m = await g.waitMessage('opentok-session-connected', () => true, 'opentok-session-connected', 20000);
    g.id = m.fields['connection-id'];
    assert.match(g.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i);
    return g;
  }

  // The id a page learns for the member whose connection data is `data`.
  async function learnId (page, data) {
    return (await page.waitEvent((e) => e.kind === 'connectionCreated' && e.data === data,
      `connectionCreated with data ${data}`, 15000)).connectionId;
  }

  // Signals sent from inside page `p` at once; resolves to their errors.
  function sendMany (p, list) {
    return p._eval(async (l) => {
      const rs = l.map((o) => window.H.signal(o));
      return (await Promise.all(rs)).map((r) => r.error);
    }, list, 30000, `${list.length} signals`);
  }

  const received = (g, prefix) => g.find('opentok-signal', (s) => typeof s.data === 'string' && s.data.startsWith(prefix));
  const pageGot = async (p, kind, prefix) =>
    (await p.find((e) => e.kind === kind && typeof e.data === 'string' && e.data.startsWith(prefix)));

  test('typed broadcast and targeted signals both ways between pages and signalbin', T, async (t) => {
    const sid = await f.newSession();
    const [A, B] = await f.join(t, sid, ['A', 'B'], { signalTypes: TYPES });
    // G1 mints its own token with the api secret and sends its lines to A
    // only; G2 joins with a token from the Node SDK and broadcasts.
    const G1 = await startSignalbin(t, 'G1', sid, { secret: f.server.apiSecret, data: 'name=gst' },
      { type: 'chat', to: A.connectionId });
    const G2 = await startSignalbin(t, 'G2', sid, { token: f.token(sid, 'name=gst2') }, { type: 'news' });

    // The pages see both with their connection data and learn their ids
    // from connectionCreated.
    for (const p of [A, B]) {
      assert.equal(await learnId(p, 'name=gst'), G1.id, `${p.name}: G1's id`);
      assert.equal(await learnId(p, 'name=gst2'), G2.id, `${p.name}: G2's id`);
    }
    // signalbin sees the pages with theirs.
    for (const [p, data] of [[A, 'name=A'], [B, 'name=B']]) {
      const c = await G2.waitMessage('opentok-connection-created', (s) => s['connection-id'] === p.connectionId,
        `opentok-connection-created for ${p.name}`);
      assert.equal(c.fields.data, data);
    }
    const counts = { pageSent: 0, gstReceived: 0, gstSent: 0, gstSentOk: 0, pageReceived: 0 };

    // --- pages -> signalbin ---------------------------------------------
    const tag = uniq('p2g');
    const bc = series(`${tag}-bc`); // A to everyone, chat
    const tg = series(`${tag}-tg`); // A to G1 only, chat
    const tg2 = series(`${tag}-b2`); // B to G2 only, news
    const odd = `${tag}-odd héllo ✓ 😀 "quoted", commas; semi=colon \\ back`;
    let errs = await sendMany(A, bc.map((data) => ({ type: 'chat', data })));
    assert.deepEqual(errs.filter((e) => e), [], 'A\'s broadcasts');
    errs = await sendMany(A, tg.map((data) => ({ type: 'chat', data, to: G1.id })));
    assert.deepEqual(errs.filter((e) => e), [], 'A\'s signals to G1');
    errs = await sendMany(B, tg2.map((data) => ({ type: 'news', data, to: G2.id })));
    assert.deepEqual(errs.filter((e) => e), [], 'B\'s signals to G2');
    assert.deepEqual(await B.signal({ type: 'chat', data: odd }), { error: null });
    counts.pageSent += bc.length + tg.length + tg2.length + 1;

    await G1.waitCount('opentok-signal', (s) => s.data?.startsWith(tag), 2 * N + 1, 'signals from the pages', 20000);
    await G2.waitCount('opentok-signal', (s) => s.data?.startsWith(tag), 2 * N + 1, 'signals from the pages', 20000);
    await G1.waitLines((l) => l.startsWith(tag), 2 * N + 1, 'received data lines');
    await G2.waitLines((l) => l.startsWith(tag), 2 * N + 1, 'received data lines');
    await sleep(SETTLE_MS);

    // Each arrived once, in order, typed, from the right page.
    const check = (g, prefix, data, type, from) => {
      const got = received(g, prefix);
      assert.deepEqual(got.map((m) => m.fields.data), data, `${g.name}: ${prefix} once each, in order`);
      for (const m of got) {
        assert.equal(m.fields.type, type, `${g.name}: type of ${m.fields.data}`);
        assert.equal(m.fields.from, from, `${g.name}: from of ${m.fields.data}`);
        assert.equal(m.fields['from-self'], false);
        assert.equal(m.element, g.name, 'posted by the signalbin element');
      }
      return got.length;
    };
    counts.gstReceived += check(G1, `${tag}-bc-`, bc, 'chat', A.connectionId);
    counts.gstReceived += check(G2, `${tag}-bc-`, bc, 'chat', A.connectionId);
    counts.gstReceived += check(G1, `${tag}-tg-`, tg, 'chat', A.connectionId);
    counts.gstReceived += check(G2, `${tag}-b2-`, tg2, 'news', B.connectionId);
    counts.gstReceived += check(G1, `${tag}-odd`, [odd], 'chat', B.connectionId);
    counts.gstReceived += check(G2, `${tag}-odd`, [odd], 'chat', B.connectionId);
    // targeted signals went to their target only
    assert.equal(received(G2, `${tag}-tg-`).length, 0, 'G2 got A\'s signals to G1');
    assert.equal(received(G1, `${tag}-b2-`).length, 0, 'G1 got B\'s signals to G2');
    assert.equal((await pageGot(B, 'signal', `${tag}-tg-`)).length, 0, 'B got A\'s signals to G1');
    // the src pad (fdsink fd=3): the data, one line each, in the same order
    for (const [g, want] of [[G1, [...bc, ...tg, odd]], [G2, [...bc, ...tg2, odd]]]) {
      const lines = g.lines.filter((l) => l.startsWith(tag));
      assert.deepEqual([...lines].sort(), [...want].sort(), `${g.name}: src pad lines`);
      assert.deepEqual(lines, g.find('opentok-signal', (s) => s.data?.startsWith(tag)).map((m) => m.fields.data),
        `${g.name}: src pad and bus in the same order`);
    }

    // --- signalbin -> pages -----------------------------------------------
    const out1 = series(`${tag}-g1`); // G1's sink pad: chat, to A
    const out2 = series(`${tag}-g2`); // G2's sink pad: news, to everyone
    const odd1 = `${tag}-g1odd ünïcode ✓ 😀 spaces, commas; "quotes"`;
    G1.write([...out1, odd1]);
    G2.write(out2);
    counts.gstSent += out1.length + 1 + out2.length;

    const fromG = (p, kind, prefix, n) => p.waitCount((e) => e.kind === kind && e.data?.startsWith(prefix), n,
      `${kind} ${prefix}`, 20000);
    await fromG(A, 'signal:type', `${tag}-g1`, N + 1);
    await fromG(A, 'signal:type', `${tag}-g2`, N);
    await fromG(B, 'signal:type', `${tag}-g2`, N);
    const sent1 = await G1.waitCount('opentok-signal-sent', (s) => s.type === 'chat', N + 1, 'opentok-signal-sent');
    const sent2 = await G2.waitCount('opentok-signal-sent', (s) => s.type === 'news', N, 'opentok-signal-sent');
    // G2's broadcasts come back to it, and reach G1
    await G2.waitCount('opentok-signal', (s) => s.data?.startsWith(`${tag}-g2`), N, 'own broadcasts back');
    await G1.waitCount('opentok-signal', (s) => s.data?.startsWith(`${tag}-g2`), N, 'G2\'s broadcasts');
    await sleep(SETTLE_MS);

    for (const m of [...sent1, ...sent2]) {
      assert.equal(m.fields.code, undefined, `refused: ${m.line}`);
      assert.equal(m.fields.origin, 'buffer');
    }
    counts.gstSentOk += sent1.length + sent2.length;
    assert.equal(sent1.length, N + 1);
    assert.equal(sent2.length, N);
    assert.equal(sent1[0].fields.to, A.connectionId);
    assert.equal(sent2[0].fields.to, null);

    const pageCheck = async (p, prefix, data, type, from) => {
      for (const kind of ['signal', 'signal:type']) {
        const got = await pageGot(p, kind, prefix);
        assert.deepEqual(got.map((e) => e.data), data, `${p.name}: ${kind} ${prefix} once each, in order`);
        for (const e of got) {
          assert.equal(e.type, type);
          assert.equal(e.from, from, `${p.name}: from of ${e.data}`);
          assert.equal(e.fromSelf, false);
        }
      }
      return data.length;
    };
    counts.pageReceived += await pageCheck(A, `${tag}-g1`, [...out1, odd1], 'chat', G1.id);
    counts.pageReceived += await pageCheck(A, `${tag}-g2`, out2, 'news', G2.id);
    counts.pageReceived += await pageCheck(B, `${tag}-g2`, out2, 'news', G2.id);
    assert.equal((await pageGot(B, 'signal', `${tag}-g1`)).length, 0, 'B got G1\'s signals to A');
    // a targeted signal does not come back to its sender; a broadcast does
    assert.equal(received(G1, `${tag}-g1`).length, 0, 'G1 got its own targeted signals back');
    assert.equal(received(G2, `${tag}-g1`).length, 0, 'G2 got G1\'s signals to A');
    const back = received(G2, `${tag}-g2`);
    assert.deepEqual(back.map((m) => m.fields.data), out2);
    assert.ok(back.every((m) => m.fields.from === G2.id && m.fields['from-self'] === true), 'G2\'s own copies');
    const other = received(G1, `${tag}-g2`);
    assert.deepEqual(other.map((m) => m.fields.data), out2);
    assert.ok(other.every((m) => m.fields.from === G2.id && m.fields['from-self'] === false && m.fields.type === 'news'));

    G1.assertAlive();
    G2.assertAlive();
    t.diagnostic(`pages -> signalbin: ${counts.pageSent} sent by the pages, ${counts.gstReceived} received by ` +
      `the two signalbins (broadcasts count once per receiver)`);
    t.diagnostic(`signalbin -> pages: ${counts.gstSent} lines written, ${counts.gstSentOk} completed without ` +
      `error, ${counts.pageReceived} received by the pages`);
    console.log(`# signalbin interop figures: ${JSON.stringify(counts)}`);
  });

  // The OpenTok Node SDK (node-fetch) goes through http.globalAgent, which
  // keeps connections alive in Node 20. The server closes a connection after
  // answering 204 without saying so (see the next test), so a request sent
  // right after another one may go to a dead socket. This test is about
  // signalbin, so it makes the SDK open a connection per request.
  function sdkWithoutKeepAlive (t) {
    const saved = http.globalAgent;
    http.globalAgent = new http.Agent({ keepAlive: false });
    t.after(() => {
      http.globalAgent.destroy();
      http.globalAgent = saved;
    });
  }

  test('REST signals from the Node SDK reach signalbin with from NULL', T, async (t) => {
    sdkWithoutKeepAlive(t);
    const sid = await f.newSession();
    const [A] = await f.join(t, sid, ['A'], { signalTypes: TYPES });
    const G1 = await startSignalbin(t, 'G1', sid, { secret: f.server.apiSecret, data: 'name=gst' });
    const G2 = await startSignalbin(t, 'G2', sid, { token: f.token(sid, 'name=gst2') });
    assert.equal(await learnId(A, 'name=gst'), G1.id);

    const tag = uniq('rest');
    const all = series(`${tag}-all`, 10);
    const one = series(`${tag}-one`, 10);
    const untyped = `${tag}-untyped`;
    for (const data of all)
      assert.equal(await sdkSignal(f.ot, sid, null, { type: 'rest', data }), null, 'REST broadcast');
    for (const data of one)
      assert.equal(await sdkSignal(f.ot, sid, G1.id, { type: 'rest', data }), null, 'REST signal to G1');
    assert.equal(await sdkSignal(f.ot, sid, G1.id, { data: untyped }), null, 'untyped REST signal to G1');
    const sent = all.length + one.length + 1;

    await G1.waitCount('opentok-signal', (s) => s.data?.startsWith(tag), all.length + one.length + 1, 'REST signals', 15000);
    await G2.waitCount('opentok-signal', (s) => s.data?.startsWith(tag), all.length, 'REST signals', 15000);
    await A.waitCount((e) => e.kind === 'signal:type' && e.data.startsWith(tag), all.length, 'REST signals');
    await sleep(SETTLE_MS);

    const g1 = received(G1, tag);
    const g2 = received(G2, tag);
    assert.deepEqual(g1.map((m) => m.fields.data), [...all, ...one, untyped], 'G1: once each, in order');
    assert.deepEqual(g2.map((m) => m.fields.data), all, 'G2: the broadcasts only, once each');
    for (const m of [...g1, ...g2]) {
      assert.equal(m.fields.from, null, `from is NULL: ${m.line}`);
      assert.match(m.line, /from=\(string\)NULL[,;]/, 'shown as from=(string)NULL');
      assert.equal(m.fields['from-self'], false);
      assert.equal(m.fields.type, m.fields.data === untyped ? '' : 'rest');
    }
    assert.equal(G1.lines.filter((l) => l.startsWith(tag)).length, g1.length, 'G1: src pad lines');
    const onPage = await pageGot(A, 'signal', tag);
    assert.deepEqual(onPage.map((e) => e.data), all, 'A: the broadcasts only');
    assert.ok(onPage.every((e) => e.from === null));
    t.diagnostic(`REST -> signalbin: ${sent} sent through the SDK, ${g1.length} received by G1, ` +
      `${g2.length} by G2, ${onPage.length} by the page`);
  });

  // What the SDK does by default: one kept-alive connection, requests back
  // to back. Each must be answered (and delivered once), as for any HTTP/1.1
  // server. Done with http.request rather than the SDK, whose callback
  // throws a TypeError instead of reporting the lost request.
  test('back-to-back REST signals on one kept-alive connection (as the Node SDK sends them)', T, async (t) => {
    const sid = await f.newSession();
    const G1 = await startSignalbin(t, 'G1', sid, { secret: f.server.apiSecret, data: 'name=gst' });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    t.after(() => agent.destroy());
    const post = (path, body) => new Promise((resolve) => {
      const req = http.request(f.server.url + path, {
        method: 'POST',
        agent,
        timeout: 10000,
        headers: { 'X-OPENTOK-AUTH': f.ot.generateJwt(), 'Content-Type': 'application/json' }
      }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, reused: req.reusedSocket }));
      });
      req.on('timeout', () => req.destroy(new Error('no answer in 10 s')));
      req.on('error', (e) => resolve({ error: e.message, reused: req.reusedSocket }));
      req.end(JSON.stringify(body));
    });

    const tag = uniq('ka');
    const data = series(tag, 10);
    const results = [];
    for (const d of data)
      results.push(await post(`/v2/project/${f.server.apiKey}/session/${sid}/connection/${G1.id}/signal`, { type: 'rest', data: d }));
    await sleep(SETTLE_MS);
    const got = received(G1, tag).map((m) => m.fields.data);
    const ok = results.filter((r) => r.status === 204).length;
    const lost = results.filter((r) => r.error);
    t.diagnostic(`kept-alive REST: ${data.length} sent, ${ok} answered 204, ${lost.length} lost ` +
      `(${[...new Set(lost.map((r) => r.error))].join(', ') || 'none'}), ${got.length} received by signalbin; ` +
      `204 headers: ${JSON.stringify(results.find((r) => r.status === 204)?.headers || {})}`);
    // delivered ones arrive once
    assert.equal(new Set(got).size, got.length, 'a REST signal arrived twice');
    assert.equal(lost.length, 0,
      `${lost.length} of ${data.length} back-to-back REST signals were lost on a reused connection ` +
      `(${lost.map((r) => `${r.error}, reused=${r.reused}`).join('; ')}): the server closes the ` +
      'connection after a 204 answer without "Connection: close" (and without "Content-Length: 0"), so a ' +
      'client that keeps connections alive (Node\'s default agent, used by the OpenTok Node SDK, whose ' +
      'signal callback then throws a TypeError) sends its next request into a closed socket');
    assert.deepEqual(got, data, 'every answered REST signal reached signalbin once, in order');
  });

  test('Ctrl-C on gst-launch-1.0 -e: the pages see signalbin leave (clientDisconnected) at once', T, async (t) => {
    const sid = await f.newSession();
    const [A, B] = await f.join(t, sid, ['A', 'B'], { signalTypes: TYPES });
    const G1 = await startSignalbin(t, 'G1', sid, { secret: f.server.apiSecret, data: 'name=gst' }, { type: 'chat' });
    const G2 = await startSignalbin(t, 'G2', sid, { token: f.token(sid, 'name=gst2') }, { type: 'chat' });
    for (const p of [A, B]) {
      assert.equal(await learnId(p, 'name=gst'), G1.id);
      assert.equal(await learnId(p, 'name=gst2'), G2.id);
    }
    await G2.waitMessage('opentok-connection-created', (s) => s['connection-id'] === G1.id, 'G2 sees G1');

    // it is working before the interrupt
    const tag = uniq('int');
    G1.write([`${tag}-before`]);
    await A.waitEvent(is.typed(`${tag}-before`), 'G1\'s line');

    const t0 = Date.now();
    G1.interrupt();
    const latencies = [];
    for (const p of [A, B]) {
      const d = await p.waitEvent(is.destroyed(G1.id), 'G1 leaves', RECONNECT_WINDOW_MS / 4);
      assert.equal(d.reason, 'clientDisconnected', `${p.name}: reason`);
      assert.equal(d.data, 'name=gst');
      latencies.push(d.t - t0);
    }
    const gone = await G2.waitMessage('opentok-connection-destroyed', (s) => s['connection-id'] === G1.id, 'G1 leaves');
    assert.equal(gone.fields.reason, 'clientDisconnected');
    const exit = await G1.waitExit();
    assert.deepEqual(exit, { code: 0, signal: null }, `gst-launch-1.0 exit: ${G1.describe()}`);
    assert.ok(G1.gotEos, 'the pipeline ended with EOS (-e)');
    t.diagnostic(`Ctrl-C -> connectionDestroyed(clientDisconnected) on the pages after ${latencies.join(' / ')} ms ` +
      `(reconnect window ${RECONNECT_WINDOW_MS} ms)`);
    for (const l of latencies)
      assert.ok(l < PROMPT_MS, `the pages saw the leave after ${l} ms`);

    // End of input ends G2's pipeline the same way, with its last lines sent.
    G2.write([`${tag}-last`]);
    const t1 = Date.now();
    G2.endInput();
    await A.waitEvent(is.typed(`${tag}-last`), 'G2\'s last line');
    const d = await A.waitEvent(is.destroyed(G2.id), 'G2 leaves at the end of its input', RECONNECT_WINDOW_MS / 4);
    assert.equal(d.reason, 'clientDisconnected');
    assert.deepEqual(await G2.waitExit(), { code: 0, signal: null }, G2.describe());
    t.diagnostic(`end of input -> connectionDestroyed(clientDisconnected) after ${d.t - t1} ms`);
    assert.ok(d.t - t1 < PROMPT_MS, `the page saw G2 leave after ${d.t - t1} ms`);

    // Nobody saw anything but a clean leave.
    for (const p of [A, B]) {
      const ends = await p.find(is.kind('connectionDestroyed'));
      assert.ok(ends.every((e) => e.reason === 'clientDisconnected'), JSON.stringify(ends));
      assert.equal((await p.find(is.kind('sessionDisconnected'))).length, 0);
    }
  });
});
