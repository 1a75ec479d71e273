using Totallator.Grains.Jobs.Command;

namespace Totallator.Tests.Unit.Jobs;

/// <summary>What a real child process (<c>/usr/bin/env</c>) sees of the silo's environment when run by <see cref="CommandJob"/>.</summary>
[Trait("Category", "Unit")]
public sealed class CommandJobEnvironmentTests : IDisposable
{
    private readonly EnvironmentCanary _canary = new();

    public void Dispose() => _canary.Dispose();

    /// <summary>The child's environment, name → value, as <c>env</c> printed it.</summary>
    private static Dictionary<string, string> Parse(string? output) =>
        (output ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0], parts => parts[1], StringComparer.Ordinal);

    [Fact]
    public async Task ExecuteAsync_GivesTheCommandTheBaseAndRunVariables_ButNeverTheSilosSecrets()
    {
        var result = await new CommandJob(new CommandJobOptions { Command = "/usr/bin/env" }).ExecuteAsync(TestJobContext.Create());

        Assert.True(result.Success, result.Message);
        _canary.AssertAbsentFrom(result.Output);
        var environment = Parse(result.Output);
        Assert.Equal(Environment.GetEnvironmentVariable("PATH"), environment["PATH"]);
        Assert.Equal("test-job", environment["TOTALLATOR_JOB"]);
    }

    [Fact]
    public async Task ExecuteAsync_AddsTheDefinedVariables_AndPassesASiloVariableOnlyWhenItsNameIsListed()
    {
        var options = new CommandJobOptions { Command = "/usr/bin/env" };
        options.Environment["REPORT_TARGET"] = "s3://reports";
        options.PassEnvironment.Add(_canary.ApiKeyName);
        options.PassEnvironment.Add("TOTALLATOR_TEST_NOT_SET_ANYWHERE");

        var result = await new CommandJob(options).ExecuteAsync(TestJobContext.Create());

        Assert.True(result.Success, result.Message);
        var environment = Parse(result.Output);
        Assert.Equal("s3://reports", environment["REPORT_TARGET"]);
        Assert.Equal(_canary.ApiKeyValue, environment[_canary.ApiKeyName]);
        Assert.False(environment.ContainsKey(_canary.ConnectionStringName), "only the listed name passes");
        Assert.DoesNotContain(_canary.ConnectionStringValue, result.Output, StringComparison.Ordinal);
        Assert.False(environment.ContainsKey("TOTALLATOR_TEST_NOT_SET_ANYWHERE"), "a listed name the silo does not have is left out");
    }

    [Fact]
    public void Build_LayersBasePassedDefinedAndRunVariables_LaterWinning()
    {
        var silo = new Dictionary<string, string>
        {
            ["PATH"] = "/usr/bin", ["HOME"] = "/home/cron", ["LC_ALL"] = "C.UTF-8", ["TZ"] = "UTC", ["HTTPS_PROXY"] = "http://proxy:3128",
            ["ConnectionStrings__Postgres"] = "Host=db;Password=pw", ["Admin__ApiKey"] = "key", ["SECRET_TOKEN"] = "token",
        };

        var environment = CommandEnvironment.Build(silo, ["HTTPS_PROXY", "NOT_THERE"],
            [KeyValuePair.Create("TZ", "Europe/Berlin"), KeyValuePair.Create("MODE", "full")],
            [KeyValuePair.Create("TOTALLATOR_JOB", "nightly")]);

        Assert.Equal(new Dictionary<string, string>
        {
            ["PATH"] = "/usr/bin", ["HOME"] = "/home/cron", ["LC_ALL"] = "C.UTF-8", ["TZ"] = "Europe/Berlin",
            ["HTTPS_PROXY"] = "http://proxy:3128", ["MODE"] = "full", ["TOTALLATOR_JOB"] = "nightly",
        }, environment);
    }
}
