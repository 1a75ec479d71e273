using Totallator.Grains.Dependencies;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;

namespace Totallator.Tests.Unit.Dependencies;

[Trait("Category", "Unit")]
public sealed class DependencyGraphTests
{
    private static readonly Dictionary<string, IReadOnlyList<string>> Chain = new(StringComparer.Ordinal)
    {
        ["b"] = ["a"],
        ["c"] = ["b"],
    };

    private static bool Exists(string slug) => slug is "a" or "b" or "c" or "d";

    [Fact]
    public void Check_RefusesACycle_NamingItInTheOrderJobsWouldRun()
    {
        var refusal = DependencyGraph.Check("a", [new Upstream("c")], Chain, Exists);
        Assert.Equal("Running 'a' after 'c' would make a cycle: a → b → c → a.", refusal);
    }

    [Theory]
    [InlineData("a", "'a' cannot run after itself.")]
    [InlineData("zz", "There is no job 'zz' to run after.")]
    public void Check_RefusesSelfAndUnknown(string upstream, string message) =>
        Assert.Equal(message, DependencyGraph.Check("a", [new Upstream(upstream)], Chain, Exists));

    [Fact]
    public void Check_AcceptsADiamond_AndReplacesTheJobsOwnEdges()
    {
        // d after b and c (both after a): no cycle. c's current edge (after b) is replaced by the new one.
        Assert.Null(DependencyGraph.Check("d", [new Upstream("b"), new Upstream("c")], Chain, Exists));
        Assert.Null(DependencyGraph.Check("c", [new Upstream("a")], Chain, Exists));
        Assert.Null(DependencyGraph.Check("b", [], Chain, Exists));
    }

    [Fact]
    public void Check_RefusesTheSameUpstreamTwice_AndTooMany()
    {
        Assert.Contains("named twice", DependencyGraph.Check("d", [new Upstream("a"), new Upstream("a", DependencyCondition.Failure)], Chain, Exists),
            StringComparison.Ordinal);
        var many = Enumerable.Range(0, DependencyGraph.MaxUpstreams + 1).Select(i => new Upstream($"u{i}")).ToList();
        Assert.Contains("at most", DependencyGraph.Check("d", many, Chain, _ => true), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("extract", "extract", DependencyCondition.Success)]
    [InlineData("load:completion", "load", DependencyCondition.Completion)]
    [InlineData(" load : on-failure ", "load", DependencyCondition.Failure)]
    [InlineData("x:Success", "x", DependencyCondition.Success)]
    public void Upstream_Parses(string text, string slug, DependencyCondition condition)
    {
        Assert.True(Upstream.TryParse(text, out var upstream, out _));
        Assert.Equal(new Upstream(slug, condition), upstream);
    }

    [Theory]
    [InlineData("", "names no job")]
    [InlineData(":success", "names no job")]
    [InlineData("x:sometimes", "Unknown condition 'sometimes'")]
    public void Upstream_RefusesWithAMessage(string text, string message)
    {
        Assert.False(Upstream.TryParse(text, out _, out var error));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Catalog_RefusesACycleAmongDefinitions_AndAJobThatNeverRuns()
    {
        static CronJobDefinition Job(string slug, string schedule, params string[] after) => new()
        {
            Slug = slug, Name = slug, Schedule = schedule, After = UpstreamList.Parse(slug, after), Factory = _ => throw new NotSupportedException(),
        };
        var cycle = Assert.Throws<InvalidOperationException>(() => new JobCatalog([Job("a", "* * * * *", "c"), Job("b", "", "a"), Job("c", "", "b")]));
        Assert.Contains("a → b → c → a", cycle.Message, StringComparison.Ordinal);
        var never = Assert.Throws<InvalidOperationException>(() => new JobCatalog([Job("lonely", "")]));
        Assert.Contains("neither a schedule nor upstream jobs", never.Message, StringComparison.Ordinal);
        var bad = Assert.Throws<InvalidOperationException>(() => UpstreamList.Parse("b", ["a:often"]));
        Assert.Contains("Job 'b': After: Unknown condition 'often'", bad.Message, StringComparison.Ordinal);
        Assert.Equal(3, new JobCatalog([Job("a", "* * * * *"), Job("b", "", "a"), Job("c", "", "a:failure", "b:completion")]).All.Count);
    }
}
