using ProxChat.Transport.Protocol;
using ProxChat.Transport.Sessions;

namespace ProxChat.Transport.Tests.Sessions;

public sealed class OutgoingMessagesTests
{
    private static readonly ServerMessage Offer = ServerMessage.RelayOf(ClientMessageKind.SendOffer, "a", RelayPayload.FromString(new string('o', 98)));

    [Fact]
    public void The_queue_is_full_at_its_message_count()
    {
        var queue = new OutgoingMessages(messageLimit: 2, payloadByteLimit: 1_000_000);

        Assert.True(queue.TryWrite(ServerMessage.Error("one")));
        Assert.True(queue.TryWrite(ServerMessage.Error("two")));
        Assert.False(queue.TryWrite(ServerMessage.Error("three")));

        // Full, not complete: its connection is the one to drop.
        Assert.False(queue.IsComplete);
    }

    [Fact]
    public void Relays_fill_three_quarters_of_the_count_and_the_rest_stays_for_the_clients_own_messages()
    {
        var queue = new OutgoingMessages(messageLimit: 8, payloadByteLimit: 1_000_000);

        for (var i = 0; i < 6; i++)
        {
            Assert.True(queue.TryWriteRelay(Offer));
        }

        Assert.False(queue.TryWriteRelay(Offer));
        Assert.True(queue.TryWrite(ServerMessage.Error("own one")));
        Assert.True(queue.TryWrite(ServerMessage.Error("own two")));
        Assert.False(queue.TryWrite(ServerMessage.Error("full")));

        // Reading a relay makes room for one more relay.
        Assert.True(queue.TryRead(out var first));
        Assert.Equal(ServerMessageKind.ReceiveOffer, first.Kind);
        Assert.True(queue.TryWriteRelay(Offer));
        Assert.False(queue.TryWriteRelay(Offer));
    }

    [Fact]
    public void Relays_fill_three_quarters_of_the_payload_bytes()
    {
        // Each offer's payload is 100 bytes; relays may hold 300 of the 400.
        var queue = new OutgoingMessages(messageLimit: 100, payloadByteLimit: 400);

        Assert.True(queue.TryWriteRelay(Offer));
        Assert.True(queue.TryWriteRelay(Offer));
        Assert.True(queue.TryWriteRelay(Offer));
        Assert.False(queue.TryWriteRelay(Offer));

        // A refused relay took nothing: reading one lets exactly one more in.
        Assert.True(queue.TryRead(out _));
        Assert.True(queue.TryWriteRelay(Offer));
        Assert.False(queue.TryWriteRelay(Offer));
    }

    [Fact]
    public void The_queue_is_full_at_its_payload_bytes_and_reading_frees_them()
    {
        // Each offer's payload is its JSON literal: 98 characters and two quotes.
        var queue = new OutgoingMessages(messageLimit: 100, payloadByteLimit: 250);
        Assert.True(queue.TryWrite(Offer));
        Assert.True(queue.TryWrite(Offer));
        Assert.False(queue.TryWrite(Offer));

        // Messages without a payload still fit; a refused offer took nothing.
        Assert.True(queue.TryWrite(ServerMessage.Error("small")));
        Assert.True(queue.TryRead(out var first));
        Assert.Equal(ServerMessageKind.ReceiveOffer, first.Kind);
        Assert.True(queue.TryWrite(Offer));
        Assert.False(queue.TryWrite(Offer));
    }

    [Fact]
    public void A_completed_queue_takes_nothing_more_and_gives_up_what_it_holds()
    {
        var queue = new OutgoingMessages(messageLimit: 10, payloadByteLimit: 1_000);
        Assert.True(queue.TryWrite(Offer));

        queue.Complete();

        Assert.False(queue.TryWrite(Offer));
        Assert.True(queue.TryRead(out _));
        Assert.False(queue.TryRead(out _));
    }

    [Fact]
    public async Task A_wait_ends_when_the_token_the_queue_completes_on_is_cancelled()
    {
        var queue = new OutgoingMessages(messageLimit: 10, payloadByteLimit: 1_000);
        using var aborted = new CancellationTokenSource();
        using var registration = queue.CompleteOn(aborted.Token);
        var waiting = queue.WaitToReadAsync();
        Assert.False(waiting.IsCompleted);

        Assert.False(queue.IsComplete);

        await aborted.CancelAsync();

        Assert.False(await waiting);
        Assert.True(queue.IsComplete);
        Assert.False(queue.TryWrite(Offer));
    }

    [Fact]
    public async Task Waiting_for_the_next_message_allocates_nothing()
    {
        // A connection waits between messages with this wait pending, through garbage collections:
        // one object per wait would be one more survivor per connection.
        var queue = new OutgoingMessages(messageLimit: 10, payloadByteLimit: 1_000);
        using var aborted = new CancellationTokenSource();
        using var registration = queue.CompleteOn(aborted.Token);
        long allocated = 0;
        for (var i = 0; i < 100; i++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var waiting = queue.WaitToReadAsync();
            var after = GC.GetAllocatedBytesForCurrentThread();
            if (i > 0)
            {
                allocated += after - before;
            }

            Assert.False(waiting.IsCompleted);
            Assert.True(queue.TryWrite(Offer));
            Assert.True(await waiting);
            Assert.True(queue.TryRead(out _));
        }

        Assert.Equal(0, allocated);
    }
}
