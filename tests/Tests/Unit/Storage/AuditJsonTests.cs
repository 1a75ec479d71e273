using System.Text.Json.Nodes;
using Totallator.Grains.Storage;

namespace Totallator.Tests.Unit.Storage;

/// <summary>jsonb refuses <c>\u0000</c>: an audit value with a NUL must still give a row the database takes.</summary>
[Trait("Category", "Unit")]
public sealed class AuditJsonTests
{
    [Fact]
    public void Of_ReplacesNulsInNamesAndTextValues_KeepingOtherValues()
    {
        var json = AuditJson.Of([KeyValuePair.Create("note\0", (JsonNode?)"a\0b"), KeyValuePair.Create("count", (JsonNode?)3)]);

        Assert.DoesNotContain("\\u0000", json, StringComparison.Ordinal);
        var parsed = JsonNode.Parse(json!)!.AsObject();
        Assert.Equal("a\u2400b", parsed["note\u2400"]!.GetValue<string>());
        Assert.Equal(3, parsed["count"]!.GetValue<int>());
    }
}
