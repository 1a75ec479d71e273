using Npgsql;

namespace Totallator.Tests.Infrastructure;

/// <summary>
/// Rows of Orleans' membership table for storage tests: a silo as the store sees it (0007's <c>totallator_silo_declared_dead</c>
/// reads the status), named as a lease owner is (<c>SiloAddress.ToString()</c>).
/// </summary>
public static class MembershipRows
{
    public const int Active = 3;
    public const int Dead = 6;

    /// <summary>Adds a silo with <paramref name="status"/>; returns its lease owner name.</summary>
    public static async Task<string> AddSiloAsync(NpgsqlDataSource dataSource, int status)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var generation = Random.Shared.Next(1, int.MaxValue);
        await using var cmd = dataSource.CreateCommand("""
            INSERT INTO orleansmembershipversiontable (deploymentid) VALUES ('fence-test') ON CONFLICT DO NOTHING;
            INSERT INTO orleansmembershiptable (deploymentid, address, port, generation, siloname, hostname, status, starttime, iamalivetime)
            VALUES ('fence-test', '127.0.0.9', 11111, @generation, 's', 'h', @status, now(), now());
            """);
        cmd.Parameters.AddWithValue("generation", generation);
        cmd.Parameters.AddWithValue("status", status);
        await cmd.ExecuteNonQueryAsync();
        return $"S127.0.0.9:11111:{generation}";
    }

    /// <summary>The membership declares the silo added by <see cref="AddSiloAsync"/> dead.</summary>
    public static async Task DeclareDeadAsync(NpgsqlDataSource dataSource, string owner)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(owner);
        await using var cmd = dataSource.CreateCommand(
            "UPDATE orleansmembershiptable SET status = @dead WHERE address = '127.0.0.9' AND port = 11111 AND generation = @generation");
        cmd.Parameters.AddWithValue("dead", Dead);
        cmd.Parameters.AddWithValue("generation", int.Parse(owner[(owner.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        await cmd.ExecuteNonQueryAsync();
    }
}
