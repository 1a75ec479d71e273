namespace Totallator.Grains.Interfaces.Jobs;

/// <summary>What started an execution, stored in <c>cronJobExecution.triggeredBy</c>.</summary>
[GenerateSerializer, Alias("totallator.trigger-source")]
public enum TriggerSource
{
    /// <summary>The schedule, on time.</summary>
    Scheduler = 0,
    /// <summary>A person or a machine through the admin API.</summary>
    Manual = 1,
    /// <summary>A further attempt of a failed occurrence.</summary>
    Retry = 2,
    /// <summary>An occurrence missed during downtime, run late by the misfire policy.</summary>
    CatchUp = 3,
    /// <summary>Signalled by the end of its upstream jobs' occurrences (<see cref="Upstream"/>).</summary>
    Dependency = 4,
    /// <summary>A one-off run an operator scheduled for an instant (<see cref="OneOffRequest"/>).</summary>
    OneOff = 5,
}

/// <summary>Text forms of <see cref="TriggerSource"/> as stored.</summary>
public static class TriggerSourceText
{
    /// <summary>The stored text of a trigger source.</summary>
    public static string ToText(this TriggerSource source) => source switch
    {
        TriggerSource.Scheduler => "scheduler",
        TriggerSource.Manual => "manual",
        TriggerSource.Retry => "retry",
        TriggerSource.CatchUp => "catch-up",
        TriggerSource.Dependency => "dependency",
        TriggerSource.OneOff => "one-off",
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, "Unknown trigger source."),
    };

    /// <summary>Parses the stored text of a trigger source.</summary>
    public static TriggerSource Parse(string text) => text switch
    {
        "scheduler" => TriggerSource.Scheduler,
        "manual" => TriggerSource.Manual,
        "retry" => TriggerSource.Retry,
        "catch-up" => TriggerSource.CatchUp,
        "dependency" => TriggerSource.Dependency,
        "one-off" => TriggerSource.OneOff,
        _ => throw new FormatException($"Unknown trigger source '{text}'."),
    };
}
