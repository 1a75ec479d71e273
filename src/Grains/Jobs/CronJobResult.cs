namespace Totallator.Grains.Jobs;

/// <summary>The outcome a job reports for one attempt.</summary>
public sealed record CronJobResult
{
    /// <summary>Whether the attempt succeeded.</summary>
    public required bool Success { get; init; }
    /// <summary>A short human-readable summary, stored in <c>output</c> (success) or <c>errorMessage</c> (failure).</summary>
    public string? Message { get; init; }
    /// <summary>Longer output (e.g. a command's stdout and stderr), stored in <c>output</c>.</summary>
    public string? Output { get; init; }
    /// <summary>An exit code, when the job has one (command jobs).</summary>
    public int? ExitCode { get; init; }
    /// <summary>Items the job processed, stored with the metrics.</summary>
    public long? ItemsProcessed { get; init; }
    /// <summary>Any other figures the job wants recorded (name → value).</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
    /// <summary>Memory the job measured itself (MB), e.g. a child process's peak RSS; when null the runner's own measure is stored.</summary>
    public double? MemoryUsageMb { get; init; }
    /// <summary>CPU the job measured itself (% of one core), e.g. a child process's; when null the runner's own measure is stored.</summary>
    public double? CpuUsagePercent { get; init; }

    /// <summary>A successful attempt.</summary>
    public static CronJobResult Succeeded(string? message = null, long? itemsProcessed = null, IReadOnlyDictionary<string, double>? metrics = null) =>
        new() { Success = true, Message = message, ItemsProcessed = itemsProcessed, Metrics = metrics ?? new Dictionary<string, double>() };

    /// <summary>A failed attempt; it is retried if the job has retries left.</summary>
    public static CronJobResult Failure(string message, string? output = null) =>
        new() { Success = false, Message = message, Output = output };
}
