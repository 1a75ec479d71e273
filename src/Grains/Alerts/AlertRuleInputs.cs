using System.Text.RegularExpressions;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Alerts;

namespace Totallator.Grains.Alerts;

/// <summary>Checks a rule as an admin or configuration gives it; the error names the field at fault.</summary>
public static partial class AlertRuleInputs
{
    public static readonly TimeSpan MinRepeat = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan DefaultRepeat = TimeSpan.FromHours(1);
    public static readonly TimeSpan MinWindow = TimeSpan.FromSeconds(10);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex NamePattern();

    /// <summary>The rule, or <see cref="InvalidAdminInputException"/> naming the field. <paramref name="creating"/>: a URL is required.</summary>
    public static AlertRule ToRule(AlertRuleInput input, bool creating, Guid id, DateTimeOffset now, string by)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (string.IsNullOrEmpty(input.Name) || !NamePattern().IsMatch(input.Name))
        {
            throw Invalid("name", "The name is 1 to 63 lower-case letters, digits and dashes, starting with a letter or digit.");
        }
        if (input.JobSlug is { } slug && !Jobs.JobCatalog.SlugPattern().IsMatch(slug))
        {
            throw Invalid("jobSlug", $"'{slug}' is not a job slug; leave it empty for a rule over every job.");
        }
        if (input.Events is not { Count: > 0 })
        {
            throw Invalid("events", "Choose at least one event: failed, timed_out, abandoned, missed, recovered, stale, paused.");
        }
        var events = new HashSet<AlertEvent>();
        foreach (var text in input.Events)
        {
            if (!AlertText.TryParseEvent(text, out var e))
            {
                throw Invalid("events", $"Unknown event '{text}'. Known: failed, timed_out, abandoned, missed, recovered, stale, paused.");
            }
            events.Add(e);
        }
        if (!AlertText.TryParseChannel(input.Channel, out var channel))
        {
            throw Invalid("channel", $"Unknown channel '{input.Channel}'. Known: webhook, slack.");
        }
        if ((creating || input.Url is not null) && AlertUrls.Problem(input.Url) is { } urlProblem)
        {
            throw Invalid("url", urlProblem);
        }
        if (input.ExpectSuccessWithin is { } window && (window < MinWindow || window > TimeSpan.FromDays(400)))
        {
            throw Invalid("expectSuccessWithin", $"The window is between {MinWindow.TotalSeconds:0} seconds and 400 days.");
        }
        if (events.Contains(AlertEvent.Stale) && input.ExpectSuccessWithin is null)
        {
            throw Invalid("expectSuccessWithin", "A rule on 'stale' needs the window a success is expected within (e.g. 26:00:00 for a daily job).");
        }
        if (input.RepeatEvery is { } repeat && (repeat < MinRepeat || repeat > TimeSpan.FromDays(7)))
        {
            throw Invalid("repeatEvery", $"Reminders are between {MinRepeat.TotalMinutes:0} minute and 7 days apart.");
        }
        if (input.Secret is { Length: > 500 })
        {
            throw Invalid("secret", "The secret is at most 500 characters.");
        }
        return new AlertRule
        {
            Id = id, Name = input.Name, JobSlug = string.IsNullOrEmpty(input.JobSlug) ? null : input.JobSlug, Events = events, Channel = channel,
            Url = input.Url ?? "", Secret = input.Secret, ExpectSuccessWithin = input.ExpectSuccessWithin, RepeatEvery = input.RepeatEvery ?? DefaultRepeat,
            IsEnabled = input.IsEnabled, Source = AlertRuleSources.Api, CreatedAt = now, UpdatedAt = now, UpdatedBy = by,
        };
    }

    private static InvalidAdminInputException Invalid(string field, string message) => new(message) { Field = field };
}
