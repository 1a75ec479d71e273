namespace Totallator.Grains.Alerts;

/// <summary>
/// When to try a failed delivery again: 10 s, 30 s, 1 min, 2 min, 5 min, then every 15 min, with up to 10 % jitter so deliveries
/// that failed together do not all come back together. After <see cref="AlertOptions.GiveUpAfter"/> it is given up, and stays
/// in the delivery log as such.
/// </summary>
public static class DeliveryBackoff
{
    private static readonly TimeSpan[] Steps =
        [TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15)];

    /// <summary>The wait after the <paramref name="attempts"/>-th failed attempt (1 for the first), scaled by <paramref name="scale"/>.</summary>
    public static TimeSpan After(int attempts, double scale = 1, double jitter = 0)
    {
        var step = Steps[Math.Clamp(attempts, 1, Steps.Length) - 1];
        return step * scale * (1 + Math.Clamp(jitter, 0, 1) * 0.1);
    }

    /// <summary>The next attempt, or null when the delivery is given up.</summary>
    public static DateTimeOffset? Next(DateTimeOffset createdAt, int attempts, DateTimeOffset now, TimeSpan giveUpAfter, double scale, double jitter)
    {
        var next = now + After(attempts, scale, jitter);
        return next - createdAt > giveUpAfter ? null : next;
    }
}
