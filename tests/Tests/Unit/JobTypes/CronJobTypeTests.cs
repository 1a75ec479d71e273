using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Totallator.Grains.Jobs;
using Totallator.Grains.JobTypes;

namespace Totallator.Tests.Unit.JobTypes;

[Trait("Category", "Unit")]
public sealed class CronJobTypeTests
{
    [Description("Sends a digest.")]
    public sealed record DigestParameters
    {
        [Required, StringLength(50, MinimumLength = 1), Description("Who gets it.")]
        public required string Recipient { get; init; }

        [Range(1, 30)]
        public int Days { get; init; } = 7;

        [MaxLength(3)]
        public IReadOnlyList<string> Tags { get; init; } = [];
    }

    private sealed class DigestJob(DigestParameters parameters) : ICronJob
    {
        public Task<CronJobResult> ExecuteAsync(CronJobContext context) => Task.FromResult(CronJobResult.Succeeded(parameters.Recipient));
    }

    private static CronJobType Type()
    {
        var services = new ServiceCollection().AddCronJobType<DigestJob, DigestParameters>("digest", t => t.DisplayName = "Digest");
        using var provider = services.BuildServiceProvider();
        return Assert.Single(provider.GetRequiredService<JobTypeCatalog>().All);
    }

    [Fact]
    public void TheSchemaCarriesTypesRangesLengthsAndDescriptions()
    {
        var type = Type();
        Assert.Equal(("digest", "Digest"), (type.Name, type.DisplayName));
        var schema = JsonNode.Parse(type.ParametersSchemaJson)!;
        Assert.Equal("Sends a digest.", (string?)schema["description"]);
        Assert.Equal("Who gets it.", (string?)schema["properties"]!["recipient"]!["description"]);
        Assert.Equal(50, (int?)schema["properties"]!["recipient"]!["maxLength"]);
        Assert.Equal(30, (double?)schema["properties"]!["days"]!["maximum"]);
        Assert.Equal(3, (int?)schema["properties"]!["tags"]!["maxItems"]);
        Assert.Contains("recipient", schema["required"]!.AsArray().Select(n => (string?)n));
    }

    [Fact]
    public async Task ValidParametersAreRead_AndTheJobIsBuiltWithThem()
    {
        var type = Type();
        var parameters = type.TryRead("""{"recipient":"ops@example.com","days":3}""", out var errors);
        Assert.Empty(errors);
        var read = Assert.IsType<DigestParameters>(parameters);
        Assert.Equal(("ops@example.com", 3), (read.Recipient, read.Days));
        using var provider = new ServiceCollection().BuildServiceProvider();
        var job = type.Factory(provider, read);
        Assert.Equal("ops@example.com", (await job.ExecuteAsync(null!)).Message);
    }

    [Theory]
    [InlineData("""{"recipient":"a","days":99}""", "parameters.days", "between 1 and 30")]
    [InlineData("""{"recipient":"a","colour":"red"}""", "parameters.colour", "could not be mapped")]
    [InlineData("""{"days":3}""", "parameters", "recipient")]
    [InlineData("""{"recipient":"a","tags":["1","2","3","4"]}""", "parameters.tags", "maximum length of '3'")]
    [InlineData("""[1,2]""", "parameters", "")]
    public void BadParametersAreRefused_NamingTheField(string json, string field, string message)
    {
        Assert.Null(Type().TryRead(json, out var errors));
        Assert.True(errors.ContainsKey(field), string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));
        Assert.Contains(message, string.Join(" ", errors[field]), StringComparison.Ordinal);
    }

    [Fact]
    public void ABadOrDuplicateTypeNameFailsTheCatalog()
    {
        var type = Type();
        Assert.Contains("registered twice", Assert.Throws<InvalidOperationException>(() => new JobTypeCatalog([type, type])).Message, StringComparison.Ordinal);
        Assert.Contains("invalid", Assert.Throws<InvalidOperationException>(() => new JobTypeCatalog([new CronJobType
        {
            Name = "Not Valid", DisplayName = "x", ParametersType = typeof(DigestParameters), ParametersSchemaJson = "{}", Factory = (_, _) => null!,
        }])).Message, StringComparison.Ordinal);
    }
}
