using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Totallator.Grains.Jobs;

namespace Totallator.Silo.Examples;

/// <summary>The parameters of an example job type: what an admin fills in when creating an export job.</summary>
[Description("Exports a table's recent rows to a destination.")]
public sealed record ExportParameters
{
    [Required, StringLength(63, MinimumLength = 1), Description("The table to export.")]
    public required string Table { get; init; }

    [Range(1, 365), Description("How many days back to export.")]
    public int Days { get; init; } = 1;

    [Description("Where to: csv or parquet.")]
    [RegularExpression("^(csv|parquet)$", ErrorMessage = "format must be csv or parquet.")]
    public string Format { get; init; } = "csv";
}

/// <summary>Example job type: admins create one export job per table from the page, each with its own schedule.</summary>
public sealed class ExportJob(ExportParameters parameters) : ICronJob
{
    public async Task<CronJobResult> ExecuteAsync(CronJobContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        await Task.Delay(200, context.CancellationToken);
        return CronJobResult.Succeeded($"Exported {parameters.Days} day(s) of {parameters.Table} as {parameters.Format}", parameters.Days * 100);
    }
}
