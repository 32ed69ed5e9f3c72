using System.Buffers.Text;
using System.Globalization;
using Microsoft.Extensions.Logging;
using ProxChat.Transport.Diagnostics;
using StackExchange.Redis;

namespace ProxChat.Transport.Cluster;

/// <summary>
/// This node's subscription to its own bus channel, and proof that it works. Every period the
/// node publishes a probe to its channel (the time it was sent, in digits, where every other bus
/// message is a JSON object), and counts as listening only while probes come back.
/// StackExchange.Redis subscribes again after a reconnect, but gives up for good when that
/// SUBSCRIBE fails (an ACL, a proxy in between): without the probe the node would stay ready
/// while every message other nodes sent its clients was lost. Hearing nothing at all for
/// <see cref="BusHearing.SilenceLimit"/> after a probe reached Redis, the node subscribes again.
/// </summary>
public sealed partial class BusSubscription(RedisNode node, RedisMessageDelivery delivery, ProxChatMetrics metrics, TimeProvider time, ILogger<BusSubscription> logger)
{
    private readonly RedisChannel _channel = node.Keys.Bus(node.NodeId);
    private readonly BusHearing _hearing = new(time);
    private ChannelMessageQueue? _queue;
    private int _silenceReported;

    /// <summary>A probe came back within <see cref="BusHearing.SilenceLimit"/>; /readyz reports this.</summary>
    public bool IsListening => _hearing.IsListening;

    private ISubscriber Subscriber => node.Redis.GetSubscriber();

    /// <summary>
    /// Subscribes (again, if the channel fell silent) and sends the next probe. Called once per
    /// period rather than at start-up, so a node starts (not ready) while Redis is down; throws
    /// while it is.
    /// </summary>
    public async Task CheckAsync()
    {
        if (_queue is not null && _hearing.TakeSilence())
        {
            ReportSilence($"no probe came back for {BusHearing.SilenceLimit.TotalSeconds:0} s");
            await DropSubscriptionAsync().ConfigureAwait(false);
        }

        if (_queue is null)
        {
            ChannelMessageQueue queue;
            try
            {
                queue = await Subscriber.SubscribeAsync(_channel).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException)
            {
                // A refusal says more than the connection failure RedisNode already logs.
                if (exception is RedisServerException)
                {
                    ReportSilence(exception.Message);
                }

                // The multiplexer registered the queue before Redis refused it; no one would read it.
                await DropSubscriptionAsync().ConfigureAwait(false);
                throw;
            }

            // One queue handled in order: messages from one sender to one target stay in order.
            queue.OnMessage(OnMessage);
            _queue = queue;
        }

        var sentAt = time.GetTimestamp();
        await Subscriber.PublishAsync(_channel, sentAt.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
        _hearing.ProbeReachedRedis(sentAt);
    }

    /// <summary>Once until the channel is heard again: the check runs every second.</summary>
    private void ReportSilence(string reason)
    {
        if (Interlocked.Exchange(ref _silenceReported, 1) == 0)
        {
            Log.BusSilent(logger, node.NodeId, reason);
        }
    }

    /// <summary>
    /// Removes every queue of the channel. The multiplexer forgets them before it sends
    /// UNSUBSCRIBE, so even when that fails none is left behind to fill up or to deliver twice.
    /// </summary>
    private Task DropSubscriptionAsync()
    {
        _queue = null;
        return Subscriber.UnsubscribeAsync(_channel);
    }

    private void OnMessage(ChannelMessage message)
    {
        var payload = (byte[]?)message.Message ?? [];
        if (!Utf8Parser.TryParse(payload, out long sentAt, out var length) || length != payload.Length)
        {
            _hearing.Heard(isProbe: false);
            delivery.OnBusMessage(payload);
            return;
        }

        metrics.BusProbed(time.GetElapsedTime(sentAt, _hearing.Heard(isProbe: true)));
        if (Interlocked.Exchange(ref _silenceReported, 0) == 1)
        {
            Log.BusHeard(logger, node.NodeId);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(52, LogLevel.Warning, "Node {NodeId} does not hear its own bus channel ({Reason}): messages from other nodes to its clients are lost, and it is not ready, until it has subscribed again.")]
        public static partial void BusSilent(ILogger logger, string nodeId, string reason);

        [LoggerMessage(53, LogLevel.Information, "Node {NodeId} hears its own bus channel again.")]
        public static partial void BusHeard(ILogger logger, string nodeId);
    }
}
