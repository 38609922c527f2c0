// signalbin in a real `gst-launch-1.0 -m -e` child process: preconditions,
// spawning, parsing what -m prints, writing lines to fdsrc, Ctrl-C.
//
// The child's stdin is the pipeline's `fdsrc fd=0`; its stdout carries the
// -m bus messages; an extra pipe on fd 3 is for `fdsink fd=3`, so the
// received signals the src pad pushes are not mixed with the -m output.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { debug } from './env.mjs';
import { waitFor, withTimeout } from './wait.mjs';

const INSPECT_TIMEOUT_MS = 60000; // a first registry scan can be slow
const EXIT_TIMEOUT_MS = 10000;
const KILL_TIMEOUT_MS = 3000;

// Every child spawned here, so that a crashing test still takes them down.
const live = new Set();
process.on('exit', () => {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {}
  }
});

function findInPath (name) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (!dir)
      continue;
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile())
        return file;
    } catch {}
  }
  return null;
}

export function gstLaunchPath () {
  return process.env.INTEROP_GST_LAUNCH || findInPath('gst-launch-1.0');
}

// gst-launch-1.0 and gst-inspect-1.0 (Debian: gstreamer1.0-tools), the built
// plugin (GST_PLUGIN_PATH_1_0, which meson sets) with signalbin in it, and
// the core elements the pipelines use. A missing piece is a failure.
let checked = null;

export function requireGstLaunch () {
  if (checked)
    return checked;
  const launch = gstLaunchPath();
  if (!launch) {
    throw new Error('gst-launch-1.0 not found in PATH: install the Debian package ' +
      '`gstreamer1.0-tools` (or set INTEROP_GST_LAUNCH to a gst-launch-1.0 binary)');
  }
  const inspect = findInPath('gst-inspect-1.0');
  if (!inspect)
    throw new Error('gst-inspect-1.0 not found in PATH: install the Debian package `gstreamer1.0-tools`');
  const pluginPath = process.env.GST_PLUGIN_PATH_1_0;
  if (!pluginPath) {
    throw new Error('GST_PLUGIN_PATH_1_0 is not set: it must name the build\'s plugin directory ' +
      '(meson sets it for `meson test --suite interop`; by hand: ' +
      'GST_PLUGIN_PATH_1_0=<builddir>/plugin node --test tests/interop/signalbin.test.mjs)');
  }
  const dirs = pluginPath.split(path.delimiter).filter(Boolean);
  if (!dirs.some((d) => fs.existsSync(path.join(d, 'libgstopentok.so')))) {
    throw new Error(`the opentok plugin (libgstopentok.so) is not in GST_PLUGIN_PATH_1_0=${pluginPath}: ` +
      'build it first (ninja -C <builddir>)');
  }
  for (const element of ['signalbin', 'fdsrc', 'fdsink', 'capsfilter']) {
    const r = spawnSync(inspect, [element], { encoding: 'utf8', timeout: INSPECT_TIMEOUT_MS });
    if (r.status !== 0) {
      const why = r.error ? r.error.message : (r.stderr || r.stdout || '').trim().split('\n').slice(-3).join(' | ');
      throw new Error(`gst-inspect-1.0 ${element} failed (status ${r.status}): ${why}; ` +
        (element === 'signalbin'
          ? `the plugin in ${pluginPath} does not load`
          : 'the GStreamer core elements are missing (gstreamer1.0 core plugins)'));
    }
  }
  checked = launch;
  return launch;
}

// Parse a GstStructure as gst_structure_to_string() writes it, e.g.
//   opentok-signal, type=(string)chat, data=(string)"a\ b", from=(string)NULL;
// Quoted values are unescaped (a backslash before a character, three octal
// digits for a byte); "(string)NULL" unquoted is null; booleans and integers
// are converted. Returns { name, fields }.
export function parseStructure (text) {
  let i = 0;
  const n = text.length;
  const nameEnd = text.search(/[,;]|$/);
  const name = text.slice(0, nameEnd).trim();
  i = nameEnd;
  const fields = {};
  while (i < n && text[i] === ',') {
    i++;
    while (text[i] === ' ')
      i++;
    const eq = text.indexOf('=', i);
    if (eq < 0)
      break;
    const key = text.slice(i, eq).trim();
    i = eq + 1;
    let type = null;
    if (text[i] === '(') {
      const close = text.indexOf(')', i);
      type = text.slice(i + 1, close);
      i = close + 1;
    }
    let raw;
    let quoted = false;
    if (text[i] === '"') {
      quoted = true;
      i++;
      const bytes = [];
      while (i < n && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < n) {
          if (/^[0-3][0-7]{2}$/.test(text.slice(i + 1, i + 4))) {
            bytes.push(parseInt(text.slice(i + 1, i + 4), 8));
            i += 4;
            continue;
          }
          i++;
        }
        const cp = text.codePointAt(i);
        const ch = String.fromCodePoint(cp);
        bytes.push(...Buffer.from(ch, 'utf8'));
        i += ch.length;
      }
      i++; // closing quote
      raw = Buffer.from(bytes).toString('utf8');
    } else {
      const end = text.slice(i).search(/[,;]|$/);
      raw = text.slice(i, i + end);
      i += end;
    }
    let value = raw;
    if (!quoted && raw === 'NULL' && (type === 'string' || type === null))
      value = null;
    else if (type === 'boolean')
      value = raw === 'true' || raw === '1' || raw === 'yes';
    else if (type && /^(g?u?int(64)?|int)$/.test(type))
      value = Number(raw);
    fields[key] = value;
    while (text[i] === ' ')
      i++;
  }
  return { name, fields };
}

const MESSAGE_RE = /^Got message #(\d+) from element "([^"]*)" \(element\): (.*)$/;

