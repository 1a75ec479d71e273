using Totallator.Tests.Api.Infrastructure;

namespace Totallator.Tests.Api;

/// <summary>One-off runs over HTTP: scheduled in a zone, listed, cancelled; bad times refused naming the field, nothing stored.</summary>
[Collection(AdminApiCollection.Name), Trait("Category", "Api")]
public sealed class OneOffApiTests(AdminApiFixture api)
{
    private const string Slug = "t-api-oneoff";

    [Fact]
    public async Task AnOperatorSchedulesAOneOffRunInAZone_SeesItListed_AndCancelsIt()
    {
        using var operatorClient = api.ClientFor("operator");
        using var viewer = api.ClientFor("viewer");
        var local = DateTime.UtcNow.AddDays(3).Date.AddHours(9); // 09:00 local in Berlin, three days ahead
        var at = local.ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        var created = await operatorClient.PostJsonAsync($"/api/cron/jobs/{Slug}/runs", $$"""{"at":"{{at}}","timeZone":"Europe/Berlin","note":"quarter end"}""");
        Assert.True(created.Code == 201, created.ToString());
        var id = created.Json.GetProperty("id").GetString()!;
        Assert.Equal($"/api/cron/jobs/{Slug}/runs/{id}", created.Headers.Location?.ToString());
        var runAt = created.Json.GetProperty("runAt").GetDateTimeOffset();
        Assert.Equal((local.Hour, local.Minute), (runAt.Hour, runAt.Minute));
        Assert.Equal(TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin").GetUtcOffset(local), runAt.Offset);
        Assert.Equal(("pending", "Europe/Berlin", "quarter end"), (created.Json.GetProperty("state").GetString(),
            created.Json.GetProperty("timeZone").GetString(), created.Json.GetProperty("note").GetString()));

        var listed = await viewer.FetchAsync($"/api/cron/jobs/{Slug}/runs");
        Assert.Contains(listed.Json.EnumerateArray(), r => r.GetProperty("id").GetString() == id);
        Assert.Equal(403, (await viewer.SendAsync("DELETE", $"/api/cron/jobs/{Slug}/runs/{id}")).Code);

        Assert.Equal(204, (await operatorClient.SendAsync("DELETE", $"/api/cron/jobs/{Slug}/runs/{id}")).Code);
        var again = await operatorClient.SendAsync("DELETE", $"/api/cron/jobs/{Slug}/runs/{id}");
        Assert.Equal(409, again.Code);
        Assert.Equal(404, (await operatorClient.SendAsync("DELETE", $"/api/cron/jobs/{Slug}/runs/{Guid.NewGuid()}")).Code);
        Assert.DoesNotContain((await viewer.FetchAsync($"/api/cron/jobs/{Slug}/runs")).Json.EnumerateArray(), r => r.GetProperty("id").GetString() == id);
        var all = await viewer.FetchAsync($"/api/cron/jobs/{Slug}/runs?all=true");
        Assert.Contains(all.Json.EnumerateArray(), r => r.GetProperty("id").GetString() == id && r.GetProperty("state").GetString() == "cancelled");
        var audit = await viewer.FetchAsync($"/api/cron/audit?jobSlug={Slug}&action=job.cancel-run");
        Assert.Equal(id, audit.Json.GetProperty("items")[0].GetProperty("target").GetString());
    }

    [Theory]
    [InlineData("""{"timeZone":"UTC"}""", "at", "at is required")]
    [InlineData("""{"at":"next tuesday","timeZone":"UTC"}""", "at", "not an ISO 8601 time")]
    [InlineData("""{"at":"2020-01-01T00:00:00Z"}""", "at", "must be in the future")]
    [InlineData("""{"at":"2030-01-01T00:00","timeZone":"Mars/Olympus"}""", "timeZone", "Unknown time zone 'Mars/Olympus'")]
    [InlineData("""{"at":"2027-03-28T02:30","timeZone":"Europe/Berlin"}""", "at", "does not exist in Europe/Berlin")]
    [InlineData("""{"at":"2027-10-31T02:30","timeZone":"Europe/Berlin"}""", "at", "happens twice in Europe/Berlin")]
    public async Task ABadTimeIsRefusedNamingTheField_AndNothingIsStored(string body, string field, string message)
    {
        using var operatorClient = api.ClientFor("operator");
        var before = (await operatorClient.FetchAsync($"/api/cron/jobs/{Slug}/runs?all=true")).Json.GetArrayLength();
        var refused = await operatorClient.PostJsonAsync($"/api/cron/jobs/{Slug}/runs", body);
        Assert.True(refused.Code == 400, refused.ToString());
        Assert.Contains(message, refused.Json.GetProperty("errors").GetProperty(field)[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(before, (await operatorClient.FetchAsync($"/api/cron/jobs/{Slug}/runs?all=true")).Json.GetArrayLength());
    }
}
