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
internal sealed record FileIntegrityEntry(string Sha256, long Size, DateTime LastWriteUtc);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(FileIntegrityManifest))]
internal sealed partial class FileIntegrityManifestJsonContext : JsonSerializerContext;
