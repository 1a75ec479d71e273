using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Jobs.BuiltIn;
using Totallator.Grains.Storage;
using Totallator.Tests.Infrastructure;
using Totallator.Tests.Unit.Jobs;

namespace Totallator.Tests.Storage.Jobs;

/// <summary>The built-in history cleanup on PostgreSQL: both retentions from <c>cronJobConfig</c>, and a bad stored value deletes nothing.</summary>
[Trait("Category", "Postgres")]
public sealed class HistoryCleanupJobTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>, IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 4, 17, 0, TimeSpan.Zero);
    private readonly NpgsqlDataSource _db = NpgsqlDataSource.Create(database.ConnectionString);

    private HistoryCleanupJob Job() => new(new PostgresJobStore(_db), new PostgresAdminStore(_db), new FakeTimeProvider(Now));

    private async Task SetAsync(string key, string value)
    {
        await using var cmd = _db.CreateCommand("INSERT INTO cronJobConfig (key, value, updatedBy) VALUES (@k, @v, 'test') ON CONFLICT (key) DO UPDATE SET value = @v");
        cmd.Parameters.AddWithValue("k", key);
        cmd.Parameters.AddWithValue("v", value);
        await cmd.ExecuteNonQueryAsync();
    }

    private async Task<Guid> AuditAtAsync(DateTimeOffset at)
    {
        var id = Guid.CreateVersion7();
        await new PostgresAdminStore(_db).AppendAuditAsync(new AuditEntry { Id = id, At = at, Actor = "t", Action = "job.update" }, CancellationToken.None);
        return id;
    }

    private async Task<bool> AuditExistsAsync(Guid id)
    {
        await using var cmd = _db.CreateCommand("SELECT count(*) FROM cronAudit WHERE id = @id");
        cmd.Parameters.AddWithValue("id", id);
        return (long)(await cmd.ExecuteScalarAsync())! == 1;
    }

    [Fact]
    public async Task DeletesAuditRowsOlderThanTheAuditRetention_KeepsYoungerOnes()
    {
        await SetAsync("auditRetentionDays", "100");
        var old = await AuditAtAsync(Now.AddDays(-101));
        var young = await AuditAtAsync(Now.AddDays(-99));

        var result = await Job().ExecuteAsync(TestJobContext.Create());

        Assert.True(result.Success, result.Message);
        Assert.False(await AuditExistsAsync(old));
        Assert.True(await AuditExistsAsync(young));
        Assert.Equal(100, result.Metrics["auditRetentionDays"]);
        Assert.True(result.Metrics["auditDeleted"] >= 1);
        Assert.Contains("retention 100 days", result.Message, StringComparison.Ordinal);
        var page = await new PostgresAdminStore(_db).GetAuditPageAsync(new AuditQuery { Action = "executions.cleanup", Limit = 1 }, CancellationToken.None);
        Assert.Equal(100, (int)JsonNode.Parse(page.Items[0].NewValuesJson!)!["auditRetentionDays"]!);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("soon")]
    public async Task FailsAndDeletesNothing_WhenTheStoredAuditRetentionIsNotADayCount(string stored)
    {
        await SetAsync("auditRetentionDays", stored);
        try
        {
            var old = await AuditAtAsync(Now.AddDays(-5000));

            var result = await Job().ExecuteAsync(TestJobContext.Create());

            Assert.False(result.Success);
            Assert.Contains($"auditRetentionDays = '{stored}'", result.Message, StringComparison.Ordinal);
            Assert.True(await AuditExistsAsync(old));
        }
        finally
        {
            await SetAsync("auditRetentionDays", "365");
        }
    }

    public void Dispose() => _db.Dispose();
}
