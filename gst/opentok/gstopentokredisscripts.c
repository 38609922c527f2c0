/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The Redis cluster's Lua scripts. Each runs whole or not at all in Redis,
 * which is what makes a session's events one order for every node. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstopentokrediscluster-private.h"

/* KEYS: session, members, stream, owners, acknowledgements, the socket
 * id's key, the request's key. ARGV: kind, connection id, target, event,
 * channel, stream length, this node, socket id, "1" when only the member's
 * own node may end it, session id, "1" when the event answers a member's
 * request (carried out once: a re-sent one is a DUPLICATE), how long that
 * is remembered (s), the key prefix, how many broadcasts the session's
 * history keeps (KEYS: the history, "OFFSET TIME EVENT", newest first).
 * Each node's members are listed in a set of "SESSION MEMBER" (node:NODE),
 * for when it dies. Returns the event's offset. */
const gchar redis_cluster_append_script[] =
    "if redis.call('EXISTS', KEYS[1]) == 0 then\n"
    "  return redis.error_reply('NOSESSION no such session')\n"
    "end\n"
    "local kind, member = ARGV[1], ARGV[2]\n"
    "if kind == 'J' then\n"
    "  if redis.call('HEXISTS', KEYS[2], member) == 1 then\n"
    "    return redis.error_reply('EXISTS the connection id is taken')\n"
    "  end\n"
    "elseif kind == 'L' then\n"
    "  if ARGV[9] == '1' and redis.call('HGET', KEYS[4], member) ~= ARGV[7] then\n"
    "    return redis.error_reply('NOTOWNER another node has it')\n"
    "  end\n"
    "  if redis.call('HDEL', KEYS[2], member) == 0 then\n"
    "    return redis.error_reply('NOTFOUND no such member')\n"
    "  end\n"
    "  local owner = redis.call('HGET', KEYS[4], member)\n"
    "  if owner then\n"
    "    redis.call('SREM', ARGV[13] .. 'node:' .. owner,\n"
    "        ARGV[10] .. ' ' .. member)\n"
    "  end\n"
    "  redis.call('HDEL', KEYS[4], member)\n"
    "  redis.call('HDEL', KEYS[5], member)\n"
    "  if ARGV[8] ~= '' then redis.call('DEL', KEYS[6]) end\n"
    "elseif ARGV[3] ~= '' and redis.call('HEXISTS', KEYS[2], ARGV[3]) == 0 then\n"
    "  return redis.error_reply('NOTFOUND no such member')\n"
    "end\n"
    "if ARGV[11] == '1' and\n"
    "    not redis.call('SET', KEYS[7], '1', 'NX', 'EX', ARGV[12]) then\n"
    "  return redis.error_reply('DUPLICATE already carried out')\n"
    "end\n"
    "local offset = redis.call('HINCRBY', KEYS[1], 'offset', 1)\n"
    "if kind == 'J' then\n"
    "  redis.call('HSET', KEYS[2], member, offset .. ' ' .. ARGV[4])\n"
    "  redis.call('HSET', KEYS[4], member, ARGV[7])\n"
    "  redis.call('SADD', ARGV[13] .. 'node:' .. ARGV[7],\n"
    "      ARGV[10] .. ' ' .. member)\n"
    "  redis.call('HSET', KEYS[5], member, offset - 1)\n"
    "  if ARGV[8] ~= '' then\n"
    "    redis.call('SET', KEYS[6], ARGV[10] .. ' ' .. member)\n"
    "  end\n"
    "end\n"
    "redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[6], offset .. '-0',\n"
    "    'e', ARGV[4])\n"
    "if kind == 'S' and ARGV[3] == '' and tonumber(ARGV[14]) > 0 then\n"
    "  local t = redis.call('TIME')\n"
    "  redis.call('LPUSH', KEYS[8], offset .. ' ' .. t[1] ..\n"
    "      string.format('%06d', tonumber(t[2])) .. ' ' .. ARGV[4])\n"
    "  redis.call('LTRIM', KEYS[8], 0, tonumber(ARGV[14]) - 1)\n"
    "end\n"
    "redis.call('PUBLISH', ARGV[5], offset .. ' ' .. ARGV[4])\n"
    "return offset\n";

/* KEYS: the socket id's key. ARGV: the key prefix, this node. The member of
 * that socket id becomes this node's; the others hear it on the session's
 * channel ("M MEMBER NODE"). Returns the session, the member and the offset
 * up to which its client acknowledged. */
