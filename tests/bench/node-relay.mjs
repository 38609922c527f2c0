// GStreamer OpenTok signaling
// Copyright (C) 2026 The gst-opentok authors
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// node-relay: the benchmark's Node peer, on the `ws` package. The same
// minimal Rumor routing as bare-relay.c: a SUBSCRIBE adds the socket to its
// topics, a MESSAGE goes, the very same bytes, to every socket subscribed to
// its addresses (its sender too when subscribed), a PING gets a PONG;
// everything else is dropped.
//
//   node node-relay.mjs [PORT]   prints "node-relay listening on ws://…/"

import { WebSocketServer } from 'ws';

const TYPE_SUBSCRIBE = 0;
const TYPE_MESSAGE = 2;
const TYPE_PING = 7;
const PONG = Buffer.from([0, 0, 0, 5, 0, 0, 8, 0, 0]);

const topics = new Map(); // topic -> Set of sockets

// The addresses of a frame, or null when it is too short.
function addresses(data) {
  const n = data[7];
  const out = [];
  let offset = 8;
  for (let i = 0; i < n; i++) {
    if (offset + 2 > data.length) return null;
    const len = data.readUInt16BE(offset);
    offset += 2;
    if (offset + len > data.length) return null;
    out.push(data.toString('latin1', offset, offset + len));
    offset += len;
  }
  return out;
}

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: Number(process.argv[2] ?? 0),
  perMessageDeflate: false,
  maxPayload: 128 * 1024,
});

wss.on('connection', (ws) => {
  const mine = [];
  ws.on('message', (data, isBinary) => {
    if (!isBinary || data.length < 8) return;
    const type = data[6];
    if (type === TYPE_PING) {
      ws.send(PONG);
      return;
    }
    if (type !== TYPE_SUBSCRIBE && type !== TYPE_MESSAGE) return;
    const list = addresses(data);
    if (list === null) return;
    for (const address of list) {
      if (type === TYPE_SUBSCRIBE) {
        let set = topics.get(address);
        if (set === undefined) {
          set = new Set();
          topics.set(address, set);
        }
        if (!set.has(ws)) {
          set.add(ws);
          mine.push(address);
        }
      } else {
        const set = topics.get(address);
        if (set === undefined) continue;
        for (const peer of set) {
          if (peer.readyState === 1) peer.send(data, { binary: true });
        }
      }
    }
  });
  ws.on('close', () => {
    for (const address of mine) {
      const set = topics.get(address);
      if (set === undefined) continue;
      set.delete(ws);
      if (set.size === 0) topics.delete(address);
    }
  });
});

wss.on('listening', () => {
  console.log(`node-relay listening on ws://127.0.0.1:${wss.address().port}/`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => process.exit(0));
}
