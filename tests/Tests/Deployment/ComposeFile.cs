using YamlDotNet.RepresentationModel;

namespace Totallator.Tests.Deployment;

/// <summary>The repository's <c>docker-compose.cluster.yml</c>, parsed (aliases resolved) into what the tests read.</summary>
public sealed class ComposeFile
{
    public const string FileName = "docker-compose.cluster.yml";

    private ComposeFile(string root, YamlMappingNode document)
    {
        Root = root;
        Document = document;
        Services = ((YamlMappingNode)document["services"]).Children.ToDictionary(e => Text(e.Key), e => (YamlMappingNode)e.Value);
    }

    /// <summary>The repository root: the directory holding Totallator.sln.</summary>
    public string Root { get; }
    public YamlMappingNode Document { get; }
    public IReadOnlyDictionary<string, YamlMappingNode> Services { get; }

    public static ComposeFile Load()
    {
        var root = FindRoot();
        using var reader = new StreamReader(Path.Combine(root, FileName));
        var yaml = new YamlStream();
        yaml.Load(reader);
        return new ComposeFile(root, (YamlMappingNode)yaml.Documents.Single().RootNode);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Totallator.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No Totallator.sln above {AppContext.BaseDirectory}.");
    }

    /// <summary>A child node of a service, or null.</summary>
    public static YamlNode? Get(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public static string Text(YamlNode node) => ((YamlScalarNode)node).Value ?? "";

    /// <summary>A service's environment, in either of compose's forms (map, or a list of NAME=value).</summary>
    public IReadOnlyDictionary<string, string> Environment(string service) => Get(Services[service], "environment") switch
    {
        null => new Dictionary<string, string>(),
        YamlMappingNode map => map.Children.ToDictionary(e => Text(e.Key), e => Text(e.Value)),
        YamlSequenceNode list => list.Children.Select(Text).Select(s => s.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : ""),
        var other => throw new InvalidOperationException($"{service}: environment is a {other.NodeType}"),
    };

    /// <summary>The healthcheck's <c>test</c> as a list (<c>["CMD", "curl", ...]</c>), or null without a healthcheck.</summary>
    public IReadOnlyList<string>? HealthCheckTest(string service) =>
        Get(Services[service], "healthcheck") is YamlMappingNode check && Get(check, "test") is { } test
            ? test is YamlSequenceNode list ? list.Children.Select(Text).ToList() : ["CMD-SHELL", Text(test)]
            : null;

    /// <summary>The names of the services this one depends on, with their condition.</summary>
    public IReadOnlyDictionary<string, string> DependsOn(string service) => Get(Services[service], "depends_on") switch
    {
        null => new Dictionary<string, string>(),
        YamlSequenceNode shortForm => shortForm.Children.ToDictionary(Text, _ => "service_started"),
        YamlMappingNode longForm => longForm.Children.ToDictionary(e => Text(e.Key),
            e => e.Value is YamlMappingNode d && Get(d, "condition") is { } c ? Text(c) : "service_started"),
        var other => throw new InvalidOperationException($"{service}: depends_on is a {other.NodeType}"),
    };

    /// <summary>The <c>build</c> of a service as (context, Dockerfile path relative to the root), or null for an image-only service.</summary>
    public (string Context, string Dockerfile)? Build(string service) => Get(Services[service], "build") switch
    {
        null => null,
        YamlScalarNode context => (Text(context), Path.Combine(Text(context), "Dockerfile")),
        YamlMappingNode build => (Text(build["context"]),
            Path.Combine(Text(build["context"]), Get(build, "dockerfile") is { } f ? Text(f) : "Dockerfile")),
        var other => throw new InvalidOperationException($"{service}: build is a {other.NodeType}"),
    };

    /// <summary>The published ports as written (<c>"8080:8080"</c>, <c>"127.0.0.1:8080:8080"</c>), or none.</summary>
    public IReadOnlyList<string> Ports(string service) =>
        Get(Services[service], "ports") is YamlSequenceNode ports ? ports.Children.Select(Text).ToList() : [];

    /// <summary>A duration as compose writes it (<c>70s</c>, <c>1m30s</c>, <c>500ms</c>).</summary>
    public static TimeSpan Duration(string text)
    {
        var total = TimeSpan.Zero;
        foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(text, @"(\d+)(ms|h|m|s)"))
        {
            var n = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            total += m.Groups[2].Value switch { "h" => TimeSpan.FromHours(n), "m" => TimeSpan.FromMinutes(n), "s" => TimeSpan.FromSeconds(n), _ => TimeSpan.FromMilliseconds(n) };
        }
        return total;
    }
}
