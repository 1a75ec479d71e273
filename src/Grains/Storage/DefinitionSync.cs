using Totallator.Grains.Jobs;


namespace Totallator.Grains.Storage;

/// <summary>How a definition from code or configuration merges into a stored job. Shared by both stores so they agree.</summary>
public static class DefinitionSync
{
    /// <summary>
    /// The stored job with the definition applied, or null when nothing changes. Fields an admin overrode keep the stored value.
    /// When the effective schedule or time zone changes, <c>lastScheduledFor</c> restarts at <paramref name="now"/>: occurrences of
    /// the old schedule are not misfires of the new one.
    /// </summary>
    public static JobRecord? Merge(JobRecord row, CronJobDefinition definition, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(definition);
        bool Keep(string field) => row.OverriddenFields.Contains(field, StringComparer.Ordinal);
        var merged = row with
        {
            Name = definition.Name,
            Description = definition.Description,
            Schedule = Keep(JobFields.Schedule) ? row.Schedule : definition.Schedule,
            // A definition that names no value keeps the stored one (the global default it was seeded with, or an older code value).
            TimeZone = Keep(JobFields.TimeZone) ? row.TimeZone : definition.TimeZone ?? row.TimeZone,
            IsEnabled = Keep(JobFields.IsEnabled) ? row.IsEnabled : definition.Enabled,
            TimeoutMs = Keep(JobFields.TimeoutMs) ? row.TimeoutMs : definition.TimeoutMs ?? row.TimeoutMs,
            MaxRetries = Keep(JobFields.MaxRetries) ? row.MaxRetries : definition.MaxRetries ?? row.MaxRetries,
            MisfirePolicy = Keep(JobFields.MisfirePolicy) ? row.MisfirePolicy : definition.MisfirePolicy ?? row.MisfirePolicy,
            MisfireRunAllCap = definition.MisfireRunAllCap,
            After = Keep(JobFields.After) ? row.After : definition.After,
            Source = definition.Source,
            IsOrphaned = false,
        };
        if (merged.Schedule != row.Schedule || merged.TimeZone != row.TimeZone || (merged.IsEnabled && !row.IsEnabled))
        {
            merged = merged with { LastScheduledFor = now };
        }
        return SameFields(merged, row) ? null : merged;
    }

    private static bool SameFields(JobRecord a, JobRecord b) =>
        a.Name == b.Name && a.Description == b.Description && a.Schedule == b.Schedule && a.TimeZone == b.TimeZone
        && a.IsEnabled == b.IsEnabled && a.TimeoutMs == b.TimeoutMs && a.MaxRetries == b.MaxRetries
        && a.MisfirePolicy == b.MisfirePolicy && a.MisfireRunAllCap == b.MisfireRunAllCap && a.Source == b.Source
        && a.IsOrphaned == b.IsOrphaned && a.LastScheduledFor == b.LastScheduledFor && a.After.SequenceEqual(b.After);

    /// <summary>The fields an admin update sets, which become overridden.</summary>
    public static IEnumerable<string> ChangedFields(JobUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (update.Schedule is not null) yield return JobFields.Schedule;
        if (update.TimeZone is not null) yield return JobFields.TimeZone;
        if (update.TimeoutMs is not null) yield return JobFields.TimeoutMs;
        if (update.MaxRetries is not null) yield return JobFields.MaxRetries;
        if (update.MisfirePolicy is not null) yield return JobFields.MisfirePolicy;
        if (update.IsEnabled is not null) yield return JobFields.IsEnabled;
        if (update.After is not null) yield return JobFields.After;
        if (update.Name is not null) yield return JobFields.Name;
        if (update.Description is not null) yield return JobFields.Description;
        if (update.ParametersJson is not null) yield return JobFields.Parameters;
        if (update.PauseAfterFailures is not null) yield return JobFields.PauseAfterFailures;
    }

    /// <summary>
    /// The fields an update makes win over the job's definition from now on: none for a job created from a job type (it has no
    /// definition), and never its name, description or parameters.
    /// </summary>
    public static IEnumerable<string> OverriddenBy(JobUpdate update, bool fromApi) =>
        fromApi ? [] : ChangedFields(update).Where(f => f is not (JobFields.Name or JobFields.Description or JobFields.Parameters or JobFields.PauseAfterFailures));

    /// <summary>
    /// Refuses definitions whose slug belongs to a job an admin created from a job type: syncing would turn that job into the
    /// definition's and run other code under its history. The silo does not start, with a message that names it.
    /// </summary>
    public static void CheckSlugsFree(IReadOnlyList<CronJobDefinition> definitions, IReadOnlyDictionary<string, JobRecord> stored)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        ArgumentNullException.ThrowIfNull(stored);
        if (definitions.FirstOrDefault(d => stored.TryGetValue(d.Slug, out var row) && row.IsFromApi) is { } clash)
        {
            var row = stored[clash.Slug];
            throw new InvalidOperationException(
                $"Job '{clash.Slug}' is defined in {clash.Source}, but an admin created a job with this slug from job type '{row.JobType}'"
                + (row.DeletedAt is { } deleted ? $" (deleted {deleted:u})" : "")
                + ". Give the definition another slug: the slug stays that job's, deleted or not, because its history is kept under it.");
        }
    }

    /// <summary>
    /// Refuses definitions whose upstreams, with the stored jobs' (an admin's edges included), would close a cycle: a cycle of
    /// jobs with schedules would release one another for ever. The silo does not start, with a message that names it.
    /// </summary>
    public static void CheckDependencies(IReadOnlyList<CronJobDefinition> definitions, IEnumerable<JobRecord> stored)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        ArgumentNullException.ThrowIfNull(stored);
        var graph = stored.ToDictionary(j => j.Slug, j => (IReadOnlyList<string>)j.After.Select(u => u.Slug).ToList(), StringComparer.Ordinal);
        var overridden = stored.Where(j => j.OverriddenFields.Contains(JobFields.After, StringComparer.Ordinal)).Select(j => j.Slug).ToHashSet(StringComparer.Ordinal);
        foreach (var definition in definitions.Where(d => !overridden.Contains(d.Slug)))
        {
            graph[definition.Slug] = definition.After.Select(u => u.Slug).ToList();
        }
        if (Dependencies.DependencyGraph.FindAnyCycle(graph) is { } cycle)
        {
            throw new InvalidOperationException(
                $"Job dependencies would make a cycle: {string.Join(" → ", cycle)}. Change the After of one of these jobs (in code, configuration, or the admin page if an admin set it).");
        }
    }
}
