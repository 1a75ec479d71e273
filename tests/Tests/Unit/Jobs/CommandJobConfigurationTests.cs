using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;
using Totallator.Grains.Jobs.Command;

namespace Totallator.Tests.Unit.Jobs;

[Trait("Category", "Unit")]
public sealed class CommandJobConfigurationTests
{
    private static Dictionary<string, string?> ValidJob(string slug = "nightly-report") => new()
    {
        [$"Cron:Jobs:{slug}:Schedule"] = "0 3 * * *",
        [$"Cron:Jobs:{slug}:Command"] = "/bin/echo",
    };

    private static IConfiguration Build(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    [Fact]
    public void Load_ReadsEveryKey_FromConfiguration()
    {
        var configuration = Build(new()
        {
            ["Cron:Jobs:nightly-report:Schedule"] = "0 3 * * *",
            ["Cron:Jobs:nightly-report:Command"] = "/usr/bin/report",
            ["Cron:Jobs:nightly-report:Arguments:0"] = "--since",
            ["Cron:Jobs:nightly-report:Arguments:1"] = "yesterday",
            ["Cron:Jobs:nightly-report:WorkingDirectory"] = "/srv/reports",
            ["Cron:Jobs:nightly-report:TimeoutMs"] = "120000",
            ["Cron:Jobs:nightly-report:MaxRetries"] = "2",
            ["Cron:Jobs:nightly-report:TimeZone"] = "Europe/Berlin",
            ["Cron:Jobs:nightly-report:Enabled"] = "false",
            ["Cron:Jobs:nightly-report:Name"] = "Nightly report",
            ["Cron:Jobs:nightly-report:Description"] = "Mails yesterday's figures",
            ["Cron:Jobs:nightly-report:MisfirePolicy"] = "run_all",
            ["Cron:Jobs:nightly-report:MisfireRunAllCap"] = "3",
            ["Cron:Jobs:nightly-report:Environment:REPORT_TARGET"] = "s3://reports",
            ["Cron:Jobs:nightly-report:PassEnvironment:0"] = "HTTPS_PROXY",
        });

        var definition = Assert.Single(CommandJobConfiguration.Load(configuration));

        Assert.Equal("nightly-report", definition.Slug);
        Assert.Equal("Nightly report", definition.Name);
        Assert.Equal("Mails yesterday's figures", definition.Description);
        Assert.Equal("0 3 * * *", definition.Schedule);
        Assert.False(definition.Enabled);
        Assert.Equal(120_000, definition.TimeoutMs);
        Assert.Equal(2, definition.MaxRetries);
        Assert.Equal("Europe/Berlin", definition.TimeZone);
        Assert.Equal(MisfirePolicy.RunAll, definition.MisfirePolicy);
        Assert.Equal(3, definition.MisfireRunAllCap);
        Assert.Equal("configuration", definition.Source);
        var options = CommandJobConfiguration.Read(configuration.GetSection("Cron:Jobs:nightly-report"));
        Assert.Equal("s3://reports", options.Environment["REPORT_TARGET"]);
        Assert.Equal(["HTTPS_PROXY"], options.PassEnvironment);
    }

    [Fact]
    public void Load_AppliesDefaults_WhenOnlyScheduleAndCommandAreSet()
    {
        var definition = Assert.Single(CommandJobConfiguration.Load(Build(ValidJob())));

        Assert.Equal("nightly-report", definition.Name);
        Assert.Equal("", definition.Description);
        Assert.True(definition.Enabled);
        Assert.Equal(60_000, definition.TimeoutMs);
        Assert.Equal(0, definition.MaxRetries);
        Assert.Equal("UTC", definition.TimeZone);
        Assert.Equal(MisfirePolicy.RunOnce, definition.MisfirePolicy);
    }

    [Fact]
    public void Load_ReturnsNoJobs_WhenTheSectionIsAbsent()
    {
        Assert.Empty(CommandJobConfiguration.Load(Build([])));
    }

    [Fact]
    public async Task Load_ReadsJobsFromEnvironmentVariables_AndTheirFactoryRunsTheCommand()
    {
        // A prefix of our own, so this test neither sees nor disturbs the real environment's Cron__ variables.
        var prefix = $"TOTALLATOR_TEST_{Guid.NewGuid():N}_";
        var variables = new Dictionary<string, string>
        {
            [prefix + "Cron__Jobs__nightly-report__Schedule"] = "0 3 * * *",
            [prefix + "Cron__Jobs__nightly-report__Command"] = "/bin/sh",
            [prefix + "Cron__Jobs__nightly-report__Arguments__0"] = "-c",
            [prefix + "Cron__Jobs__nightly-report__Arguments__1"] = "echo \"$0 $1\"",
            [prefix + "Cron__Jobs__nightly-report__Arguments__2"] = "from",
            [prefix + "Cron__Jobs__nightly-report__Arguments__3"] = "env",
            [prefix + "Cron__Jobs__nightly-report__TimeoutMs"] = "5000",
            [prefix + "Cron__Jobs__nightly-report__MisfirePolicy"] = "Skip",
        };
        try
        {
            foreach (var (name, value) in variables)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
            var configuration = new ConfigurationBuilder().AddEnvironmentVariables(prefix).Build();

            var definition = Assert.Single(CommandJobConfiguration.Load(configuration));
            var result = await definition.Factory(new ServiceCollection().BuildServiceProvider()).ExecuteAsync(TestJobContext.Create());

            Assert.Equal("nightly-report", definition.Slug);
            Assert.Equal("0 3 * * *", definition.Schedule);
            Assert.Equal(5000, definition.TimeoutMs);
            Assert.Equal(MisfirePolicy.Skip, definition.MisfirePolicy);
            Assert.True(result.Success, result.Message);
            Assert.Equal("from env\n", result.Output);
        }
        finally
        {
            foreach (var name in variables.Keys)
            {
                Environment.SetEnvironmentVariable(name, null);
            }
        }
    }

    [Theory]
    [InlineData("Schedule", "every day")]
    [InlineData("TimeZone", "Mars/Olympus")]
    public void Load_KeepsAJobWhoseScheduleDoesNotParse_SoTheSiloStartsAndShowsItInvalid(string key, string value)
    {
        var values = ValidJob();
        values[$"Cron:Jobs:nightly-report:{key}"] = value;

        var definition = Assert.Single(CommandJobConfiguration.Load(Build(values)));

        Assert.Equal("nightly-report", definition.Slug);
    }

    [Theory]
    [InlineData("Command", null, "Cron:Jobs:nightly-report:Command is required")]
    [InlineData("Schedule", null, "Cron:Jobs:nightly-report:Schedule is required")]
    [InlineData("TimeoutMs", "-1", "Cron:Jobs:nightly-report:TimeoutMs must be a positive number of milliseconds (got -1)")]
    [InlineData("TimeoutMs", "soon", "'Cron:Jobs:nightly-report:TimeoutMs'")]
    [InlineData("MaxRetries", "-2", "Cron:Jobs:nightly-report:MaxRetries must not be negative (got -2)")]
    [InlineData("MisfirePolicy", "sometimes", "Cron:Jobs:nightly-report:MisfirePolicy 'sometimes' is unknown; use run_once, skip or run_all")]
    [InlineData("Enabled", "maybe", "'Cron:Jobs:nightly-report:Enabled'")]
    [InlineData("Comand", "/bin/true", "Cron:Jobs:nightly-report:Comand is not a known setting")]
    [InlineData("Arguments", "--all --quiet", "Cron:Jobs:nightly-report:Arguments must be an array")]
    [InlineData("MaxOutputBytes", "10", "Cron:Jobs:nightly-report:MaxOutputBytes must be between 1024 and 16777216 (got 10)")]
    [InlineData("Environment", "A=b", "Cron:Jobs:nightly-report:Environment must be a section of variables")]
    [InlineData("Environment:BAD-NAME", "x", "Cron:Jobs:nightly-report:Environment:BAD-NAME is not a valid variable name")]
    [InlineData("Environment:TOTALLATOR_JOB", "x", "Cron:Jobs:nightly-report:Environment:TOTALLATOR_JOB is reserved")]
    [InlineData("PassEnvironment", "HTTPS_PROXY", "Cron:Jobs:nightly-report:PassEnvironment must be an array")]
    [InlineData("PassEnvironment:0", "ConnectionStrings__*", "Cron:Jobs:nightly-report:PassEnvironment:0 'ConnectionStrings__*' is not a variable name")]
    public void Load_ThrowsNamingTheKey_WhenAnEntryIsInvalid(string key, string? value, string expectedMessage)
    {
        var values = ValidJob();
        values.Remove($"Cron:Jobs:nightly-report:{key}");
        if (value is not null)
        {
            values[$"Cron:Jobs:nightly-report:{key}"] = value;
        }

        var exception = Assert.Throws<OptionsValidationException>(() => CommandJobConfiguration.Load(Build(values)));

        Assert.Contains(expectedMessage, exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Nightly-Report")]
    [InlineData("nightly_report")]
    [InlineData("-nightly")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234")]
    public void Load_Throws_WhenTheSlugIsInvalid(string slug)
    {
        var exception = Assert.Throws<OptionsValidationException>(() => CommandJobConfiguration.Load(Build(ValidJob(slug))));

        Assert.Contains($"Cron:Jobs:{slug} is not a valid job slug", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Throws_WhenAnArgumentIsNotAnArrayElement()
    {
        var values = ValidJob();
        values["Cron:Jobs:nightly-report:Arguments:first"] = "--all";

        var exception = Assert.Throws<OptionsValidationException>(() => CommandJobConfiguration.Load(Build(values)));

        Assert.Contains("Cron:Jobs:nightly-report:Arguments:first is not an array element", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddCommandJobsFromConfiguration_RegistersEachJobOnce_WhenCalledTwice()
    {
        var values = ValidJob("first");
        foreach (var (key, value) in ValidJob("second"))
        {
            values[key] = value;
        }
        var configuration = Build(values);
        var services = new ServiceCollection();

        services.AddCommandJobsFromConfiguration(configuration).AddCommandJobsFromConfiguration(configuration);

        var definitions = services.BuildServiceProvider().GetServices<CronJobDefinition>().ToList();
        Assert.Equal(["first", "second"], definitions.Select(d => d.Slug).Order(StringComparer.Ordinal));
        Assert.All(definitions, d => Assert.Equal("configuration", d.Source));
    }

    [Fact]
    public void Load_ReadsAfter_AndLetsAJobWithUpstreamsGoWithoutASchedule()
    {
        var definitions = CommandJobConfiguration.Load(Build(new()
        {
            ["Cron:Jobs:report:Command"] = "/bin/echo",
            ["Cron:Jobs:report:After:0"] = "extract",
            ["Cron:Jobs:report:After:1"] = "load:completion",
        }));
        var report = Assert.Single(definitions);
        Assert.Equal("", report.Schedule);
        Assert.Equal([new Upstream("extract"), new Upstream("load", DependencyCondition.Completion)], report.After);

        var neither = Assert.Throws<OptionsValidationException>(() => CommandJobConfiguration.Load(Build(new() { ["Cron:Jobs:x:Command"] = "/bin/echo" })));
        Assert.Contains("Schedule is required (or After", neither.Message, StringComparison.Ordinal);
        var bad = Assert.Throws<OptionsValidationException>(() => CommandJobConfiguration.Load(Build(new()
        {
            ["Cron:Jobs:x:Command"] = "/bin/echo", ["Cron:Jobs:x:After:0"] = "a:whenever",
        })));
        Assert.Contains("Cron:Jobs:x:After: Unknown condition 'whenever'", bad.Message, StringComparison.Ordinal);
    }
}
