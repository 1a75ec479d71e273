using Totallator.Grains.Admin;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Scheduling;
using Totallator.Grains.Storage;

namespace Totallator.Tests.Unit.Admin;

[Trait("Category", "Unit")]
public sealed class JobViewsTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 27, 12, 0, 0, TimeSpan.Zero);

    private static JobRecord Job(string schedule = "0 3 * * *", string zone = "Europe/Berlin", bool enabled = true, params string[] overridden) => new()
    {
        Id = Guid.NewGuid(), Slug = "j", Name = "J", Description = "", Schedule = schedule, TimeZone = zone, IsEnabled = enabled,
        TimeoutMs = 1000, MaxRetries = 0, MisfirePolicy = MisfirePolicy.RunOnce, MisfireRunAllCap = 10, Source = "configuration",
        IsOrphaned = false, OverriddenFields = overridden, Version = 1, CreatedAt = Now, UpdatedAt = Now,
    };

    private static readonly ScheduleVariables NoVariables = new([], _ => null);

    [Fact]
    public void ScheduleSource_IsAdmin_WhenTheScheduleIsOverridden() =>
        Assert.Equal("admin", JobViews.ScheduleSource(Job("${S:-0 3 * * *}", overridden: [JobFields.Schedule])));

    [Fact]
    public void ScheduleSource_IsEnvironment_WhenTheScheduleHasAVariable() =>
        Assert.Equal("environment", JobViews.ScheduleSource(Job("${S:-0 3 * * *}")));

    [Fact]
    public void ScheduleSource_IsWhereTheJobIsDefined_Otherwise() =>
        Assert.Equal("configuration", JobViews.ScheduleSource(Job()));

    [Fact]
    public void Build_GivesFiveFireTimesWithTheZoneOffset_AcrossADstChange()
    {
        var view = JobViews.Build(Job(), null, schedulingPaused: false, Now, NoVariables);

        Assert.Equal(5, view.NextFireTimes.Count);
        Assert.All(view.NextFireTimes, t => Assert.Equal(3, t.Hour));
        // Berlin moves to summer time on 29 March 2026.
        Assert.Equal([TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(2)], view.NextFireTimes.Take(3).Select(t => t.Offset));
        Assert.Equal(0, view.Statistics.SampleSize);
    }

    [Fact]
    public void Build_GivesNoFireTimes_WhenPausedDisabledOrInvalid()
    {
        Assert.Empty(JobViews.Build(Job(), null, schedulingPaused: true, Now, NoVariables).NextFireTimes);
        Assert.Empty(JobViews.Build(Job(enabled: false), null, schedulingPaused: false, Now, NoVariables).NextFireTimes);
        var invalid = JobViews.Build(Job("${MISSING}"), null, schedulingPaused: false, Now, NoVariables);
        Assert.Empty(invalid.NextFireTimes);
        Assert.NotNull(invalid.InvalidReason);
    }

    [Fact]
    public void Build_ShowsTheResolvedSchedule_OnlyWhenEveryValueItReadsIsAllowed()
    {
        var environment = new Dictionary<string, string?> { ["CRON_HOUR"] = "4", ["SECRET_HOUR"] = "5" };
        var variables = new ScheduleVariables(["CRON_*"], environment.GetValueOrDefault);

        var allowed = JobViews.Build(Job("0 ${CRON_HOUR} * * *"), null, schedulingPaused: false, Now, variables);
        var hidden = JobViews.Build(Job("0 ${SECRET_HOUR} * * *"), null, schedulingPaused: false, Now, variables);

        Assert.Equal("0 4 * * *", allowed.ResolvedSchedule);
        // A definition may read any variable and still fires at 05:00, but the value is not shown.
        Assert.Null(hidden.ResolvedSchedule);
        Assert.Null(hidden.InvalidReason);
        Assert.All(hidden.NextFireTimes, t => Assert.Equal(5, t.Hour));
    }

    [Fact]
    public void Build_MarksAnAdminScheduleInvalid_WhenItReadsAVariableNoLongerAllowed()
    {
        var environment = new Dictionary<string, string?> { ["SECRET_HOUR"] = "5" };
        var view = JobViews.Build(Job("0 ${SECRET_HOUR} * * *", overridden: [JobFields.Schedule]), null, schedulingPaused: false, Now,
            new ScheduleVariables(["CRON_*"], environment.GetValueOrDefault));

        Assert.Contains("'SECRET_HOUR'", view.InvalidReason, StringComparison.Ordinal);
        Assert.Empty(view.NextFireTimes);
        Assert.Null(view.ResolvedSchedule);
    }
}
