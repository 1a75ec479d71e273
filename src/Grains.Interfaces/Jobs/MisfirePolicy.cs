namespace Totallator.Grains.Interfaces.Jobs;

/// <summary>What to do with occurrences that fell due while nothing could run them (the whole cluster down, the job's silo dead).</summary>
/// <remarks>Whatever the policy, every missed occurrence that is not run gets a row with status <c>missed</c>: never silently nothing.</remarks>
[GenerateSerializer, Alias("totallator.misfire-policy")]
public enum MisfirePolicy
{
    /// <summary>Run the latest missed occurrence once; record the others as missed. The default.</summary>
    RunOnce = 0,
    /// <summary>Run none of them; record all as missed.</summary>
    Skip = 1,
    /// <summary>Run each missed occurrence, oldest first, up to the job's cap; record the rest (the oldest) as missed.</summary>
    RunAll = 2,
}

/// <summary>Text forms of <see cref="MisfirePolicy"/> as stored in <c>cronJob.misfirePolicy</c> and used in configuration.</summary>
public static class MisfirePolicyText
{
    /// <summary>The stored text of a policy.</summary>
    public static string ToText(this MisfirePolicy policy) => policy switch
    {
        MisfirePolicy.RunOnce => "run_once",
        MisfirePolicy.Skip => "skip",
        MisfirePolicy.RunAll => "run_all",
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "Unknown misfire policy."),
    };

    /// <summary>Parses a policy; accepts the stored form (<c>run_once</c>) and the enum name (<c>RunOnce</c>), case-insensitively.</summary>
    public static bool TryParse(string? text, out MisfirePolicy policy)
    {
        switch (text?.Trim().Replace("-", "_", StringComparison.Ordinal).ToUpperInvariant())
        {
            case "RUN_ONCE" or "RUNONCE": policy = MisfirePolicy.RunOnce; return true;
            case "SKIP": policy = MisfirePolicy.Skip; return true;
            case "RUN_ALL" or "RUNALL": policy = MisfirePolicy.RunAll; return true;
            default: policy = default; return false;
        }
    }
}
