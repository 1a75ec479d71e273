using Microsoft.Extensions.Options;

namespace Totallator.Grains.Hosting;

/// <summary>Scheduler timing, bound from configuration section <c>Cron:Scheduler</c>.</summary>
public sealed class SchedulerOptions
{
    public const string SectionName = "Cron:Scheduler";

    /// <summary>
    /// Period of each job's durable Orleans reminder, the fallback alarm clock that re-activates a job grain nothing else woke.
    /// On-time firing comes from a grain timer armed for the exact next occurrence; after a silo dies its jobs are woken on the
    /// survivors as soon as the membership declares it dead, and a cluster start wakes every job. The heartbeat only matters
    /// when those fail (the database was unreachable at that moment). Every tick costs CPU: at 100,000 jobs a 1-minute period
    /// is 1,667 ticks per second. Default: 5 minutes (below 1 minute also lowers Orleans' reminder floor, and Orleans warns).
    /// </summary>
    public TimeSpan HeartbeatPeriod { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long before its instant a scheduled occurrence is claimed in the database (its row is <c>claimed</c> until it starts).
    /// The instant itself then needs no round trip: under a burst of thousands of fires the claims are spread over this lead
    /// instead of queueing at the instant. If the job is disabled or rescheduled meanwhile, or its silo stops, the claim is
    /// released; if the silo dies, the row is marked abandoned when its lease expires. Zero claims at the instant. Default: 2 s.
    /// </summary>
    public TimeSpan ClaimAhead { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A run started from a claim ahead is recorded <c>running</c> once it has lasted this long (one statement per silo for all
    /// of them); shorter runs go from <c>claimed</c> straight to their end, one write less per fire. Default: 1 s.
    /// </summary>
    public TimeSpan RunningRecordDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>An occurrence run at most this late is on time; later ones are misfires handled by the job's policy. Default: 60 s.</summary>
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Most missed occurrences recorded one row each per catch-up; older ones are summarised in one row. Default: 1000.</summary>
    public int MaxMissedRecorded { get; set; } = 1000;

    /// <summary>
    /// How long a running row's lease lasts without renewal (database clock). A run whose silo stops renewing is marked abandoned
    /// after this. Shorter detects dead silos sooner; too short risks abandoning runs on a briefly stalled silo. Default: 30 s.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// For how many lease durations a run's end is retried through a database outage (5 min with the default lease). Past its
    /// lease the sweeper records the run abandoned, but the end still replaces that guess when it gets through.
    /// </summary>
    public const int CompletionRetryLeases = 10;

    /// <summary>How often a silo renews the leases of its running rows (one statement for all). Default: 10 s; keep it well under <see cref="LeaseDuration"/>.</summary>
    public TimeSpan LeaseRenewInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often each silo looks for expired leases to mark abandoned. Default: 10 s.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often each silo looks for jobs whose upstreams have all signalled them for longer than this, and wakes them: the
    /// upstream's own call did not reach them (its silo died right after the end was written). Default: 5 s.
    /// </summary>
    public TimeSpan DependencySweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>After a timeout or cancel, how long a job gets to honour its token before it is recorded and left behind. Default: 5 s.</summary>
    public TimeSpan CancellationGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Most attempts of one job that may still be running on a silo after they were recorded because the job ignored its
    /// cancellation (timed out, cancelled, or abandoned at shutdown, past <see cref="CancellationGrace"/>). At this many, the job's
    /// next occurrences are recorded skipped (reason <c>attempts-left-running</c>) and manual runs refused without an override,
    /// until one ends; each holds a thread or memory with no bound in time. Default: 2. Must be at least 1.
    /// </summary>
    public int MaxAttemptsLeftRunningPerJob { get; set; } = 2;

    /// <summary>On graceful shutdown, how long running jobs may take to finish before they are cancelled and recorded abandoned. Default: 30 s.</summary>
    public TimeSpan ShutdownGracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>First retry delay; doubles per attempt up to <see cref="RetryMaxDelay"/>. Default: 1 s.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Cap of the retry backoff. Default: 30 s.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Delay between retries of a store write that failed (e.g. PostgreSQL restarting). Default: 2 s.</summary>
    public TimeSpan StoreRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How often each silo re-reads the global settings (<c>cronJobConfig</c>: the scheduling pause, the defaults of new jobs).
    /// The silo where an admin makes a change applies it at once; the others within this interval, so an occurrence due on
    /// another silo right after a pause may still run. Shorter narrows that window at one small query per silo per interval.
    /// Default: 2 s.
    /// </summary>
    public TimeSpan SettingsRefreshInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a starting silo keeps trying to read the global settings before it becomes active, so that it knows of a pause
    /// before it schedules anything. If the database does not answer within this, the silo starts anyway and treats scheduling
    /// as paused until a periodic refresh reads the settings: occurrences due meanwhile are recorded skipped (reason
    /// <c>paused</c>), none runs. Default: 10 s.
    /// </summary>
    public TimeSpan SettingsFirstReadTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often each silo measures its host's clock against the database's (five quick readings; the quickest wins). The
    /// scheduler fires and stamps start times by the host's clock corrected by that offset, so a host whose clock is seconds off
    /// still fires on time. The first measurement is taken while the silo starts. Zero turns the correction off (each host's own
    /// clock is used, as it is). Default: 30 s.
    /// </summary>
    public TimeSpan ClockSyncInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often the silo checks in with the database (<c>totallator_silo_check_in</c>, see 0008_silo_check_in.sql). A claimed
    /// occurrence starts only while its instant is within <see cref="StartWindow"/> of the last accepted check-in; that bound is
    /// what lets a survivor hand over a dead silo's claims past it at once instead of waiting for their leases. Default: 250 ms.
    /// </summary>
    public TimeSpan CheckInInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How far past its last accepted check-in a silo may start a claimed occurrence (by the occurrence's instant). Smaller
    /// hands more of a dead silo's claims over (those within it keep their leases and end <c>abandoned</c>); it must leave room
    /// for a few check-ins, or a slow database delays starts. Default: 1 s.
    /// </summary>
    public TimeSpan StartWindow { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The environment variables that a schedule sent through the API (an admin's edit, a preview) may read with <c>${VAR}</c>,
    /// and whose values job views and messages may show: comma-separated names, and prefixes with a trailing <c>*</c>. Schedules
    /// from code and configuration may read any variable, but the value of one not listed here is never shown, only its name.
    /// Empty allows none. Default: <c>CRON_*</c> (the silo's environment also holds its connection string and admin key).
    /// </summary>
    public string ScheduleVariables { get; set; } = "CRON_*";

    /// <summary>
    /// A job whose next occurrence is further away than this, with nothing running or pending, goes to sleep: its activation and
    /// timer go (about 10 KB of silo memory each) and its durable reminder is set to wake it <see cref="WakeLead"/> before the
    /// occurrence. Jobs that fire more often stay awake. Zero keeps every job awake. Default: 10 minutes (100,000 hourly jobs
    /// sharing one minute, bench sleep100000: every one fired once, p99 303 ms late, idle silo CPU 4.9 % of a core).
    /// </summary>
    public TimeSpan SleepBeyond { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long before its next occurrence a sleeping job is woken. If the silo that holds the wake-up dies at that moment, the
    /// survivor that takes its reminders over fires it one <see cref="WakeRetryPeriod"/> later, so this must exceed that period
    /// plus the time to declare a silo dead. Default: 2 minutes.
    /// </summary>
    public TimeSpan WakeLead { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How many jobs may read their row (and record the occurrences they missed) at once on one silo; the others wait in memory.
    /// A cluster start or a burst of reminders activates thousands of jobs together: unbounded, their reads took every connection
    /// of the pool and failed after its wait, while the claims and completions of running jobs waited behind them. Zero (the
    /// default) takes a quarter of the connection string's <c>Max Pool Size</c> (25 of Npgsql's 100), at least 1.
    /// </summary>
    public int JobLoadSlots { get; set; }

    /// <summary><see cref="JobLoadSlots"/>, or a quarter of a pool of <paramref name="maxPoolSize"/> when it is zero.</summary>
    public int JobLoadSlotsFor(int maxPoolSize) => JobLoadSlots > 0 ? JobLoadSlots : Math.Max(1, maxPoolSize / 4);

    /// <summary>The period of a sleeping job's wake-up reminder: Orleans' floor (1 minute), or the heartbeat when that is shorter.</summary>
    public TimeSpan WakeRetryPeriod => HeartbeatPeriod < TimeSpan.FromMinutes(1) ? HeartbeatPeriod : TimeSpan.FromMinutes(1);

    /// <summary>The backoff before retry number <paramref name="retry"/> (1-based): base × 2^(retry−1), capped.</summary>
    public TimeSpan RetryDelay(int retry)
    {
        var factor = Math.Pow(2, Math.Clamp(retry - 1, 0, 30));
        var delay = TimeSpan.FromMilliseconds(RetryBaseDelay.TotalMilliseconds * factor);
        return delay > RetryMaxDelay ? RetryMaxDelay : delay;
    }
}

/// <summary>Fails start-up with a message naming the option at fault.</summary>
public sealed class SchedulerOptionsValidator : IValidateOptions<SchedulerOptions>
{
    public ValidateOptionsResult Validate(string? name, SchedulerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        void Positive(TimeSpan value, string field)
        {
            if (value <= TimeSpan.Zero)
            {
                errors.Add($"{SchedulerOptions.SectionName}:{field} must be positive (was {value}).");
            }
        }
        Positive(options.HeartbeatPeriod, nameof(options.HeartbeatPeriod));
        Positive(options.MisfireThreshold, nameof(options.MisfireThreshold));
        Positive(options.LeaseDuration, nameof(options.LeaseDuration));
        Positive(options.LeaseRenewInterval, nameof(options.LeaseRenewInterval));
        Positive(options.SweepInterval, nameof(options.SweepInterval));
        Positive(options.DependencySweepInterval, nameof(options.DependencySweepInterval));
        Positive(options.CancellationGrace, nameof(options.CancellationGrace));
        Positive(options.ShutdownGracePeriod, nameof(options.ShutdownGracePeriod));
        Positive(options.RetryBaseDelay, nameof(options.RetryBaseDelay));
        Positive(options.RetryMaxDelay, nameof(options.RetryMaxDelay));
        Positive(options.StoreRetryDelay, nameof(options.StoreRetryDelay));
        Positive(options.RunningRecordDelay, nameof(options.RunningRecordDelay));
        Positive(options.SettingsRefreshInterval, nameof(options.SettingsRefreshInterval));
        Positive(options.SettingsFirstReadTimeout, nameof(options.SettingsFirstReadTimeout));
        if (options.JobLoadSlots < 0)
        {
            errors.Add($"{SchedulerOptions.SectionName}:JobLoadSlots must not be negative (was {options.JobLoadSlots}); zero takes a quarter of the connection pool.");
        }
        if (options.ClockSyncInterval < TimeSpan.Zero)
        {
            errors.Add($"{SchedulerOptions.SectionName}:ClockSyncInterval must not be negative (was {options.ClockSyncInterval}); zero turns the clock correction off.");
        }
        Positive(options.CheckInInterval, nameof(options.CheckInInterval));
        if (options.StartWindow < options.CheckInInterval * 3)
        {
            errors.Add($"{SchedulerOptions.SectionName}:StartWindow ({options.StartWindow}) must be at least three CheckInIntervals ({options.CheckInInterval}), or one slow check-in would hold back starts.");
        }
        if (options.LeaseRenewInterval * 2 > options.LeaseDuration)
        {
            errors.Add($"{SchedulerOptions.SectionName}:LeaseRenewInterval ({options.LeaseRenewInterval}) must be at most half of LeaseDuration ({options.LeaseDuration}), or live runs would be abandoned.");
        }
        if (options.ClaimAhead < TimeSpan.Zero)
        {
            errors.Add($"{SchedulerOptions.SectionName}:ClaimAhead must not be negative (was {options.ClaimAhead}); zero claims at the instant.");
        }
        else if (options.ClaimAhead + options.LeaseRenewInterval >= options.LeaseDuration)
        {
            errors.Add($"{SchedulerOptions.SectionName}:ClaimAhead ({options.ClaimAhead}) plus LeaseRenewInterval ({options.LeaseRenewInterval}) must be less than LeaseDuration ({options.LeaseDuration}), or a claim could expire before its run is first renewed.");
        }
        foreach (var entry in Scheduling.ScheduleVariables.Split(options.ScheduleVariables))
        {
            var variable = entry.EndsWith('*') ? entry[..^1] : entry;
            if (variable.Length == 0)
            {
                errors.Add($"{SchedulerOptions.SectionName}:ScheduleVariables may not allow every variable ('{entry}'): the environment holds secrets. List names, or prefixes such as CRON_*.");
            }
            else if (!Scheduling.EnvironmentSubstitution.IsValidName(variable))
            {
                errors.Add($"{SchedulerOptions.SectionName}:ScheduleVariables: '{entry}' is not a variable name or a prefix ending in '*'.");
            }
        }
        if (options.SleepBeyond < TimeSpan.Zero)
        {
            errors.Add($"{SchedulerOptions.SectionName}:SleepBeyond must not be negative (was {options.SleepBeyond}); zero keeps every job awake.");
        }
        else if (options.SleepBeyond > TimeSpan.Zero)
        {
            if (options.WakeLead <= options.WakeRetryPeriod)
            {
                errors.Add($"{SchedulerOptions.SectionName}:WakeLead ({options.WakeLead}) must be longer than the wake-up reminder's period ({options.WakeRetryPeriod}), or a wake-up missed while a silo dies would come after the occurrence.");
            }
            if (options.SleepBeyond <= options.WakeLead)
            {
                errors.Add($"{SchedulerOptions.SectionName}:SleepBeyond ({options.SleepBeyond}) must be longer than WakeLead ({options.WakeLead}), or a job would be woken as soon as it slept.");
            }
        }
        if (options.MaxAttemptsLeftRunningPerJob < 1)
        {
            errors.Add($"{SchedulerOptions.SectionName}:MaxAttemptsLeftRunningPerJob must be at least 1 (was {options.MaxAttemptsLeftRunningPerJob}); at 0 no job would ever run.");
        }
        if (options.MaxMissedRecorded < 0)
        {
            errors.Add($"{SchedulerOptions.SectionName}:MaxMissedRecorded must not be negative.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
