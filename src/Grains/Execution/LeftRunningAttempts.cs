using System.Collections.Concurrent;

namespace Totallator.Grains.Execution;

/// <summary>
/// Attempts whose job ignored its cancellation (timeout, admin cancel or shutdown) and still runs after the attempt was recorded,
/// per job, on this silo. Each holds a thread-pool thread or a process's memory with no upper bound in time, so the scheduler
/// stops starting a job that has <see cref="Hosting.SchedulerOptions.MaxAttemptsLeftRunningPerJob"/> of them until one ends.
/// </summary>
/// <remarks>
/// Per silo: the attempts run in this process. A job whose grain moves to another silo starts there with none counted, which is
/// right for that silo's resources. A job's entry stays at zero once its attempts ended, so its gauge series falls to 0 instead of
/// vanishing (one entry per job that ever left one behind).
/// </remarks>
public sealed class LeftRunningAttempts
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    /// <summary>An attempt of <paramref name="jobSlug"/> was recorded while its job still runs; returns how many it now has.</summary>
    public int Add(string jobSlug) => _counts.AddOrUpdate(jobSlug, 1, (_, count) => count + 1);

    /// <summary>One of them finally ended; returns how many are left.</summary>
    public int Remove(string jobSlug) => _counts.AddOrUpdate(jobSlug, 0, (_, count) => Math.Max(0, count - 1));

    public int CountOf(string jobSlug) => _counts.TryGetValue(jobSlug, out var count) ? count : 0;

    public int Total => _counts.Values.Sum();

    /// <summary>Every job that ever left one behind, with its count now (zero included).</summary>
    public IReadOnlyList<KeyValuePair<string, int>> Snapshot() => [.. _counts];

    /// <summary>
    /// The status reason of an occurrence skipped because its job has <paramref name="count"/> attempts left running, at least
    /// <paramref name="max"/>; null while it has fewer. It starts with <see cref="SkipReasonPrefix"/>, as an overlap's starts with
    /// <c>overlap:</c>.
    /// </summary>
    public static string? SkipReason(int count, int max) => count < max
        ? null
        : $"{SkipReasonPrefix}: {count} attempts of this job ignored cancellation and are still running on this silo " +
          $"(Cron:Scheduler:MaxAttemptsLeftRunningPerJob is {max}); it runs again once one of them ends";

    /// <summary>The first word of <see cref="SkipReason"/>, and the <c>reason</c> tag of the skipped-occurrence counter.</summary>
    public const string SkipReasonPrefix = "attempts-left-running";
}
