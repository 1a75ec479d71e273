using Totallator.Grains.Execution;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Storage;

namespace Totallator.Tests.Unit.Execution;

[Trait("Category", "Unit")]
public sealed class OutcomeSanitizerTests
{
    private static AttemptOutcome Outcome() => new() { Status = ExecutionStatus.Succeeded, CompletedAt = DateTimeOffset.UnixEpoch, DurationMs = 1 };

    [Fact]
    public void Clean_DropsFiguresJsonCannotHold_AndNamesThemInTheOutput()
    {
        var cleaned = OutcomeSanitizer.Clean(Outcome() with
        {
            Output = "done\n",
            Metrics = new Dictionary<string, double> { ["ratio"] = double.NaN, ["rate"] = double.NegativeInfinity, ["rows"] = 3 },
            MemoryUsageMb = double.PositiveInfinity, CpuUsagePercent = 12.5,
        });

        Assert.Equal(new Dictionary<string, double> { ["rows"] = 3 }, cleaned.Metrics);
        Assert.Null(cleaned.MemoryUsageMb);
        Assert.Equal(12.5, cleaned.CpuUsagePercent);
        Assert.Equal("done\n[not recorded, JSON has no number for: metric 'ratio' = NaN, metric 'rate' = -Infinity, memoryUsageMb = Infinity]", cleaned.Output);
        Assert.Null(StorableData.MetricsProblem(cleaned.Metrics));
    }

    [Fact]
    public void Clean_MakesEveryTextFieldStorable()
    {
        var cleaned = OutcomeSanitizer.Clean(Outcome() with
        {
            Status = ExecutionStatus.Failed, Output = "a\0b", ErrorMessage = "bad \uD800", StackTrace = "at \0", StatusReason = "x\0",
            Metrics = new Dictionary<string, double> { ["n\0"] = 1 },
        });

        Assert.All(new[] { cleaned.Output, cleaned.ErrorMessage, cleaned.StackTrace, cleaned.StatusReason }, t => Assert.True(TextSanitizer.IsStorable(t), t));
        Assert.StartsWith("a\u2400b\n[1 NUL character shown as", cleaned.Output, StringComparison.Ordinal);
        Assert.Equal(1, cleaned.Metrics!["n\u2400"]);
    }

    [Fact]
    public void Clean_LeavesAStorableOutcomeAsItIs()
    {
        var outcome = Outcome() with { Output = "fine 😀", Metrics = new Dictionary<string, double> { ["rows"] = 2 }, MemoryUsageMb = 1.5 };
        Assert.Equal(outcome, OutcomeSanitizer.Clean(outcome));
    }
}
