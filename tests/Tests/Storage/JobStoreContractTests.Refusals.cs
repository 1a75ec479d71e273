using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Storage;

namespace Totallator.Tests.Storage;

/// <summary>
/// Data the database cannot hold (a NUL, half a surrogate pair, a metric JSON has no number for) that reached the store anyway:
/// the row it belongs to still ends, and it never takes the other rows of its statement with it.
/// </summary>
public abstract partial class JobStoreContractTests
{
    /// <summary>One completion the database refuses, by what is wrong with it.</summary>
    private static ExecutionCompletion Poisoned(ExecutionClaim claim, string poison) => poison switch
    {
        "nul-output" => Ended(claim, "find -print0: a\0b\0"),
        "half-surrogate-error" => Ended(claim, "out") with { Status = ExecutionStatus.Failed, ErrorMessage = "cut at \uD83D" },
        "nul-stack" => Ended(claim, "out") with { Status = ExecutionStatus.Failed, ErrorMessage = "boom", StackTrace = "at \0X" },
        "nan-metric" => Ended(claim, "out") with { Metrics = new Dictionary<string, double> { ["ratio"] = double.NaN } },
        "infinite-metric" => Ended(claim, "out") with { Metrics = new Dictionary<string, double> { ["rate"] = double.PositiveInfinity } },
        "nul-metric-name" => Ended(claim, "out") with { Metrics = new Dictionary<string, double> { ["a\0b"] = 1 } },
        "nul-reason" => Ended(claim, "out") with { StatusReason = "note \0" },
        _ => throw new ArgumentOutOfRangeException(nameof(poison), poison, null),
    };

    private static ExecutionCompletion Ended(ExecutionClaim claim, string output) => new()
    {
        ExecutionId = claim.ExecutionId, Status = ExecutionStatus.Succeeded, CompletedAt = T0.AddMinutes(2), DurationMs = 5, Output = output,
        Metrics = new Dictionary<string, double> { ["rows"] = 2 },
    };

    private async Task<List<ExecutionClaim>> ClaimAllAsync(JobRecord job, int count)
    {
        var claims = Enumerable.Range(0, count).Select(i => Claim(job, $"s:{i}")).ToList();
        foreach (var claim in claims)
        {
            Assert.True(await Store.TryClaimAsync(claim, CancellationToken.None));
        }
        return claims;
    }

    private async Task AssertEndedAsGivenAsync(ExecutionClaim claim)
    {
        var row = (await Store.GetExecutionAsync(claim.ExecutionId, CancellationToken.None))!;
        Assert.Equal(ExecutionStatus.Succeeded, row.Status);
        Assert.Equal($"healthy {claim.OccurrenceKey}", row.Output);
        Assert.Equal(2, row.Metrics!["rows"]);
        Assert.Null(row.StatusReason);
    }

    /// <summary>The refused row ends with the status it reported, its free-form fields dropped, and a reason that says why.</summary>
    private async Task AssertEndedRefusedAsync(ExecutionCompletion refused)
    {
        var row = (await Store.GetExecutionAsync(refused.ExecutionId, CancellationToken.None))!;
        Assert.Equal(refused.Status, row.Status);
        Assert.Equal(refused.CompletedAt, row.CompletedAt);
        Assert.Equal(refused.DurationMs, row.DurationMs);
        Assert.Null(row.Output);
        Assert.Null(row.ErrorMessage);
        Assert.Null(row.StackTrace);
        Assert.Null(row.Metrics);
        Assert.StartsWith("data-refused: ", row.StatusReason, StringComparison.Ordinal);
        Assert.Contains("dropped", row.StatusReason, StringComparison.Ordinal);
        Assert.False(await Store.CompleteAsync(refused with { Output = "again" }, CancellationToken.None), "a row ends once");
    }

    [Theory]
    [InlineData("nul-output")]
    [InlineData("half-surrogate-error")]
    [InlineData("nul-stack")]
    [InlineData("nan-metric")]
    [InlineData("infinite-metric")]
    [InlineData("nul-metric-name")]
    [InlineData("nul-reason")]
    public async Task CompleteMany_ARowTheDatabaseCannotHold_EndsWithItsReason_AndTheOthersEndAsGiven(string poison)
    {
        var job = await SeedAsync(Slug());
        var claims = await ClaimAllAsync(job, 3);
        var bad = Poisoned(claims[1], poison);

        var ended = await Store.CompleteManyAsync(
            [Ended(claims[0], $"healthy {claims[0].OccurrenceKey}"), bad, Ended(claims[2], $"healthy {claims[2].OccurrenceKey}")], CancellationToken.None);

        Assert.Equal(claims.Select(c => c.ExecutionId).Order(), ended.Order());
        await AssertEndedAsGivenAsync(claims[0]);
        await AssertEndedAsGivenAsync(claims[2]);
        await AssertEndedRefusedAsync(bad);
    }

    [Fact]
    public async Task Complete_OneRefusedCompletionAmongManyAtOnce_EveryRowEnds()
    {
        var job = await SeedAsync(Slug());
        var claims = await ClaimAllAsync(job, 40);
        var bad = Poisoned(claims[17], "nul-output");

        // At once, so a batching store puts the refused one in a statement with healthy ones.
        var ended = await Task.WhenAll(claims.Select(c => Task.Run(() => Store.CompleteAsync(
            c == claims[17] ? bad : Ended(c, $"healthy {c.OccurrenceKey}"), CancellationToken.None))));

        Assert.All(ended, Assert.True);
        foreach (var claim in claims.Where(c => c != claims[17]))
        {
            await AssertEndedAsGivenAsync(claim);
        }
        await AssertEndedRefusedAsync(bad);
    }

    [Fact]
    public async Task TryClaim_WithTextTheDatabaseCannotHold_IsRefusedAlone_TheClaimsBesideItStand()
    {
        var job = await SeedAsync(Slug());
        var claims = Enumerable.Range(0, 40).Select(i => Claim(job, $"s:{i}")).ToList();
        var bad = Claim(job, "m:bad", advances: false) with { TriggeredBy = TriggerSource.Manual, TriggeredByUserId = "mallory\0" };

        var results = claims.Select(c => Task.Run(() => Store.TryClaimAsync(c, CancellationToken.None))).ToList();
        var refused = Task.Run(() => Store.TryClaimAsync(bad, CancellationToken.None));

        Assert.All(await Task.WhenAll(results), Assert.True);
        await Assert.ThrowsAnyAsync<Exception>(() => refused);
        Assert.Null(await Store.GetExecutionAsync(bad.ExecutionId, CancellationToken.None));
        Assert.Equal(40, (await Store.GetExecutionsAsync(job.Id, 100, CancellationToken.None)).Count);
    }
}
