using System.Text.Json;
using System.Text.Json.Serialization;

namespace Totallator.Grains.Alerts;

/// <summary>
/// The body of a webhook message (and what a Slack message is made from): fixed when the delivery is planned, so every retry
/// sends the same message under the same <see cref="Id"/>, which a receiver uses to drop a repeat. No secret is ever in it.
/// </summary>
public sealed record AlertMessage
{
    /// <summary>The delivery's id: the same on every attempt.</summary>
    public required Guid Id { get; init; }
    /// <summary>alert, reminder, recovered, paused or test.</summary>
    public required string Type { get; init; }
    /// <summary>The event: failed, timed_out, abandoned, missed, recovered, stale or paused; null for a test.</summary>
    public string? Event { get; init; }
    public required string Rule { get; init; }
    public required string Summary { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public MessageJob? Job { get; init; }
    public MessageExecution? Execution { get; init; }
    public MessageIncident? Incident { get; init; }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static AlertMessage FromJson(string json) => JsonSerializer.Deserialize<AlertMessage>(json, Json)!;

    /// <summary>A Slack-compatible incoming-webhook body: the summary, with a link to the job's page when one is known.</summary>
    public string ToSlackJson()
    {
        var link = Job?.Url;
        var text = link is null ? Summary : $"{Summary} <{link}|Open in Totallator>";
        return JsonSerializer.Serialize(new { text }, Json);
    }
}

public sealed record MessageJob(string Slug, string Name, string? Url);

public sealed record MessageExecution
{
    public required Guid Id { get; init; }
    public required string Status { get; init; }
    public required DateTimeOffset ScheduledFor { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    public long? DurationMs { get; init; }
    public int? ExitCode { get; init; }
    /// <summary>1 for the first attempt of the occurrence, 2 for its first retry, …</summary>
    public required int Attempt { get; init; }
    /// <summary>The stored error (secrets already masked when it was recorded), cut to <see cref="AlertPlanner.MaxErrorLength"/>.</summary>
    public string? Error { get; init; }
    public string? Reason { get; init; }
}

/// <summary>The incident a reminder or recovery belongs to.</summary>
public sealed record MessageIncident(DateTimeOffset OpenedAt, int Events, int SinceLastMessage);
