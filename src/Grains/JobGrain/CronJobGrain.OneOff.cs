using System.Text.Json.Nodes;
using Totallator.Grains.Admin;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.OneOff;
using Totallator.Grains.Scheduling;
using Totallator.Grains.Storage;

namespace Totallator.Grains.JobGrain;

/// <summary>
/// One-off runs: pending ones are read with the job, a timer of their own fires at the soonest, and each is taken by one execution
/// (<see cref="IOneOffStore.TakeOneOffAsync"/>) under the occurrence key <c>o:&lt;id&gt;</c>, or recorded not run (<see cref="OneOffPlan"/>).
/// </summary>
public sealed partial class CronJobGrain
{
    /// <summary>How far ahead a one-off run may be scheduled.</summary>
    private static readonly TimeSpan OneOffHorizon = TimeSpan.FromDays(366);

    private const int MaxPendingOneOffs = 100;

    private List<OneOffRun> _oneOffs = [];
    // Takes whose answer was lost (they may have committed): asked again with the same execution id.
    private readonly Dictionary<Guid, ExecutionClaim> _oneOffClaims = [];
    private IGrainTimer? _oneOffTimer;

    public Task<OneOffRun> ScheduleRunAsync(OneOffRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var job = _job ?? throw NotFound();
        var now = clock.GetUtcNow();
        if (string.IsNullOrWhiteSpace(request.UserId))
        {
            throw Invalid("userId", "Who schedules the run is required.");
        }
        if (!CronSchedule.TryFindTimeZone(request.TimeZone ?? "", out var zone))
        {
            throw Invalid("timeZone", $"Unknown time zone '{request.TimeZone}'. Use an IANA id such as 'UTC' or 'Europe/Berlin'.");
        }
        if (request.RunAt <= now || request.RunAt > now + OneOffHorizon)
        {
            throw Invalid("at", $"at must be in the future and at most {OneOffHorizon.TotalDays:0} days ahead; got {request.RunAt:O} (now {now:O}).");
        }
        if (request.Note is { } note && (note.Length > 500 || !TextSanitizer.IsStorable(note)))
        {
            throw Invalid("note", "note may have at most 500 characters, and no NUL or broken characters.");
        }
        if (CannotRunReason(job) is { } cannotRun)
        {
            throw Invalid("slug", cannotRun);
        }
        if (_oneOffs.Count >= MaxPendingOneOffs)
        {
            throw Invalid("at", $"Job '{_slug}' already has {MaxPendingOneOffs} one-off runs pending; cancel some first.");
        }
        var run = new OneOffRun
        {
            Id = Guid.CreateVersion7(), JobSlug = _slug, RunAt = TimeZoneInfo.ConvertTime(request.RunAt, zone!), TimeZone = request.TimeZone!,
            Note = string.IsNullOrWhiteSpace(request.Note) ? null : request.Note.Trim(), CreatedAt = now, CreatedBy = request.UserId,
        };
        var audit = new AuditEntry
        {
            Id = Guid.CreateVersion7(), At = now, Actor = request.UserId, Action = "job.schedule-run", JobSlug = _slug, Target = run.Id.ToString(),
            RequestId = request.RequestId,
            NewValuesJson = AuditJson.Of([
                KeyValuePair.Create("runAt", (JsonNode?)JsonValue.Create(run.RunAt)),
                KeyValuePair.Create("timeZone", (JsonNode?)JsonValue.Create(run.TimeZone)),
                KeyValuePair.Create("note", (JsonNode?)JsonValue.Create(run.Note)),
            ]),
        };
        return StoreGuard.RunAsync(logger, "scheduling a one-off run", async () =>
        {
            await oneOffs.AddOneOffAsync(job.Id, run, audit, CancellationToken.None);
            _oneOffs.Add(run);
            await EnsureHeartbeatAsync(true);
            ArmOneOffs(null);
            return run;
        });
    }

    /// <summary>Arms the one-off timer for the soonest pending run, or <paramref name="retryAt"/> if sooner; disposes it when none is left.</summary>
    private void ArmOneOffs(DateTimeOffset? retryAt)
    {
        if (_oneOffs.Count == 0)
        {
            _oneOffTimer?.Dispose();
            _oneOffTimer = null;
            return;
        }
        var at = _oneOffs.Min(o => o.RunAt);
        if (retryAt is { } retry && retry < at)
        {
            at = retry;
        }
        ArmTimer(ref _oneOffTimer, OnOneOffTimerAsync, at);
    }

    private async Task OnOneOffTimerAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        DateTimeOffset? retryAt = null;
        foreach (var run in _oneOffs.Where(o => o.RunAt <= now).OrderBy(o => o.RunAt).ToList())
        {
            if (_job is null || registry.IsStopping)
            {
                // The next activation (or the job's next host) takes it.
                return;
            }
            var decision = OneOffPlan.Decide(run, now, NotRunReason(), RunInProgress() is not null, _job.MisfirePolicy, _options.MisfireThreshold);
            if (decision.Action == OneOffAction.Wait)
            {
                // The run in progress wakes this timer at its end.
                continue;
            }
            var claim = _oneOffClaims.GetValueOrDefault(run.Id) ?? NewOneOffClaim(run, decision.Reason);
            try
            {
                var took = await oneOffs.TakeOneOffAsync(run.Id, claim, decision.EndsAs, CancellationToken.None);
                _oneOffClaims.Remove(run.Id);
                _oneOffs.Remove(run);
                if (took && decision.EndsAs is null)
                {
                    await ((ITriggerShell)this).StartRunAsync(claim with { StartedAt = clock.GetUtcNow() });
                }
            }
            catch (Exception ex) when (StoreGuard.IsUnanswered(ex))
            {
                _oneOffClaims[run.Id] = claim;
                retryAt = now + _options.StoreRetryDelay;
                LogStoreRetry(logger, ex, _slug, claim.ExecutionId);
            }
        }
        ArmOneOffs(retryAt);
    }

    private ExecutionClaim NewOneOffClaim(OneOffRun run, string reason) =>
        OwnClaim(Guid.CreateVersion7(), OccurrenceKeys.OneOff(run.Id), run.RunAt.ToUniversalTime(), null, TriggerSource.OneOff, run.CreatedBy, reason);

    /// <summary>For a deactivation: takes whose answer never came are ended skipped, if they committed.</summary>
    private void GiveUpOneOffs()
    {
        _oneOffTimer?.Dispose();
        _oneOffTimer = null;
        foreach (var claim in _oneOffClaims.Values)
        {
            _planner.GiveUp(claim, "not run: its activation ended before the take of this one-off run was answered");
        }
        _oneOffClaims.Clear();
    }
}
