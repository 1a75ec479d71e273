using System.Text;

namespace Totallator.Grains.Scheduling;

/// <summary>
/// Resolves <c>${VAR}</c> and <c>${VAR:-default}</c> in a schedule from the environment. Resolved when a job is loaded, so an
/// operator changes a schedule by changing the variable and restarting (or reloading) the job.
/// </summary>
public static class EnvironmentSubstitution
{
    /// <summary>Substitutes every reference; on failure returns false with a reason that names the variable.</summary>
    public static bool TryResolve(string text, Func<string, string?> getVariable, out string resolved, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(getVariable);
        var sb = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var start = text.IndexOf("${", i, StringComparison.Ordinal);
            if (start < 0)
            {
                sb.Append(text, i, text.Length - i);
                break;
            }
            sb.Append(text, i, start - i);
            var end = text.IndexOf('}', start + 2);
            if (end < 0)
            {
                resolved = "";
                error = $"Unterminated '${{' at position {start} in '{text}'.";
                return false;
            }
            var body = text.Substring(start + 2, end - start - 2);
            var sep = body.IndexOf(":-", StringComparison.Ordinal);
            var name = sep >= 0 ? body[..sep] : body;
            string? fallback = sep >= 0 ? body[(sep + 2)..] : null;
            if (!IsValidName(name))
            {
                resolved = "";
                error = $"'{name}' is not a valid environment variable name in '{text}'.";
                return false;
            }
            var value = getVariable(name);
            if (string.IsNullOrEmpty(value))
            {
                if (fallback is null)
                {
                    resolved = "";
                    error = $"Environment variable '{name}' is not set and has no default (write ${{{name}:-default}}).";
                    return false;
                }
                value = fallback;
            }
            sb.Append(value);
            i = end + 1;
        }
        resolved = sb.ToString();
        error = null;
        return true;
    }

    private static bool IsValidName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
