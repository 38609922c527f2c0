// Per-file fixture: one server, one page server, one Chromium, shared by the
// tests of a file and torn down in after(). Every check that can only be made
// at the end (the server must still be alive and exit 0 on SIGTERM; pages made
// no unexpected outside requests) fails the file there.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { before, after } from 'node:test';
import { requireAll } from './env.mjs';
import { startServer } from './server.mjs';
import { startPageServer } from './pageserver.mjs';
import { launchBrowser, hostOf } from './browser.mjs';
import { sdkFor, createSession } from './sdk.mjs';

export function uniq (prefix = 'u') {
  return `${prefix}-${crypto.randomBytes(6).toString('hex')}`;
}

export function suiteFixture ({ browser = true } = {}) {
  const f = {
    server: null,
    pageServer: null,
    browser: null,
    ot: null,
    extraServers: [],

    // A new page pointed at `apiURL` (the server by default), closed when
    // test `t` ends.
    async newPage (t, name, { apiURL = f.server.url, reconnection = true, intercept = true } = {}) {
      const p = await f.browser.newPage(f.pageServer.pageUrl(apiURL, { reconnection }), { name, intercept });
      t.after(() => p.close());
      return p;
    },

    token (sessionId, data, opts = {}, t1 = false) {
      return f.ot.generateToken(sessionId, { ...opts, ...(data !== undefined ? { data } : {}) }, t1);
    },

    async newSession (opts = {}) {
      return (await createSession(f.ot, opts)).sessionId;
    },

    // Pages named `names` join `sessionId` one after the other with tokens
    // carrying data "name=<name>"; returns them once every page has seen a
    // connectionCreated for every member.
    async join (t, sessionId, names, { signalTypes = [], apiURL, reconnection } = {}) {
      const pages = [];
      for (const name of names) {
        const p = await f.newPage(t, name, { apiURL, reconnection });
        await p.mustConnect(f.server.apiKey, sessionId, f.token(sessionId, `name=${name}`), { signalTypes });
        pages.push(p);
      }
      for (const p of pages) {
        for (const q of pages) {
          await p.waitEvent((e) => e.kind === 'connectionCreated' && e.connectionId === q.connectionId,
            `connectionCreated for ${q.name}`);
        }
      }
      return pages;
    },

    // Another server process, stopped (and checked) in after().
    async extraServer (opts) {
      const s = await startServer(opts);
      f.extraServers.push(s);
      return s;
    }
  };

  before(async () => {
    requireAll({ browser });
    f.server = await startServer();
    f.ot = sdkFor(f.server);
    if (browser) {
      f.pageServer = await startPageServer();
      f.browser = await launchBrowser();
    }
  });

  after(async () => {
    const problems = [];
    if (f.browser) {
      await f.browser.close();
      const outside = [...f.browser.blocked, ...f.browser.external];
      const hosts = [...new Set(outside.map((b) => hostOf(b.url)))];
      console.log(`# outside requests refused: ${outside.length} (hosts: ${hosts.join(', ') || 'none'})`);
      const unexpected = f.browser.unexpectedExternal();
      if (unexpected.length) {
        problems.push('pages tried to reach unexpected outside hosts: ' +
          unexpected.map((b) => `${b.kind} ${b.url} (page ${b.page})`).join(', '));
      }
    }
    if (f.pageServer)
      await f.pageServer.close();
    for (const s of [f.server, ...f.extraServers]) {
      if (!s)
        continue;
      if (s.exit) {
        problems.push(`server ${s.url} died during the tests: ${s.describe()}`);
        continue;
      }
      const r = await s.stop();
      if (r.code !== 0 || r.killed)
        problems.push(`server ${s.url} did not exit cleanly on SIGTERM (${JSON.stringify(r)}): ${s.describe()}`);
    }
    assert.deepEqual(problems, [], problems.join('\n'));
  });

  return f;
}

// Events helpers for the node side.
export const is = {
  created: (id) => (e) => e.kind === 'connectionCreated' && e.connectionId === id,
  destroyed: (id) => (e) => e.kind === 'connectionDestroyed' && e.connectionId === id,
  signal: (data) => (e) => e.kind === 'signal' && e.data === data,
  typed: (data) => (e) => e.kind === 'signal:type' && e.data === data,
  anySignal: (data) => (e) => (e.kind === 'signal' || e.kind === 'signal:type') && e.data === data,
  kind: (k) => (e) => e.kind === k
};
