using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Totallator.Grains.Jobs.BuiltIn;

/// <summary>
/// Hashes every regular file under <see cref="FileIntegrityOptions.Directory"/> with SHA-256 and compares the result with the manifest
/// of the previous run, reporting changed, missing and new files.
/// </summary>
/// <remarks>
/// <para>
/// Links are never followed, inside the tree or out of it; each is recorded by its target, and those leaving the tree are listed.
/// FIFOs, sockets and devices are listed and never opened: opening a FIFO would block the run for good (see <see cref="FileIntegrityScan"/>).
/// Neither fails the run on its own.
/// </para>
/// <para>
/// Any difference fails the run (message <c>3 changed, 1 missing, 2 new</c>, the paths in the output), so it shows on the admin page
/// as a failed check and alerts that watch failures fire. The first run only records a baseline and succeeds.
/// </para>
/// <para>
/// Every completed run replaces the manifest, so each difference is reported once and the next run compares with what this one saw;
/// accepting a change needs no action. A cancelled or failed run leaves the manifest as it was. A manifest that cannot be read fails
/// the run without being replaced: delete it to start a new baseline.
/// </para>
/// <para>Only content counts: a file whose write time changed but whose hash did not is not reported.</para>
/// </remarks>
public sealed partial class FileIntegrityJob : ICronJob
{
    /// <summary>The job's slug when registered by <see cref="BuiltInJobServiceCollectionExtensions.AddBuiltInJobs"/>.</summary>
    public const string Slug = "file-integrity";

    /// <summary>Most characters of path lists kept in the output; beyond it each list ends with a count of the rest.</summary>
    internal const int MaxOutputChars = 64 * 1024;

    private readonly FileIntegrityOptions _options;
    private readonly TimeProvider _timeProvider;

    /// <param name="options">Validated options (see <see cref="FileIntegrityOptionsValidator"/>).</param>
    /// <param name="timeProvider">Source of the manifest's timestamp. Default: the system clock.</param>
    public FileIntegrityJob(FileIntegrityOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Directory, nameof(options));
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    public async Task<CronJobResult> ExecuteAsync(CronJobContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var cancellationToken = context.CancellationToken;
        var root = Path.GetFullPath(_options.Directory!);
        if (!Directory.Exists(root))
        {
            // Not "everything missing": a directory that vanished (an unmounted volume) must not replace the baseline.
            return CronJobResult.Failure($"Directory {root} does not exist; the manifest was left as it was");
        }
        var manifestPath = _options.ResolveManifestPath();
        var partialPath = manifestPath + ".tmp";

        FileIntegrityManifest? previous;
        try
        {
            previous = await ReadManifestAsync(manifestPath, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            return CronJobResult.Failure($"Manifest {manifestPath} cannot be read ({ex.Message}); delete it to create a new baseline");
        }

        var current = new FileIntegrityManifest { GeneratedUtc = _timeProvider.GetUtcNow() };
        long bytes = 0;
        var hashed = 0;
        var scan = FileIntegrityScan.Of(root, [manifestPath, partialPath], cancellationToken);
        var special = scan.Special.ToList();
        foreach (var (relativePath, fullPath) in scan.Files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (entry, kind) = await HashAsync(fullPath, cancellationToken).ConfigureAwait(false);
            if (entry is not null)
            {
                current.Files[relativePath] = entry;
                bytes += entry.Size;
                hashed++;
            }
            else if (kind is not (null or FileKind.Link))
            {
                special.Add((relativePath, kind.Value));
            }
        }
        foreach (var link in scan.Links)
        {
            current.Files[link.RelativePath] = new FileIntegrityEntry(
                Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(link.Target))), 0, LastWriteOf(link.FullPath), link.Target);
        }
        await WriteManifestAsync(current, manifestPath, partialPath, cancellationToken).ConfigureAwait(false);

        var notes = new Notes(special, [.. scan.Links.Where(l => l.Outside).Select(l => $"{l.RelativePath} -> {l.Target}")]);
        if (notes.Count > 0)
        {
            LogNotHashed(context.Logger, root, notes.Special.Count, notes.LinksOutside.Count);
        }
        if (previous is null)
        {
            LogBaselineCreated(context.Logger, root, hashed);
            return Result(true, string.Create(CultureInfo.InvariantCulture,
                $"Baseline created: {hashed} files hashed; changes are reported from the next run on"), [], hashed, bytes, 0, 0, 0, notes);
        }

