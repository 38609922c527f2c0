// A loopback TCP proxy between a page and the server, to simulate network
// trouble for the reconnection tests. It forwards bytes both ways and can:
//   cut()        destroy every current connection (RST to both ends)
//   hold()       accept new connections but forward nothing until release()
//   blackhole()  keep current connections open but silently drop their bytes
//                (both ways, or only server -> client with { downstreamOnly })
//   setTarget()  send new connections to another server port
//   close()

import net from 'node:net';

export async function startProxy ({ targetPort, targetHost = '127.0.0.1' }) {
  const pairs = new Set(); // { client, upstream }
  const pending = []; // client sockets waiting for release()
  let held = false;
  let target = { host: targetHost, port: targetPort };
  const stats = { accepted: 0, cut: 0 };

  function kill (sock) {
    if (!sock || sock.destroyed)
      return;
    if (typeof sock.resetAndDestroy === 'function' && sock._handle)
      sock.resetAndDestroy();
    else
      sock.destroy();
  }

  function bridge (client) {
    const pair = { client, upstream: null };
    pairs.add(pair);
    const upstream = net.connect(target.port, target.host);
    pair.upstream = upstream;
    upstream.setNoDelay(true);
    client.setNoDelay(true);
    const end = () => {
      pairs.delete(pair);
      kill(client);
      kill(upstream);
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  }

  const server = net.createServer({ pauseOnConnect: true }, (client) => {
    stats.accepted++;
    if (held) {
      client.on('error', () => {});
      pending.push(client);
      return;
    }
    bridge(client);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = server.address().port;

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    stats,
    get connections () {
      return pairs.size;
    },
    // Destroy every open connection (and every held one); returns the count.
    cut () {
      let n = 0;
      for (const p of [...pairs]) {
        pairs.delete(p);
        kill(p.client);
        kill(p.upstream);
        n++;
      }
      for (const c of pending.splice(0))
        kill(c), n++;
      stats.cut += n;
      return n;
    },
    hold () {
      held = true;
    },
    release () {
      held = false;
      for (const c of pending.splice(0)) {
        if (!c.destroyed)
          bridge(c);
      }
    },
    // Current connections stay open but nothing gets through any more;
    // returns how many. New connections are forwarded normally.
    blackhole ({ downstreamOnly = false } = {}) {
      for (const p of pairs) {
        if (p.blackholed)
          continue;
        p.blackholed = true;
        p.upstream.unpipe(p.client);
        p.upstream.on('data', () => {});
        p.upstream.resume();
        if (!downstreamOnly) {
          p.client.unpipe(p.upstream);
          p.client.on('data', () => {});
          p.client.resume();
        }
      }
      return [...pairs].filter((p) => p.blackholed).length;
    },
    setTarget (newPort, newHost = '127.0.0.1') {
      target = { host: newHost, port: newPort };
    },
    async close () {
      this.cut();
      await new Promise((resolve) => server.close(resolve));
    }
  };
}
