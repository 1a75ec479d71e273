using Microsoft.Extensions.Diagnostics.HealthChecks;
using Totallator.Grains.Interfaces.Admin;

namespace Totallator.AdminApi.Health;

/// <summary>
/// Ready when a grain call reaches the cluster and that grain's round trip to PostgreSQL answers: the two things every admin
/// operation needs. Liveness never depends on this (a database outage must not get processes restarted).
/// </summary>
public sealed class ClusterReadyHealthCheck(IGrainFactory grains) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await grains.GetGrain<IJobQueryGrain>(0).CheckStoreAsync().WaitAsync(Timeout, cancellationToken);
            return HealthCheckResult.Healthy("The cluster and PostgreSQL answer.");
        }
        catch (StoreUnavailableException)
        {
            return HealthCheckResult.Unhealthy("The cluster answers but PostgreSQL does not.");
        }
        catch (Exception e) when (e is OrleansException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy("The cluster does not answer.");
        }
    }
}
