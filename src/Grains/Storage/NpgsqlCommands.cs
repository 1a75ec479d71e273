using Npgsql;
using NpgsqlTypes;

namespace Totallator.Grains.Storage;

/// <summary>The two things every PostgreSQL store method does: bind a typed parameter, read every row of a result.</summary>
internal static class NpgsqlCommands
{
    /// <summary>
    /// A typed parameter; null becomes SQL NULL. Instants are written in UTC: Npgsql refuses a <c>timestamptz</c> value with any
    /// other offset, and a job in a zone east or west of UTC handles instants that carry its zone's offset.
    /// </summary>
    public static NpgsqlParameter Param(string name, NpgsqlDbType type, object? value) => new(name, type)
    {
        Value = value switch
        {
            null => DBNull.Value,
            DateTimeOffset instant => instant.ToUniversalTime(),
            DateTimeOffset[] instants => Array.ConvertAll(instants, i => i.ToUniversalTime()),
            DateTimeOffset?[] instants => Array.ConvertAll(instants, i => i?.ToUniversalTime()),
            _ => value,
        },
    };

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
