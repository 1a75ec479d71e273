using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Totallator.Grains.Jobs.BuiltIn;

namespace Totallator.Tests.Unit.Jobs;

/// <summary>Real files in a temp directory, hashed for real.</summary>
[Trait("Category", "Unit")]
public sealed class FileIntegrityJobTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _root;

    public FileIntegrityJobTests()
    {
        _root = _temp.Combine("watched");
        Directory.CreateDirectory(Path.Combine(_root, "sub"));
        File.WriteAllText(Path.Combine(_root, "a.txt"), "alpha");
        File.WriteAllText(Path.Combine(_root, "sub", "b.txt"), "bravo");
        File.WriteAllText(Path.Combine(_root, ".hidden"), "hotel");
    }

    public void Dispose() => _temp.Dispose();

    private FileIntegrityJob Job(string? manifestPath = null) =>
        new(new FileIntegrityOptions { Enabled = true, Directory = _root, ManifestPath = manifestPath },
            new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero)));

    private string DefaultManifest => Path.Combine(_root, ".totallator-manifest.json");

    [Fact]
    public async Task ExecuteAsync_CreatesABaselineAndSucceeds_OnTheFirstRun()
    {
        var result = await Job().ExecuteAsync(TestJobContext.Create());

        Assert.True(result.Success, result.Message);
        Assert.Equal("Baseline created: 3 files hashed; changes are reported from the next run on", result.Message);
        Assert.Equal(3, result.ItemsProcessed);
        Assert.True(File.Exists(DefaultManifest), "the manifest should be written next to the files by default");
        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(DefaultManifest));
        var files = manifest.RootElement.GetProperty("files");
        Assert.Equal([".hidden", "a.txt", "sub/b.txt"], files.EnumerateObject().Select(p => p.Name));
        // SHA-256 of "alpha".
        Assert.Equal("8ed3f6ad685b959ead7022518e1af76cd816f8e8ec7ccdda1ed4018e8f2223f8", files.GetProperty("a.txt").GetProperty("sha256").GetString());
        Assert.Equal(5, files.GetProperty("a.txt").GetProperty("size").GetInt64());
    }

    [Fact]
    public async Task ExecuteAsync_Succeeds_WhenNothingChanged_EvenIfAWriteTimeDid()
    {
        await Job().ExecuteAsync(TestJobContext.Create());
        File.SetLastWriteTimeUtc(Path.Combine(_root, "a.txt"), new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        var result = await Job().ExecuteAsync(TestJobContext.Create());

        Assert.True(result.Success, result.Message);
        Assert.Equal("3 files verified, no changes", result.Message);
        Assert.Null(result.Output);
        Assert.Equal(0, result.Metrics["changed"]);
    }

    [Fact]
    public async Task ExecuteAsync_FailsListingExactlyTheChangedMissingAndNewFiles()
    {
        await Job().ExecuteAsync(TestJobContext.Create());
        File.WriteAllText(Path.Combine(_root, "a.txt"), "alpha, tampered");
        File.Delete(Path.Combine(_root, "sub", "b.txt"));
        File.WriteAllText(Path.Combine(_root, "sub", "c.txt"), "charlie");

        var result = await Job().ExecuteAsync(TestJobContext.Create());

        Assert.False(result.Success);
        Assert.Equal("1 changed, 1 missing, 1 new", result.Message);
        Assert.Equal("changed (1):\n  a.txt\nmissing (1):\n  sub/b.txt\nnew (1):\n  sub/c.txt\n", result.Output);
        Assert.Equal(3, result.ItemsProcessed);
        Assert.Equal(1, result.Metrics["changed"]);
        Assert.Equal(1, result.Metrics["missing"]);
        Assert.Equal(1, result.Metrics["new"]);

        // Each change is reported once: the run above replaced the manifest.
        var next = await Job().ExecuteAsync(TestJobContext.Create());
        Assert.True(next.Success, next.Message);
    }

    [Fact]
    public async Task ExecuteAsync_NeverHashesItsOwnManifest_WhenTheDirectoryIsGivenWithATrailingSlash()
    {
        var job = new FileIntegrityJob(new FileIntegrityOptions { Enabled = true, Directory = _root + "/" });
        await job.ExecuteAsync(TestJobContext.Create());

        var result = await job.ExecuteAsync(TestJobContext.Create());

        Assert.True(result.Success, result.Message + "\n" + result.Output);
        Assert.Equal(3, result.ItemsProcessed);
    }

    [Fact]
    public async Task ExecuteAsync_KeepsTheManifestOutsideTheTree_WhenManifestPathIsSet()
    {
        var manifest = _temp.Combine("elsewhere", "manifest.json");

        var result = await Job(manifest).ExecuteAsync(TestJobContext.Create());

        Assert.True(result.Success, result.Message);
        Assert.True(File.Exists(manifest));
        Assert.False(File.Exists(DefaultManifest));
    }

    [Fact]
    public async Task ExecuteAsync_FailsAndKeepsTheManifest_WhenTheManifestIsCorrupt()
    {
        await File.WriteAllTextAsync(DefaultManifest, "{ not json");

        var result = await Job().ExecuteAsync(TestJobContext.Create());

        Assert.False(result.Success);
        Assert.Contains("cannot be read", result.Message, StringComparison.Ordinal);
        Assert.Contains("delete it to create a new baseline", result.Message, StringComparison.Ordinal);
        Assert.Equal("{ not json", await File.ReadAllTextAsync(DefaultManifest));
    }

    [Fact]
    public async Task ExecuteAsync_FailsWithoutTouchingTheManifest_WhenTheDirectoryIsGone()
    {
        var manifest = _temp.Combine("manifest.json");
        await Job(manifest).ExecuteAsync(TestJobContext.Create());
        var before = await File.ReadAllTextAsync(manifest);
        Directory.Delete(_root, recursive: true);

        var result = await Job(manifest).ExecuteAsync(TestJobContext.Create());

        Assert.False(result.Success);
        Assert.Contains("does not exist", result.Message, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllTextAsync(manifest));
    }

    [Fact]
    public async Task ExecuteAsync_ThrowsAndWritesNoManifest_WhenCancelled()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Job().ExecuteAsync(TestJobContext.Create(cancellationToken: cts.Token)));

        Assert.False(File.Exists(DefaultManifest));
    }

    [Fact]
    public async Task ExecuteAsync_ReportsSpecialFilesAndLinksLeavingTheTree_WithoutOpeningOrFollowingThem()
    {
        var outside = _temp.Combine("outside");
        Directory.CreateDirectory(outside);
        await File.WriteAllTextAsync(Path.Combine(outside, "secret.txt"), "outside the watched tree");
        var fifo = Path.Combine(_root, "sub", "pipe");
        await MkFifoAsync(fifo);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(Path.Combine(_root, "listener.sock")));
        File.CreateSymbolicLink(Path.Combine(_root, "escape"), Path.Combine(outside, "secret.txt"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "outdir"), outside);

        // Off the test's thread: a job that opens the FIFO blocks in open(2) before its first await.
        var run = Task.Run(() => Job().ExecuteAsync(TestJobContext.Create()));
        try
        {
            var result = await run.WaitAsync(TimeSpan.FromSeconds(10));

            Assert.True(result.Success, result.Message + "\n" + result.Output);
            Assert.Equal(3, result.ItemsProcessed);
            Assert.Equal(2, result.Metrics["specialFiles"]);
            Assert.Equal(2, result.Metrics["linksOutside"]);
            Assert.Contains("2 special files not opened, 2 links leaving the directory not followed", result.Message, StringComparison.Ordinal);
            Assert.Equal(
                "special files, not opened (2):\n  listener.sock (socket)\n  sub/pipe (fifo)\n" +
                $"links leaving the directory, not followed (2):\n  escape -> {outside}/secret.txt\n  outdir -> {outside}\n",
                result.Output);
            var manifest = await File.ReadAllTextAsync(DefaultManifest);
            Assert.DoesNotContain(Sha256Of("outside the watched tree"), manifest, StringComparison.Ordinal);
            Assert.DoesNotContain("secret.txt\":", manifest, StringComparison.Ordinal);
        }
        finally
        {
            if (!run.IsCompleted)
            {
                // The job is stuck opening the FIFO for reading: a writer lets it go, so no thread is left behind by this test.
                await using var writer = new FileStream(fifo, FileMode.Open, FileAccess.Write);
            }
        }
    }

    [Fact]
    public async Task ExecuteAsync_RecordsALinkInsideTheTreeByItsTarget_SoRepointingItIsAChange()
    {
        var link = Path.Combine(_root, "current");
        File.CreateSymbolicLink(link, "a.txt");
        var baseline = await Job().ExecuteAsync(TestJobContext.Create());
        Assert.True(baseline.Success, baseline.Message);
        Assert.Null(baseline.Output);
        Assert.Equal(0, baseline.Metrics["linksOutside"]);

        File.Delete(link);
        File.CreateSymbolicLink(link, "sub/b.txt");
        var result = await Job().ExecuteAsync(TestJobContext.Create());

        Assert.False(result.Success);
        Assert.Equal("1 changed, 0 missing, 0 new", result.Message);
        Assert.Equal("changed (1):\n  current\n", result.Output);
        // The files themselves are hashed once each, under their own paths, never again through the link.
        Assert.Equal(3, result.ItemsProcessed);
    }

    private static string Sha256Of(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static async Task MkFifoAsync(string path)
    {
        using var mkfifo = Process.Start(new ProcessStartInfo("/usr/bin/mkfifo", [path]))!;
        await mkfifo.WaitForExitAsync();
        Assert.Equal(0, mkfifo.ExitCode);
    }
}
