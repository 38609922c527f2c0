// Headless Chromium driven by playwright-core, with every non-loopback
// request refused, and an OTPage wrapper around the in-page harness
// (lib/page-harness.js).

import { CHROMIUM, requireChromium, loadPlaywright, debug } from './env.mjs';
import { waitFor, withTimeout } from './wait.mjs';

const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1'
];

// Requests opentok.js is known to make to the outside world. They are blocked
// (and would fail anyway: the resolver maps every other host to NOTFOUND);
// anything else showing up is a test failure, because it means the page
// depends on something we did not account for.
export const KNOWN_EXTERNAL_HOSTS = new Set(['config.opentok.com']);

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLocalUrl (url) {
  let u;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol === 'data:' || u.protocol === 'blob:' || u.protocol === 'about:')
    return true;
  return LOOPBACK_HOSTS.has(u.hostname);
}

export function hostOf (url) {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

function summarize (e) {
  const parts = [e.kind];
  for (const k of ['connectionId', 'type', 'data', 'from', 'reason', 'tag', 'error', 'code']) {
    if (e[k] !== undefined) {
      let v = typeof e[k] === 'string' && e[k].length > 40 ? e[k].slice(0, 37) + '...' : e[k];
      if (typeof v === 'object' && v !== null)
        v = JSON.stringify(v);
      parts.push(`${k}=${v}`);
    }
  }
  return parts.join(' ');
}

export class OTPage {
  constructor (page, context, name) {
    this.page = page;
    this.context = context;
    this.name = name;
    this.console = [];
    this.connectionId = null;
    page.on('console', (m) => this._log(`console.${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => this._log(`pageerror: ${e.message}`));
  }

  _log (line) {
    debug(`page ${this.name}: ${line}`);
    this.console.push(line);
    if (this.console.length > 200)
      this.console.shift();
  }

  _eval (fn, arg, ms, what) {
    return withTimeout(this.page.evaluate(fn, arg), ms, `page ${this.name}: ${what}`);
  }

  // session.connect(token); resolves { connectionId, data } or { error }.
  async connect (apiKey, sessionId, token, { signalTypes = [], timeout = 20000 } = {}) {
    const r = await this._eval(
      (a) => window.H.connect(a.apiKey, a.sessionId, a.token, a.signalTypes),
      { apiKey, sessionId, token, signalTypes }, timeout, 'session.connect to complete');
    if (r.connectionId)
      this.connectionId = r.connectionId;
    return r;
  }

  // Like connect() but fails the test unless it succeeds.
  async mustConnect (apiKey, sessionId, token, opts) {
    const r = await this.connect(apiKey, sessionId, token, opts);
    if (r.error) {
      throw new Error(`page ${this.name} failed to connect: ${JSON.stringify(r.error)}; ` +
        `console tail: ${this.console.slice(-10).join(' | ')}`);
    }
    return r;
  }

  watchType (type) {
    return this._eval((t) => window.H.watchType(t), type, 5000, 'watchType');
  }

  signal (opts, { timeout = 10000 } = {}) {
    return this._eval((o) => window.H.signal(o), opts, timeout, `signal ${JSON.stringify(opts).slice(0, 80)} to complete`);
  }

  // Fire a signal without waiting; its completion is logged as signalDone/tag.
  signalAsync (opts, tag) {
    return this._eval((a) => window.H.signalAsync(a.opts, a.tag), { opts, tag }, 5000, 'signalAsync');
  }

  forceDisconnect (connectionId, { timeout = 10000 } = {}) {
    return this._eval((id) => window.H.forceDisconnect(id), connectionId, timeout, 'forceDisconnect to complete');
  }

  disconnect () {
    return this._eval(() => window.H.disconnect(), null, 5000, 'disconnect');
  }

  events () {
    return this._eval(() => window.H.events, null, 5000, 'reading the event log');
  }

  async find (pred) {
    return (await this.events()).filter(pred);
  }

  async describe () {
    const ev = await this.events();
    const shown = ev.slice(-30);
    const skipped = ev.length - shown.length;
    return `page ${this.name} events (${ev.length}${skipped ? `, first ${skipped} omitted` : ''}): ` +
      `[${shown.map(summarize).join('; ')}]`;
  }

  // Wait until an event matching `pred` is logged; returns it.
  async waitEvent (pred, what, timeout = 10000) {
    return waitFor(async () => (await this.events()).find(pred), {
      timeout,
      what: `page ${this.name}: ${what}`,
      describe: () => this.describe()
    });
  }

  // Wait until at least `n` events match; returns them.
  async waitCount (pred, n, what, timeout = 10000) {
    return waitFor(async () => {
      const m = (await this.events()).filter(pred);
      return m.length >= n ? m : null;
    }, { timeout, what: `page ${this.name}: ${n} x ${what}`, describe: () => this.describe() });
  }

  async close () {
    await this.context.close().catch(() => {});
  }
}

// Launch Chromium once per test file. Returns { newPage, blocked, close }.
export async function launchBrowser () {
  requireChromium();
  const { chromium } = loadPlaywright();
  // chromium.launch() runs the browser in a fresh temporary profile directory
  // that Playwright removes on close.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    timeout: 30000
  });
  const blocked = []; // { url, kind, page }
  const external = []; // non-loopback requests seen in non-intercepted contexts
  const pages = new Set();
  let counter = 0;

  async function newPage (url, { name, intercept = true } = {}) {
    name = name || `p${++counter}`;
    const context = await browser.newContext();
    if (intercept) {
      await context.route('**/*', (route) => {
        const u = route.request().url();
        if (isLocalUrl(u))
          return route.continue();
        blocked.push({ url: u, kind: 'http', page: name });
        debug(`blocked ${u} from page ${name}`);
        return route.abort('blockedbyclient');
      });
      // route() does not see WebSockets; routeWebSocket() does. Loopback
      // sockets are not matched and go through untouched.
      await context.routeWebSocket((u) => !isLocalUrl(u.toString()), (ws) => {
        blocked.push({ url: ws.url(), kind: 'websocket', page: name });
        ws.close({ code: 1008, reason: 'blocked by the interop harness' });
      });
    }
    const page = await context.newPage();
    if (!intercept) {
      page.on('request', (r) => {
        if (!isLocalUrl(r.url()))
          external.push({ url: r.url(), kind: 'http', page: name });
      });
      page.on('websocket', (ws) => {
        if (!isLocalUrl(ws.url()))
          external.push({ url: ws.url(), kind: 'websocket', page: name });
      });
    }
    const otp = new OTPage(page, context, name);
    pages.add(otp);
    await page.goto(url, { waitUntil: 'load', timeout: 20000 });
    await waitFor(() => page.evaluate(() => !!(window.OT && window.H)), {
      timeout: 10000, what: `opentok.js and the harness to load in page ${name}`
    });
    return otp;
  }

  return {
    blocked,
    external,
    newPage,
    // Hosts outside KNOWN_EXTERNAL_HOSTS that any page tried to reach.
    unexpectedExternal () {
      return [...blocked, ...external].filter((b) => !KNOWN_EXTERNAL_HOSTS.has(hostOf(b.url)));
    },
    async close () {
      for (const p of pages)
        await p.close();
      await withTimeout(browser.close(), 15000, 'Chromium to close').catch(() => {});
    }
  };
}

