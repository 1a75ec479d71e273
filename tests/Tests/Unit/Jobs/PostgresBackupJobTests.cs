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
    public void BuildEnvironment_CarriesThePasswordAndSslMode()
    {
        var environment = PostgresBackupJob.BuildEnvironment(Connection);

        Assert.Equal("s3cr3t-Pa55", environment["PGPASSWORD"]);
        Assert.Equal("require", environment["PGSSLMODE"]);
    }
}
