using System.Globalization;
using Microsoft.Extensions.Configuration;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Alerts;
using Totallator.Grains.Scheduling;

namespace Totallator.Grains.Alerts;

/// <summary>
/// The rules of <c>Cron:Alerts:Rules:&lt;name&gt;</c>: <c>Job</c> (a slug; none for every job), <c>Events</c> (a list or a
/// comma-separated text), <c>Channel</c> (webhook, slack), <c>Url</c>, <c>Secret</c>, <c>ExpectSuccessWithin</c>,
/// <c>RepeatEvery</c> (time spans such as <c>26:00:00</c>), <c>Enabled</c>. <c>Url</c> and <c>Secret</c> may use
/// <c>${VAR}</c> to come from the environment. A bad rule stops the silo with a message naming its key.
/// </summary>
public sealed class ConfiguredAlertRules(IConfiguration configuration)
{
    public const string Section = "Cron:Alerts:Rules";

    public IReadOnlyList<AlertRule> Read(Func<string, string?>? getVariable = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        var rules = new List<AlertRule>();
        foreach (var section in configuration.GetSection(Section).GetChildren())
        {
            var key = $"{Section}:{section.Key}";
            var events = section.GetSection("Events").GetChildren().Select(c => c.Value ?? "").ToList() is { Count: > 0 } listed
                ? listed
                : (section["Events"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            try
            {
                var input = new AlertRuleInput
                {
                    Name = section.Key, JobSlug = NullIfEmpty(section["Job"]), Events = events, Channel = section["Channel"] ?? "webhook",
                    Url = Resolve(section["Url"], getVariable, key + ":Url"), Secret = NullIfEmpty(Resolve(section["Secret"], getVariable, key + ":Secret")),
                    ExpectSuccessWithin = Span(section["ExpectSuccessWithin"], key + ":ExpectSuccessWithin"),
                    RepeatEvery = Span(section["RepeatEvery"], key + ":RepeatEvery"),
                    IsEnabled = !bool.TryParse(section["Enabled"], out var enabled) || enabled,
                };
                rules.Add(AlertRuleInputs.ToRule(input, creating: true, Guid.CreateVersion7(), DateTimeOffset.UtcNow, AlertRuleSources.Configuration)
                    with { Source = AlertRuleSources.Configuration });
            }
            catch (InvalidAdminInputException ex)
            {
                throw new InvalidOperationException($"{key}: {ex.Message}", ex);
            }
        }
        return rules;
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    private static string? Resolve(string? text, Func<string, string?> getVariable, string key)
    {
        if (text is null)
        {
            return null;
        }
        // The error names the variable, never its value.
        return EnvironmentSubstitution.TryResolve(text, getVariable, out var resolved, out _, out var error)
            ? resolved
            : throw new InvalidOperationException($"{key}: {error}");
    }

    private static TimeSpan? Span(string? text, string key) =>
        string.IsNullOrWhiteSpace(text) ? null
        : TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) ? span
        : throw new InvalidOperationException($"{key}: '{text}' is not a time span (e.g. 01:00:00 for an hour, 1.00:00:00 for a day).");
}
