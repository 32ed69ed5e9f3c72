namespace ProxChat.Client.Tests;

/// <summary>Waits for a condition that other parts of the system make true in their own time, up to a deadline.</summary>
internal static class Eventually
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    public static async Task HoldsAsync(Func<bool> condition, Func<string> describe, TimeSpan? deadline = null)
    {
        var giveUpAt = DateTime.UtcNow + (deadline ?? Deadline);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < giveUpAt, $"not so before the deadline: {describe()}");
            await Task.Delay(20);
        }
    }
}
