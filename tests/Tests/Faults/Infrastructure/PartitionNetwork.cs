using System.Diagnostics;
using System.Globalization;

namespace Totallator.Tests.Faults.Infrastructure;

/// <summary>
/// A network namespace for one silo, joined to the host by a veth pair (needs root and iproute2):
/// <code>
///   host: HostAddress (10.201.x.1, what the host's silos advertise) and DatabaseAddress (10.201.x.3, PostgreSQL only) on tch…
///   namespace tcron-…: NamespaceAddress (10.201.x.2) on tcn…, and lo (the runner's readiness probe)
/// </code>
/// <see cref="CutAsync"/> adds a blackhole route to HostAddress inside the namespace: the silo there can neither reach its peers
/// nor answer them (their packets arrive, its replies do not leave), yet still reaches PostgreSQL on DatabaseAddress.
/// <see cref="HealAsync"/> deletes the route. Disposing deletes the namespace (and with it both ends of the veth pair).
/// </summary>
public sealed class PartitionNetwork : IAsyncDisposable
{
    private const string Prefix = "tcron-";

    private PartitionNetwork(string name, string hostLink, int subnet)
    {
        Name = name;
        HostLink = hostLink;
        HostAddress = string.Create(CultureInfo.InvariantCulture, $"10.201.{subnet}.1");
        NamespaceAddress = string.Create(CultureInfo.InvariantCulture, $"10.201.{subnet}.2");
        DatabaseAddress = string.Create(CultureInfo.InvariantCulture, $"10.201.{subnet}.3");
        Subnet = string.Create(CultureInfo.InvariantCulture, $"10.201.{subnet}.0/24");
    }

    /// <summary>The namespace's name, tcron-&lt;owner pid&gt;-&lt;random&gt;: the owner pid tells a stale one from a live one.</summary>
    public string Name { get; }
    public string HostLink { get; }
    public string HostAddress { get; }
    public string NamespaceAddress { get; }
    public string DatabaseAddress { get; }
    public string Subnet { get; }

    /// <summary>Removes stale namespaces (their test process is gone), then builds a new one; throws, clearly, when it cannot.</summary>
    public static async Task<PartitionNetwork> CreateAsync()
    {
        if (Environment.UserName != "root")
        {
            throw new InvalidOperationException($"The partition case needs root for `ip netns` (running as {Environment.UserName}).");
        }
        await RemoveStaleAsync();
        var used = await RunAsync("ip", "-o -4 addr show");
        var subnet = Enumerable.Range(0, 100).Select(_ => Random.Shared.Next(1, 255))
            .First(s => !used.Contains(string.Create(CultureInfo.InvariantCulture, $" 10.201.{s}."), StringComparison.Ordinal));
        var tag = Guid.NewGuid().ToString("N")[..6];
        var network = new PartitionNetwork(string.Create(CultureInfo.InvariantCulture, $"{Prefix}{Environment.ProcessId}-{tag}"), "tch" + tag, subnet);
        var inside = "tcn" + tag;
        try
        {
            await RunAsync("ip", $"netns add {network.Name}");
            await RunAsync("ip", $"link add {network.HostLink} type veth peer name {inside}");
            await RunAsync("ip", $"link set {inside} netns {network.Name}");
            await RunAsync("ip", $"addr add {network.HostAddress}/24 dev {network.HostLink}");
            await RunAsync("ip", $"addr add {network.DatabaseAddress}/24 dev {network.HostLink}");
            await RunAsync("ip", $"link set {network.HostLink} up");
            await network.InsideAsync($"ip addr add {network.NamespaceAddress}/24 dev {inside}");
            await network.InsideAsync($"ip link set {inside} up");
            await network.InsideAsync("ip link set lo up");
        }
        catch
        {
            await network.DisposeAsync();
            throw;
        }
        return network;
    }

    public Task CutAsync() => InsideAsync($"ip route add blackhole {HostAddress}/32");

    public Task HealAsync() => InsideAsync($"ip route del blackhole {HostAddress}/32");

    /// <summary>Whether a TCP connection from inside the namespace to <paramref name="address"/>:<paramref name="port"/> opens within 2 s.</summary>
    public async Task<bool> CanConnectAsync(string address, int port)
    {
        try
        {
            await InsideAsync(string.Create(CultureInfo.InvariantCulture, $"timeout 2 bash -c \"exec 3<>/dev/tcp/{address}/{port}\""));
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private Task<string> InsideAsync(string command) => RunAsync("ip", $"netns exec {Name} {command}");

    public async ValueTask DisposeAsync()
    {
        // Deleting the namespace destroys the veth end inside it, and so its peer; the explicit delete covers a half-built pair.
        await RunQuietlyAsync("ip", $"netns del {Name}");
        await RunQuietlyAsync("ip", $"link del {HostLink}");
    }

    /// <summary>Namespaces of this suite whose owner process is gone (a test killed before its clean-up ran).</summary>
    private static async Task RemoveStaleAsync()
    {
        var list = await RunAsync("ip", "netns list");
        foreach (var name in list.Split('\n').Select(l => l.Split(' ')[0].Trim()).Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            var owner = name[Prefix.Length..].Split('-')[0];
            if (int.TryParse(owner, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) && Directory.Exists($"/proc/{pid}"))
            {
                // Another test run's, alive (a parallel run in another checkout): not ours to remove.
                continue;
            }
            await RunQuietlyAsync("ip", $"netns del {name}");
        }
    }

    private static async Task RunQuietlyAsync(string program, string arguments)
    {
        try
        {
            await RunAsync(program, arguments);
        }
        catch (InvalidOperationException)
        {
            // Gone already.
        }
    }

    private static async Task<string> RunAsync(string program, string arguments)
    {
        var info = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"`{program}` is not available ({ex.Message}): the partition case needs iproute2 (scripts/ensure-fault-tools.sh).", ex);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{program} {arguments} failed ({process.ExitCode}): {await stderr}{await stdout}");
            }
            return await stdout;
        }
    }
}
