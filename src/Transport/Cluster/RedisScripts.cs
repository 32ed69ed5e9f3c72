namespace ProxChat.Transport.Cluster;

/// <summary>
/// The Lua scripts. Each touches the keys of one partition (one hash tag) or of one directory or
/// node key, so every script runs on a single Redis Cluster slot. Link changes are decided and
/// applied in one script: two clients moving at once on different nodes are serialized by Redis,
/// and both sides of every link change together.
/// </summary>
internal static class RedisScripts
{
    // Shared by the partition scripts. HMGET goes in chunks: Lua's unpack has a stack limit. Numbers are Lua doubles: coordinates are at most 3.6·10⁷
    // apart, so squared distances stay below 2⁵³ and the comparison is exact.
    // A changed client's record: id, owning token ('' if none; emit reads it unless given), set version, peer count, peers.
    // Versions come from Redis's clock in microseconds and only grow, even across a Redis restart.
    // The clock is read only when a set is emitted: a move that changes no link skips TIME.
    private const string Prelude = """
        local function within(ax, ay, bx, by, r)
          local dx, dy = math.abs(ax - bx), math.abs(ay - by)
          if dx > r or dy > r then return false end
          return dx * dx + dy * dy <= r * r
        end
        local function parse(p)
          local sx, sy = string.match(p, '^(%-?%d+) (%-?%d+)$')
          return tonumber(sx), tonumber(sy)
        end
        local function positions(pos, ids)
          local at = {}
          for i = 1, #ids, 1000 do
            local chunk = redis.call('HMGET', pos, unpack(ids, i, math.min(i + 999, #ids)))
            for j = 1, #chunk do at[i + j - 1] = chunk[j] end
          end
          return at
        end
        local now
        local function emit(out, own, ver, prefix, c, owner)
          if not now then
            local t = redis.call('TIME')
            now = tonumber(t[1]) * 1000000 + tonumber(t[2])
          end
          local v = tonumber(redis.call('HGET', ver, c) or '0')
          if v < now then v = now else v = v + 1 end
          redis.call('HSET', ver, c, string.format('%.0f', v))
          local peers = redis.call('SMEMBERS', prefix .. c)
          out[#out + 1] = c
          out[#out + 1] = owner or redis.call('HGET', own, c) or ''
          out[#out + 1] = string.format('%.0f', v)
          out[#out + 1] = #peers
          for _, p in ipairs(peers) do out[#out + 1] = p end
        end

        """;

    /// <summary>
    /// KEYS: geo, pos, own, ver. ARGV: id, x, y, lon, lat, radius (m), introduction, disconnection,
    /// token, claim (1/0), link prefix. Returns {status, records…}: status 1 placed, -1 another
    /// connection owns the client, -2 the client is unknown (lost) and must be claimed.
    /// </summary>
    public const string Place = Prelude + """
        local geo, pos, own, ver = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
        local id, token, prefix = ARGV[1], ARGV[9], ARGV[11]
        local x, y = tonumber(ARGV[2]), tonumber(ARGV[3])
        local intro, disc = tonumber(ARGV[7]), tonumber(ARGV[8])
        local claim = ARGV[10] == '1'
        local owner = redis.call('HGET', own, id)
        if not claim and owner ~= token then
          if owner then return {-1} else return {-2} end
        end
        if owner ~= token then redis.call('HSET', own, id, token) end
        redis.call('HSET', pos, id, ARGV[2] .. ' ' .. ARGV[3])
        redis.call('GEOADD', geo, ARGV[4], ARGV[5], id)
        local mine = prefix .. id
        local order, seen = {}, {}
        local function mark(c) if not seen[c] then seen[c] = true; order[#order + 1] = c end end
        local linked = {}
        local current = redis.call('SMEMBERS', mine)
        if #current > 0 then
          local at = positions(pos, current)
          for i, p in ipairs(current) do
            local keep = false
            if at[i] then
              local px, py = parse(at[i])
              keep = within(x, y, px, py, disc)
            end
            if keep then
              linked[p] = true
            else
              redis.call('SREM', mine, p)
              redis.call('SREM', prefix .. p, id)
              mark(p)
            end
          end
        end
        local fresh = {}
        for _, c in ipairs(redis.call('GEOSEARCH', geo, 'FROMLONLAT', ARGV[4], ARGV[5], 'BYRADIUS', ARGV[6], 'm')) do
          if c ~= id and not linked[c] then fresh[#fresh + 1] = c end
        end
        if #fresh > 0 then
          local at = positions(pos, fresh)
          for i, c in ipairs(fresh) do
            if at[i] then
              local px, py = parse(at[i])
              if within(x, y, px, py, intro) then
                redis.call('SADD', mine, c)
                redis.call('SADD', prefix .. c, id)
                mark(c)
              end
            end
          end
        end
        local out = {1}
        if #order > 0 or claim then emit(out, own, ver, prefix, id) end
        for _, c in ipairs(order) do emit(out, own, ver, prefix, c) end
        return out
        """;

