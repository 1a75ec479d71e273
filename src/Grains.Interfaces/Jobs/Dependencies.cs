namespace Totallator.Grains.Interfaces.Jobs;

/// <summary>When an upstream occurrence signals its downstream jobs: judged on the status of its final attempt.</summary>
[GenerateSerializer, Alias("totallator.dependency-condition")]
public enum DependencyCondition
{
    /// <summary>The final attempt succeeded.</summary>
    Success = 0,
    /// <summary>The final attempt failed, timed out or was abandoned.</summary>
    Failure = 1,
    /// <summary>Either: the occurrence ran to an end, whatever it was.</summary>
    Completion = 2,
}

/// <summary>One edge of a job's dependencies: the job runs after <see cref="Slug"/> meets <see cref="Condition"/>.</summary>
[GenerateSerializer, Immutable, Alias("totallator.upstream")]
public sealed record Upstream([property: Id(0)] string Slug, [property: Id(1)] DependencyCondition Condition = DependencyCondition.Success)
{
    /// <summary>The stored and configured form: <c>slug</c> or <c>slug:condition</c> (<c>success</c>, <c>failure</c>, <c>completion</c>).</summary>
    public override string ToString() => $"{Slug}:{Condition.ToText()}";

    /// <summary>
    /// Reads <c>slug</c> or <c>slug:condition</c>; false with a message for anything else. The slug's own shape is checked by
    /// whoever checks slugs (it must also name a job that exists).
    /// </summary>
    public static bool TryParse(string? text, out Upstream? upstream, out string? error)
    {
        upstream = null;
        error = null;
        var value = text?.Trim() ?? "";
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        var slug = (colon < 0 ? value : value[..colon]).Trim();
        var condition = DependencyCondition.Success;
        if (slug.Length == 0)
        {
            error = $"'{text}' names no job; write the upstream job's slug, optionally followed by :success, :failure or :completion.";
            return false;
        }
        if (colon >= 0 && !DependencyConditionText.TryParse(value[(colon + 1)..], out condition))
        {
            error = $"Unknown condition '{value[(colon + 1)..]}' in '{text}'; use success, failure or completion.";
            return false;
        }
        upstream = new Upstream(slug, condition);
        return true;
    }
}

/// <summary>Text forms of <see cref="DependencyCondition"/>.</summary>
public static class DependencyConditionText
{
    /// <summary>The stored text of a condition.</summary>
    public static string ToText(this DependencyCondition condition) => condition switch
    {
        DependencyCondition.Success => "success",
        DependencyCondition.Failure => "failure",
        DependencyCondition.Completion => "completion",
        _ => throw new ArgumentOutOfRangeException(nameof(condition), condition, "Unknown dependency condition."),
    };

    /// <summary>Parses <c>success</c>, <c>failure</c> or <c>completion</c> (also with an <c>on-</c> prefix, any case).</summary>
    public static bool TryParse(string? text, out DependencyCondition condition)
    {
        var value = text?.Trim().ToLowerInvariant() ?? "";
        if (value.StartsWith("on-", StringComparison.Ordinal))
        {
            value = value[3..];
        }
        (var known, condition) = value switch
        {
            "success" => (true, DependencyCondition.Success),
            "failure" => (true, DependencyCondition.Failure),
            "completion" => (true, DependencyCondition.Completion),
            _ => (false, DependencyCondition.Success),
        };
        return known;
    }

    /// <summary>Whether an occurrence whose final attempt ended <paramref name="status"/> meets <paramref name="condition"/>.</summary>
    public static bool IsMetBy(this DependencyCondition condition, ExecutionStatus status) => condition switch
    {
        DependencyCondition.Success => status == ExecutionStatus.Succeeded,
        DependencyCondition.Failure => status is ExecutionStatus.Failed or ExecutionStatus.TimedOut or ExecutionStatus.Abandoned,
        DependencyCondition.Completion => status is ExecutionStatus.Succeeded or ExecutionStatus.Failed or ExecutionStatus.TimedOut or ExecutionStatus.Abandoned,
        _ => false,
    };
}