const gchar redis_cluster_claim_script[] =
    "local owner = redis.call('GET', KEYS[1])\n"
    "if not owner then\n"
    "  return redis.error_reply('NOTFOUND no such socket')\n"
    "end\n"
    "local space = string.find(owner, ' ', 1, true)\n"
    "if not space then\n"
    "  return redis.error_reply('NOTFOUND no such socket')\n"
    "end\n"
    "local session = string.sub(owner, 1, space - 1)\n"
    "local member = string.sub(owner, space + 1)\n"
    "local base = ARGV[1] .. 's:' .. session\n"
    "if redis.call('HEXISTS', base .. ':m', member) == 0 then\n"
    "  return redis.error_reply('NOTFOUND no such member')\n"
    "end\n"
    "local old = redis.call('HGET', base .. ':own', member)\n"
    "if old then\n"
    "  redis.call('SREM', ARGV[1] .. 'node:' .. old, session .. ' ' .. member)\n"
    "end\n"
    "redis.call('SADD', ARGV[1] .. 'node:' .. ARGV[2], session .. ' ' .. member)\n"
    "redis.call('HSET', base .. ':own', member, ARGV[2])\n"
    "local acknowledged = redis.call('HGET', base .. ':acks', member) or '0'\n"
    "redis.call('PUBLISH', ARGV[1] .. 'ch:' .. session,\n"
    "    'M ' .. member .. ' ' .. ARGV[2])\n"
    "return {session, member, acknowledged}\n";

/* KEYS: the nodes (a sorted set of lease ends, in Redis' time, ms). ARGV:
 * this node, the lease (ms). Returns Redis' time (ms). */
const gchar redis_cluster_renew_script[] =
    "local t = redis.call('TIME')\n"
    "local now = t[1] * 1000 + math.floor(t[2] / 1000)\n"
    "redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])\n"
    "return now\n";

/* KEYS: the nodes. ARGV: the key prefix, how long a node is given after
 * its lease ended (the reconnection window, ms), this node, "1" to end this
 * node's own members instead (it lost its lease), the stream length. Ends
 * the members still on a written-off node with a leave (networkDisconnected,
 * made here in the events' form) in their session's order. Returns how many
 * nodes were written off. */
const gchar redis_cluster_sweep_script[] =
    "local t = redis.call('TIME')\n"
    "local now = t[1] * 1000 + math.floor(t[2] / 1000)\n"
    "local dead\n"
    "if ARGV[4] == '1' then\n"
    "  dead = {ARGV[3]}\n"
    "else\n"
    "  dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf',\n"
    "      now - tonumber(ARGV[2]))\n"
    "end\n"
    "local reason = 'networkDisconnected'\n"
    "local n = 0\n"
    "for _, node in ipairs(dead) do\n"
    "  if node ~= ARGV[3] or ARGV[4] == '1' then\n"
    "    local set = ARGV[1] .. 'node:' .. node\n"
    "    for _, entry in ipairs(redis.call('SMEMBERS', set)) do\n"
    "      local space = string.find(entry, ' ', 1, true)\n"
    "      local session = string.sub(entry, 1, space - 1)\n"
    "      local member = string.sub(entry, space + 1)\n"
    "      local base = ARGV[1] .. 's:' .. session\n"
    "      if redis.call('HGET', base .. ':own', member) == node and\n"
    "          redis.call('HDEL', base .. ':m', member) == 1 then\n"
    "        redis.call('HDEL', base .. ':own', member)\n"
    "        redis.call('HDEL', base .. ':acks', member)\n"
    "        local offset = redis.call('HINCRBY', base, 'offset', 1)\n"
    "        local event = 'L' .. string.len(member) .. ':' .. member ..\n"
    "            ',NN1:0,1:0,' .. string.len(reason) .. ':' .. reason ..\n"
    "            ',NNNNN'\n"
    "        redis.call('XADD', base .. ':log', 'MAXLEN', '~', ARGV[5],\n"
    "            offset .. '-0', 'e', event)\n"
    "        redis.call('PUBLISH', ARGV[1] .. 'ch:' .. session,\n"
    "            offset .. ' ' .. event)\n"
    "      end\n"
    "    end\n"
    "    redis.call('DEL', set)\n"
    "    if node ~= ARGV[3] then\n"
    "      redis.call('ZREM', KEYS[1], node)\n"
    "      n = n + 1\n" "    end\n" "  end\n" "end\n" "return n\n";

/* KEYS: session, members, history. Returns the last offset, the history
 * (newest first), then every member and its "OFFSET JOIN-EVENT". */
const gchar redis_cluster_snapshot_script[] =
    "local offset = redis.call('HGET', KEYS[1], 'offset')\n"
    "if not offset then\n"
    "  return redis.error_reply('NOSESSION no such session')\n"
    "end\n"
    "local members = redis.call('HGETALL', KEYS[2])\n"
    "table.insert(members, 1, redis.call('LRANGE', KEYS[3], 0, -1))\n"
    "table.insert(members, 1, offset)\n" "return members\n";

/* KEYS: session. ARGV: creation time, transaction prefix. */
const gchar redis_cluster_add_script[] =
    "if redis.call('EXISTS', KEYS[1]) == 1 then\n"
    "  return redis.error_reply('EXISTS the connection id is taken')\n"
    "end\n"
    "redis.call('HSET', KEYS[1], 'created', ARGV[1], 'prefix', ARGV[2],\n"
    "    'offset', 0)\n" "return 1\n";
