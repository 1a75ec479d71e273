using System.CommandLine;
using Totallator.Client;

namespace Totallator.Cli;

/// <summary><c>totallator jobs list|show|enable|disable|trigger|history</c>.</summary>
internal static class JobsCommands
{
    public static Command Build(Runner runner) => new("jobs", "List, read, enable, disable and trigger jobs; read their history.")
    {
        List(runner), Show(runner), Toggle(runner, enable: true), Toggle(runner, enable: false), TriggerCommand.Build(runner), History(runner),
    };

    private static Command List(Runner runner)
    {
        var search = new Option<string?>("--search", "-q") { Description = "Text in the slug, name or description." };
        var state = new Option<string[]>("--state")
        {
            Description = "Only jobs in these states: enabled, disabled, paused, invalid, failing, running, orphaned, deleted (comma-separated or repeated).",
            AllowMultipleArgumentsPerToken = true,
        };
        var sort = new Option<string?>("--sort") { Description = "slug (default), name, last_run, success_rate or runs." };
        var descending = new Option<bool>("--desc") { Description = "Descending order." };
        var limit = Arguments.Limit(50, 10_000);
        var all = new Option<bool>("--all") { Description = "Every matching job, read page by page (--limit is then the page size)." };
        var command = new Command("list", "The jobs, with state, schedule, next and last run.") { search, state, sort, descending, limit, all };
        command.SetAction(runner.Action(async c =>
        {
            var query = new JobListQuery
            {
                Search = c.Get(search), States = Arguments.Enums<JobListState>("--state", c.Get(state)),
                Sort = Arguments.Enums<JobListSort>("--sort", c.Get(sort) is { } s ? [s] : null) is [var order] ? order : null,
                Descending = c.Get(descending), Limit = c.Get(limit),
            };
            JobListPage page;
            if (c.Get(all))
            {
                var jobs = new List<JobView>();
                await foreach (var job in c.Client.ListAllJobsAsync(query, c.CancellationToken))
                {
                    jobs.Add(job);
                }
                page = new JobListPage { Items = jobs, Total = jobs.Count, Offset = 0, Limit = jobs.Count };
            }
            else
            {
                page = await c.Client.ListJobsAsync(query, c.CancellationToken);
            }
            return c.Print(page, p =>
            {
                var table = new Table("SLUG", "STATE", "SCHEDULE", "NEXT RUN", "LAST RUN", "SUCCESS");
                foreach (var job in p.Items)
                {
                    table.Add(job.Slug, Format.State(job) + (job.RunningExecutionIds.Count > 0 ? ", running" : ""), Schedule(job),
                        Format.Time(job.NextFireTimes.Count > 0 ? job.NextFireTimes[0] : null),
                        job.LastRun is { } last ? $"{Format.Name(last.Status)} {Format.Time(last.StartedAt ?? last.ScheduledFor)}" : "never",
                        Format.Percent(job.Statistics.SuccessRate));
                }
                table.WriteTo(c.Terminal);
                if (p.Items.Count < p.Total)
                {
                    c.Terminal.Error($"{p.Items.Count} of {p.Total} jobs shown; use --limit or --all for more.");
                }
            });
        }));
        return command;
    }

    private static Command Show(Runner runner)
    {
        var slug = Arguments.Slug();
        var command = new Command("show", "One job: configuration, schedule, next runs, last run and statistics.") { slug };
        command.SetAction(runner.Action(async c =>
            c.Print(await c.Client.GetJobAsync(c.Get(slug), c.CancellationToken), job => Describe(c.Terminal, job))));
        return command;
    }

    private static Command Toggle(Runner runner, bool enable)
    {
        var slug = Arguments.Slug();
        var command = new Command(enable ? "enable" : "disable",
            enable ? "Enables the job's schedule (operator)." : "Disables the job's schedule; a running execution finishes (operator).") { slug };
        command.SetAction(runner.Action(async c =>
        {
            var job = enable
                ? await c.Client.EnableJobAsync(c.Get(slug), c.CancellationToken)
                : await c.Client.DisableJobAsync(c.Get(slug), c.CancellationToken);
            return c.Print(job, j => c.Terminal.Out(j.IsEnabled
                ? $"Enabled {j.Slug}; next run {Format.Time(j.NextFireTimes.Count > 0 ? j.NextFireTimes[0] : null)}."
                : $"Disabled {j.Slug}." + (j.RunningExecutionIds.Count > 0 ? " Its running execution finishes." : "")));
        }));
        return command;
    }

