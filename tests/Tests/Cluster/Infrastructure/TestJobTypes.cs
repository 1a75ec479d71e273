using System.Collections.Concurrent;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Totallator.Grains.Jobs;

namespace Totallator.Tests.Cluster.Infrastructure;

/// <summary>The job type every test silo registers, for the API and pages that list types and create jobs from them.</summary>
public static class TestJobTypes
{
    public const string Name = "t-type";

    [Description("What the test job type does.")]
    public sealed record Parameters
    {
        [Required, StringLength(40, MinimumLength = 1), Description("A label the run reports.")]
        public required string Label { get; init; }

        [Range(1, 10)]
        public int Repeat { get; init; } = 1;

        [PasswordPropertyText(true), Description("A secret the job receives and never reports.")]
        public string? Token { get; init; }
    }

    /// <summary>The parameters each job of this type last ran with, by slug: how a test sees a secret arrive without it being recorded.</summary>
    public static ConcurrentDictionary<string, Parameters> LastRunWith { get; } = new(StringComparer.Ordinal);

    public sealed class Job(Parameters parameters) : ICronJob
    {
        public Task<CronJobResult> ExecuteAsync(CronJobContext context)
        {
            LastRunWith[context.JobSlug] = parameters;
            return Task.FromResult(CronJobResult.Succeeded(string.Concat(Enumerable.Repeat(parameters.Label, parameters.Repeat)), parameters.Repeat));
        }
    }
}
