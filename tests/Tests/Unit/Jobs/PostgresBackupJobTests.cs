using Npgsql;
using Totallator.Grains.Jobs.BuiltIn;

namespace Totallator.Tests.Unit.Jobs;

/// <summary>What reaches pg_dump; the end-to-end backup runs against a real server in Storage/Jobs.</summary>
[Trait("Category", "Unit")]
public sealed class PostgresBackupJobTests
{
    private static readonly NpgsqlConnectionStringBuilder Connection =
        new("Host=db.internal;Port=6543;Username=cron;Password=s3cr3t-Pa55;Database=totallator;SSL Mode=Require");

    [Fact]
    public void BuildArguments_PassesWhereToConnectButNeverThePassword()
    {
        var arguments = PostgresBackupJob.BuildArguments(Connection, "/backups/.partial");

        Assert.Equal(["-Fc", "-w", "-f", "/backups/.partial", "-h", "db.internal", "-p", "6543", "-U", "cron", "-d", "totallator"], arguments);
        Assert.DoesNotContain(arguments, a => a.Contains("s3cr3t", StringComparison.Ordinal));
    }

    [Fact]
    public void BuildEnvironment_CarriesThePasswordSslModeLibpqSettingsAndBase_ButNothingElseOfTheSilo()
    {
        var silo = new Dictionary<string, string>
        {
            ["PATH"] = "/usr/bin:/bin", ["HOME"] = "/home/cron", ["LANG"] = "C.UTF-8", ["PGSSLROOTCERT"] = "/etc/ssl/pg-root.crt",
            ["ConnectionStrings__Postgres"] = "Host=db;Password=silo-secret", ["Admin__ApiKey"] = "admin-key-secret",
            ["PGADMIN_DEFAULT_PASSWORD"] = "not-libpq", ["AWS_SECRET_ACCESS_KEY"] = "aws-secret",
        };

        var environment = PostgresBackupJob.BuildEnvironment(Connection, silo);

        Assert.Equal(new Dictionary<string, string>
        {
            ["PATH"] = "/usr/bin:/bin", ["HOME"] = "/home/cron", ["LANG"] = "C.UTF-8", ["PGSSLROOTCERT"] = "/etc/ssl/pg-root.crt",
            ["PGPASSWORD"] = "s3cr3t-Pa55", ["PGSSLMODE"] = "require",
        }, environment);
    }

    [Fact]
    public void BuildEnvironment_PrefersTheConnectionStringOverTheSilosLibpqSettings()
    {
        var silo = new Dictionary<string, string> { ["PGPASSWORD"] = "stale", ["PGSSLMODE"] = "disable" };

        var environment = PostgresBackupJob.BuildEnvironment(Connection, silo);

        Assert.Equal("s3cr3t-Pa55", environment["PGPASSWORD"]);
        Assert.Equal("require", environment["PGSSLMODE"]);
    }
}
