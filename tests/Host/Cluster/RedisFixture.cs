using Testcontainers.Redis;

namespace ProxChat.Host.Tests.Cluster;

/// <summary>
/// The Redis the cluster tests share: <c>PROXCHAT_TEST_REDIS</c> if set; else a Testcontainers
/// Redis when a Docker engine is present; else a redis-server from PATH (what CI here uses);
/// else a failure that says how to get one. Each test isolates itself with its own key prefix.
/// </summary>
public sealed class RedisFixture : IAsyncLifetime
{
    private RedisContainer? _container;
    private RedisServer? _server;

    public string ConnectionString { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable("PROXCHAT_TEST_REDIS") is { Length: > 0 } address)
        {
            ConnectionString = address;
        }
        else if (DockerIsPresent())
        {
            _container = new RedisBuilder("redis:7").Build();
            await _container.StartAsync();
            ConnectionString = _container.GetConnectionString();
        }
        else if (RedisServer.FindExecutable() is not null)
        {
            _server = await RedisServer.StartAsync();
            ConnectionString = _server.ConnectionString;
        }
        else
        {
            throw new InvalidOperationException(
                "The cluster tests need Redis: set PROXCHAT_TEST_REDIS=host:port, run a Docker engine (Testcontainers), " +
                "or install redis-server (apt-get install -y redis-server; ./test.sh does this).");
        }
    }

    public async Task DisposeAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>A key prefix no other test uses.</summary>
    public static string UniquePrefix() => $"t{Guid.NewGuid():N}"[..20];

    private static bool DockerIsPresent() =>
        Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } || File.Exists("/var/run/docker.sock");
}

[CollectionDefinition(Name)]
public sealed class RedisTests : ICollectionFixture<RedisFixture>
{
    public const string Name = "Redis";
}

/// <summary>
/// A three-master Redis Cluster: <c>PROXCHAT_TEST_REDIS_CLUSTER</c> (a seed list) if set, else
/// three private redis-server processes from PATH joined with redis-cli, else a failure that says
/// how to get them.
/// </summary>
public sealed class RedisClusterFixture : IAsyncLifetime
{
    private RedisServer[] _servers = [];

    public string ConnectionString { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable("PROXCHAT_TEST_REDIS_CLUSTER") is { Length: > 0 } seeds)
        {
            ConnectionString = seeds;
            return;
        }

        if (RedisServer.FindExecutable() is null)
        {
            throw new InvalidOperationException(
                "The Redis Cluster tests need PROXCHAT_TEST_REDIS_CLUSTER=host:port,host:port,… or redis-server and redis-cli " +
                "on PATH (apt-get install -y redis-server; ./test.sh does this).");
        }

        _servers = await RedisServer.StartClusterAsync();
        ConnectionString = string.Join(',', _servers.Select(s => s.ConnectionString));
    }

    public async Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class RedisClusterTests : ICollectionFixture<RedisClusterFixture>
{
    public const string Name = "Redis Cluster";
}