export class GstLaunch {
  constructor (child, name, argv) {
    this.child = child;
    this.name = name;
    this.argv = argv;
    this.messages = []; // { seq, element, name, fields, line }
    this.lines = []; // lines written by fdsink fd=3
    this.stdoutTail = [];
    this.stderrTail = [];
    this.gotEos = false; // gst-launch printed "Got EOS from element ..."
    this.exit = null;
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        live.delete(child);
        this.exit = { code, signal };
        debug(`${name}: exited ${JSON.stringify(this.exit)}`);
        resolve(this.exit);
      });
    });
    this.spawnError = null;
    child.on('error', (e) => {
      this.spawnError = e;
    });

    splitLines(child.stdout, (line) => {
      debug(`${name} stdout: ${line}`);
      this.stdoutTail.push(line);
      if (this.stdoutTail.length > 60)
        this.stdoutTail.shift();
      if (/^Got EOS from element /.test(line))
        this.gotEos = true;
      const m = MESSAGE_RE.exec(line);
      if (m) {
        const s = parseStructure(m[3]);
        this.messages.push({ seq: Number(m[1]), element: m[2], name: s.name, fields: s.fields, line });
      }
    });
    splitLines(child.stderr, (line) => {
      debug(`${name} stderr: ${line}`);
      this.stderrTail.push(line);
      if (this.stderrTail.length > 40)
        this.stderrTail.shift();
    });
    splitLines(child.stdio[3], (line) => {
      debug(`${name} fd3: ${line}`);
      this.lines.push(line);
    });
    // a child that died must not make our writes throw EPIPE
    child.stdin.on('error', () => {});
  }

  describe () {
    const head = `${this.name} (gst-launch-1.0 pid ${this.child.pid}` +
      (this.exit ? `, exited ${JSON.stringify(this.exit)})` : ', running)');
    const errors = this.stdoutTail.filter((l) => /ERROR|WARNING|error/.test(l)).slice(-5);
    return `${head}; ${this.messages.length} element messages, ${this.lines.length} src lines` +
      (errors.length ? `; error lines: ${errors.join(' | ')}` : '') +
      (this.stderrTail.length ? `; stderr tail: ${this.stderrTail.slice(-8).join(' | ')}` : '') +
      `; stdout tail: ${this.stdoutTail.slice(-6).join(' | ')}`;
  }

  assertAlive () {
    if (this.exit || this.spawnError)
      throw new Error(`gst-launch-1.0 died: ${this.spawnError ? this.spawnError.message + '; ' : ''}${this.describe()}`);
  }

  // Element messages named `name` (optionally from element `element`).
  find (name, pred = () => true, element) {
    return this.messages.filter((m) => m.name === name && (!element || m.element === element) && pred(m.fields));
  }

  async waitMessage (name, pred, what, timeout = 10000) {
    return waitFor(() => {
      const m = this.find(name, pred)[0];
      if (!m)
        this.assertAlive();
      return m;
    }, { timeout, what: `${this.name}: ${what}`, describe: () => this.describe() });
  }

  async waitCount (name, pred, count, what, timeout = 10000) {
    return waitFor(() => {
      const m = this.find(name, pred);
      if (m.length < count)
        this.assertAlive();
      return m.length >= count ? m : null;
    }, { timeout, what: `${this.name}: ${count} x ${what}`, describe: () => this.describe() });
  }

  async waitLines (pred, count, what, timeout = 10000) {
    return waitFor(() => {
      const l = this.lines.filter(pred);
      if (l.length < count)
        this.assertAlive();
      return l.length >= count ? l : null;
    }, { timeout, what: `${this.name}: ${count} x ${what} on fd 3`, describe: () => this.describe() });
  }

  // Lines for fdsrc fd=0 (each becomes one signal).
  write (lines) {
    this.assertAlive();
    this.child.stdin.write(lines.map((l) => l + '\n').join(''));
  }

  endInput () {
    this.child.stdin.end();
  }

  // Ctrl-C.
  interrupt () {
    this.child.kill('SIGINT');
  }

  async waitExit (timeout = EXIT_TIMEOUT_MS) {
    return withTimeout(this.exited, timeout, `${this.name} (gst-launch-1.0) to exit`);
  }

  // SIGTERM, then SIGKILL; for clean-up only.
  async stop () {
    if (this.exit)
      return this.exit;
    this.child.kill('SIGTERM');
    try {
      return await withTimeout(this.exited, 5000, `${this.name} to exit on SIGTERM`);
    } catch {
      this.child.kill('SIGKILL');
      return withTimeout(this.exited, KILL_TIMEOUT_MS, `${this.name} to die on SIGKILL`);
    }
  }
}

function splitLines (stream, onLine) {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    buf += chunk;
    const parts = buf.split('\n');
    buf = parts.pop();
    for (const p of parts)
      onLine(p);
  });
  stream.on('end', () => {
    if (buf)
      onLine(buf);
    buf = '';
  });
}

// Run `gst-launch-1.0 -m -e <pipeline...>`; `pipeline` is the list of
// launch-line words. The process is stopped when test `t` ends.
export function launch (t, name, pipeline, { extraArgs = [] } = {}) {
  const bin = requireGstLaunch();
  const argv = ['-m', '-e', ...extraArgs, ...pipeline];
  const env = { ...process.env, G_DEBUG: 'fatal-criticals' };
  const child = spawn(bin, argv, { stdio: ['pipe', 'pipe', 'pipe', 'pipe'], env });
  live.add(child);
  // never log argv: it holds a token or the secret
  debug(`${name}: spawned gst-launch-1.0 pid ${child.pid}`);
  const g = new GstLaunch(child, name, argv);
  if (t)
    t.after(() => g.stop().catch(() => {}));
  return g;
}
