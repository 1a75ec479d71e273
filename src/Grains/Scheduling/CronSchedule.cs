using System.Globalization;
using Cronos;

namespace Totallator.Grains.Scheduling;

/// <summary>A parsed, valid schedule: a Cronos expression read in an IANA time zone.</summary>
/// <remarks>
/// DST follows Cronos: an occurrence inside a spring-forward gap fires once at the first instant after the gap; an occurrence in a
/// fall-back overlap fires once (at its first instance), except for expressions with an interval in the seconds, minutes or hours
/// field, which fire in both instances as they are meant to.
/// </remarks>
public sealed class CronSchedule
{
    private readonly CronExpression _expression;

    private CronSchedule(string expression, string? shownResolved, CronExpression cron, TimeZoneInfo zone)
    {
        Expression = expression;
        ResolvedExpression = shownResolved;
        _expression = cron;
        TimeZone = zone;
    }

    /// <summary>The expression as written (may contain <c>${VAR}</c>).</summary>
    public string Expression { get; }
    /// <summary>
    /// The expression after substitution; null when it holds the value of a variable that may not be shown
    /// (<see cref="ScheduleVariables.IsAllowed"/>).
    /// </summary>
    public string? ResolvedExpression { get; }
    public TimeZoneInfo TimeZone { get; }

    /// <summary>The schedule quoted for a message: resolved when that may be shown, else as written.</summary>
    public string Describe() => ResolvedExpression is { } shown ? $"'{shown}'" : $"'{Expression}'";

    /// <summary>
    /// The first occurrence strictly after <paramref name="after"/>, or null when there is none. In UTC, like every instant
    /// the scheduler handles: the zone decides which instants, not how they are written (Cronos answers with the zone's
    /// offset, and the database refuses a timestamptz parameter with any offset but zero).
    /// </summary>
    public DateTimeOffset? Next(DateTimeOffset after) =>
        _expression.GetNextOccurrence(after, TimeZone, inclusive: false)?.ToUniversalTime();

    /// <summary>Occurrences in (<paramref name="after"/>, <paramref name="upTo"/>], oldest first, in UTC.</summary>
    public IEnumerable<DateTimeOffset> Between(DateTimeOffset after, DateTimeOffset upTo) =>
        upTo <= after ? [] : _expression.GetOccurrences(after, upTo, TimeZone, fromInclusive: false, toInclusive: true).Select(o => o.ToUniversalTime());

    /// <summary>The next <paramref name="count"/> occurrences after <paramref name="after"/>.</summary>
    public IReadOnlyList<DateTimeOffset> NextN(DateTimeOffset after, int count)
    {
        var list = new List<DateTimeOffset>(count);
        var cursor = after;
        while (list.Count < count && Next(cursor) is { } next)
        {
            list.Add(next);
            cursor = next;
        }
        return list;
    }

    /// <summary>
    /// Parses a schedule. Accepts 5 fields (minute resolution), 6 fields (with seconds first) and Cronos macros (<c>@daily</c>, …).
    /// Returns false with a reason for a bad expression, an unset or forbidden variable, an unknown time zone or a schedule that
    /// never fires. A schedule from the API (<paramref name="origin"/>) may only read allowed variables; whatever the origin, a
    /// reason never quotes the value of a variable that is not allowed, only its name.
    /// </summary>
    public static bool TryParse(string expression, string timeZoneId, DateTimeOffset now, ScheduleVariables variables, ScheduleOrigin origin,
        out CronSchedule? schedule, out string? error)
    {
        ArgumentNullException.ThrowIfNull(variables);
        schedule = null;
        if (string.IsNullOrWhiteSpace(expression))
        {
            error = "The schedule is empty.";
            return false;
        }
        if (origin == ScheduleOrigin.Api && EnvironmentSubstitution.References(expression).FirstOrDefault(n => !variables.IsAllowed(n)) is { } forbidden)
        {
            error = $"The schedule may not read the variable '{forbidden}': a schedule set through the API may only use the variables " +
                $"that Cron:Scheduler:ScheduleVariables allows ({variables.Allowed}).";
            return false;
        }
        if (!EnvironmentSubstitution.TryResolve(expression, variables.Read, out var resolved, out var substituted, out error))
        {
            return false;
        }
        resolved = resolved.Trim();
        var hidden = substituted.Where(n => !variables.IsAllowed(n)).Distinct(StringComparer.Ordinal).ToList();
        // What a message may quote: the resolved text, or, when it holds a hidden value, the text as written and the names.
        var shown = hidden.Count == 0 ? $"'{resolved}'"
            : $"'{expression}' (with {string.Join(", ", hidden.Select(n => $"${{{n}}}"))} read from the environment, not shown)";
        if (!TryFindTimeZone(timeZoneId, out var zone))
        {
            error = $"Unknown time zone '{timeZoneId}'. Use an IANA id such as 'UTC' or 'Europe/Berlin'.";
            return false;
        }
        // Fields may be separated by any whitespace, as in a crontab (tabs included).
        var fields = resolved.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        CronFormat format;
        switch (fields)
        {
            case 1 when resolved.StartsWith('@'): format = CronFormat.Standard; break;
            case 5: format = CronFormat.Standard; break;
            case 6: format = CronFormat.IncludeSeconds; break;
            default:
                error = $"{shown} has {fields} fields; a cron expression has 5 (minute hour day month weekday) or 6 (second first).";
                return false;
        }
        CronExpression cron;
        try
        {
            cron = CronExpression.Parse(resolved, format);
        }
        catch (CronFormatException ex)
        {
            // Cronos may quote a character of the text, which could be part of a hidden value.
            error = hidden.Count == 0 ? $"{shown} is not a valid cron expression: {ex.Message}" : $"{shown} is not a valid cron expression.";
            return false;
        }
        var parsed = new CronSchedule(expression, hidden.Count == 0 ? resolved : null, cron, zone!);
        if (parsed.Next(now) is null)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"{shown} never fires after {now.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z.");
            return false;
        }
        schedule = parsed;
        error = null;
        return true;
    }

    /// <summary>Finds a time zone by IANA (or Windows) id.</summary>
    public static bool TryFindTimeZone(string? id, out TimeZoneInfo? zone)
    {
        zone = null;
        if (string.IsNullOrWhiteSpace(id))
        {
            return false;
        }
        if (string.Equals(id, "UTC", StringComparison.OrdinalIgnoreCase))
        {
            zone = TimeZoneInfo.Utc;
            return true;
        }
        return TimeZoneInfo.TryFindSystemTimeZoneById(id, out zone);
    }
}
