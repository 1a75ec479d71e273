using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.DependencyInjection;
using Totallator.Grains.Storage;

namespace Totallator.Tests.Cluster.Infrastructure;

/// <summary>
/// Fault injection between the grains and the real store: a claim that commits in PostgreSQL but whose reply never reaches the
/// grain, as when the connection drops right after the commit; and an end that cannot be written for a while. Armed per job or
/// per execution by a test; every other call passes through.
/// </summary>
public static class LostReplies
{
    private static readonly ConcurrentDictionary<Guid, byte> Armed = new();
    private static readonly ConcurrentQueue<Guid> LostClaims = new();
    private static readonly ConcurrentDictionary<Guid, DateTimeOffset> FailingEnds = new();
    private static readonly ConcurrentDictionary<Guid, byte> ArmedTriggers = new();

    /// <summary>The next claim of this job commits, then its caller gets an exception instead of the answer.</summary>
    public static void LoseNextClaimReply(Guid jobId) => Armed[jobId] = 0;

    /// <summary>The next manual trigger of this job commits (claim, key and audit row), then its caller gets an exception.</summary>
    public static void LoseNextTriggerReply(Guid jobId) => ArmedTriggers[jobId] = 0;

    /// <summary>Every write of this execution's end fails, as in a database outage, until <paramref name="until"/>.</summary>
    public static void FailEndsUntil(Guid executionId, DateTimeOffset until) => FailingEnds[executionId] = until;

    /// <summary>Execution ids of the claims whose replies were lost so far.</summary>
    public static IReadOnlyCollection<Guid> Lost => LostClaims;

    /// <summary>Wraps the silo's <see cref="IJobStore"/> and <see cref="IAdminStore"/> as registered so far.</summary>
    public static void Decorate(IServiceCollection services)
    {
        DecorateOne<IJobStore>(services);
        DecorateOne<IAdminStore>(services);
    }

    private static void DecorateOne<T>(IServiceCollection services)
        where T : class
    {
        var original = services.Last(d => d.ServiceType == typeof(T));
        services.Remove(original);
        services.AddSingleton(sp =>
        {
            var inner = original.ImplementationFactory is { } factory ? (T)factory(sp)
                : original.ImplementationInstance as T ?? (T)ActivatorUtilities.CreateInstance(sp, original.ImplementationType!);
            var proxy = DispatchProxy.Create<T, Proxy>();
            ((Proxy)(object)proxy).Inner = inner;
            return proxy;
        });
    }

    /// <summary>Forwards every call; a claim of an armed job is awaited (committed) and then answered with an exception.</summary>
    public class Proxy : DispatchProxy, IAsyncDisposable
    {
        internal object Inner { get; set; } = null!;

        /// <summary>The container disposes the proxy it made; the store inside flushes its batches then, as without the proxy.</summary>
        public async ValueTask DisposeAsync()
        {
            if (Inner is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }
            GC.SuppressFinalize(this);
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            if (targetMethod.Name == nameof(IJobStore.CompleteAsync) && args?[0] is ExecutionCompletion end
                && FailingEnds.TryGetValue(end.ExecutionId, out var until) && DateTimeOffset.UtcNow < until)
            {
                return Task.FromException<bool>(new IOException($"Injected: the database is unreachable while the end of {end.ExecutionId} is written."));
            }
            object? result;
            try
            {
                result = targetMethod.Invoke(Inner, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                throw;
            }
            return targetMethod.Name switch
            {
                nameof(IJobStore.TryClaimAsync) when args?[0] is ExecutionClaim claim && Armed.TryRemove(claim.CronJobId, out _) =>
                    LoseReplyAsync((Task<bool>)result!, claim.ExecutionId),
                nameof(IAdminStore.RecordTriggerAsync) when args?[0] is ManualTrigger trigger && ArmedTriggers.TryRemove(trigger.Claim.CronJobId, out _) =>
                    LoseTriggerReplyAsync((Task<TriggerRecorded>)result!, trigger.Claim.ExecutionId),
                _ => result,
            };
        }

        private static async Task<TriggerRecorded> LoseTriggerReplyAsync(Task<TriggerRecorded> call, Guid executionId)
        {
            await call;
            // As Npgsql reports a connection that broke after the server committed.
            throw new Npgsql.NpgsqlException($"Injected: the connection dropped after trigger {executionId} committed; its reply is lost.",
                new IOException("connection reset"));
        }

        private static async Task<bool> LoseReplyAsync(Task<bool> call, Guid executionId)
        {
            if (await call)
            {
                LostClaims.Enqueue(executionId);
            }
            // As Npgsql reports a connection that broke after the server committed.
            throw new Npgsql.NpgsqlException($"Injected: the connection dropped after claim {executionId} committed; its reply is lost.",
                new IOException("connection reset"));
        }
    }
}
