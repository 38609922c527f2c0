// The real opentok.js and the Node SDK against three gst-opentok-server
// processes that share their sessions through one Redis (--redis-url):
// pages on different nodes, REST through a third one, and a page that comes
// back through another node after its socket was cut.
//
//   GST_OPENTOK_SERVER=<builddir>/tools/gst-opentok-server \
//   REDIS_SERVER=/usr/bin/redis-server \
//     node --test --test-reporter=spec tests/interop/cluster.test.mjs

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { suiteFixture, uniq, is } from './lib/fixture.mjs';
import { startProxy } from './lib/proxy.mjs';
import { randomApiKey, randomSecret } from './lib/server.mjs';
import { sdkFor, createSession, sdkSignal, sdkForceDisconnect } from './lib/sdk.mjs';
import crypto from 'node:crypto';
import { rawMember } from './lib/rawws.mjs';
import { waitFor } from './lib/wait.mjs';

const T = { timeout: 120000 };
const REDIS = process.env.REDIS_SERVER || '/usr/bin/redis-server';
const BURST = 20;

function freePort () {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// A redis-server of our own on a free loopback port, nothing on disk.
async function startRedis () {
  if (!fs.existsSync(REDIS))
    throw new Error(`${REDIS} is missing: apt-get install redis-server, or set REDIS_SERVER`);
  const port = await freePort();
  const child = spawn(REDIS, ['--port', String(port), '--bind', '127.0.0.1',
    '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const deadline = Date.now() + 10000;
  for (;;) {
    const up = await new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => { c.destroy(); resolve(true); });
      c.on('error', () => resolve(false));
    });
    if (up)
      break;
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`redis-server did not take connections on ${port}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null)
        return resolve();
      child.once('exit', resolve);
      child.kill('SIGTERM');
    })
  };
}

// The signals of `type` a page received, in order.
async function sequence (page, type) {
  return (await page.find((e) => e.kind === 'signal' && e.type === type)).map((e) => e.data);
}

describe('three nodes, one Redis', () => {
  const f = suiteFixture();
  const nodes = [];
  let redis = null;
  let ot = null;

  before(async () => {
    redis = await startRedis();
    const apiKey = randomApiKey();
    const apiSecret = randomSecret();
    for (let i = 0; i < 3; i++)
      nodes.push(await f.extraServer({ apiKey, apiSecret, extraArgs: ['--redis-url', redis.url] }));
    ot = sdkFor(nodes[0]);
  });

  // the fixture stops the nodes in its own after(), which runs first
  after(async () => {
    if (redis)
      await redis.stop();
  });

  // A page of `sessionId` on node `i` (or through `apiURL`), joined.
  async function pageOn (t, i, sessionId, name, { apiURL } = {}) {
    const p = await f.newPage(t, name, { apiURL: apiURL || nodes[i].url });
    await p.mustConnect(nodes[i].apiKey, sessionId,
      ot.generateToken(sessionId, { data: `name=${name}` }), { signalTypes: ['seq'] });
    return p;
  }

  test('pages on two nodes see each other and every broadcast, in one order', T, async (t) => {
    const sid = (await createSession(ot)).sessionId;
    const P = await pageOn(t, 0, sid, 'P');
    const Q = await pageOn(t, 1, sid, 'Q');
    await P.waitEvent(is.created(Q.connectionId), 'P sees Q');
    await Q.waitEvent(is.created(P.connectionId), 'Q sees P');

    for (let n = 0; n < BURST; n++) {
      P.signalAsync({ type: 'seq', data: `p${n}` }, `p${n}`);
      Q.signalAsync({ type: 'seq', data: `q${n}` }, `q${n}`);
    }
    await P.waitEvent(is.signal(`p${BURST - 1}`), 'P hears its last');
    await P.waitEvent(is.signal(`q${BURST - 1}`), 'P hears Q\'s last');
    await Q.waitEvent(is.signal(`p${BURST - 1}`), 'Q hears P\'s last');
    await Q.waitEvent(is.signal(`q${BURST - 1}`), 'Q hears its last');
    const seenP = await sequence(P, 'seq');
    const seenQ = await sequence(Q, 'seq');
    assert.equal(seenP.length, 2 * BURST, `P got ${seenP.join(' ')}`);
    assert.deepEqual(seenQ, seenP, 'one order for both');
    for (const who of ['p', 'q']) {
      const own = seenP.filter((d) => d.startsWith(who));
      assert.deepEqual(own, Array.from({ length: BURST }, (_, n) => `${who}${n}`), `${who}'s own order`);
    }

    // a targeted signal across nodes reaches its target only
    const only = uniq('only');
    assert.deepEqual(await P.signal({ type: 'seq', data: only, to: Q.connectionId }), { error: null });
    await Q.waitEvent(is.signal(only), 'Q gets the one for it');
  });

  test('REST through a node nobody is on: signals and forceDisconnect reach both nodes', T, async (t) => {
    const sid = (await createSession(sdkFor(nodes[1]))).sessionId;
    const P = await pageOn(t, 0, sid, 'P');
    const Q = await pageOn(t, 1, sid, 'Q');
    await P.waitEvent(is.created(Q.connectionId), 'P sees Q');
    const third = sdkFor(nodes[2]);

    const all = uniq('all');
    assert.equal(await sdkSignal(third, sid, null, { type: 'seq', data: all }), null);
    await P.waitEvent(is.signal(all), 'P gets the REST broadcast');
    await Q.waitEvent(is.signal(all), 'Q gets the REST broadcast');
    const toQ = uniq('toQ');
    assert.equal(await sdkSignal(third, sid, Q.connectionId, { type: 'seq', data: toQ }), null);
    await Q.waitEvent(is.signal(toQ), 'Q gets the REST signal to it');

    assert.equal(await sdkForceDisconnect(third, sid, Q.connectionId), null);
    await Q.waitEvent((e) => e.kind === 'sessionDisconnected' && e.reason === 'forceDisconnected',
      'Q is forced out');
    await P.waitEvent((e) => e.kind === 'connectionDestroyed' && e.connectionId === Q.connectionId &&
      e.reason === 'forceDisconnected', 'P sees Q forced out');
  });

  test('the same connection id joining through two nodes at once: exactly one gets in', T, async () => {
    const sid = (await createSession(ot)).sessionId;
    for (let round = 0; round < 10; round++) {
      const connectionId = crypto.randomUUID();
      const token = ot.generateToken(sid, { data: `round=${round}` });
      const members = await Promise.all([0, 1].map((i) => rawMember(nodes[i].url, {
        apiKey: nodes[i].apiKey, sessionId: sid, symphony: 'symphony.gst-opentok', token, connectionId
      })));
      const statuses = await Promise.all(members.map((m) => waitFor(() => m.status(m.createTid),
        { timeout: 5000, what: `round ${round}: the create answered` })));
      const codes = statuses.map((st) => Number(st.headers.STATUS)).sort();
      for (const m of members)
        m.ws.destroy();
      assert.deepEqual(codes, [200, 409], `round ${round}: ${codes}`);
    }
  });

  test('a page whose socket is cut comes back through another node and loses nothing', T, async (t) => {
    const sid = (await createSession(ot)).sessionId;
    const balancer = await startProxy({ targetPort: nodes[0].port });
    t.after(() => balancer.close());
    const P = await pageOn(t, 0, sid, 'P', { apiURL: balancer.url });
    const Q = await pageOn(t, 1, sid, 'Q');
    await P.waitEvent(is.created(Q.connectionId), 'P sees Q');

    balancer.hold();
    balancer.setTarget(nodes[2].port);
    assert.ok(balancer.cut() >= 1, 'P\'s socket went through the balancer');
    await P.waitEvent(is.kind('sessionReconnecting'), 'sessionReconnecting', 10000);
    const sent = [];
    for (let n = 0; n < BURST; n++) {
      const d = `away${n}`;
      assert.deepEqual(await Q.signal({ type: 'seq', data: d }), { error: null });
      sent.push(d);
    }
    const toP = uniq('toP');
    assert.deepEqual(await Q.signal({ type: 'seq', data: toP, to: P.connectionId }), { error: null });
    sent.push(toP);
    balancer.release();
    await P.waitEvent(is.kind('sessionReconnected'), 'sessionReconnected', 30000);
    await P.waitEvent(is.signal(toP), 'P gets what was sent while away');
    assert.deepEqual(await sequence(P, 'seq'), sent, 'once each, in order');
    assert.equal((await Q.find((e) => e.kind === 'connectionDestroyed')).length, 0,
      'Q never saw P leave');

    const back = uniq('back');
    assert.deepEqual(await P.signal({ type: 'seq', data: back }), { error: null });
    await Q.waitEvent(is.signal(back), 'P signals again, from node 2');
    const metrics = await (await fetch(`${nodes[2].url}/metrics`)).text();
    assert.match(metrics, /^opentok_takeovers_total 1$/m, 'node 2 took P over');
  });
});
