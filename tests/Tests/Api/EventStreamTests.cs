using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Npgsql;
using Totallator.Tests.Api.Infrastructure;

namespace Totallator.Tests.Api;

/// <summary>
/// <c>/api/cron/events</c> does not outlive the caller that opened it (a revoked key, a signed-out or expired session end it
/// within <c>Admin:KeyCacheDuration</c>, 200 ms in the fixture), and open streams are capped per caller and per process.
/// </summary>
[Collection(AdminApiCollection.Name), Trait("Category", "Api")]
public sealed class EventStreamTests(AdminApiFixture api)
{
    /// <summary>The fixture's key cache (200 ms) plus one re-check and slack for a loaded 2-core machine.</summary>
    private static readonly TimeSpan EndsWithin = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task AStreamOpenedWithAKeyEnds_WhenTheKeyIsRevoked()
    {
        var (id, key) = await CreateKeyAsync("stream-revoked");
        using var machine = api.Client(key);
        await using var stream = await EventStream.OpenAsync(machine);
        Assert.Equal(HttpStatusCode.OK, stream.Status);
        Assert.Equal("activity", (await stream.NextAsync(TimeSpan.FromSeconds(10)))?.Name);

        await RevokeAsync(id);
        var (events, elapsed) = await stream.EndAsync(EndsWithin);

        Assert.True(elapsed < EndsWithin, $"took {elapsed}");
        var last = events.LastOrDefault();
        Assert.Equal("signed-out", last.Name);
        Assert.Contains("revoked", JsonDocument.Parse(last.Data).RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(key, string.Join("\n", events.Select(e => e.Data)), StringComparison.Ordinal);
        await using var again = await EventStream.OpenAsync(machine);
        Assert.Equal(HttpStatusCode.Unauthorized, again.Status);
    }

    [Fact]
    public async Task ASessionStreamEnds_WhenTheBrowserSignsOut()
    {
        var jar = new CookieContainer();
        using var browser = Browser(jar: jar);
        var token = await SignInAsync(browser, api.ViewerKey);
        await using var stream = await EventStream.OpenAsync(browser);
        Assert.Equal(HttpStatusCode.OK, stream.Status);
        Assert.Equal("activity", (await stream.NextAsync(TimeSpan.FromSeconds(10)))?.Name);

        // Signing out must end the session on the server, not only drop the cookie from the jar: keep a copy to replay.
        var cookie = jar.GetCookieHeader(api.BaseAddress);
        var signOut = await browser.SendAsync("DELETE", "/api/cron/session", null, new Dictionary<string, string> { ["X-CSRF-TOKEN"] = token });
        Assert.Equal(204, signOut.Code);
        var (events, _) = await stream.EndAsync(EndsWithin);

        Assert.Equal("signed-out", events.LastOrDefault().Name);
        using var replay = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = api.BaseAddress };
        await using var replayed = await EventStream.OpenAsync(replay, new Dictionary<string, string> { ["Cookie"] = cookie });
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.Status);
    }

    [Fact]
    public async Task ASessionStreamEnds_WhenItsKeyIsRevoked()
    {
        var (id, key) = await CreateKeyAsync("stream-session-revoked");
        using var browser = Browser();
        await SignInAsync(browser, key);
        await using var stream = await EventStream.OpenAsync(browser);
        Assert.Equal(HttpStatusCode.OK, stream.Status);
        Assert.Equal("activity", (await stream.NextAsync(TimeSpan.FromSeconds(10)))?.Name);

        await RevokeAsync(id);
        var (events, elapsed) = await stream.EndAsync(EndsWithin);

        Assert.True(elapsed < EndsWithin, $"took {elapsed}");
        Assert.Equal("signed-out", events.LastOrDefault().Name);
    }

    [Fact]
    public async Task ASessionStreamEnds_WhenTheSessionExpires()
    {
        await using var app = new Replica(await AdminApiFixture.StartApiAsync(api.Cluster, new Dictionary<string, string?>
        {
            ["Admin:SessionLifetime"] = "00:00:02",
        }));
        using var browser = Browser(app.Address);
        // When the session ends: 2 s after it was issued, which is after this, but kept in the cookie to the whole second
        // (AuthenticationProperties write ExpiresUtc in RFC 1123), so between 1 and 2 s from here. The stream must not end
        // before 1 s from here. Timed from the stream's opening instead, the same bound failed a correct end after a slow
        // sign-in (a loaded CI machine: ended 0.89 s after the opening).
        var sinceSignIn = System.Diagnostics.Stopwatch.StartNew();
        await SignInAsync(browser, api.ViewerKey);
        await using var stream = await EventStream.OpenAsync(browser);
        Assert.Equal(HttpStatusCode.OK, stream.Status);

        var (events, _) = await stream.EndAsync(TimeSpan.FromSeconds(2) + EndsWithin);
        var ended = sinceSignIn.Elapsed;

        Assert.Equal("signed-out", events.LastOrDefault().Name);
        Assert.Contains("expired", JsonDocument.Parse(events.Last().Data).RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(ended > TimeSpan.FromSeconds(1), $"ended {ended} after the sign-in began, before the session expired");
    }

    [Fact]
    public async Task OpenStreamsAreCappedPerCallerAndPerProcess_AndClosingOneFreesItsSlot()
    {
        await using var app = new Replica(await AdminApiFixture.StartApiAsync(api.Cluster, new Dictionary<string, string?>
        {
            ["Admin:Events:MaxStreamsPerCaller"] = "2",
            ["Admin:Events:MaxStreams"] = "3",
        }));
        using var viewer = Client(app.Address, api.ViewerKey);
        using var operatorClient = Client(app.Address, api.OperatorKey);
        using var admin = Client(app.Address, api.AdminKey);
        await using var first = await EventStream.OpenAsync(viewer);
        await using var second = await EventStream.OpenAsync(viewer);
        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(HttpStatusCode.OK, second.Status);

        await using (var third = await EventStream.OpenAsync(viewer))
        {
            await AssertRefusedAsync(third, "per caller");
        }
        await using var other = await EventStream.OpenAsync(operatorClient);
        Assert.Equal(HttpStatusCode.OK, other.Status);
        await using (var pastProcessCap = await EventStream.OpenAsync(admin))
        {
            await AssertRefusedAsync(pastProcessCap, "This server");
        }

        await first.DisposeAsync();
        var reopened = await EventuallyOpenAsync(viewer);
        await using (reopened)
        {
            Assert.Equal(HttpStatusCode.OK, reopened.Status);
        }
        await other.DisposeAsync();
        await using var adminStream = await EventuallyOpenAsync(admin);
        Assert.Equal(HttpStatusCode.OK, adminStream.Status);
    }

    /// <summary>
    /// A completion is written a moment after the attempt ends (batched), with the silo's end time as <c>completedAt</c>: a
    /// stream read can pass that instant before the row commits. The stream must still send the end, once. It did not: the
    /// next read asked only for ends after the previous read's clock, and the page showed the run as running until reloaded.
    /// </summary>
    [Fact]
    public async Task AnEndThatCommitsAfterAStreamReadPassedItsInstantIsStillSentOnce()
    {
        const string slug = "t-api-late-end";
        using var viewer = api.ClientFor("viewer");
        await using var stream = await EventStream.OpenAsync(viewer);
        Assert.Equal(HttpStatusCode.OK, stream.Status);
        var first = await NextActivityAsync(stream);
        var readAt = first.GetProperty("now").GetDateTimeOffset();

        // The row a lagging batch commits now: ended two seconds before the read that has already been sent.
        var id = Guid.NewGuid();
        await using (var db = NpgsqlDataSource.Create(api.Cluster.ConnectionString))
        {
            await using var insert = db.CreateCommand("""
                INSERT INTO cronJobExecution (id, cronJobId, occurrenceKey, scheduledFor, startedAt, completedAt, durationMs, status, triggeredBy)
                SELECT @id, j.id, 'm:' || @id, @ended - interval '1 second', @ended - interval '1 second', @ended, 1000, 'succeeded', 'manual'
                FROM cronJob j WHERE j.slug = @slug
                """);
            insert.Parameters.AddWithValue("id", id);
            insert.Parameters.AddWithValue("ended", readAt.AddSeconds(-2));
            insert.Parameters.AddWithValue("slug", slug);
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        }

        var sent = 0;
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < deadline)
        {
            var activity = await NextActivityAsync(stream);
            sent += activity.GetProperty("ended").EnumerateArray().Count(x => x.GetProperty("id").GetGuid() == id);
        }
        Assert.Equal(1, sent);
    }

    /// <summary>
    /// One read a second serves every open stream of a process (the shared feed, docs/admin-read.md): before, each stream read
    /// on its own, and 100 open pages were 100 reads a second. The feed stops reading when the last stream closes.
    /// </summary>
    [Fact]
    public async Task ManyOpenStreamsAreServedByOneReadASecond_AndNoneOnceTheyClose()
    {
        var app = await AdminApiFixture.StartApiAsync(api.Cluster, new Dictionary<string, string?>());
        await using var replica = new Replica(app);
        var feed = app.Services.GetRequiredService<Totallator.AdminApi.Events.ActivityFeed>();
        using var viewer = Client(replica.Address, api.ViewerKey);
        var streams = new List<EventStream>();
        try
        {
            for (var i = 0; i < 8; i++)
            {
                streams.Add(await EventStream.OpenAsync(viewer));
            }
            foreach (var stream in streams)
            {
                Assert.Equal(HttpStatusCode.OK, stream.Status);
                await NextActivityAsync(stream);
            }
            var readsBefore = feed.Reads;
            var watch = System.Diagnostics.Stopwatch.StartNew();
            foreach (var stream in streams)
            {
                // Each stream still gets its own events while the feed reads once for all.
                await NextActivityAsync(stream);
                await NextActivityAsync(stream);
            }
            var reads = feed.Reads - readsBefore;
            var seconds = watch.Elapsed.TotalSeconds;
            Assert.True(reads <= Math.Ceiling(seconds) + 1, $"{reads} reads in {seconds:0.0} s for {streams.Count} streams");
            Assert.Equal(streams.Count, feed.Subscribers);
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
        // A closed stream leaves when the server notices (its next tick): then the feed stops reading.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (feed.Subscribers > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        Assert.Equal(0, feed.Subscribers);
        await Task.Delay(1500);
        var idle = feed.Reads;
        await Task.Delay(2500);
        Assert.Equal(idle, feed.Reads);
    }

    private static async Task<JsonElement> NextActivityAsync(EventStream stream)
    {
        while (true)
        {
            var next = await stream.NextAsync(TimeSpan.FromSeconds(10)) ?? throw new InvalidOperationException("The stream ended.");
            if (next.Name == "activity")
            {
                return JsonDocument.Parse(next.Data).RootElement;
            }
        }
    }

    private static async Task AssertRefusedAsync(EventStream stream, string reason)
    {
        var body = await stream.BodyAsync();
        Assert.True(stream.Status == HttpStatusCode.TooManyRequests, $"expected 429, got {(int)stream.Status} {body}");
        Assert.True(stream.Response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "a 429 must say when to retry");
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.Contains(reason, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(problem.TryGetProperty("requestId", out _));
    }

    // A closed stream frees its slot when the server notices the closed connection (its next write or tick): poll briefly.
    private static async Task<EventStream> EventuallyOpenAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            var stream = await EventStream.OpenAsync(client);
            if (stream.Status != HttpStatusCode.TooManyRequests || DateTime.UtcNow > deadline)
            {
                return stream;
            }
            await stream.DisposeAsync();
            await Task.Delay(100);
        }
    }

    private async Task<(string Id, string Key)> CreateKeyAsync(string name)
    {
        using var admin = api.ClientFor("admin");
        var created = (await admin.PostJsonAsync("/api/cron/keys", JsonSerializer.Serialize(new { name, role = "viewer" }))).Json;
        return (created.GetProperty("id").GetString()!, created.GetProperty("key").GetString()!);
    }

    private async Task RevokeAsync(string id)
    {
        using var admin = api.ClientFor("admin");
        Assert.Equal(204, (await admin.SendAsync("DELETE", $"/api/cron/keys/{id}")).Code);
    }

    private static async Task<string> SignInAsync(HttpClient browser, string key)
    {
        var signIn = await browser.PostJsonAsync("/api/cron/session", JsonSerializer.Serialize(new { apiKey = key }));
        Assert.True(signIn.Code == 200, signIn.ToString());
        return signIn.Json.GetProperty("antiforgeryToken").GetString()!;
    }

    private HttpClient Browser(Uri? address = null, CookieContainer? jar = null) =>
        new(new HttpClientHandler { CookieContainer = jar ?? new CookieContainer(), UseCookies = true }) { BaseAddress = address ?? api.BaseAddress };

    private static HttpClient Client(Uri address, string key)
    {
        var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add(Totallator.AdminApi.Security.ApiKeys.HeaderName, key);
        return client;
    }

    private sealed class Replica(WebApplication app) : IAsyncDisposable
    {
        public Uri Address { get; } = new(app.Urls.First());

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
