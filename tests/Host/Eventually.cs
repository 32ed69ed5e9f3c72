namespace ProxChat.Host.Tests;

/// <summary>Waits for a condition that other parts of the system make true in their own time, up to a deadline.</summary>
internal static class Eventually
{
    public static Task HoldsAsync(Func<bool> condition, TimeSpan deadline, Func<string> describe) =>
        HoldsAsync(() => Task.FromResult(condition()), deadline, describe);

    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan deadline, Func<string> describe)
    {
        var giveUpAt = DateTime.UtcNow + deadline;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < giveUpAt, $"not so before the deadline: {describe()}");
            await Task.Delay(50);
        }
    }
}
