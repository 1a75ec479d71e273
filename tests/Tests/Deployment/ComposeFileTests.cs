using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Totallator.AdminApi.Health;
using Totallator.Grains.Hosting;
using Totallator.Silo;
using YamlDotNet.RepresentationModel;
using static Totallator.Tests.Deployment.ComposeFile;

namespace Totallator.Tests.Deployment;

/// <summary>
/// docker-compose.cluster.yml cannot be run here (no Docker engine), so it is kept honest by reading it: its services, ports,
/// health checks, start order, environment names and Dockerfiles must agree with the application.
/// </summary>
[Trait("Category", "Unit")]
public sealed partial class ComposeFileTests
{
    private static readonly string[] AppServices = ["migrate", "silo", "adminapi"];
    private readonly ComposeFile _compose = ComposeFile.Load();

    [Fact]
    public void Services_AreTheDeploymentShape() =>
        Assert.Equal(["adminapi", "migrate", "postgres", "silo"], _compose.Services.Keys.Order(StringComparer.Ordinal));

    [Fact]
    public void OnlyTheAdminApi_PublishesAPort_TheOneItListensOn()
    {
        foreach (var service in _compose.Services.Keys.Where(s => s != "adminapi"))
        {
            Assert.True(_compose.Ports(service).Count == 0, $"{service} publishes {string.Join(", ", _compose.Ports(service))}; only adminapi may");
        }
        var published = Assert.Single(_compose.Ports("adminapi"));
        var containerPort = published.Split('/')[0].Split(':')[^1];
        Assert.True(containerPort == UrlPort("adminapi"), $"adminapi publishes container port {containerPort} but listens on Urls port {UrlPort("adminapi")}");
    }

    [Fact]
    public void EveryLongRunningService_HasAHealthCheckAndARestartPolicy()
    {
        foreach (var service in _compose.Services.Keys.Where(s => s != "migrate"))
        {
            Assert.True(_compose.HealthCheckTest(service) is { Count: > 1 }, $"{service} has no healthcheck test");
            var restart = Get(_compose.Services[service], "restart") is { } r ? Text(r) : "no";
            Assert.True(restart is "always" or "unless-stopped" or "on-failure", $"{service} restart policy is '{restart}'");
        }
        // The migration is one-shot: restarting it would loop, and silos wait for it to complete.
        Assert.Equal("no", Text(_compose.Services["migrate"]["restart"]));
        Assert.Contains("migrate", ((YamlSequenceNode)_compose.Services["migrate"]["command"]).Children.Select(Text));
    }

