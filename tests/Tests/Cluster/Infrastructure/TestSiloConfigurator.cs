using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;
using Totallator.Grains.Hosting;
using Totallator.Grains.Jobs;
using Totallator.Grains.JobTypes;

namespace Totallator.Tests.Cluster.Infrastructure;

/// <summary>A test silo wired as production wires it: ADO.NET clustering and reminders and the job store, all on real PostgreSQL.</summary>
public sealed class TestSiloConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder)
    {
        var postgres = siloBuilder.Configuration.GetConnectionString("Postgres")
            ?? throw new InvalidOperationException("Test silo needs ConnectionStrings:Postgres in the cluster properties.");
        siloBuilder.UsePostgresCluster(postgres);
        siloBuilder.AddTotallatorScheduler(siloBuilder.Configuration);
        LostReplies.Decorate(siloBuilder.Services);
        foreach (var definition in TestJobs.Definitions())
        {
            siloBuilder.Services.AddCronJobDefinition(definition);
        }
        siloBuilder.Services.AddCronJobType<TestJobTypes.Job, TestJobTypes.Parameters>(TestJobTypes.Name, t => t.DisplayName = "Test type");
    }
}

/// <summary>The cluster client finds gateways through the same membership table.</summary>
public sealed class TestClientConfigurator : IClientBuilderConfigurator
{
    public void Configure(IConfiguration configuration, IClientBuilder clientBuilder)
    {
        clientBuilder.UseAdoNetClustering(o =>
        {
            o.Invariant = SiloBuilderSchedulerExtensions.PostgresInvariant;
            o.ConnectionString = configuration.GetConnectionString("Postgres");
        });
    }
}
