using System.Text;

namespace Totallator.Grains.Scheduling;

/// <summary>
/// Resolves <c>${VAR}</c> and <c>${VAR:-default}</c> in a schedule from the environment. Resolved when a job is loaded, so an
/// operator changes a schedule by changing the variable and restarting (or reloading) the job. Error messages quote the text
/// as written and name variables; they never contain a variable's value.
/// </summary>
public static class EnvironmentSubstitution
{
    /// <summary>
    /// Substitutes every reference; on failure returns false with a reason that names the variable. <paramref name="substituted"/> names the variables whose values went into
    /// <paramref name="resolved"/> (not those replaced by their default), so a caller can tell whether the result may be shown.
    /// </summary>
    public static bool TryResolve(string text, Func<string, string?> getVariable, out string resolved, out IReadOnlyList<string> substituted,
        out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(getVariable);
        var sb = new StringBuilder(text.Length);
        var read = new List<string>();
        resolved = "";
        substituted = read;
        error = Walk(text, (literal, reference) =>
        {
            sb.Append(literal);
            if (reference is not var (name, fallback))
            {
                return null;
            }
            var value = getVariable(name);
            if (string.IsNullOrEmpty(value))
            {
                if (fallback is null)
                {
                    return $"Environment variable '{name}' is not set and has no default (write ${{{name}:-default}}).";
                }
                sb.Append(fallback);
                return null;
            }
            read.Add(name);
            sb.Append(value);
            return null;
        });
        if (error is not null)
        {
            return false;
        }
        resolved = sb.ToString();
        return true;
    }

    /// <summary>The names of the variables <paramref name="text"/> refers to, in order; empty when its syntax is wrong.</summary>
    public static IReadOnlyList<string> References(string text)
    {
        var names = new List<string>();
        return Walk(text, (_, reference) =>
        {
            if (reference is var (name, _))
            {
                names.Add(name);
            }
            return null;
        }) is null ? names : [];
    }

    /// <summary>
    /// Walks the text as literal runs, each followed by the reference after it (null after the last run); stops at the first
    /// syntax error, or the first error <paramref name="visit"/> returns, and returns it.
    /// </summary>
    private static string? Walk(string text, Func<string, (string Name, string? Fallback)?, string?> visit)
    {
        ArgumentNullException.ThrowIfNull(text);
        var i = 0;
        while (i < text.Length)
        {
            var start = text.IndexOf("${", i, StringComparison.Ordinal);
            if (start < 0)
            {
                break;
            }
            var end = text.IndexOf('}', start + 2);
            if (end < 0)
            {
                return $"Unterminated '${{' at position {start} in '{text}'.";
            }
            var body = text.Substring(start + 2, end - start - 2);
            var sep = body.IndexOf(":-", StringComparison.Ordinal);
            var name = sep >= 0 ? body[..sep] : body;
            string? fallback = sep >= 0 ? body[(sep + 2)..] : null;
            if (!IsValidName(name))
            {
                return $"'{name}' is not a valid environment variable name in '{text}'.";
            }
            if (visit(text[i..start], (name, fallback)) is { } error)
            {
                return error;
            }
            i = end + 1;
        }
        return visit(i < text.Length ? text[i..] : "", null);
    }

    /// <summary>A POSIX-style variable name: a letter or underscore, then letters, digits and underscores.</summary>
    internal static bool IsValidName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
