using ProxChat.Transport.Sessions;

namespace ProxChat.Transport.Tests.Sessions;

public sealed class MessageRateLimitTests
{
    [Fact]
    public void A_burst_is_admitted_and_the_run_of_drops_after_it_is_told_once()
    {
        // One token a second: none comes back between six calls in a row.
        var limit = MessageRateLimit.Create(messagesPerSecond: 1, burst: 3)!;

        Assert.Equal(
            [MessageAdmission.Admitted, MessageAdmission.Admitted, MessageAdmission.Admitted, MessageAdmission.Dropped, MessageAdmission.DroppedAgain, MessageAdmission.DroppedAgain],
            Enumerable.Range(0, 6).Select(_ => limit.Admit()));
    }

    [Fact]
    public void The_bucket_refills_with_time_and_a_new_run_of_drops_is_told_again()
    {
        var limit = MessageRateLimit.Create(messagesPerSecond: 20, burst: 1)!;
        Assert.Equal(MessageAdmission.Admitted, limit.Admit());
        Assert.Equal(MessageAdmission.Dropped, limit.Admit());

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        MessageAdmission admission;
        while ((admission = limit.Admit()) != MessageAdmission.Admitted)
        {
            Assert.Equal(MessageAdmission.DroppedAgain, admission);
            Assert.True(DateTime.UtcNow < deadline, "the bucket did not refill");
            Thread.Sleep(10);
        }

        Assert.Equal(MessageAdmission.Dropped, limit.Admit());
    }

    [Fact]
    public void A_rate_of_zero_is_no_limit()
    {
        Assert.Null(MessageRateLimit.Create(messagesPerSecond: 0, burst: 200));
    }
}