        var changed = current.Files.Where(f => previous.Files.TryGetValue(f.Key, out var before) && before.Sha256 != f.Value.Sha256)
            .Select(f => f.Key).Order(StringComparer.Ordinal).ToList();
        var missing = previous.Files.Keys.Where(path => !current.Files.ContainsKey(path)).Order(StringComparer.Ordinal).ToList();
        var added = current.Files.Keys.Where(path => !previous.Files.ContainsKey(path)).Order(StringComparer.Ordinal).ToList();
        if (changed.Count + missing.Count + added.Count == 0)
        {
            LogUnchanged(context.Logger, root, hashed);
            return Result(true, string.Create(CultureInfo.InvariantCulture, $"{hashed} files verified, no changes"), [], hashed, bytes, 0, 0, 0, notes);
        }
        LogChanged(context.Logger, root, changed.Count, missing.Count, added.Count);
        return Result(false, string.Create(CultureInfo.InvariantCulture, $"{changed.Count} changed, {missing.Count} missing, {added.Count} new"),
            [("changed", changed), ("missing", missing), ("new", added)], hashed, bytes, changed.Count, missing.Count, added.Count, notes);
    }

    /// <summary>What was seen but not hashed: special files (path and kind) and links whose target lies outside the root.</summary>
    private sealed record Notes(List<(string RelativePath, FileKind Kind)> Special, List<string> LinksOutside)
    {
        public int Count => Special.Count + LinksOutside.Count;
    }

    private static CronJobResult Result(bool success, string message, List<(string Heading, List<string> Paths)> lists, int hashed, long bytes,
        int changed, int missing, int added, Notes notes)
    {
        if (notes.Special.Count > 0)
        {
            message += string.Create(CultureInfo.InvariantCulture,
                $"; {notes.Special.Count} special file{(notes.Special.Count == 1 ? "" : "s")} not opened");
            lists.Add(("special files, not opened",
                [.. notes.Special.OrderBy(s => s.RelativePath, StringComparer.Ordinal).Select(s => $"{s.RelativePath} ({KindText(s.Kind)})")]));
        }
        if (notes.LinksOutside.Count > 0)
        {
            message += string.Create(CultureInfo.InvariantCulture,
                $"{(notes.Special.Count > 0 ? "," : ";")} {notes.LinksOutside.Count} link{(notes.LinksOutside.Count == 1 ? "" : "s")} leaving the directory not followed");
            lists.Add(("links leaving the directory, not followed", notes.LinksOutside));
        }
        var output = FormatLists([.. lists]);
        return new()
        {
            Success = success,
            Message = message,
            Output = output.Length == 0 ? null : output,
            ItemsProcessed = hashed,
            Metrics = new Dictionary<string, double>
            {
                ["new"] = added,
                ["changed"] = changed,
                ["missing"] = missing,
                ["bytes"] = bytes,
                ["specialFiles"] = notes.Special.Count,
                ["linksOutside"] = notes.LinksOutside.Count,
            },
        };
    }

    private static string KindText(FileKind kind) => kind switch
    {
        FileKind.Fifo => "fifo",
        FileKind.Socket => "socket",
        FileKind.CharacterDevice => "character device",
        FileKind.BlockDevice => "block device",
        _ => "unknown type",
    };

    private static DateTime LastWriteOf(string path)
    {
        // Of the link itself: FileSystemInfo reads it without following (File.GetLastWriteTimeUtc would follow).
        var info = new FileInfo(path);
        return info.Exists || info.LinkTarget is not null ? info.LastWriteTimeUtc : default;
    }

    /// <summary>
    /// Hashes one regular file, streamed; (null, null) when it vanished since it was listed (it then counts as missing), and
    /// (null, kind) when it is no longer a regular file (see <see cref="UnixFiles.OpenRegular"/>).
    /// </summary>
    private static async Task<(FileIntegrityEntry? Entry, FileKind? Kind)> HashAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            var stream = UnixFiles.OpenRegular(path, out var kind);
            if (stream is null)
            {
                return (null, kind);
            }
            await using (stream.ConfigureAwait(false))
            {
                var size = stream.Length;
                var hash = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
                return (new FileIntegrityEntry(Convert.ToHexStringLower(hash), size, File.GetLastWriteTimeUtc(path)), null);
            }
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return (null, null);
        }
    }

    private static async Task<FileIntegrityManifest?> ReadManifestAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        var stream = File.OpenRead(path);
        await using (stream.ConfigureAwait(false))
        {
            var manifest = await JsonSerializer.DeserializeAsync(stream, FileIntegrityManifestJsonContext.Default.FileIntegrityManifest, cancellationToken)
                .ConfigureAwait(false);
            return manifest ?? throw new JsonException("the manifest is empty");
        }
    }

    /// <summary>Writes a partial file and renames it over the manifest, so a crash never leaves half a manifest behind.</summary>
    private static async Task WriteManifestAsync(FileIntegrityManifest manifest, string path, string partialPath, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var stream = new FileStream(partialPath, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            await JsonSerializer.SerializeAsync(stream, manifest, FileIntegrityManifestJsonContext.Default.FileIntegrityManifest, cancellationToken)
                .ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }
        File.Move(partialPath, path, overwrite: true);
    }

    /// <summary>The path lists, one heading each; long lists end with a count of the paths left out.</summary>
    private static string FormatLists((string Heading, List<string> Paths)[] lists)
    {
        var text = new StringBuilder();
        foreach (var (heading, paths) in lists)
        {
            if (paths.Count == 0)
            {
                continue;
            }
            text.Append(CultureInfo.InvariantCulture, $"{heading} ({paths.Count}):\n");
            for (var i = 0; i < paths.Count; i++)
            {
                if (text.Length + paths[i].Length > MaxOutputChars)
                {
                    text.Append(CultureInfo.InvariantCulture, $"  ... and {paths.Count - i} more\n");
                    break;
                }
                text.Append("  ").Append(paths[i]).Append('\n');
            }
        }
        return text.ToString();
    }
}
