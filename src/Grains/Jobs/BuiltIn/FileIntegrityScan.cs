namespace Totallator.Grains.Jobs.BuiltIn;

/// <summary>
/// What is under the watched root, sorted by relative path (with <c>/</c>): regular files to hash, links, and special files.
/// </summary>
/// <remarks>
/// Links (symbolic links, junctions) are never followed, wherever they point: one pointing inside the tree would hash its target a
/// second time, one pointing out of it would read files the job was not asked to watch, and one pointing at a FIFO would block.
/// Each link is recorded by its target instead, so a re-pointed link is a change; those whose target lies outside the root are
/// also listed in the output. FIFOs, sockets and devices are listed and never opened.
/// </remarks>
internal sealed record FileIntegrityScan(
    IReadOnlyList<(string RelativePath, string FullPath)> Files,
    IReadOnlyList<(string RelativePath, string FullPath, string Target, bool Outside)> Links,
    IReadOnlyList<(string RelativePath, FileKind Kind)> Special)
{
    /// <summary>Walks <paramref name="root"/> (hidden entries included), leaving out the paths in <paramref name="excluded"/>.</summary>
    public static FileIntegrityScan Of(string root, IReadOnlyCollection<string> excluded, CancellationToken cancellationToken)
    {
        var files = new List<(string, string)>();
        var links = new List<(string, string, string, bool)>();
        var special = new List<(string, FileKind)>();
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = false,
            // The default skips hidden files, which on Unix is every dot-file: exactly where tampering likes to hide.
            AttributesToSkip = 0,
            // An unreadable subtree fails the run rather than passing unchecked.
            IgnoreInaccessible = false,
        };
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.TryPop(out var directory))
        {
            foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos("*", options))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var fullPath = entry.FullName;
                if (excluded.Contains(fullPath, StringComparer.Ordinal))
                {
                    continue;
                }
                var relativePath = Path.GetRelativePath(root, fullPath).Replace(Path.DirectorySeparatorChar, '/');
                // ReparsePoint comes from the enumeration's own lstat, so LinkTarget (a readlink) is only asked of links.
                if (entry.Attributes.HasFlag(FileAttributes.ReparsePoint) && entry.LinkTarget is { } target)
                {
                    links.Add((relativePath, fullPath, target, IsOutside(root, Path.GetFullPath(target, directory))));
                }
                else if (entry is DirectoryInfo)
                {
                    pending.Push(fullPath);
                }
                else
                {
                    switch (KindOf(fullPath))
                    {
                        case FileKind.Regular:
                            files.Add((relativePath, fullPath));
                            break;
                        case null or FileKind.Directory or FileKind.Link:
                            // Gone or replaced since it was listed: the next run sees what it became.
                            break;
                        case FileKind kind:
                            special.Add((relativePath, kind));
                            break;
                    }
                }
            }
        }
        return new FileIntegrityScan(
            [.. files.OrderBy(f => f.Item1, StringComparer.Ordinal)],
            [.. links.OrderBy(l => l.Item1, StringComparer.Ordinal)],
            [.. special.OrderBy(s => s.Item1, StringComparer.Ordinal)]);
    }

    private static FileKind? KindOf(string path)
    {
        try
        {
            return UnixFiles.KindOf(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Whether <paramref name="path"/> (already absolute and normalised) lies outside <paramref name="root"/>.</summary>
    /// <remarks>Lexical: the target is not followed, so links inside its path are not resolved; that only changes what is listed.</remarks>
    private static bool IsOutside(string root, string path)
    {
        var prefix = Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar;
        return !string.Equals(path, Path.TrimEndingDirectorySeparator(root), StringComparison.Ordinal)
            && !path.StartsWith(prefix, StringComparison.Ordinal);
    }
}
