using System.Text.Json.Nodes;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.JobTypes;

namespace Totallator.Grains.Storage;

/// <summary>Jobs created from job types, in memory, as 0011_api_jobs.sql keeps them in PostgreSQL.</summary>
public sealed partial class InMemoryJobStore : IApiJobStore
{
    public Task<JobRecord> CreateJobAsync(NewJob job, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        lock (_lock)
        {
            if (_jobs.TryGetValue(job.Slug, out var holder))
            {
                throw NewJob.SlugTaken(holder);
            }
            if (_jobs.Values.Any(j => j.Name == job.Name && j.DeletedAt is null))
            {
                throw NewJob.NameTaken(job.Name);
            }
            var row = new JobRecord
            {
                Id = Guid.CreateVersion7(), Slug = job.Slug, Name = job.Name, Description = job.Description, Schedule = job.Schedule,
                TimeZone = job.TimeZone ?? Default("defaultTimeZone", "UTC"), IsEnabled = job.IsEnabled,
                TimeoutMs = job.TimeoutMs ?? DefaultInt("defaultTimeoutMs", 60_000), MaxRetries = job.MaxRetries ?? DefaultInt("defaultMaxRetries", 0),
                MisfirePolicy = job.MisfirePolicy ?? (MisfirePolicyText.TryParse(Default("defaultMisfirePolicy", "run_once"), out var p) ? p : MisfirePolicy.RunOnce),
                MisfireRunAllCap = 10, Source = JobSources.Api, IsOrphaned = false, OverriddenFields = [], LastScheduledFor = now, Version = 0,
                CreatedAt = now, UpdatedAt = now, CreatedBy = job.CreatedBy, LastModifiedBy = job.CreatedBy,
                JobType = job.JobType, ParametersJson = job.ParametersJson,
            };
            _jobs[job.Slug] = row;
            _audit.Add(new AuditEntry
            {
                Id = Guid.CreateVersion7(), At = now, Actor = job.CreatedBy, Action = "job.create", JobSlug = job.Slug,
                NewValuesJson = AuditJson.Of(new Dictionary<string, JsonNode?>
                {
                    ["type"] = row.JobType, ["name"] = row.Name, ["description"] = row.Description, ["schedule"] = row.Schedule,
                    ["timeZone"] = row.TimeZone, ["timeoutMs"] = row.TimeoutMs, ["maxRetries"] = row.MaxRetries,
                    ["misfirePolicy"] = row.MisfirePolicy.ToText(), ["isEnabled"] = row.IsEnabled, ["parameters"] = JsonNode.Parse(job.AuditedParameters),
                }),
                RequestId = job.RequestId,
            });
            return Task.FromResult(row);
        }
    }

    public Task<JobRecord> DeleteJobAsync(string slug, JobDeletion deletion, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deletion);
        lock (_lock)
        {
            var row = _jobs.GetValueOrDefault(slug) ?? throw new CronJobNotFoundException($"No job with slug '{slug}'.");
            ApiJobRules.ThrowIfNotDeletable(row, deletion);
            var deleted = row with
            {
                IsEnabled = false, IsOrphaned = true, DeletedAt = now, DeletedBy = deletion.DeletedBy, LastScheduledFor = now,
                Version = row.Version + 1, UpdatedAt = now, LastModifiedBy = deletion.DeletedBy,
            };
            _jobs[slug] = deleted;
            var cancelled = 0;
            foreach (var (id, entry) in _oneOffs.Where(o => o.Value.JobId == row.Id && o.Value.Run.State == "pending").ToList())
            {
                _oneOffs[id] = entry with { Run = entry.Run with { CancelledAt = now, CancelledBy = deletion.DeletedBy } };
                cancelled++;
            }
            _audit.Add(new AuditEntry
            {
                Id = Guid.CreateVersion7(), At = now, Actor = deletion.DeletedBy, Action = "job.delete", JobSlug = slug,
                OldValuesJson = AuditJson.Of(new Dictionary<string, JsonNode?>
                {
                    ["type"] = row.JobType, ["name"] = row.Name, ["schedule"] = row.Schedule, ["isEnabled"] = row.IsEnabled,
                }),
                NewValuesJson = AuditJson.Of(new Dictionary<string, JsonNode?> { ["deleted"] = true, ["cancelledOneOffRuns"] = cancelled }),
                RequestId = deletion.RequestId,
            });
            return Task.FromResult(deleted);
        }
    }
}
