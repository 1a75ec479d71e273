using Totallator.Grains.Hosting;
using Totallator.Grains.Scheduling;

namespace Totallator.Tests.Unit.Scheduling;

/// <summary>
/// Which <c>${VAR}</c> a schedule may read, by who wrote it, and that no message or resolved text ever carries the value of a
/// variable that is not allowed. The environment is a dictionary holding a canary, never the real one.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ScheduleVariablesTests
{
    private const string Canary = "canary-5f1c2e-secret";
    private static readonly DateTimeOffset Now = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);

    private static readonly Dictionary<string, string?> Environment = new(StringComparer.Ordinal)
    {
        ["ConnectionStrings__Postgres"] = $"Host=db;Password={Canary}",
        ["SECRET_FIELDS"] = $"{Canary} * * * *",
        ["OUT_OF_RANGE"] = "61",
        ["NEVER"] = "0 0 30 2 *",
        ["HIDDEN_SCHEDULE"] = "*/7 * * * * *",
        ["CRON_MINUTE"] = "15",
        ["EXACT_ALLOWED"] = "3",
    };

    private static readonly ScheduleVariables Variables = new(["CRON_*", "EXACT_ALLOWED"], Environment.GetValueOrDefault);

    private static (bool Ok, CronSchedule? Schedule, string? Error) Parse(string expression, ScheduleOrigin origin)
    {
        var ok = CronSchedule.TryParse(expression, "UTC", Now, Variables, origin, out var schedule, out var error);
        return (ok, schedule, error);
    }

    [Theory]
    [InlineData("${ConnectionStrings__Postgres}", "ConnectionStrings__Postgres")]
    [InlineData("0 ${SECRET_FIELDS:-3} * * *", "SECRET_FIELDS")]
    [InlineData("${UNSET_SECRET:-* * * * *}", "UNSET_SECRET")] // refused by name even where only the default would be used
    [InlineData("${CRON_MINUTE} ${HIDDEN_SCHEDULE} * * *", "HIDDEN_SCHEDULE")]
    [InlineData("${CRON_MINUTE} * * * *${EXACT_ALLOWED_NOT}", "EXACT_ALLOWED_NOT")] // a listed name is not a prefix
    public void ApiSchedule_IsRefusedNamingTheVariable_WhenItIsNotAllowed(string expression, string variable)
    {
        var (ok, schedule, error) = Parse(expression, ScheduleOrigin.Api);

        Assert.False(ok);
        Assert.Null(schedule);
        Assert.Contains($"'{variable}'", error, StringComparison.Ordinal);
        Assert.Contains("Cron:Scheduler:ScheduleVariables", error, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, error, StringComparison.Ordinal);
    }

    [Fact]
    public void ApiSchedule_ReadsAndShows_AllowedVariables()
    {
        var (ok, schedule, error) = Parse("${CRON_MINUTE} ${EXACT_ALLOWED} * * *", ScheduleOrigin.Api);

        Assert.True(ok, error);
        Assert.Equal("15 3 * * *", schedule!.ResolvedExpression);
    }

    [Fact]
    public void DefinitionSchedule_ReadsAnyVariable_ButDoesNotShowItsValue()
    {
        var (ok, schedule, error) = Parse("${HIDDEN_SCHEDULE}", ScheduleOrigin.Definition);

        Assert.True(ok, error);
        Assert.Null(schedule!.ResolvedExpression);
        Assert.Equal("'${HIDDEN_SCHEDULE}'", schedule.Describe());
        Assert.Equal([Now.AddSeconds(7), Now.AddSeconds(14)], schedule.NextN(Now, 2));
    }

    [Fact]
    public void DefinitionSchedule_ShowsTheResolvedText_WhenOnlyTheDefaultOfAHiddenVariableWasUsed()
    {
        var (ok, schedule, error) = Parse("${UNSET_SECRET:-*/5} * * * * *", ScheduleOrigin.Definition);

        Assert.True(ok, error);
        Assert.Equal("*/5 * * * * *", schedule!.ResolvedExpression);
    }

    [Theory]
    [InlineData("${ConnectionStrings__Postgres}")] // wrong number of fields
    [InlineData("${SECRET_FIELDS}")] // five fields, the first one not a number
    [InlineData("${OUT_OF_RANGE} * * * *")] // Cronos would quote the field
    [InlineData("${NEVER}")] // never fires
    public void DefinitionSchedule_ErrorNamesTheVariable_NeverItsValue(string expression)
    {
        var (ok, _, error) = Parse(expression, ScheduleOrigin.Definition);

        Assert.False(ok);
        Assert.NotNull(error);
        Assert.DoesNotContain(Canary, error, StringComparison.Ordinal);
        var variable = expression[2..expression.IndexOf('}', StringComparison.Ordinal)];
        Assert.Contains($"${{{variable}}} read from the environment, not shown", error, StringComparison.Ordinal);
        Assert.DoesNotContain(Environment[variable]!, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Error_QuotesTheResolvedText_WhenEveryValueMayBeShown()
    {
        var (ok, _, error) = Parse("${CRON_MINUTE} * * *", ScheduleOrigin.Api);

        Assert.False(ok);
        Assert.Contains("'15 * * *' has 4 fields", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CRON_X", true)]
    [InlineData("CRON_", true)]
    [InlineData("cron_x", false)] // names are case-sensitive, as on Linux
    [InlineData("EXACT_ALLOWED", true)]
    [InlineData("EXACT_ALLOWED2", false)]
    [InlineData("Admin__ApiKey", false)]
    public void IsAllowed_MatchesNamesExactly_AndPrefixesByTheirStart(string name, bool allowed) =>
        Assert.Equal(allowed, Variables.IsAllowed(name));

    [Fact]
    public void References_NamesEveryVariable_InOrder() =>
        Assert.Equal(["A", "B_1", "A"], EnvironmentSubstitution.References("${A} ${B_1:-x} * ${A:-}"));

    [Fact]
    public void Split_TrimsAndDropsEmptyEntries() =>
        Assert.Equal(["CRON_*", "DEPLOY_ENV"], ScheduleVariables.Split(" CRON_* ,, DEPLOY_ENV ,"));

    [Theory]
    [InlineData("*", "may not allow every variable")]
    [InlineData("CRON_*, *", "may not allow every variable")]
    [InlineData("BAD-NAME", "'BAD-NAME' is not a variable name")]
    [InlineData("CRON_*X", "'CRON_*X' is not a variable name")]
    public void OptionsValidator_RefusesAnEntry_NamingIt(string list, string message)
    {
        var result = new SchedulerOptionsValidator().Validate(null, new SchedulerOptions { ScheduleVariables = list });

        Assert.True(result.Failed);
        Assert.Contains("Cron:Scheduler:ScheduleVariables", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains(message, result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("CRON_*")]
    [InlineData("CRON_*, DEPLOY_ENV, _X1")]
    public void OptionsValidator_AcceptsNamesPrefixesAndNone(string list) =>
        Assert.True(new SchedulerOptionsValidator().Validate(null, new SchedulerOptions { ScheduleVariables = list }).Succeeded);
}
