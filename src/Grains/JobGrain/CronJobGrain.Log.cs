using Microsoft.Extensions.Logging;
using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.JobGrain;

public sealed partial class CronJobGrain
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Job {JobSlug} cannot be scheduled: {Reason}")]
    private static partial void LogInvalid(ILogger logger, string jobSlug, string reason);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Job {JobSlug}: scheduling tick failed; retrying in {Delay}")]
    private static partial void LogTickFailed(ILogger logger, Exception exception, string jobSlug, TimeSpan delay);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Job {JobSlug}: recorded {Count} occurrence(s) as skipped or missed")]
    private static partial void LogRecordedUnrun(ILogger logger, string jobSlug, int count);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Job {JobSlug}: occurrence {OccurrenceKey} was already claimed elsewhere; not running it here")]
    private static partial void LogClaimLost(ILogger logger, string jobSlug, string occurrenceKey);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Debug, Message = "Job {JobSlug}: execution {ExecutionId} of {OccurrenceKey} started ({TriggeredBy})")]
    private static partial void LogRunStarted(ILogger logger, string jobSlug, Guid executionId, string occurrenceKey, TriggerSource triggeredBy);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Error, Message = "Job {JobSlug}: run loop of execution {ExecutionId} failed")]
    private static partial void LogRunLoopFailed(ILogger logger, Exception exception, string jobSlug, Guid executionId);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "Job {JobSlug}: execution {ExecutionId} was no longer running when it ended {Status} (its lease expired and it was marked abandoned)")]
    private static partial void LogCompletionRefused(ILogger logger, string jobSlug, Guid executionId, ExecutionStatus status);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Warning, Message = "Job {JobSlug}: recording the end of execution {ExecutionId} failed; retrying")]
    private static partial void LogStoreRetry(ILogger logger, Exception exception, string jobSlug, Guid executionId);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Information, Message = "Job {JobSlug}: configuration changed by {ChangedBy} (version {Version})")]
    private static partial void LogConfigChanged(ILogger logger, string jobSlug, string changedBy, int version);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Information, Message = "Job {JobSlug}: cancel of execution {ExecutionId} requested by {UserId}")]
    private static partial void LogCancelRequested(ILogger logger, string jobSlug, Guid executionId, string userId);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Warning, Message = "Job {JobSlug}: deactivating with {Count} run(s) in progress ({Reason}); waiting for them")]
    private static partial void LogDeactivatingWithRuns(ILogger logger, string jobSlug, int count, string reason);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Information, Message = "Job {JobSlug}: released the claim of {OccurrenceKey} taken ahead of its instant ({Reason})")]
    private static partial void LogClaimReleased(ILogger logger, string jobSlug, string occurrenceKey, string reason);

    [LoggerMessage(EventId = 2014, Level = LogLevel.Warning, Message = "Job {JobSlug}: could not record which silo hosts it; if this silo dies, its heartbeat reminder brings it back")]
    private static partial void LogHostNotRecorded(ILogger logger, Exception exception, string jobSlug);

    [LoggerMessage(EventId = 2015, Level = LogLevel.Information, Message = "Job {JobSlug}: deactivated by the runtime ({ReasonCode}: {Reason}) while scheduled; activating it again")]
    private static partial void LogComingBack(ILogger logger, string jobSlug, DeactivationReasonCode reasonCode, string reason);

    [LoggerMessage(EventId = 2016, Level = LogLevel.Warning, Message = "Job {JobSlug}: could not activate it again after a deactivation; its heartbeat reminder will")]
    private static partial void LogComeBackFailed(ILogger logger, Exception exception, string jobSlug);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Warning, Message = "Job {JobSlug}: releasing the claim of {OccurrenceKey} failed; it will be marked abandoned when its lease expires")]
    private static partial void LogClaimReleaseFailed(ILogger logger, Exception exception, string jobSlug, string occurrenceKey);

    [LoggerMessage(EventId = 2017, Level = LogLevel.Information, Message = "Job {JobSlug} took over {Count} occurrence(s) claimed ahead by an activation that went")]
    private static partial void LogTookOver(ILogger logger, string jobSlug, int count);

    [LoggerMessage(EventId = 2018, Level = LogLevel.Information, Message = "Job {JobSlug}: its upstream jobs signalled it; dependency run {Outcome}")]
    private static partial void LogDependencyRun(ILogger logger, string jobSlug, Dependencies.DependencyCheck outcome);

    [LoggerMessage(EventId = 2019, Level = LogLevel.Warning, Message = "Job {JobSlug}: checking its upstream signals failed; the dependency sweep wakes it again")]
    private static partial void LogDependencyCheckFailed(ILogger logger, Exception exception, string jobSlug);

    [LoggerMessage(EventId = 2020, Level = LogLevel.Information, Message = "Job {JobSlug}: created from job type {JobType} by {CreatedBy}")]
    private static partial void LogCreated(ILogger logger, string jobSlug, string jobType, string createdBy);

    [LoggerMessage(EventId = 2021, Level = LogLevel.Information, Message = "Job {JobSlug}: deleted by {DeletedBy}; its history is kept")]
    private static partial void LogDeleted(ILogger logger, string jobSlug, string deletedBy);
}
