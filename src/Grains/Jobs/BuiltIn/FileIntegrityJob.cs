using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Totallator.Grains.Jobs.BuiltIn;

/// <summary>
/// Hashes every file under <see cref="FileIntegrityOptions.Directory"/> with SHA-256 and compares the result with the manifest of the
/// previous run, reporting changed, missing and new files.
/// </summary>
/// <remarks>
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
        foreach (var (relativePath, fullPath) in EnumerateFiles(root, manifestPath, partialPath))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await HashAsync(fullPath, cancellationToken).ConfigureAwait(false) is { } entry)
            {
                current.Files[relativePath] = entry;
                bytes += entry.Size;
            }
        }
        await WriteManifestAsync(current, manifestPath, partialPath, cancellationToken).ConfigureAwait(false);

        var hashed = current.Files.Count;
        if (previous is null)
        {
            LogBaselineCreated(context.Logger, root, hashed);
            return Result(true, string.Create(CultureInfo.InvariantCulture,
                $"Baseline created: {hashed} files hashed; changes are reported from the next run on"), null, hashed, bytes, 0, 0, 0);
        }

        var changed = current.Files.Where(f => previous.Files.TryGetValue(f.Key, out var before) && before.Sha256 != f.Value.Sha256)
            .Select(f => f.Key).Order(StringComparer.Ordinal).ToList();
        var missing = previous.Files.Keys.Where(path => !current.Files.ContainsKey(path)).Order(StringComparer.Ordinal).ToList();
        var added = current.Files.Keys.Where(path => !previous.Files.ContainsKey(path)).Order(StringComparer.Ordinal).ToList();
        if (changed.Count + missing.Count + added.Count == 0)
        {
            LogUnchanged(context.Logger, root, hashed);
            return Result(true, string.Create(CultureInfo.InvariantCulture, $"{hashed} files verified, no changes"), null, hashed, bytes, 0, 0, 0);
        }
        LogChanged(context.Logger, root, changed.Count, missing.Count, added.Count);
        return Result(false, string.Create(CultureInfo.InvariantCulture, $"{changed.Count} changed, {missing.Count} missing, {added.Count} new"),
            FormatLists(("changed", changed), ("missing", missing), ("new", added)), hashed, bytes, changed.Count, missing.Count, added.Count);
    }

    private static CronJobResult Result(bool success, string message, string? output, int hashed, long bytes, int changed, int missing, int added) =>
        new()
        {
            Success = success,
            Message = message,
            Output = output,
            ItemsProcessed = hashed,
            Metrics = new Dictionary<string, double>
            {
                ["new"] = added,
                ["changed"] = changed,
                ["missing"] = missing,
                ["bytes"] = bytes,
            },
        };

    /// <summary>Every file under <paramref name="root"/>, hidden ones included, minus the manifest and its partial copy; sorted by relative path.</summary>
    private static List<(string RelativePath, string FullPath)> EnumerateFiles(string root, string manifestPath, string partialPath)
    {
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            // The default skips hidden files, which on Unix is every dot-file: exactly where tampering likes to hide.
            AttributesToSkip = 0,
            // An unreadable subtree fails the run rather than passing unchecked.
            IgnoreInaccessible = false,
        };
        return Directory.EnumerateFiles(root, "*", options)
            .Where(path => !string.Equals(path, manifestPath, StringComparison.Ordinal) && !string.Equals(path, partialPath, StringComparison.Ordinal))
            .Select(path => (Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/'), path))
            .OrderBy(file => file.Item1, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Hashes one file, streamed; null when it vanished since it was listed (it then counts as missing).</summary>
    private static async Task<FileIntegrityEntry?> HashAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            var stream = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                // Others may keep writing or delete it meanwhile; the hash is of what was read.
                Share = FileShare.ReadWrite | FileShare.Delete,
                Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
            });
            await using (stream.ConfigureAwait(false))
            {
                var size = stream.Length;
                var hash = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
                return new FileIntegrityEntry(Convert.ToHexStringLower(hash), size, File.GetLastWriteTimeUtc(path));
            }
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
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
    private static string FormatLists(params (string Heading, List<string> Paths)[] lists)
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
