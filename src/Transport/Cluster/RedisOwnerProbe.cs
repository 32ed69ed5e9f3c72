using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using ProxChat.Transport.Presence;
using ProxChat.Transport.Signaling;
using StackExchange.Redis;

namespace ProxChat.Transport.Cluster;

/// <summary>
/// Takeover probes across nodes: the directory names the node and connection that own a client;
/// that node is asked over its bus channel to probe its connection, and answers over the asking
/// node's. A node that does not answer in time (dead, or cut off from Redis) counts as a probe
/// that failed, so a client whose node died gets its id back.
/// </summary>
public sealed partial class RedisOwnerProbe(RedisNode node, ClientRegistry registry, ILogger<RedisOwnerProbe> logger) : IRemoteOwners
{
    /// <summary>How long past the probe's own timeout the asking node waits for the answer to cross Redis.</summary>
    internal static readonly TimeSpan AnswerMargin = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<long, TaskCompletionSource<bool>> _pending = new();
    private long _nextRequest;

    public async ValueTask<bool?> ProbeAsync(string clientId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        string? owner;
        try
        {
            owner = await node.Database.StringGetAsync(node.Keys.Client(clientId)).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            throw new PresenceUnavailableException("Redis is unavailable.", exception);
        }

        // Owned nowhere, or by this node, whose registry would have held a live owner.
        if (owner is null || RedisNode.NodeOf(owner) is var ownerNode && ownerNode == node.NodeId)
        {
            return null;
        }

        var connectionId = long.Parse(owner.AsSpan(ownerNode.Length + 1), CultureInfo.InvariantCulture);
        var request = Interlocked.Increment(ref _nextRequest);
        var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[request] = answer;
        try
        {
            await node.Database.PublishAsync(node.Keys.Bus(ownerNode), BusMessage.Probe(request, clientId, connectionId, node.NodeId, timeout)).ConfigureAwait(false);
            return await answer.Task.WaitAsync(timeout + AnswerMargin, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Log.NoAnswer(logger, ownerNode, clientId);
            return false;
        }
        catch (RedisException exception)
        {
            throw new PresenceUnavailableException("Redis is unavailable.", exception);
        }
        finally
        {
            _pending.TryRemove(request, out _);
        }
    }

    /// <summary>Handles a probe from the bus: a request for one of this node's connections, or an answer to one of its own.</summary>
    internal void OnProbe(BusMessage message)
    {
        if (message.Answered is { } answered)
        {
            if (_pending.TryGetValue(message.ProbeRequest!.Value, out var answer))
            {
                answer.TrySetResult(answered);
            }

            return;
        }

        if (message.ProbedClient is { } clientId && message.ReplyNode is { } replyNode)
        {
            _ = AnswerAsync(message.ProbeRequest!.Value, clientId, message.ProbedConnection, replyNode, TimeSpan.FromMilliseconds(message.ProbeMilliseconds));
        }
    }

    private async Task AnswerAsync(long request, string clientId, long connectionId, string replyNode, TimeSpan timeout)
    {
        var answered = registry.TryGet(clientId, out var connection, out _)
            && connection.Id == connectionId
            && await connection.ProbeAsync(timeout).ConfigureAwait(false);
        try
        {
            await node.Database.PublishAsync(node.Keys.Bus(replyNode), BusMessage.ProbeAnswer(request, answered)).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            // The asking node hears nothing and takes the probe for failed, as it must when it cannot tell.
            Log.AnswerLost(logger, replyNode, exception);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(54, LogLevel.Information, "Node {NodeId} did not answer the takeover probe of client {ClientId} in time; the newcomer takes the client over.")]
        public static partial void NoAnswer(ILogger logger, string nodeId, string clientId);

        [LoggerMessage(55, LogLevel.Warning, "A takeover probe's answer to node {NodeId} could not be published.")]
        public static partial void AnswerLost(ILogger logger, string nodeId, Exception exception);
    }
}
