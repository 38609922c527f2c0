// A minimal WebSocket client (RFC 6455) over node:net, enough to send
// hand-made, possibly malformed, Rumor frames and to see how the server
// closes the socket. Node 20 has no WebSocket global, and this avoids a
// dependency; it also lets us send bytes no well-behaved client would.

import crypto from 'node:crypto';
import net from 'node:net';
import { withTimeout } from './wait.mjs';

export async function rawWebSocket (httpUrl, path, { timeout = 5000 } = {}) {
  const u = new URL(httpUrl);
  const sock = net.connect(Number(u.port), u.hostname);
  sock.on('error', () => {});
  const key = crypto.randomBytes(16).toString('base64');
  const expectAccept = crypto.createHash('sha1')
    .update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');

  const ws = {
    frames: [], // { opcode, payload }
    close: null, // { code, reason } from the server's close frame
    ended: false, // TCP closed
    sock
  };
  let buf = Buffer.alloc(0);
  let upgraded = false;
  let resolveUp, rejectUp;
  const up = new Promise((resolve, reject) => {
    resolveUp = resolve;
    rejectUp = reject;
  });
  ws.closed = new Promise((resolve) => sock.on('close', () => {
    ws.ended = true;
    rejectUp(new Error('socket closed before the upgrade'));
    resolve();
  }));

  sock.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    if (!upgraded) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0)
        return;
      const head = buf.subarray(0, end).toString('latin1');
      buf = buf.subarray(end + 4);
      const status = /^HTTP\/1\.1 (\d+)/.exec(head);
      const accept = /\r\nsec-websocket-accept:\s*(\S+)/i.exec(head);
      if (!status || status[1] !== '101' || !accept || accept[1] !== expectAccept) {
        rejectUp(new Error(`WebSocket upgrade refused: ${head.split('\r\n')[0]}`));
        sock.destroy();
        return;
      }
      upgraded = true;
      resolveUp();
    }
    for (;;) {
      if (buf.length < 2)
        return;
      const opcode = buf[0] & 0x0f;
      let len = buf[1] & 0x7f;
      let off = 2;
      if (len === 126) {
        if (buf.length < 4)
          return;
        len = buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (buf.length < 10)
          return;
        len = Number(buf.readBigUInt64BE(2));
        off = 10;
      }
      if (buf[1] & 0x80)
        off += 4; // servers must not mask, but do not choke on it
      if (buf.length < off + len)
        return;
      const payload = buf.subarray(off, off + len);
      buf = buf.subarray(off + len);
      ws.frames.push({ opcode, payload });
      if (opcode === 8) {
        ws.close = {
          code: payload.length >= 2 ? payload.readUInt16BE(0) : null,
          reason: payload.subarray(2).toString('utf8')
        };
      } else if (opcode === 9) {
        ws.send(payload, 10); // pong
      }
    }
  });

  await withTimeout(new Promise((resolve) => sock.once('connect', resolve)), timeout, 'TCP connect');
  sock.write(`GET ${path} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\n` +
    `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
    `Origin: http://localhost\r\n\r\n`);
  await withTimeout(up, timeout, 'the WebSocket upgrade');

  // Send one masked frame (opcode 2 = binary, 1 = text, 8 = close, 10 = pong).
  ws.send = (data, opcode = 2) => {
    const payload = Buffer.from(data);
    const mask = crypto.randomBytes(4);
    let head;
    if (payload.length < 126) {
      head = Buffer.from([0x80 | opcode, 0x80 | payload.length]);
    } else if (payload.length < 65536) {
      head = Buffer.alloc(4);
      head[0] = 0x80 | opcode;
      head[1] = 0x80 | 126;
      head.writeUInt16BE(payload.length, 2);
    } else {
      head = Buffer.alloc(10);
      head[0] = 0x80 | opcode;
      head[1] = 0x80 | 127;
      head.writeBigUInt64BE(BigInt(payload.length), 2);
    }
    const masked = Buffer.alloc(payload.length);
    for (let i = 0; i < payload.length; i++)
      masked[i] = payload[i] ^ mask[i & 3];
    if (!sock.destroyed)
      sock.write(Buffer.concat([head, mask, masked]));
  };
  ws.binaryFrames = () => ws.frames.filter((f) => f.opcode === 2).map((f) => f.payload);
  ws.destroy = () => sock.destroy();
  return ws;
}

