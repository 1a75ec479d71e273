namespace Totallator.Grains.Scheduling;

/// <summary>Who wrote a schedule, which decides which <c>${VAR}</c> it may read.</summary>
public enum ScheduleOrigin
{
    /// <summary>Code or configuration: written by the people who run the silos, so it may read any variable.</summary>
    Definition,
    /// <summary>Sent through the AdminApi (an admin's edit, a preview): it may read only the variables an operator allows.</summary>
    Api,
}

/// <summary>
/// The silo's environment as schedules see it, and the operator's list of variables (<c>Cron:Scheduler:ScheduleVariables</c>)
/// that schedules sent through the API may read and whose values may be shown. Any other variable's value never leaves the
/// silo: not in a job view, an error message, a stored reason or a log line, because the environment holds the connection
/// string and the admin key, and a viewer may send a schedule to preview.
/// </summary>
public sealed class ScheduleVariables
{
    private readonly string[] _names;
    private readonly string[] _prefixes;
    private readonly Func<string, string?> _environment;

    /// <param name="allowed">Names, and prefixes written with a trailing <c>*</c> (<c>CRON_*</c>).</param>
    /// <param name="environment">Reads a variable; the process environment outside tests.</param>
    public ScheduleVariables(IEnumerable<string> allowed, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        ArgumentNullException.ThrowIfNull(environment);
        var list = allowed.ToList();
        _names = list.Where(a => !a.EndsWith('*')).ToArray();
        _prefixes = list.Where(a => a.EndsWith('*')).Select(a => a[..^1]).ToArray();
        _environment = environment;
        Allowed = list.Count == 0 ? "none" : string.Join(", ", list);
    }

    /// <summary>Reads this process's environment.</summary>
    public static ScheduleVariables FromProcess(IEnumerable<string> allowed) => new(allowed, Environment.GetEnvironmentVariable);

    /// <summary>The allowed list as an operator wrote it, for messages (<c>none</c> when empty).</summary>
    public string Allowed { get; }

    /// <summary>Entries of a comma-separated list, trimmed, empty ones dropped.</summary>
    public static IReadOnlyList<string> Split(string? list) =>
        (list ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Whether API schedules may read <paramref name="name"/> and its value may be shown (names are case-sensitive, as on Linux).</summary>
    public bool IsAllowed(string name) =>
        _names.Contains(name, StringComparer.Ordinal) || _prefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal));

    /// <summary>The variable's value (for substitution only: whether it may be shown is <see cref="IsAllowed"/>).</summary>
    public string? Read(string name) => _environment(name);
}
