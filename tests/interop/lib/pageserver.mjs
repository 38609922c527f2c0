// A tiny static web server for the test page. It listens on loopback and is
// addressed as http://localhost:PORT, while the OpenTok server is addressed as
// http://127.0.0.1:PORT: two origins, like a real deployment, so CORS matters.

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { INTEROP_DIR, opentokJsPath } from './env.mjs';

const PAGE = `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<title>gst-opentok interop</title>
<script>
  /* OTProperties is read when opentok.js is evaluated, so set it first. */
  (function () {
    var q = new URLSearchParams(location.search);
    var api = q.get('apiURL');
    var props = { apiURL: api, loggingURL: api };
    if (q.get('reconnection') === 'off')
      props.sessionInfoOverrides = { reconnection: false };
    window.OTProperties = props;
  })();
</script>
<script src="/opentok.js"></script>
<script src="/harness.js"></script>
</head>
<body></body>
</html>
`;

export async function startPageServer () {
  const opentokJs = fs.readFileSync(opentokJsPath());
  const harnessJs = fs.readFileSync(path.join(INTEROP_DIR, 'lib', 'page-harness.js'));
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const send = (status, type, body) => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET')
      return send(405, 'text/plain', 'method not allowed\n');
    switch (url.pathname) {
      case '/':
      case '/index.html':
        return send(200, 'text/html; charset=utf-8', PAGE);
      case '/opentok.js':
        return send(200, 'text/javascript; charset=utf-8', opentokJs);
      case '/harness.js':
        return send(200, 'text/javascript; charset=utf-8', harnessJs);
      case '/favicon.ico':
        res.writeHead(204);
        return res.end();
      default:
        return send(404, 'text/plain', 'not found\n');
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = server.address().port;
  return {
    origin: `http://localhost:${port}`,
    // The page URL for a given OpenTok API base URL.
    pageUrl (apiURL, { reconnection = true } = {}) {
      const q = new URLSearchParams({ apiURL });
      if (!reconnection)
        q.set('reconnection', 'off');
      return `http://localhost:${port}/?${q}`;
    },
    async close () {
      for (const s of sockets)
        s.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  };
}
