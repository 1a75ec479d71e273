using Npgsql;
using NpgsqlTypes;

namespace Totallator.Grains.Storage;

/// <summary>The two things every PostgreSQL store method does: bind a typed parameter, read every row of a result.</summary>
internal static class NpgsqlCommands
{
    /// <summary>A typed parameter; null becomes SQL NULL.</summary>
    public static NpgsqlParameter Param(string name, NpgsqlDbType type, object? value) => new(name, type) { Value = value ?? DBNull.Value };

    /// <summary>Runs the command and maps each row.</summary>
    public static async Task<List<T>> ReadAllAsync<T>(this NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(read);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadRowsAsync(read, cancellationToken);
    }

    /// <summary>Maps each remaining row of the reader's current result (one of several a batch returns).</summary>
    public static async Task<List<T>> ReadRowsAsync<T>(this NpgsqlDataReader reader, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(read);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }
        return rows;
    }
}
