using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.Storage;

/// <summary>
/// A job's statistics row as kept by the statements that end attempts (0016_job_stats.sql, docs/admin-read.md): the letters
/// of its last <see cref="IAdminStore.StatisticsSampleSize"/> outcomes, the durations of the last <see cref="JobStatistics.TrendSize"/>,
/// a ring of 24 hourly slots of counts, and its latest ended run that started. PostgreSQL keeps it in <c>cronJobStats</c>; the
/// in-memory store applies <see cref="Apply"/> where PostgreSQL's <c>CountStats</c> CTE runs. Reading it costs no history.
/// </summary>
public sealed class JobStatsRow
{
    /// <summary>Slots in the ring: the current UTC hour and the 23 before.</summary>
    public const int Hours = 24;

    /// <summary>Numbers per slot: the hour it holds (since the epoch), runs, failures, not run.</summary>
    public const int SlotWidth = 4;

    public string Outcomes { get; set; } = "";
    public List<long?> RecentDurations { get; } = [];
    /// <summary><see cref="Hours"/> × <see cref="SlotWidth"/> numbers, null for a slot never used.</summary>
    public long?[] HourRing { get; set; } = new long?[Hours * SlotWidth];
    /// <summary>The latest ended attempt that started, by (scheduledFor, retryCount); without its job's slug.</summary>
    public ExecutionSummary? LastRun { get; set; }

    /// <summary>The hour since the Unix epoch an instant falls in.</summary>
    public static long HourOf(DateTimeOffset instant) => (long)Math.Floor(instant.ToUnixTimeMilliseconds() / 3_600_000.0);

    /// <summary>One ended attempt (any status but running or claimed), as <c>CountStats</c> adds it in PostgreSQL.</summary>
    public void Apply(ExecutionRecord ended, string slug)
    {
        ArgumentNullException.ThrowIfNull(ended);
        if (Letter(ended.Status) is { } letter)
        {
            Outcomes = (Outcomes + (ended.RetryCount > 0 ? char.ToUpperInvariant(letter) : letter)) is var all && all.Length > IAdminStore.StatisticsSampleSize
                ? all[^IAdminStore.StatisticsSampleSize..] : all;
            RecentDurations.Add(ended.DurationMs);
            if (RecentDurations.Count > JobStatistics.TrendSize)
            {
                RecentDurations.RemoveRange(0, RecentDurations.Count - JobStatistics.TrendSize);
            }
        }
        AddToHour(HourOf(ended.ScheduledFor), ended.StartedAt is not null ? 1 : 0,
            ended.Status is ExecutionStatus.Failed or ExecutionStatus.TimedOut or ExecutionStatus.Abandoned ? 1 : 0,
            ended.Status is ExecutionStatus.Skipped or ExecutionStatus.Missed ? 1 : 0);
        if (ended.StartedAt is not null && (LastRun is null || (ended.ScheduledFor, ended.RetryCount).CompareTo((LastRun.ScheduledFor, LastRun.RetryCount)) >= 0))
        {
            LastRun = new ExecutionSummary
            {
                Id = ended.Id, JobSlug = slug, OccurrenceKey = ended.OccurrenceKey, ScheduledFor = ended.ScheduledFor, StartedAt = ended.StartedAt,
                CompletedAt = ended.CompletedAt, DurationMs = ended.DurationMs, Status = ended.Status, StatusReason = ended.StatusReason,
                TriggeredBy = ended.TriggeredBy, RetryCount = ended.RetryCount,
            };
        }
    }

    /// <summary>As <c>totallator_stats_hours_add</c>: a later hour resets its slot, an earlier one than the slot holds is dropped.</summary>
    private void AddToHour(long hour, int runs, int failures, int notRun)
    {
        var s = (int)(hour % Hours) * SlotWidth;
        if (HourRing[s] is not { } held || held < hour)
        {
            HourRing[s] = hour;
            HourRing[s + 1] = 0;
            HourRing[s + 2] = 0;
            HourRing[s + 3] = 0;
        }
        else if (held > hour)
        {
            return;
        }
        HourRing[s + 1] += runs;
        HourRing[s + 2] += failures;
        HourRing[s + 3] += notRun;
    }

    /// <summary>
    /// The figures the job list shows. Duration percentiles, memory and CPU are left out (null): the list does not show them,
    /// and keeping them incrementally would cost every completion more (docs/admin-read.md); the job's own page computes them.
    /// </summary>
    public JobStatistics ToStatistics(DateTimeOffset now)
    {
        var nowHour = HourOf(now);
        int Sum(int field)
        {
            var total = 0L;
            for (var s = 0; s < Hours; s++)
            {
                if (HourRing[s * SlotWidth] is { } hour && hour > nowHour - Hours && hour <= nowHour)
                {
                    total += HourRing[s * SlotWidth + field] ?? 0;
                }
            }
            return (int)total;
        }
        var recentLetters = Outcomes.Length > JobStatistics.TrendSize ? Outcomes[^JobStatistics.TrendSize..] : Outcomes;
        var durations = RecentDurations.Count > recentLetters.Length ? RecentDurations.Skip(RecentDurations.Count - recentLetters.Length).ToList() : RecentDurations;
        return new JobStatistics
        {
            SampleSize = Outcomes.Length,
            SuccessRate = Outcomes.Length == 0 ? null : (double)Outcomes.Count(c => c is 's' or 'S') / Outcomes.Length,
            RetryAttempts = Outcomes.Count(char.IsUpper),
            RunsLast24Hours = Sum(1), FailuresLast24Hours = Sum(2), NotRunLast24Hours = Sum(3),
            Recent = [.. recentLetters.Select((c, i) => new RecentRun(Status(c), i < durations.Count ? durations[i] : null))],
        };
    }

    internal static char? Letter(ExecutionStatus status) => status switch
    {
        ExecutionStatus.Succeeded => 's',
        ExecutionStatus.Failed => 'f',
        ExecutionStatus.TimedOut => 't',
        ExecutionStatus.Abandoned => 'a',
        _ => null,
    };

    private static ExecutionStatus Status(char letter) => char.ToLowerInvariant(letter) switch
    {
        's' => ExecutionStatus.Succeeded,
        'f' => ExecutionStatus.Failed,
        't' => ExecutionStatus.TimedOut,
        _ => ExecutionStatus.Abandoned,
    };
}
