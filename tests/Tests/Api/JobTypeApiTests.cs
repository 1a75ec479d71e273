using Totallator.Tests.Api.Infrastructure;
using Totallator.Tests.Cluster.Infrastructure;

namespace Totallator.Tests.Api;

/// <summary>The job types registered in code, over HTTP, with their parameters' JSON schema.</summary>
[Collection(AdminApiCollection.Name), Trait("Category", "Api")]
public sealed class JobTypeApiTests(AdminApiFixture api)
{
    [Fact]
    public async Task AViewerListsTheJobTypes_WithEachOnesParameterSchema()
    {
        using var viewer = api.ClientFor("viewer");
        var types = await viewer.FetchAsync("/api/cron/job-types");
        Assert.Equal(200, types.Code);
        var type = Assert.Single(types.Json.EnumerateArray(), t => t.GetProperty("name").GetString() == TestJobTypes.Name);
        Assert.Equal("Test type", type.GetProperty("displayName").GetString());
        var schema = type.GetProperty("parametersSchema");
        Assert.Equal("What the test job type does.", schema.GetProperty("description").GetString());
        Assert.Equal(40, schema.GetProperty("properties").GetProperty("label").GetProperty("maxLength").GetInt32());
        Assert.Equal(10, schema.GetProperty("properties").GetProperty("repeat").GetProperty("maximum").GetDouble());
        Assert.Contains("label", schema.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        using var anonymous = api.Client(null);
        Assert.Equal(401, (await anonymous.FetchAsync("/api/cron/job-types")).Code);
    }
}
