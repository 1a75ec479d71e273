using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;
using Totallator.Grains.Jobs.Command;
using Totallator.Tests.Cluster.Infrastructure;

namespace Totallator.Tests.Cluster;

/// <summary>
/// Run data PostgreSQL cannot hold as produced (a NUL in a command's output, half a surrogate pair where the output bound cut,
/// a NaN metric), run at the same moment as healthy jobs so their completions share statements. Every row must end with its
/// real outcome: before, the poisoned completion failed its whole batch on every retry and ended abandoned.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class RunDataTests(ClusterFixture fixture)
{
    private readonly PostgresCluster _c = fixture.Cluster;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>What the attempt runner keeps of a job's output (AttemptRunner.MaxTextLength).</summary>
    private const int OutputBound = 64 * 1024;

    private static CommandJob Shell(string script)
    {
        var options = new CommandJobOptions { Command = "/bin/sh" };
        options.Arguments.Add("-c");
        options.Arguments.Add(script);
        return new CommandJob(options);
    }

    [Fact]
    public async Task NulInvalidUtf8HalfSurrogatesAndNaN_BesideHealthyJobs_EveryRowSucceedsReadably_NoneAbandoned()
    {
        TestJobs.Set("t-bytes-nul", ctx => Shell(@"printf 'found/a\000found/b\000'; printf 'bad utf8: \377\376 end\n'").ExecuteAsync(ctx));
        TestJobs.Set("t-bytes-nan", _ => Task.FromResult(CronJobResult.Succeeded("computed", 3,
            new Dictionary<string, double> { ["ratio"] = double.NaN, ["rate"] = double.PositiveInfinity, ["rows"] = 3 })));
        // An emoji across the bound: cutting there leaves half a surrogate pair.
        TestJobs.Set("t-bytes-cut", _ => Task.FromResult(new CronJobResult { Success = true, Output = new string('x', OutputBound - 1) + "😀 after" }));
        var healthy = TestJobs.BytesSlugs.Where(s => s.StartsWith("t-bytes-ok-", StringComparison.Ordinal)).ToList();
        foreach (var slug in healthy)
        {
            TestJobs.Set(slug, _ => Task.FromResult(CronJobResult.Succeeded($"healthy {slug}", 1, new Dictionary<string, double> { ["rows"] = 1 })));
        }

        // Twice, all at once, so completions of poisoned and healthy runs meet in the same statements.
        var rows = new Dictionary<string, IReadOnlyList<Grains.Storage.ExecutionRecord>>();
        for (var round = 1; round <= 2; round++)
        {
            var triggered = await Task.WhenAll(TestJobs.BytesSlugs.Select(slug => _c.Job(slug).TriggerAsync(new TriggerRequest { UserId = "tester" })));
            Assert.All(triggered, t => Assert.True(t.Started, t.RefusalReason));
            foreach (var slug in TestJobs.BytesSlugs)
            {
                rows[slug] = await _c.WaitForRowsAsync(slug, r => r.Count == round && r.All(x => !x.Status.IsActive()), Wait, $"round {round} ended");
            }
        }
        foreach (var (slug, ended) in rows)
        {
            Assert.All(ended, r => Assert.True(r.Status == ExecutionStatus.Succeeded, $"{slug}: {r.Status.ToText()} {r.StatusReason} {r.ErrorMessage}"));
            Assert.All(ended, r => Assert.Null(r.StatusReason));
        }
        foreach (var slug in healthy)
        {
            Assert.All(rows[slug], r => Assert.Equal($"healthy {slug}", r.Output));
        }

        Assert.All(rows["t-bytes-nul"], r =>
        {
            Assert.Contains("found/a\u2400found/b\u2400", r.Output, StringComparison.Ordinal);
            Assert.Contains("bad utf8: \uFFFD\uFFFD end", r.Output, StringComparison.Ordinal);
            Assert.Contains("2 NUL characters shown as \u2400", r.Output, StringComparison.Ordinal);
            Assert.Equal(0, r.ExitCode);
        });
        Assert.All(rows["t-bytes-nan"], r =>
        {
            Assert.Equal(new Dictionary<string, double> { ["rows"] = 3 }, r.Metrics);
            Assert.Contains("metric 'ratio' = NaN", r.Output, StringComparison.Ordinal);
            Assert.Contains("metric 'rate' = Infinity", r.Output, StringComparison.Ordinal);
            Assert.Equal(3, r.ItemsProcessed);
        });
        Assert.All(rows["t-bytes-cut"], r =>
        {
            Assert.StartsWith(new string('x', OutputBound - 1) + "\n… [truncated]", r.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("\uFFFD", r.Output, StringComparison.Ordinal);
        });
    }
}
