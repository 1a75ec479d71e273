namespace Totallator.Grains.Jobs.Command;

/// <summary>
/// One command job as configured under <c>Cron:Jobs:&lt;slug&gt;</c>, e.g. the environment variable
/// <c>Cron__Jobs__nightly-report__Schedule=0 3 * * *</c>. Loaded by <see cref="CommandJobConfiguration.Load"/>.
/// </summary>
public sealed class CommandJobOptions
{
    /// <summary>The section that holds one subsection per command job, keyed by slug.</summary>
    public const string SectionName = "Cron:Jobs";

    /// <summary>Default for <see cref="MaxOutputBytes"/>: 64 KiB.</summary>
    public const int DefaultMaxOutputBytes = 64 * 1024;

    /// <summary>Display name. Default: the slug.</summary>
    public string? Name { get; set; }

    /// <summary>Free text shown on the admin page. Default: empty.</summary>
    public string? Description { get; set; }

    /// <summary>Cron expression, 5 or 6 fields; <c>${VAR}</c> and <c>${VAR:-default}</c> are substituted from the environment. Required.</summary>
    public string? Schedule { get; set; }

    /// <summary>
    /// The executable, started directly (no shell): an absolute path or a name looked up on <c>PATH</c>. To use shell syntax, make the
    /// command a shell, e.g. <c>/bin/sh</c> with the arguments <c>-c</c> and the script. Required.
    /// </summary>
    public string? Command { get; set; }

    /// <summary>
    /// Arguments passed one by one, unquoted and unsplit (<c>Arguments:0</c>, <c>Arguments:1</c>, …; in the environment
    /// <c>Cron__Jobs__&lt;slug&gt;__Arguments__0</c>). Default: none. They are not logged, but other local users can see a process's
    /// arguments, so don't put secrets here.
    /// </summary>
    public IList<string> Arguments { get; } = [];

    /// <summary>
    /// Variables set for the command (<c>Environment:NAME=value</c>; in the environment <c>Cron__Jobs__&lt;slug&gt;__Environment__NAME</c>).
    /// They add to a small base taken from the silo (<see cref="CommandEnvironment.BaseNames"/> and <c>LC_*</c>) and to the run
    /// variables (<c>TOTALLATOR_*</c>, which cannot be set here). Nothing else of the silo's environment reaches the command.
    /// Default: none.
    /// </summary>
    public IDictionary<string, string> Environment { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Names of the silo's own environment variables passed to the command as they are (<c>PassEnvironment:0=HTTPS_PROXY</c>, …).
    /// Only exact names: the silo's secrets (<c>ConnectionStrings__*</c>, <c>Admin__*</c>) reach a command only if listed here,
    /// and then its output may show them to every viewer. A name the silo does not have is left out. Default: none.
    /// </summary>
    public IList<string> PassEnvironment { get; } = [];

    /// <summary>
    /// Jobs this one runs after (<c>Cron:Jobs:&lt;slug&gt;:After:0=extract</c>, <c>…:After:1=load:completion</c>): a slug, or
    /// <c>slug:condition</c> with <c>success</c> (the default), <c>failure</c> or <c>completion</c>. With After, Schedule may be left out.
    /// </summary>
    public IList<string> After { get; } = [];

    /// <summary>Working directory of the command. Default: the silo's current directory.</summary>
    public string? WorkingDirectory { get; set; }

    /// <summary>
    /// Per-attempt timeout; when it passes, the command and every process it started are killed. Default: 60 000 ms. Longer values let
    /// a hung command hold its run (and the next occurrences) for longer.
    /// </summary>
    public int TimeoutMs { get; set; } = 60_000;

    /// <summary>Further attempts after a failed one (non-zero exit, timeout). Default: 0. Only retry commands that are safe to run twice.</summary>
    public int MaxRetries { get; set; }

    /// <summary>IANA time zone the schedule is read in. Default: UTC.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Whether the job is enabled on first sync (an admin's later change wins). Default: true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary><c>run_once</c>, <c>skip</c> or <c>run_all</c> (the enum names work too). Default: <c>run_once</c>.</summary>
    public string? MisfirePolicy { get; set; }

    /// <summary>For <c>run_all</c>: the most missed occurrences run after downtime. Default: 10.</summary>
    public int MisfireRunAllCap { get; set; } = 10;

    /// <summary>
    /// Most bytes of stdout and stderr kept for the execution row; beyond it the first and last halves are kept with a marker between.
    /// Default: 64 KiB. Larger values keep more context at the cost of bigger rows.
    /// </summary>
    public int MaxOutputBytes { get; set; } = DefaultMaxOutputBytes;
}
