namespace Totallator.Grains.Scheduling;

/// <summary>What a job's activation has in hand at the end of a tick, as far as going to sleep is concerned.</summary>
public readonly record struct SleepInputs(
    DateTimeOffset Now,
    DateTimeOffset? ArmedFor,
    bool PlannerQuiet,
    bool RunsInHand,
    bool OneOffsPending,
    bool RunsAfterOthers,
    bool Stopping);

/// <summary>
/// Whether a job goes to sleep (its activation and timer go; its durable reminder wakes it ahead of its next occurrence), and
/// until when. Pure: the grain carries it out.
/// </summary>
public static class Sleep
{
    /// <summary>
    /// The instant to be woken at, or null to stay awake. Only a job whose next wake-up is further than <paramref name="sleepBeyond"/>
    /// away sleeps, and only with nothing in hand: a run (its end must be written by this activation), a claim or catch-up the
    /// planner holds, a one-off run (its own timer), or upstreams (signals arrive as calls and sweeps; kept awake to keep fan-in
    /// simple). Woken <paramref name="wakeLead"/> before the timer would have fired, plus up to half of it more by
    /// <paramref name="jitter"/> (0 to 1): jobs that share an instant (100,000 daily jobs at midnight) then wake over a minute, not
    /// on one second.
    /// </summary>
    public static DateTimeOffset? WakeAt(SleepInputs inputs, TimeSpan sleepBeyond, TimeSpan wakeLead, double jitter = 0)
    {
        if (sleepBeyond <= TimeSpan.Zero || inputs.ArmedFor is not { } armed || armed - inputs.Now <= sleepBeyond)
        {
            return null;
        }
        if (!inputs.PlannerQuiet || inputs.RunsInHand || inputs.OneOffsPending || inputs.RunsAfterOthers || inputs.Stopping)
        {
            return null;
        }
        return armed - wakeLead - wakeLead * (Math.Clamp(jitter, 0, 1) / 2);
    }
}