    private static Command History(Runner runner)
    {
        var slug = Arguments.Slug();
        var status = new Option<string[]>("--status")
        {
            Description = "Only these statuses: running, succeeded, failed, timed_out, skipped, missed, abandoned, claimed.", AllowMultipleArgumentsPerToken = true,
        };
        var trigger = new Option<string[]>("--trigger")
        {
            Description = "Only these triggers: scheduler, manual, retry, catch_up, dependency, one_off.", AllowMultipleArgumentsPerToken = true,
        };
        var since = new Option<string?>("--since") { Description = "Scheduled at or after: ISO 8601, or a duration back from now (2h, 7d is 168h)." };
        var limit = Arguments.Limit(20, 500);
        var command = new Command("history", "The job's executions, newest first.") { slug, status, trigger, since, limit };
        command.SetAction(runner.Action(async c =>
        {
            var page = await c.Client.ListExecutionsAsync(c.Get(slug), new ExecutionQuery
            {
                Statuses = Arguments.Enums<ExecutionStatus>("--status", c.Get(status)),
                TriggerSources = Arguments.Enums<TriggerSource>("--trigger", c.Get(trigger)),
                From = Arguments.Since("--since", c.Get(since)), Limit = c.Get(limit),
            }, c.CancellationToken);
            return c.Print(page, p =>
            {
                var table = new Table("EXECUTION", "SCHEDULED FOR", "TRIGGER", "ATTEMPT", "STATUS", "DURATION", "REASON");
                foreach (var run in p.Items)
                {
                    table.Add(run.Id.ToString(), Format.Time(run.ScheduledFor), Format.Name(run.TriggeredBy), Format.Number(run.RetryCount + 1),
                        Format.Name(run.Status), Format.Duration(run.DurationMs), run.StatusReason);
                }
                table.WriteTo(c.Terminal);
            });
        }));
        return command;
    }

    private static string Schedule(JobView job) =>
        job.Schedule.Length == 0 ? "(after " + string.Join(", ", job.Upstreams.Select(u => u.Slug)) + ")" : $"{job.Schedule} {job.TimeZone}";

    private static void Describe(Terminal terminal, JobView job)
    {
        var lines = new List<(string, string)>
        {
            ("slug", job.Slug), ("name", job.Name), ("state", Format.State(job) + (job.PausedReason is { } why ? $" ({why})" : "")),
            ("schedule", Schedule(job) + (job.ResolvedSchedule is { } resolved && resolved != job.Schedule ? $" (resolved: {resolved})" : "")),
            ("defined in", $"{job.Source}; schedule from {job.ScheduleSource}" + (job.OverriddenFields.Count > 0 ? $"; changed here: {string.Join(", ", job.OverriddenFields)}" : "")),
            ("next runs", job.NextFireTimes.Count == 0 ? "-" : string.Join(", ", job.NextFireTimes.Select(t => Format.Time(t)))),
            ("last run", job.LastRun is { } last ? $"{last.Id} {Format.Name(last.Status)} at {Format.Time(last.StartedAt ?? last.ScheduledFor)}, {Format.Duration(last.DurationMs)}" : "never"),
            ("running", job.RunningExecutionIds.Count == 0 ? "-" : string.Join(", ", job.RunningExecutionIds)),
            ("timeout", Format.Duration(job.TimeoutMs)), ("retries", Format.Number(job.MaxRetries)), ("misfire", Format.Name(job.MisfirePolicy)),
            ("success", $"{Format.Percent(job.Statistics.SuccessRate)} of the last {job.Statistics.SampleSize} attempts; 24 h: {job.Statistics.RunsLast24Hours} runs, {job.Statistics.FailuresLast24Hours} failed"),
            ("duration", $"p50 {Format.Duration((long?)job.Statistics.P50DurationMs)}, p95 {Format.Duration((long?)job.Statistics.P95DurationMs)}, max {Format.Duration(job.Statistics.MaxDurationMs)}"),
            ("version", Format.Number(job.Version) + $" (changed {Format.Time(job.UpdatedAt)}" + (job.LastModifiedBy is { } by ? $" by {by})" : ")")),
        };
        if (job.InvalidReason is { } invalid)
        {
            lines.Insert(3, ("invalid", invalid));
        }
        if (job.Upstreams.Count > 0)
        {
            lines.Add(("runs after", string.Join(", ", job.Upstreams.Select(u => $"{u.Slug}:{Format.Name(u.Condition)}" + (u.Broken is { } broken ? $" (broken: {broken})" : "")))));
        }
        var width = lines.Max(l => l.Item1.Length) + 2;
        foreach (var (name, value) in lines)
        {
            terminal.Out((name + ":").PadRight(width) + value);
        }
    }
}
