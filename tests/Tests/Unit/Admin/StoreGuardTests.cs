using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Totallator.Grains.Admin;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Tests.Unit.Admin;

[Trait("Category", "Unit")]
public sealed class StoreGuardTests
{
    public static TheoryData<Exception> StoreFailures() => new()
    {
        new NpgsqlException("Failed to connect to 10.0.0.5:5432 with Password=hunter2"),
        new InvalidOperationException("wrapped", new SocketException((int)SocketError.ConnectionRefused)),
        new TimeoutException("The operation has timed out."),
    };

    [Theory]
    [MemberData(nameof(StoreFailures))]
    public async Task RunAsync_ThrowsStoreUnavailableWithAPlainMessage_WhenTheStoreFails(Exception failure)
    {
        var ex = await Assert.ThrowsAsync<StoreUnavailableException>(() =>
            StoreGuard.RunAsync<int>(NullLogger.Instance, "listing jobs", () => throw failure));

        Assert.Equal("The database did not answer while listing jobs. Try again in a moment.", ex.Message);
        Assert.Null(ex.InnerException);
    }

    [Fact]
    public async Task RunAsync_LetsOtherExceptionsThrough_WhenTheyAreNotStoreFailures()
    {
        await Assert.ThrowsAsync<CronJobNotFoundException>(() =>
            StoreGuard.RunAsync(NullLogger.Instance, "reading a job", () => throw new CronJobNotFoundException("no such job")));
        await Assert.ThrowsAsync<InvalidAdminInputException>(() =>
            StoreGuard.RunAsync(NullLogger.Instance, "storing a key", () => throw new InvalidAdminInputException("taken") { Field = "name" }));
    }
}
