namespace Totallator.Bench;

/// <summary>
/// Prints <c>READY</c> on stdout once the silo is active and the scheduler's start-up sync (at <c>Active + 1</c>) has stored the
/// definitions. The jobs' grains are still being woken in the background then; the driver watches the reminder table for that.
/// </summary>
public sealed class ReadySignal : ILifecycleParticipant<ISiloLifecycle>
{
    public const string Line = "READY";

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(ReadySignal), ServiceLifecycleStage.Active + 2, async cancellationToken =>
        {
            await Console.Out.WriteLineAsync(Line);
            await Console.Out.FlushAsync(cancellationToken);
        });
    }
}
