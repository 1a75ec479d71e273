namespace Totallator.Grains.History;

/// <summary>The daily partitions of <c>cronJobExecution</c> (0015), section <c>Cron:History</c>.</summary>
public sealed class HistoryPartitionOptions
{
    public const string SectionName = "Cron:History";

    /// <summary>
    /// Days ahead of today (UTC) whose partitions exist. Default: 2, so a day's partition is there two days before its first
    /// row even if every pass of a day failed; a row whose day has none still goes in (the default partition takes it).
    /// </summary>
    public int PartitionDaysAhead { get; set; } = 2;

    /// <summary>How often each silo asks for the missing partitions (one silo at a time creates them). Default: 1 hour.</summary>
    public TimeSpan PartitionInterval { get; set; } = TimeSpan.FromHours(1);
}
