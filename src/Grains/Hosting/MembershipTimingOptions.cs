namespace Totallator.Grains.Hosting;

/// <summary>
/// Cluster membership timing, bound from <c>Orleans:Membership</c> onto Orleans' <c>ClusterMembershipOptions</c>. The defaults
/// here are tuned values, measured on this project's 2-core machines with silo processes on loopback: a killed silo evicted in
/// ≈1 s, a hung one in ≈8 s, instead of 7 s and 62 s with Orleans' own defaults (connection liveness suppresses suspicion votes
/// for MaxProbeTimeout × NumMissedProbesLimit). They were not soak-tested: raise them on slow or lossy networks, where false suspicions cost more.
/// </summary>
public sealed class MembershipTimingOptions
{
    public const string SectionName = "Orleans:Membership";

    /// <summary>Time to wait for a probe answer. Default: 1 s (Orleans: 5 s).</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Missed probes before a silo suspects a peer. Default: 2 (Orleans: 3).</summary>
    public int NumMissedProbesLimit { get; set; } = 2;

    /// <summary>Suspicion votes needed to declare a silo dead. Default: 1 (Orleans: 2).</summary>
    public int NumVotesForDeathDeclaration { get; set; } = 1;

    /// <summary>How long a suspicion vote counts. Default: 10 s (Orleans: 2 min).</summary>
    public TimeSpan DeathVoteExpirationTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the membership table is re-read. Default: 5 s (Orleans: 60 s).</summary>
    public TimeSpan TableRefreshTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a silo writes its I-am-alive heartbeat. Default: 5 s (Orleans: 30 s).</summary>
    public TimeSpan IAmAliveTablePublishTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
