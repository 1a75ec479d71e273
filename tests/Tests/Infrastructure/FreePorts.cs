using System.Net;
using System.Net.Sockets;

namespace Totallator.Tests.Infrastructure;

/// <summary>
/// Loopback ports the OS says are free now. Fixed ranges (22,000 + a random offset, gateway + 10,000) collided: with each
/// other across test classes running in parallel, and with the ephemeral range (32768 and up) that every outgoing
/// connection of the run draws from ("Address already in use" for a gateway, seen in a clean-clone CI run).
/// </summary>
public static class FreePorts
{
    /// <summary>One free port.</summary>
    public static int One()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary><paramref name="count"/> distinct free ports (all held open until every one is chosen).</summary>
    public static int[] Many(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            listeners.ForEach(l => l.Dispose());
        }
    }
}
