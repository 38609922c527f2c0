// Preconditions of the interop suite. A missing piece is a test FAILURE with a
// message saying how to fix it, never a skip: a green run must mean that the
// real opentok.js and the real Node SDK talked to our server.

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// Node.js 20 or newer (playwright-core 1.64 requires it). Under Debian 12's
// Node.js 18 every test of a file is cancelled at once and the file then
// waits for meson's timeout: stop before any test starts, with the reason.
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
if (NODE_MAJOR < 20) {
  console.error(`interop: Node.js ${process.versions.node} (${process.execPath}) is too old: ` +
    'the suite needs Node.js 20 or newer. `tools/bootstrap.sh test` installs one into ' +
    'tools/node/ when the node on PATH is older; configure the build with it on PATH.');
  process.exit(1);
}

export const INTEROP_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const SETUP_HINT =
  'run `tools/bootstrap.sh test` from the repository root (it runs `npm ci` in tests/interop)';
export const CHROMIUM = process.env.INTEROP_CHROMIUM || '/usr/bin/chromium';

const require = createRequire(path.join(INTEROP_DIR, 'package.json'));

// The exact versions the suite was written against (package.json pins them;
// package-lock.json makes `npm ci` reproduce them).
const PINNED = {
  '@opentok/client': '2.35.2',
  opentok: '2.23.2',
  'playwright-core': '1.64.1'
};

function isExecutable (file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export function requireServerBinary () {
  const bin = process.env.GST_OPENTOK_SERVER;
  if (!bin) {
    throw new Error('GST_OPENTOK_SERVER is not set: it must name the built gst-opentok-server ' +
      '(meson sets it for `meson test --suite interop`; by hand: ' +
      'GST_OPENTOK_SERVER=<builddir>/tools/gst-opentok-server node --test tests/interop/<file>)');
  }
  if (!isExecutable(bin))
    throw new Error(`GST_OPENTOK_SERVER=${bin} is not an executable file; build it first (ninja -C <builddir>)`);
  return bin;
}

export function requireNodeModules () {
  const problems = [];
  for (const [name, version] of Object.entries(PINNED)) {
    let pkg;
    try {
      pkg = JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), 'utf8'));
    } catch {
      problems.push(`${name} is not installed`);
      continue;
    }
    if (pkg.version !== version)
      problems.push(`${name} is ${pkg.version}, the suite needs exactly ${version}`);
  }
  if (problems.length) {
    throw new Error(`interop npm modules missing or wrong in ${INTEROP_DIR}/node_modules ` +
      `(${problems.join('; ')}): ${SETUP_HINT}`);
  }
}

export function requireChromium () {
  if (!isExecutable(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install the Debian package ` +
      '`chromium` (apt-get install chromium) or set INTEROP_CHROMIUM to a Chromium binary');
  }
  return CHROMIUM;
}

// Everything the browser tests need; call it first in a before() hook.
export function requireAll ({ browser = true } = {}) {
  requireServerBinary();
  requireNodeModules();
  if (browser)
    requireChromium();
}

export function opentokJsPath () {
  return require.resolve('@opentok/client/dist/js/opentok.js');
}

export function loadOpenTokSdk () {
  requireNodeModules();
  return require('opentok');
}

export function loadPlaywright () {
  requireNodeModules();
  return require('playwright-core');
}

// Verbose diagnostics on stderr when INTEROP_DEBUG is set.
export function debug (...args) {
  if (process.env.INTEROP_DEBUG)
    console.error('[interop]', ...args);
}
