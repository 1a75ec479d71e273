using System.Collections;

namespace Totallator.Grains.Jobs.Command;

/// <summary>
/// The whole environment a child process gets; nothing else is inherited from the silo. The silo's environment holds its own
/// secrets (<c>ConnectionStrings__*</c>, <c>Admin__*</c>), and a command that prints its environment would put them in its
/// output, which every viewer can read. So a child gets a small base, what its definition sets, the names an operator passes
/// through on purpose, and the scheduler's own variables, in that order of precedence (later wins).
/// </summary>
internal static class CommandEnvironment
{
    /// <summary>
    /// Passed from the silo when set: what a program needs to find executables, write temporary files and read text and times as
    /// the operator intends. None of them carries a secret.
    /// </summary>
    public static readonly IReadOnlyList<string> BaseNames = ["PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TZ", "TMPDIR"];

    /// <summary>Locale categories (<c>LC_ALL</c>, <c>LC_CTYPE</c>, …) are part of the base too.</summary>
    public const string LocalePrefix = "LC_";

    /// <summary>The scheduler's run variables (<c>TOTALLATOR_JOB</c>, …); a definition may not set names with this prefix.</summary>
    public const string RunVariablePrefix = "TOTALLATOR_";

    /// <summary>The silo's environment now.</summary>
    public static IReadOnlyDictionary<string, string> Silo()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string name && entry.Value is string value)
            {
                variables[name] = value;
            }
        }
        return variables;
    }

    /// <summary>
    /// Builds a child's environment from <paramref name="silo"/>: the base, then the names in <paramref name="passThrough"/>
    /// (skipped when the silo has no such variable), then <paramref name="defined"/>, then <paramref name="run"/>.
    /// </summary>
    public static Dictionary<string, string> Build(IReadOnlyDictionary<string, string> silo, IEnumerable<string> passThrough,
        IEnumerable<KeyValuePair<string, string>> defined, IEnumerable<KeyValuePair<string, string>> run)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var environment = Base(silo);
        foreach (var name in passThrough)
        {
            if (silo.TryGetValue(name, out var value))
            {
                environment[name] = value;
            }
        }
        foreach (var (name, value) in defined.Concat(run))
        {
            environment[name] = value;
        }
        return environment;
    }

    /// <summary>The base alone: <see cref="BaseNames"/> and the <c>LC_*</c> variables the silo has.</summary>
    public static Dictionary<string, string> Base(IReadOnlyDictionary<string, string> silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in silo)
        {
            if (BaseNames.Contains(name, StringComparer.Ordinal) || name.StartsWith(LocalePrefix, StringComparison.Ordinal))
            {
                environment[name] = value;
            }
        }
        return environment;
    }
}
