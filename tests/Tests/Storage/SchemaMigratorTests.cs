using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Totallator.Grains.Storage;
using Totallator.Tests.Infrastructure;

namespace Totallator.Tests.Storage;

[Trait("Category", "Postgres")]
public sealed class SchemaMigratorTests
{
    [Fact]
    public async Task MigrateAsync_AppliesEachScriptOnce_WhenSeveralSilosStartAtOnce()
    {
        var cs = await PostgresServer.CreateDatabaseAsync("migrate");
        try
        {
            var migrator = new SchemaMigrator(NullLogger<SchemaMigrator>.Instance);
            var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => migrator.MigrateAsync(cs, CancellationToken.None))));

            var applied = results.SelectMany(r => r).ToList();
            Assert.Equal(applied.Distinct().Count(), applied.Count);
            Assert.Contains(applied, s => s.Contains("0001_orleans", StringComparison.Ordinal));
            Assert.Contains(applied, s => s.Contains("0002_cron_tables", StringComparison.Ordinal));
            Assert.Empty(await migrator.MigrateAsync(cs, CancellationToken.None));

            await using var conn = new NpgsqlConnection(cs);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand(
                "SELECT count(*) FROM information_schema.tables WHERE table_name IN ('cronjob','cronjobexecution','cronjobconfig','orleansquery','totallator_schema_versions')", conn);
            Assert.Equal(5L, await cmd.ExecuteScalarAsync());
            await using var keys = new NpgsqlCommand("SELECT count(*) FROM orleansquery", conn);
            Assert.True((long)(await keys.ExecuteScalarAsync())! >= 16, "every Orleans query key must be installed");
        }
        finally
        {
            await PostgresServer.DropDatabaseAsync(cs);
        }
    }
}