    /// <summary>
    /// KEYS: geo, pos, own, ver. ARGV: id, token, link prefix, and optionally a dead node's token
    /// prefix (<c>node/</c>). Removes the client if the token still owns it. Returns {status,
    /// records of its former peers…}: status 1 removed, 0 not the owner. Peers the dead node owns
    /// lose the link but get no record: they are being removed too, and no one would hear of it.
    /// </summary>
    public const string Remove = Prelude + """
        local geo, pos, own, ver = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
        local id, token, prefix, dead = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
        if redis.call('HGET', own, id) ~= token then return {0} end
        local mine = prefix .. id
        local peers = redis.call('SMEMBERS', mine)
        redis.call('DEL', mine)
        redis.call('HDEL', pos, id)
        redis.call('HDEL', own, id)
        redis.call('HDEL', ver, id)
        redis.call('ZREM', geo, id)
        local out = {1}
        for _, p in ipairs(peers) do
          redis.call('SREM', prefix .. p, id)
          local owner = dead and (redis.call('HGET', own, p) or '')
          if not dead or string.sub(owner, 1, #dead) ~= dead then
            emit(out, own, ver, prefix, p, owner)
          end
        end
        return out
        """;

    /// <summary>KEYS: own, ver. ARGV: id, token, link prefix. Returns {version, peers…}, or {} when the token does not own the client.</summary>
    public const string Snapshot = """
        if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return {} end
        local out = {redis.call('HGET', KEYS[2], ARGV[1]) or '0'}
        for _, p in ipairs(redis.call('SMEMBERS', ARGV[3] .. ARGV[1])) do out[#out + 1] = p end
        return out
        """;

    /// <summary>
    /// KEYS: directory entry. ARGV: token. Sets the entry unless another connection holds it.
    /// Returns 1 when the token holds it now, 0 when another does.
    /// </summary>
    public const string Reclaim = """
        local current = redis.call('GET', KEYS[1])
        if current and current ~= ARGV[1] then return 0 end
        redis.call('SET', KEYS[1], ARGV[1])
        return 1
        """;

    /// <summary>KEYS: directory entry. ARGV: bus channel prefix, message. Publishes to the owner's node; 0 when no one owns the client.</summary>
    public const string Deliver = """
        local owner = redis.call('GET', KEYS[1])
        if not owner then return 0 end
        redis.call('PUBLISH', ARGV[1] .. string.match(owner, '^(.-)/'), ARGV[2])
        return 1
        """;

    /// <summary>KEYS: a key. ARGV: value. Deletes the key only while it holds the value.</summary>
    public const string DeleteIfEquals = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;

    /// <summary>KEYS: a node's list. ARGV: client, connection. Deletes the client's entry only while it is that connection's.</summary>
    public const string DeleteNodeEntry = """
        local entry = redis.call('HGET', KEYS[1], ARGV[1])
        if entry and string.sub(entry, 1, #ARGV[2] + 1) == ARGV[2] .. ' ' then return redis.call('HDEL', KEYS[1], ARGV[1]) end
        return 0
        """;

    /// <summary>No keys. INFO's memory section, from whichever server runs it.</summary>
    public const string MemoryInfo = "return redis.call('INFO', 'memory')";

    /// <summary>KEYS: live nodes. ARGV: node. Records a heartbeat at Redis's time; 1 when the node was not listed (new, presumed dead, or Redis lost it).</summary>
    public const string Heartbeat = """
        local t = redis.call('TIME')
        return redis.call('ZADD', KEYS[1], tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), ARGV[1])
        """;

    /// <summary>KEYS: live nodes. ARGV: silence (ms). Redis's time (ms), then the nodes silent for longer by that clock.</summary>
    public const string SilentNodes = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local silent = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. string.format('%.0f', now - tonumber(ARGV[1])))
        table.insert(silent, 1, now)
        return silent
        """;
}
