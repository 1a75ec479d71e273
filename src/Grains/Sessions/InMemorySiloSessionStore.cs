namespace Totallator.Grains.Sessions;

/// <summary>One process, one silo: its session lasts as long as the process, and no other silo can outlive it.</summary>
public sealed class InMemorySiloSessionStore : ISiloSessionStore
{
    public Task<ISiloSessionHandle?> OpenAsync(string silo, CancellationToken cancellationToken) =>
        Task.FromResult<ISiloSessionHandle?>(new Handle());

    public Task<IReadOnlyList<string>?> TryResolveEndedAsync(string silo, TimeSpan grace, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>?>(null);

    private sealed class Handle : ISiloSessionHandle
    {
        public Task PingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
