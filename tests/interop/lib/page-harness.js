/* In-page test harness, loaded by the test page right after opentok.js.
 * It keeps a log of every session event the tests look at (plain JSON, so
 * the Node side can read it with page.evaluate) and wraps the callback API
 * of opentok.js in promises. Plain ES2017, no modules. */
(function () {
  'use strict';

  var events = [];
  var session = null;
  var connections = {}; /* connectionId -> OT.Connection (destroyed ones kept) */
  var watchedTypes = {};
  var seq = 0;

  function record (kind, extra) {
    var e = { kind: kind, seq: seq++, t: Date.now() };
    if (extra) {
      for (var k in extra)
        e[k] = extra[k];
    }
    events.push(e);
  }

  function errorObject (err) {
    if (!err)
      return null;
    return { code: err.code, name: err.name, message: err.message };
  }

  function ownId () {
    return session && session.connection ? session.connection.connectionId : null;
  }

  function signalRecord (event, kind) {
    /* event.type is "signal" for untyped signals, "signal:<type>" otherwise,
     * on both the generic and the typed listener. */
    var type = event.type === 'signal' ? null : event.type.replace(/^signal:/, '');
    record(kind, {
      type: type,
      data: event.data,
      from: event.from ? event.from.connectionId : null,
      fromSelf: !!(event.from && event.from.connectionId === ownId())
    });
  }

  function watchType (type) {
    if (watchedTypes[type] || !session)
      return;
    watchedTypes[type] = true;
    session.on('signal:' + type, function (event) {
      signalRecord(event, 'signal:type');
    });
  }

  function init (apiKey, sessionId) {
    if (session)
      return session;
    session = OT.initSession(apiKey, sessionId);
    session.on({
      sessionConnected: function () {
        record('sessionConnected', { connectionId: ownId() });
      },
      sessionDisconnected: function (event) {
        record('sessionDisconnected', { reason: event.reason });
      },
      sessionReconnecting: function () {
        record('sessionReconnecting');
      },
      sessionReconnected: function () {
        record('sessionReconnected');
      },
      connectionCreated: function (event) {
        var c = event.connection;
        connections[c.connectionId] = c;
        record('connectionCreated', {
          connectionId: c.connectionId,
          data: c.data,
          creationTime: c.creationTime,
          own: c.connectionId === ownId()
        });
      },
      connectionDestroyed: function (event) {
        var c = event.connection;
        record('connectionDestroyed', {
          connectionId: c.connectionId,
          data: c.data,
          reason: event.reason
        });
      },
      signal: function (event) {
        signalRecord(event, 'signal');
      }
    });
    return session;
  }

  OT.on('exception', function (event) {
    record('exception', { code: event.code, title: event.title, message: event.message });
  });

  window.H = {
    events: events,

    /* Resolve with { connectionId, data, capabilities } or { error }. */
    connect: function (apiKey, sessionId, token, signalTypes) {
      init(apiKey, sessionId);
      (signalTypes || []).forEach(watchType);
      return new Promise(function (resolve) {
        session.connect(token, function (err) {
          if (err) {
            resolve({ error: errorObject(err) });
            return;
          }
          connections[session.connection.connectionId] = session.connection;
          resolve({
            connectionId: session.connection.connectionId,
            data: session.connection.data,
            forceDisconnect: session.capabilities.forceDisconnect
          });
        });
      });
    },

    watchType: watchType,

    /* opts: { type?, data?, to? (connection id), retryAfterReconnect? }; keys
     * that are absent are not passed, so opentok.js sees exactly what the
     * test meant. Resolves with { error } (null on success). */
    signal: function (opts) {
      var o = {};
      ['type', 'data', 'retryAfterReconnect'].forEach(function (k) {
        if (Object.prototype.hasOwnProperty.call(opts, k))
          o[k] = opts[k];
      });
      if (opts.to) {
        o.to = connections[opts.to];
        if (!o.to)
          return Promise.resolve({ error: { code: -1, name: 'HARNESS', message: 'unknown connection ' + opts.to } });
      }
      return new Promise(function (resolve) {
        session.signal(o, function (err) {
          resolve({ error: errorObject(err) });
        });
      });
    },

    /* Start a signal and return at once; its completion lands in the log
     * as a "signalDone" event tagged with `tag`. */
    signalAsync: function (opts, tag) {
      window.H.signal(opts).then(function (r) {
        record('signalDone', { tag: tag, error: r.error });
      });
      return true;
    },

    forceDisconnect: function (connectionId) {
      var c = connections[connectionId];
      if (!c)
        return Promise.resolve({ error: { code: -1, name: 'HARNESS', message: 'unknown connection ' + connectionId } });
      return new Promise(function (resolve) {
        session.forceDisconnect(c, function (err) {
          resolve({ error: errorObject(err) });
        });
      });
    },

    disconnect: function () {
      if (session)
        session.disconnect();
      return true;
    },

    isConnected: function () {
      return !!(session && session.isConnected());
    }
  };
})();
