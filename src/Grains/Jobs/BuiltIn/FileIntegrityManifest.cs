using System.Text.Json;
using System.Text.Json.Serialization;

namespace Totallator.Grains.Jobs.BuiltIn;

/// <summary>What <see cref="FileIntegrityJob"/> saw on its last run: relative path (with <c>/</c>) → hash, size and write time.</summary>
internal sealed record FileIntegrityManifest
{
    public int Version { get; init; } = 1;
    public DateTimeOffset GeneratedUtc { get; init; }
    public Dictionary<string, FileIntegrityEntry> Files { get; init; } = new(StringComparer.Ordinal);
}

/// <summary>One file in a <see cref="FileIntegrityManifest"/>. Only the hash decides "changed"; size and time are for the reader.</summary>
/// <param name="Sha256">SHA-256 of the content, lower-case hex.</param>
/// <param name="Size">Bytes hashed.</param>
/// <param name="LastWriteUtc">Write time, for the reader only.</param>
/// <param name="LinkTarget">
/// Set for a link, which is never followed: the entry stands for the link itself, and <paramref name="Sha256"/> is the hash of
/// this target text, so a re-pointed link (or a file replaced by a link) is a change.
/// </param>
internal sealed record FileIntegrityEntry(string Sha256, long Size, DateTime LastWriteUtc, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? LinkTarget = null);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(FileIntegrityManifest))]
internal sealed partial class FileIntegrityManifestJsonContext : JsonSerializerContext;
