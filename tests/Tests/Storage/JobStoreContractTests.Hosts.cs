using Totallator.Grains.Storage;

namespace Totallator.Tests.Storage;

/// <summary>Where job grains are active: recorded by activations, taken once by the survivors of a dead silo.</summary>
public abstract partial class JobStoreContractTests
{
    [Fact]
    public async Task JobsHostedByADeadSilo_AreTakenOnce_EvenWhenSeveralSurvivorsAsk()
    {
        var dead = "S127.0.0.1:" + Random.Shared.Next(20_000, 30_000) + ":1";
        var alive = dead + "0";
        var a = await SeedAsync(Slug());
        var b = await SeedAsync(Slug());
        var c = await SeedAsync(Slug());
        var found = await Store.SetHostsAsync([new JobHost(a.Id, dead), new JobHost(b.Id, dead), new JobHost(c.Id, alive), new JobHost(Guid.NewGuid(), dead)],
            CancellationToken.None);
        Assert.Equal(new HashSet<Guid> { a.Id, b.Id, c.Id }, found.ToHashSet());

        var takers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Store.TakeJobsHostedByAsync(dead, CancellationToken.None))));

        Assert.Equal(new[] { a.Slug, b.Slug }.Order(), takers.SelectMany(t => t).Order());
        Assert.Empty(await Store.TakeJobsHostedByAsync(dead, CancellationToken.None));
        Assert.Equal([c.Slug], await Store.TakeJobsHostedByAsync(alive, CancellationToken.None));
    }

    [Fact]
    public async Task AJobThatMovedIsNotTakenForItsOldSilo()
    {
        var old = "S127.0.0.1:" + Random.Shared.Next(30_000, 40_000) + ":2";
        var job = await SeedAsync(Slug());
        await Store.SetHostsAsync([new JobHost(job.Id, old)], CancellationToken.None);
        await Store.SetHostsAsync([new JobHost(job.Id, old + "9")], CancellationToken.None);

        Assert.Empty(await Store.TakeJobsHostedByAsync(old, CancellationToken.None));
    }
}
