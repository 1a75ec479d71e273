using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;
using Totallator.Grains.Jobs.Command;
using Totallator.Grains.JobTypes;
using Totallator.Tests.Cluster.Infrastructure;

namespace Totallator.Tests.Unit.JobTypes;

/// <summary>Jobs of a registered job type defined in configuration (<c>Cron:Jobs:&lt;slug&gt;:Type</c> and <c>Parameters</c>).</summary>
[Trait("Category", "Unit")]
public sealed class TypedJobConfigurationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddCommandJobsFromConfiguration(configuration);
        // Registered after the configuration's jobs on purpose: the parameters are bound when the catalog is built.
        services.AddCronJobType<TestJobTypes.Job, TestJobTypes.Parameters>(TestJobTypes.Name);
        return services.BuildServiceProvider();
    }

    private static Dictionary<string, string?> Weekly(params (string Key, string? Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Cron:Jobs:weekly:Type"] = TestJobTypes.Name, ["Cron:Jobs:weekly:Schedule"] = "0 6 * * 1", ["Cron:Jobs:weekly:TimeZone"] = "Europe/Berlin",
            ["Cron:Jobs:weekly:Parameters:label"] = "hi", ["Cron:Jobs:weekly:Parameters:repeat"] = "3",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }
        return settings;
    }

    [Fact]
    public async Task ATypedSection_RunsTheTypesCode_WithItsParametersReadFromStrings()
    {
        await using var provider = Build(Weekly(("Cron:Jobs:weekly:Parameters:token", "from-a-secret-store")));
        var definition = Assert.Single(provider.GetServices<CronJobDefinition>());
        Assert.Equal(("weekly", "0 6 * * 1", "Europe/Berlin", "configuration"), (definition.Slug, definition.Schedule, definition.TimeZone, definition.Source));
        using var scope = provider.CreateScope();
        var result = await definition.Factory(scope.ServiceProvider).ExecuteAsync(new CronJobContext
        {
            JobSlug = "weekly", ExecutionId = Guid.NewGuid(), OccurrenceKey = "s:test", ScheduledFor = DateTimeOffset.UtcNow, TriggeredBy = TriggerSource.Manual,
            RetryCount = 0, CancellationToken = CancellationToken.None, Logger = NullLogger.Instance, Services = scope.ServiceProvider,
        });
        Assert.Equal("hihihi", result.Message);
        Assert.Equal("from-a-secret-store", TestJobTypes.LastRunWith["weekly"].Token);
    }

    [Theory]
    [InlineData("Cron:Jobs:weekly:Type", "no-such-type", "Cron:Jobs:weekly:Type names job type 'no-such-type', which is not registered (registered: t-type)")]
    [InlineData("Cron:Jobs:weekly:Parameters:repeat", "11", "Cron:Jobs:weekly:Parameters:repeat: The field Repeat must be between 1 and 10.")]
    [InlineData("Cron:Jobs:weekly:Parameters:repeat", "often", "Cron:Jobs:weekly:Parameters: Failed to convert configuration value 'often'")]
    [InlineData("Cron:Jobs:weekly:Parameters:colour", "red", "colour")]
    [InlineData("Cron:Jobs:weekly:Parameters:label", null, "Cron:Jobs:weekly:Parameters:label")]
    public void ABadTypedJob_FailsTheStart_NamingTheKey(string key, string? value, string message)
    {
        var settings = Weekly((key, value));
        if (value is null)
        {
            settings.Remove(key);
        }
        using var provider = Build(settings);
        var refused = Assert.Throws<OptionsValidationException>(() => provider.GetServices<CronJobDefinition>().ToList());
        Assert.Contains(message, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATypedJobHasNoCommand()
    {
        var refused = Assert.Throws<OptionsValidationException>(() => Build(Weekly(("Cron:Jobs:weekly:Command", "/bin/rm"))));
        Assert.Contains("Cron:Jobs:weekly:Command is a command job's setting", refused.Message, StringComparison.Ordinal);
    }
}
