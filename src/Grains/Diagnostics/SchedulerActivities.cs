using System.Diagnostics;
using System.Globalization;
using Totallator.Grains.Execution;
using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.Diagnostics;

/// <summary>
/// The trace shape: one <c>cron.occurrence</c> activity per occurrence, with one <c>cron.attempt</c> child per attempt (retries
/// are siblings under the occurrence). A manual trigger's occurrence is a child of the grain call that started it (so of the
/// AdminApi request, with Orleans activity propagation on); a scheduled one starts its own trace.
/// </summary>
public static class SchedulerActivities
{
    public const string OccurrenceName = "cron.occurrence";
    public const string AttemptName = "cron.attempt";

    public static Activity? StartOccurrence(string jobSlug, string occurrenceKey, DateTimeOffset scheduledFor, TriggerSource trigger)
    {
        var activity = SchedulerInstruments.ActivitySource.StartActivity(OccurrenceName);
        if (activity is { IsAllDataRequested: true })
        {
            activity.DisplayName = $"{OccurrenceName} {jobSlug}";
            activity.SetTag("totallator.job.slug", jobSlug);
            activity.SetTag("totallator.occurrence.key", occurrenceKey);
            activity.SetTag("totallator.occurrence.scheduled_for", scheduledFor.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            activity.SetTag("totallator.trigger", trigger.ToText());
        }
        return activity;
    }

    /// <summary>Ends the occurrence with its last attempt's outcome and the number of attempts.</summary>
    public static void EndOccurrence(Activity? activity, ExecutionStatus? lastStatus, int attempts)
    {
        if (activity is null)
        {
            return;
        }
        activity.SetTag("totallator.attempts", attempts);
        if (lastStatus is { } status)
        {
            SetOutcome(activity, status);
        }
        else
        {
            // The run loop failed before any attempt ended (see the run's error log line).
            activity.SetStatus(ActivityStatusCode.Error, "no attempt ended");
        }
    }

    public static Activity? StartAttempt(AttemptInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var activity = SchedulerInstruments.ActivitySource.StartActivity(AttemptName);
        if (activity is { IsAllDataRequested: true })
        {
            activity.DisplayName = $"{AttemptName} {info.JobSlug} #{info.RetryCount}";
            activity.SetTag("totallator.job.slug", info.JobSlug);
            activity.SetTag("totallator.execution.id", info.ExecutionId.ToString());
            activity.SetTag("totallator.occurrence.key", info.OccurrenceKey);
            activity.SetTag("totallator.occurrence.scheduled_for", info.ScheduledFor.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            activity.SetTag("totallator.trigger", info.TriggeredBy.ToText());
            activity.SetTag("totallator.retry.count", info.RetryCount);
        }
        return activity;
    }

    /// <summary>
    /// Tags the outcome; anything but success is an error whose description is the status word. The job's error text stays in
    /// its row: it is the job's own words and may quote what it was working on.
    /// </summary>
    public static void SetOutcome(Activity? activity, ExecutionStatus status)
    {
        if (activity is null)
        {
            return;
        }
        var text = status.ToText();
        activity.SetTag("totallator.outcome", text);
        if (status == ExecutionStatus.Succeeded)
        {
            activity.SetStatus(ActivityStatusCode.Ok);
        }
        else
        {
            activity.SetTag("error.type", text);
            activity.SetStatus(ActivityStatusCode.Error, text);
        }
    }
}