    [Fact]
    public void HealthChecks_ProbePathsTheAppMaps_WithAToolTheImageHas()
    {
        var mapped = MappedHealthPaths();
        foreach (var service in AppServices.Where(s => s != "migrate"))
        {
            var test = _compose.HealthCheckTest(service)!;
            Assert.True(test[0] == "CMD" && test[1] == "curl", $"{service}: expected a curl health check, got {string.Join(' ', test)}");
            var url = new Uri(test[^1]);
            Assert.True(mapped.Contains(url.AbsolutePath), $"{service} probes {url.AbsolutePath}; the app maps {string.Join(", ", mapped)}");
            Assert.True(url.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) == UrlPort(service),
                $"{service} probes port {url.Port} but listens on {UrlPort(service)}");
            // The aspnet base image has no curl: the Dockerfile must install it.
            var dockerfile = File.ReadAllText(Path.Combine(_compose.Root, _compose.Build(service)!.Value.Dockerfile));
            Assert.True(InstallsCurl().IsMatch(dockerfile), $"{service}: its Dockerfile does not install curl, which its health check runs");
        }
    }

    [Fact]
    public void DependsOn_StartsEachServiceWhenWhatItNeedsIsReady()
    {
        AssertDependsOn("postgres");
        AssertDependsOn("migrate", "postgres=service_healthy");
        AssertDependsOn("silo", "migrate=service_completed_successfully", "postgres=service_healthy");
        AssertDependsOn("adminapi", "silo=service_healthy");
    }

    private void AssertDependsOn(string service, params string[] expected)
    {
        var actual = _compose.DependsOn(service).Select(d => $"{d.Key}={d.Value}").Order(StringComparer.Ordinal).ToList();
        Assert.True(actual.SequenceEqual(expected), $"{service} depends on [{string.Join(", ", actual)}]; expected [{string.Join(", ", expected)}]");
    }

    [Fact]
    public void Silos_AreOneScalableService_EachAdvertisingItsOwnAddress()
    {
        var silo = _compose.Services["silo"];
        Assert.True(int.Parse(Text(((YamlMappingNode)silo["deploy"])["replicas"]), System.Globalization.CultureInfo.InvariantCulture) >= 2,
            "silo: deploy.replicas should start a cluster (at least 2)");
        // Replicas of one service cannot share a fixed name, and must not all advertise one address.
        Assert.Null(Get(silo, "container_name"));
        Assert.Null(Get(silo, "hostname"));
        Assert.Equal(SiloEndpointOptions.AutoAddress, _compose.Environment("silo")["Orleans__AdvertisedIPAddress"]);
        Assert.Equal(_compose.Build("silo"), _compose.Build("migrate"));
    }

    [Fact]
    public void EveryEnvironmentName_IsAConfigurationKeyOfTheApp()
    {
        var problems = AppServices.SelectMany(s => _compose.Environment(s).Keys.Select(k => (Service: s, Key: k, Problem: ConfigurationKeys.Problem(k))))
            .Where(p => p.Problem is not null).Select(p => $"{p.Service}: {p.Key} -> {p.Problem}").ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Theory]
    [InlineData("Cron__Scheduler__LeaseDurationn")]
    [InlineData("Orleans__AdvertisedIP")]
    [InlineData("Orleans__Membership__ProbeTimeoutt")]
    [InlineData("Admin__DataProtection__KeysDir")]
    [InlineData("Admin__DataProtection")]
    [InlineData("Admin__ApiKey__Value")]
    [InlineData("Cron__Examples__Enable")]
    [InlineData("ConnectionStrings__Default")]
    public void KeyChecker_RejectsANameTheAppDoesNotRead(string variable) =>
        Assert.NotNull(ConfigurationKeys.Problem(variable));

    [Theory]
    [InlineData("Cron__Scheduler__LeaseDuration")]
    [InlineData("Orleans__Membership__ProbeTimeout")]
    [InlineData("orleans__advertisedipaddress")]
    [InlineData("Admin__DataProtection__KeysDirectory")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT")]
    public void KeyChecker_AcceptsAKeyTheAppReads(string variable) =>
        Assert.Null(ConfigurationKeys.Problem(variable));

    [Fact]
    public void ConnectionStrings_NameThePostgresServiceAndItsDatabase()
    {
        var postgres = _compose.Environment("postgres");
        foreach (var service in AppServices)
        {
            var connection = new NpgsqlConnectionStringBuilder(_compose.Environment(service)["ConnectionStrings__Postgres"]);
            Assert.True(_compose.Services.ContainsKey(connection.Host!), $"{service}: connection string host '{connection.Host}' is not a compose service");
            Assert.True(connection.Database == postgres["POSTGRES_DB"], $"{service}: database '{connection.Database}' is not POSTGRES_DB");
            Assert.True(connection.Username == postgres["POSTGRES_USER"], $"{service}: user '{connection.Username}' is not POSTGRES_USER");
            Assert.True(connection.Password == postgres["POSTGRES_PASSWORD"], $"{service}: password differs from POSTGRES_PASSWORD");
        }
    }

    [Fact]
    public void SilosAndTheAdminApi_JoinTheSameCluster()
    {
        foreach (var key in new[] { "Orleans__ClusterId", "Orleans__ServiceId" })
        {
            Assert.True(_compose.Environment("silo")[key] == _compose.Environment("adminapi")[key], $"silo and adminapi differ in {key}");
        }
    }

    [Fact]
    public void Volumes_KeepTheDatabaseAndTheAdminKeys()
    {
        var declared = ((YamlMappingNode)_compose.Document["volumes"]).Children.Keys.Select(Text).ToHashSet();
        var mounts = _compose.Services.ToDictionary(s => s.Key,
            s => Get(s.Value, "volumes") is YamlSequenceNode v ? v.Children.Select(Text).ToList() : []);
        foreach (var (service, list) in mounts)
        {
            foreach (var source in list.Select(m => m.Split(':')[0]))
            {
                Assert.True(declared.Contains(source), $"{service} mounts '{source}', which is not a declared named volume");
            }
        }
        Assert.Contains(mounts["postgres"], m => m.EndsWith(":/var/lib/postgresql/data", StringComparison.Ordinal));
        var keys = _compose.Environment("adminapi")["Admin__DataProtection__KeysDirectory"];
        Assert.True(mounts["adminapi"].Any(m => m.EndsWith(":" + keys, StringComparison.Ordinal)),
            $"adminapi: Admin__DataProtection__KeysDirectory {keys} is not on a volume, so every replica and restart would get new keys");
    }

    [Fact]
    public void SiloStopGracePeriod_CoversItsOwnShutdownTimeout()
    {
        // src/Silo/Program.cs: ShutdownTimeout = ShutdownGracePeriod + CancellationGrace + 30 s.
        var scheduler = new SchedulerOptions();
        var shutdown = scheduler.ShutdownGracePeriod + scheduler.CancellationGrace + TimeSpan.FromSeconds(30);
        var grace = Duration(Text(_compose.Services["silo"]["stop_grace_period"]));
        Assert.True(grace > shutdown, $"silo: stop_grace_period {grace} is not longer than the silo's shutdown timeout {shutdown}");
    }

    [Fact]
    public void Dockerfiles_ExistAndBuildProjectsThatExist()
    {
        foreach (var service in AppServices)
        {
            var (context, dockerfile) = _compose.Build(service) ?? throw new Xunit.Sdk.XunitException($"{service} has no build");
            var contextDir = Path.GetFullPath(Path.Combine(_compose.Root, context));
            Assert.True(File.Exists(Path.Combine(_compose.Root, dockerfile)), $"{service}: {dockerfile} does not exist");
            var lines = File.ReadAllLines(Path.Combine(_compose.Root, dockerfile));
            foreach (var copy in lines.Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from", StringComparison.Ordinal)))
            {
                foreach (var source in copy.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1])
                {
                    Assert.True(Path.Exists(Path.Combine(contextDir, source)), $"{service}: {dockerfile} copies '{source}', which is not in the build context");
                }
            }
            var publish = lines.Select(l => PublishedProject().Match(l)).Single(m => m.Success).Groups[1].Value;
            Assert.True(File.Exists(Path.Combine(contextDir, publish)), $"{service}: {dockerfile} publishes {publish}, which does not exist");
            // Directory.Build.props names every assembly Totallator.<project>.
            var dll = $"Totallator.{Path.GetFileNameWithoutExtension(publish)}.dll";
            Assert.True(lines.Any(l => l.StartsWith("ENTRYPOINT", StringComparison.Ordinal) && l.Contains(dll, StringComparison.Ordinal)),
                $"{service}: {dockerfile}'s ENTRYPOINT does not run {dll}");
        }
        // The build context must keep what the projects need (the migrations are embedded from sql/).
        var ignored = File.ReadAllLines(Path.Combine(_compose.Root, ".dockerignore")).Select(l => l.Trim().TrimEnd('/'))
            .Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        foreach (var needed in new[] { "src", "sql", "Directory.Build.props", "Directory.Packages.props", "global.json", ".editorconfig" })
        {
            Assert.True(!ignored.Contains(needed), $".dockerignore excludes {needed}, which the image build needs");
        }
    }

    private string UrlPort(string service) => new Uri(_compose.Environment(service)["Urls"].Split(';')[0]).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    // The routes HealthEndpoints really maps, read from a host that maps them (nothing is started).
    private static HashSet<string> MappedHealthPaths()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Services.AddTotallatorHealthChecks();
        var app = builder.Build();
        app.MapTotallatorHealthEndpoints();
        return ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/')).ToHashSet();
    }

    [GeneratedRegex(@"apt-get install[^\n]*\bcurl\b")]
    private static partial Regex InstallsCurl();

    [GeneratedRegex(@"dotnet publish (\S+\.csproj)")]
    private static partial Regex PublishedProject();
}