// Rumor frame encoder (protocol section 3): u32 length-after-itself, two
// reserved bytes, type, addresses, headers, payload.
export function rumorFrame (type, addresses = [], headers = {}, payload = '') {
  const parts = [Buffer.from([0, 0, type, addresses.length])];
  const str = (s) => {
    const b = Buffer.from(s, 'utf8');
    const l = Buffer.alloc(2);
    l.writeUInt16BE(b.length);
    parts.push(l, b);
  };
  for (const a of addresses)
    str(a);
  const keys = Object.keys(headers);
  parts.push(Buffer.from([keys.length]));
  for (const k of keys) {
    str(k);
    str(headers[k]);
  }
  parts.push(Buffer.from(payload, 'utf8'));
  const body = Buffer.concat(parts);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

// Decode a Rumor frame (for assertions); throws on malformed input.
export function parseRumor (buf) {
  let off = 0;
  const need = (n) => {
    if (off + n > buf.length)
      throw new Error('truncated rumor frame');
  };
  need(8);
  const len = buf.readUInt32BE(0);
  const type = buf[6];
  const nAddr = buf[7];
  off = 8;
  const str = () => {
    need(2);
    const l = buf.readUInt16BE(off);
    off += 2;
    need(l);
    const s = buf.subarray(off, off + l).toString('utf8');
    off += l;
    return s;
  };
  const addresses = [];
  for (let i = 0; i < nAddr; i++)
    addresses.push(str());
  need(1);
  const nHead = buf[off++];
  const headers = {};
  for (let i = 0; i < nHead; i++) {
    const k = str();
    headers[k] = str();
  }
  return { len, type, addresses, headers, payload: buf.subarray(off).toString('utf8') };
}

export const RUMOR = { SUBSCRIBE: 0, UNSUBSCRIBE: 1, MESSAGE: 2, CONNECT: 3, DISCONNECT: 4, PING: 7, PONG: 8, STATUS: 9 };

// A hand-made but well-behaved member: CONNECT, SUBSCRIBE, connection create
// with a token, then it acks every server MESSAGE (while `autoAck` is true)
// and pings every 2 s like opentok.js. `messages` collects the decoded Raptor
// MESSAGEs it received. With `socketId` it asks for reconnection support like
// opentok.js does, and reconnect() takes the connection over on a new socket.
export async function rawMember (httpUrl, { apiKey, sessionId, symphony, token, connectionId = crypto.randomUUID(), socketId = null }) {
  const topic = `/v2/partner/${apiKey}/session/${sessionId}`;
  const m = { ws: null, connectionId, topic, messages: [], statuses: [], autoAck: true, attempt: 0 };

  m.ack = (headers) => {
    m.ws.send(rumorFrame(RUMOR.STATUS, [headers['X-TB-FROM-ADDRESS'] || ''], {
      'TRANSACTION-ID': headers['TRANSACTION-ID'], 'X-TB-FROM-ADDRESS': connectionId
    }));
  };

  async function open (reconnect) {
    let path = '/rumorwebsocketsv2';
    if (socketId) {
      path += `?socketId=${socketId}` + (reconnect ? '&reconnect=true' : '') +
        `&attempt=${crypto.randomUUID()}`;
    }
    const index = m.attempt++; // 0 for the first socket, 1 for the next...
    const ws = await rawWebSocket(httpUrl, path);
    let seen = 0;
    const pump = () => {
      const frames = ws.binaryFrames();
      for (; seen < frames.length; seen++) {
        const f = parseRumor(frames[seen]);
        f.socket = index;
        if (f.type === RUMOR.STATUS) {
          m.statuses.push(f);
        } else if (f.type === RUMOR.MESSAGE) {
          let body = null;
          try {
            body = JSON.parse(f.payload);
          } catch {}
          m.messages.push({ headers: f.headers, body, socket: index });
          if (m.autoAck && f.headers['TRANSACTION-ID'])
            m.ack(f.headers);
        }
      }
    };
    ws.sock.on('data', () => setImmediate(pump));
    const pinger = setInterval(() => ws.send(rumorFrame(RUMOR.PING)), 2000);
    ws.sock.on('close', () => clearInterval(pinger));
    ws.stopPing = () => clearInterval(pinger);
    m.ws = ws;
    return ws;
  }

  const ws = await open(false);
  ws.send(rumorFrame(RUMOR.CONNECT, [], {
    uniqueId: connectionId, 'TRANSACTION-ID': crypto.randomUUID(), notifyDisconnectAddress: symphony
  }));
  ws.send(rumorFrame(RUMOR.SUBSCRIBE, [topic]));
  m.createTid = crypto.randomUUID();
  ws.send(rumorFrame(RUMOR.MESSAGE, [symphony], {
    'X-TB-TOKEN-AUTH': token,
    'Content-Type': 'application/x-raptor+v2',
    'TRANSACTION-ID': m.createTid,
    'X-TB-FROM-ADDRESS': connectionId
  }, JSON.stringify({
    method: 'create',
    uri: `${topic}/connection/${connectionId}`,
    content: { userAgent: 'gst-opentok interop raw member', clientVersion: 'js-2.35.2', capabilities: [] }
  })));
  m.status = (tid) => m.statuses.find((s) => s.headers['TRANSACTION-ID'] === tid);
  m.signals = () => m.messages.filter((x) => x.body && x.body.method === 'signal');
  // Drop the current socket abruptly and take the connection over on a new
  // one, as opentok.js does (no CONNECT, SUBSCRIBE or create).
  m.reconnect = async () => {
    m.ws.stopPing();
    m.ws.destroy();
    return open(true);
  };
  m.close = () => {
    m.ws.stopPing();
    m.ws.destroy();
  };
  return m;
}
