// Start and stop the gst-opentok-server CLI under test.

import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { requireServerBinary, debug } from './env.mjs';
import { withTimeout } from './wait.mjs';

const STARTUP_TIMEOUT_MS = 15000;
const TERM_TIMEOUT_MS = 5000;
const KILL_TIMEOUT_MS = 3000;

// Every child we spawn, so that a crashing test process still takes them down.
const live = new Set();
process.on('exit', () => {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {}
  }
});

// An API key that cannot exist in the cloud project space we might reach by
// accident: "4" followed by five random digits.
export function randomApiKey () {
  return '4' + String(crypto.randomInt(0, 100000)).padStart(5, '0');
}

export function randomSecret () {
  return crypto.randomBytes(20).toString('hex');
}

class ServerProcess {
  constructor (child, apiKey, apiSecret) {
    this.child = child;
    this.apiKey = apiKey;
    this.apiSecret = apiSecret;
    this.url = null; // e.g. http://127.0.0.1:41234
    this.sessionId = null;
    this.token = null;
    this.stdout = '';
    this.stderrTail = [];
    this.exit = null; // { code, signal } once exited
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        live.delete(child);
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  get port () {
    return Number(new URL(this.url).port);
  }

  describe () {
    const tail = this.stderrTail.join('\n');
    return `gst-opentok-server pid ${this.child.pid}` +
      (this.exit ? ` exited (code ${this.exit.code}, signal ${this.exit.signal})` : ' running') +
      (tail ? `; stderr tail:\n${tail}` : '; no stderr');
  }

  // Fail if the server died while it should be serving.
  assertAlive () {
    if (this.exit)
      throw new Error(`the server died during the test: ${this.describe()}`);
  }

  // SIGTERM, then SIGKILL after a bound. Resolves to { code, signal }.
  async stop () {
    if (this.exit)
      return this.exit;
    this.child.kill('SIGTERM');
    try {
      return await withTimeout(this.exited, TERM_TIMEOUT_MS, 'the server to exit on SIGTERM');
    } catch {
      this.child.kill('SIGKILL');
      const r = await withTimeout(this.exited, KILL_TIMEOUT_MS, 'the server to die on SIGKILL');
      return { ...r, killed: true };
    }
  }
}

// Spawn the server on an ephemeral port and wait for its banner.
// Options: apiKey, apiSecret (random by default), secretInEnv (pass the secret
// through OPENTOK_API_SECRET instead of argv), extraArgs.
export async function startServer (opts = {}) {
  const bin = requireServerBinary();
  const apiKey = opts.apiKey || randomApiKey();
  const apiSecret = opts.apiSecret || randomSecret();
  const args = ['--host', '127.0.0.1', '--port', '0', '--api-key', apiKey];
  const env = { ...process.env, G_DEBUG: 'fatal-criticals' };
  if (opts.secretInEnv)
    env.OPENTOK_API_SECRET = apiSecret;
  else
    args.push('--api-secret', apiSecret);
  if (opts.extraArgs)
    args.push(...opts.extraArgs);
  delete env.GST_OPENTOK_SERVER;

  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  live.add(child);
  const srv = new ServerProcess(child, apiKey, apiSecret);

  child.stderr.setEncoding('utf8');
  let errBuf = '';
  child.stderr.on('data', (chunk) => {
    errBuf += chunk;
    const lines = errBuf.split('\n');
    errBuf = lines.pop();
    for (const line of lines) {
      debug('server:', line);
      srv.stderrTail.push(line);
      if (srv.stderrTail.length > 40)
        srv.stderrTail.shift();
    }
  });

  const ready = new Promise((resolve, reject) => {
    child.on('error', (e) => reject(new Error(`could not run ${bin}: ${e.message}`)));
    child.on('exit', () => reject(new Error(`the server exited before it was ready: ${srv.describe()}`)));
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      srv.stdout += chunk;
      const url = /serving on (http:\/\/\S+)/.exec(srv.stdout);
      const sid = /^session id:\s+(\S+)/m.exec(srv.stdout);
      const tok = /^token:\s+(\S+)/m.exec(srv.stdout);
      if (url && sid && tok) {
        srv.url = url[1].replace(/\/+$/, '');
        srv.sessionId = sid[1];
        srv.token = tok[1];
        resolve(srv);
      }
    });
  });

  try {
    await withTimeout(ready, STARTUP_TIMEOUT_MS, 'the server banner (serving on / session id / token)');
  } catch (e) {
    await srv.stop().catch(() => {});
    // never print the banner itself: it holds a token
    throw new Error(`${e.message}; ${srv.describe()}`);
  }
  debug(`server up at ${srv.url}, api key ${apiKey}`);
  return srv;
}
