using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Totallator.Grains.Jobs;
using Totallator.Grains.Jobs.BuiltIn;

namespace Totallator.Tests.Unit.Jobs;

[Trait("Category", "Unit")]
public sealed class BuiltInJobServiceCollectionExtensionsTests
{
    private static List<CronJobDefinition> Register(Dictionary<string, string?> values)
    {
        var services = new ServiceCollection();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        services.AddBuiltInJobs(configuration).AddBuiltInJobs(configuration);
        return services.BuildServiceProvider().GetServices<CronJobDefinition>().ToList();
    }

    [Fact]
    public void AddBuiltInJobs_RegistersNothing_WhenNeitherIsEnabled()
    {
        Assert.Empty(Register(new() { ["Cron:BuiltIn:Backup:Directory"] = "/var/backups" }));
    }

    [Fact]
    public void AddBuiltInJobs_RegistersBothOnce_WithTheirDefaults_WhenEnabled()
    {
        var definitions = Register(new()
        {
            ["ConnectionStrings:Postgres"] = "Host=db;Database=totallator;Username=cron;Password=secret",
            ["Cron:BuiltIn:Backup:Enabled"] = "true",
            ["Cron:BuiltIn:Backup:Directory"] = "/var/backups/totallator",
            ["Cron:BuiltIn:FileIntegrity:Enabled"] = "true",
            ["Cron:BuiltIn:FileIntegrity:Directory"] = "/srv/app",
            ["Cron:BuiltIn:FileIntegrity:Schedule"] = "*/15 * * * *",
        });

        Assert.Equal(2, definitions.Count);
        var backup = Assert.Single(definitions, d => d.Slug == "db-backup");
        Assert.Equal("0 2 * * *", backup.Schedule);
        Assert.Equal(3_600_000, backup.TimeoutMs);
        Assert.Equal("code", backup.Source);
        Assert.DoesNotContain("secret", backup.Description, StringComparison.Ordinal);
        Assert.IsType<PostgresBackupJob>(backup.Factory(new ServiceCollection().BuildServiceProvider()));
        var integrity = Assert.Single(definitions, d => d.Slug == "file-integrity");
        Assert.Equal("*/15 * * * *", integrity.Schedule);
        Assert.Equal("code", integrity.Source);
        Assert.IsType<FileIntegrityJob>(integrity.Factory(new ServiceCollection().BuildServiceProvider()));
    }

    [Theory]
    [InlineData("Backup", "Cron:BuiltIn:Backup:Directory is required when Cron:BuiltIn:Backup:Enabled is true")]
    [InlineData("FileIntegrity", "Cron:BuiltIn:FileIntegrity:Directory is required when Cron:BuiltIn:FileIntegrity:Enabled is true")]
    public void AddBuiltInJobs_Throws_WhenAnEnabledJobHasNoDirectory(string job, string expectedMessage)
    {
        var exception = Assert.Throws<OptionsValidationException>(() => Register(new()
        {
            ["ConnectionStrings:Postgres"] = "Host=db;Database=totallator",
            [$"Cron:BuiltIn:{job}:Enabled"] = "true",
        }));

        Assert.Contains(expectedMessage, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddBuiltInJobs_Throws_WhenTheBackupHasNoConnectionString()
    {
        var exception = Assert.Throws<OptionsValidationException>(() => Register(new()
        {
            ["Cron:BuiltIn:Backup:Enabled"] = "true",
            ["Cron:BuiltIn:Backup:Directory"] = "/var/backups",
            ["Cron:BuiltIn:Backup:Keep"] = "0",
        }));

        Assert.Contains("ConnectionStrings:Postgres (or Cron:BuiltIn:Backup:ConnectionString) is required", exception.Message, StringComparison.Ordinal);
        Assert.Contains("Cron:BuiltIn:Backup:Keep must be at least 1 (got 0)", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddBuiltInJobs_DoesNotQuoteTheConnectionString_WhenItIsInvalid()
    {
        var exception = Assert.Throws<OptionsValidationException>(() => Register(new()
        {
            ["ConnectionStrings:Postgres"] = "Host=db;Passwort=hunter2-secret",
            ["Cron:BuiltIn:Backup:Enabled"] = "true",
            ["Cron:BuiltIn:Backup:Directory"] = "/var/backups",
        }));

        Assert.Contains("is not a valid Npgsql connection string", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", exception.Message, StringComparison.Ordinal);
    }
}
