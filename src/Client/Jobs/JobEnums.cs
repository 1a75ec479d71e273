namespace Totallator.Client;

/// <summary>What to do with occurrences that fell due while nothing could run them.</summary>
public enum MisfirePolicy
{
    /// <summary>Run the latest missed occurrence once; record the others as missed (<c>run_once</c>).</summary>
    RunOnce,
    /// <summary>Run none of them; record all as missed (<c>skip</c>).</summary>
    Skip,
    /// <summary>Run each missed occurrence, oldest first, up to the job's cap (<c>run_all</c>).</summary>
    RunAll,
}

/// <summary>When an upstream job's occurrence releases the jobs that run after it.</summary>
public enum DependencyCondition
{
    /// <summary>Its final attempt succeeded.</summary>
    Success,
    /// <summary>Its final attempt failed, timed out or was abandoned.</summary>
    Failure,
    /// <summary>It ran to an end, whatever the end was.</summary>
    Completion,
}

/// <summary>A state of the job list's filter (<see cref="JobListQuery.States"/>).</summary>
public enum JobListState
{
    /// <summary>Enabled and not deleted.</summary>
    Enabled,
    /// <summary>Disabled.</summary>
    Disabled,
    /// <summary>Disabled by its own circuit breaker.</summary>
    Paused,
    /// <summary>The scheduler cannot schedule it (see <see cref="JobView.InvalidReason"/>).</summary>
    Invalid,
    /// <summary>Its last final attempt failed, timed out or was abandoned.</summary>
    Failing,
    /// <summary>An execution of it is running now.</summary>
    Running,
    /// <summary>No longer defined in code or configuration.</summary>
    Orphaned,
    /// <summary>Deleted by an admin; its history is kept.</summary>
    Deleted,
}

/// <summary>The last run's outcome (the job list's filter).</summary>
public enum JobListOutcome
{
    /// <summary>The last run succeeded.</summary>
    Succeeded,
    /// <summary>Failed, timed out or abandoned.</summary>
    Failures,
    /// <summary>No attempt ever started.</summary>
    Never,
}

/// <summary>What the job list is ordered by; ties go by slug.</summary>
public enum JobListSort
{
    /// <summary>By slug.</summary>
    Slug,
    /// <summary>By name, then slug.</summary>
    Name,
    /// <summary>By the last ended run's scheduled instant.</summary>
    LastRun,
    /// <summary>By the success rate of the last ended attempts.</summary>
    SuccessRate,
    /// <summary>By runs of the last 24 hours.</summary>
    Runs,
}
