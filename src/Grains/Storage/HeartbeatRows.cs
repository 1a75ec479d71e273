namespace Totallator.Grains.Storage;

/// <summary>
/// A job grain's reminder row as Orleans' ADO.NET reminder provider writes it (<c>orleansremindertable</c>): the grain id as its
/// text, and the grain's uniform hash stored as a signed 32-bit integer (the provider's ring ranges read it so).
/// </summary>
/// <remarks>
/// Written in bulk by the start-up sync (<see cref="IJobStore.WriteHeartbeatsAsync"/>) instead of one Orleans call and one
/// committed statement per job: at 100,000 jobs those were most of a cluster start's database work. Checked against the rows
/// Orleans itself writes (the cluster tests).
/// </remarks>
public sealed record HeartbeatRow(string GrainId, int GrainHash)
{
    /// <summary>The reminder every job grain has: its heartbeat while awake, its wake-up while asleep.</summary>
    public const string ReminderName = "cron-heartbeat";

    public static HeartbeatRow For(GrainId grainId) => new(grainId.ToString(), unchecked((int)grainId.GetUniformHashCode()));
}

/// <summary>Where a job grain's reminder row is: the cluster's service id and the grain's id as text.</summary>
public sealed record HeartbeatKey(string ServiceId, string GrainId);
