// A session's signals recorded by signalbin into a Matroska (and an MP4)
// file, then replayed into the session by another signalbin at their
// recorded times, between real opentok.js pages: the types, the exact data
// and the gaps between the signals come back.
//
//   GST_OPENTOK_SERVER=<builddir>/tools/gst-opentok-server \
//   GST_PLUGIN_PATH_1_0=<builddir>/plugin \
//     node --test --test-reporter=spec tests/interop/recording.test.mjs

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { suiteFixture, uniq } from './lib/fixture.mjs';
import { launch, requireGstLaunch } from './lib/gstlaunch.mjs';
import { sleep } from './lib/wait.mjs';

const T = { timeout: 120000 };
const GAP_TOLERANCE_MS = 100;

// What a text container or a demuxer could mangle: markup characters,
// quotes and a backslash, a 4-byte emoji, a newline; a signal with no type.
const SIGNALS = [
  { type: 'chat', data: 'a <b> & "c" \\ d', gapMs: 0 },
  { type: 'cue', data: '\u{1F600} 4-byte emoji', gapMs: 450 },
  { type: 'chat', data: 'two\nlines', gapMs: 250 },
  { type: null, data: 'no type', gapMs: 700 }
];

describe('recording a session\'s signals and replaying them', () => {
  const f = suiteFixture();

  before(() => {
    requireGstLaunch();
  });

  async function joined (g) {
    const m = await g.waitMessage('opentok-session-connected', () => true, 'opentok-session-connected', 20000);
    return m.fields['connection-id'];
  }

  async function recordAndReplay (t, mux, demux) {
    const sid = await f.newSession();
    const [A, B] = await f.join(t, sid, ['A', 'B'], { signalTypes: ['chat', 'cue'] });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'signalbin-rec-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'session');
    const tag = uniq('rec');
    const sent = SIGNALS.map((s) => ({ ...s, data: `${tag} ${s.data}` }));

    const REC = launch(t, 'REC', ['signalbin', `api-url=${f.server.url}`, `api-key=${f.server.apiKey}`,
      `session-id=${sid}`, `token=${f.token(sid, 'name=recorder')}`, 'src-format=json', '!', 'queue', '!',
      mux, '!', 'filesink', `location=${file}`]);
    await joined(REC);

    // A signals the session with the gaps a recording must keep
    for (const s of sent) {
      await sleep(s.gapMs);
      const r = await A.signal(s.type ? { type: s.type, data: s.data } : { data: s.data });
      assert.deepEqual(r, { error: null }, `A's signal ${JSON.stringify(s.data)}`);
    }
    await REC.waitCount('opentok-signal', (m) => m.data?.startsWith(tag), sent.length, 'the recorded signals', 20000);
    // Ctrl-C: -e ends the file cleanly
    REC.interrupt();
    assert.deepEqual(await REC.waitExit(), { code: 0, signal: null }, REC.describe());
    assert.ok(fs.statSync(file).size > 0, 'the recording is empty');

    const PLAY = launch(t, 'PLAY', ['filesrc', `location=${file}`, '!', demux, 'name=d', 'd.subtitle_0', '!',
      'queue', '!', 'signalbin', `api-url=${f.server.url}`, `api-key=${f.server.apiKey}`, `session-id=${sid}`,
      `token=${f.token(sid, 'name=player')}`, 'sink-format=json', 'sync=true']);
    const playerId = await joined(PLAY);
    assert.deepEqual(await PLAY.waitExit(30000), { code: 0, signal: null }, PLAY.describe());

    // B saw each signal twice: from A when it was sent, from the player when
    // it was replayed
    const got = (from) => B.waitCount((e) => e.kind === 'signal' && e.from === from && e.data?.startsWith(tag),
      sent.length, `signals from ${from}`, 20000);
    const original = await got(A.connectionId);
    const replayed = await got(playerId);
    assert.deepEqual(replayed.map((e) => e.type), sent.map((s) => s.type), 'the types');
    assert.deepEqual(replayed.map((e) => e.data), sent.map((s) => s.data), 'the exact data');
    const gaps = [];
    for (let i = 1; i < sent.length; i++) {
      const was = original[i].t - original[i - 1].t;
      const is = replayed[i].t - replayed[i - 1].t;
      gaps.push({ recorded: was, replayed: is });
      assert.ok(Math.abs(is - was) <= GAP_TOLERANCE_MS,
        `${mux}: gap ${i} replayed as ${is} ms, recorded as ${was} ms`);
    }
    t.diagnostic(`${mux}: gaps (ms) ${gaps.map((g) => `${g.recorded}->${g.replayed}`).join(', ')}`);
  }

  test('through Matroska (matroskamux, matroskademux)', T, async (t) => {
    await recordAndReplay(t, 'matroskamux', 'matroskademux');
  });

  test('through MP4 (mp4mux, qtdemux)', T, async (t) => {
    await recordAndReplay(t, 'mp4mux', 'qtdemux');
  });
});
