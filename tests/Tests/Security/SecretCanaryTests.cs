using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Npgsql;
using Totallator.Tests.Api.Infrastructure;
using Totallator.Tests.Cluster.Infrastructure;
using Totallator.Tests.Infrastructure;

namespace Totallator.Tests.Security;

/// <summary>
/// A canary in a real silo process's environment (its own variable, the admin key, the password of the PostgreSQL role it
/// connects with) and every schedule string an attacker would try, sent through the real AdminApi by a viewer, an operator and
/// an admin: the canary appears in no HTTP answer, no log line of the silo or the AdminApi, and no row of the database.
/// </summary>
[Trait("Category", "Api")]
public sealed class SecretCanaryTests : IAsyncLifetime
{
    private readonly string _canary = "cnry" + Guid.NewGuid().ToString("N");
    private readonly string _role = "canary_" + Guid.NewGuid().ToString("N")[..12];
    private readonly string _clusterId = "canary-" + Guid.NewGuid().ToString("N")[..8];
    private readonly ConcurrentQueue<string> _apiLog = new();
    private readonly StringBuilder _answers = new();
    private string _database = "";
    private SiloProcess? _silo;
    private Microsoft.AspNetCore.Builder.WebApplication? _api;
    private Uri _apiAddress = null!;

    private static readonly string[] FailedOnly = ["failed"];

    /// <summary>What an attacker sends as a schedule: every way to name a secret, and every way to get a resolved text quoted back.</summary>
    private static readonly string[] Attacks =
    [
        "${TOTALLATOR_CANARY}",
        "0 ${TOTALLATOR_CANARY} * * *",
        "${TOTALLATOR_CANARY} * * * * *",
        "${TOTALLATOR_CANARY:-* * * * *}",
        "${ConnectionStrings__Postgres}",
        "${Admin__ApiKey}",
        "@${TOTALLATOR_CANARY}",
        "${CRON_CANARY_SCHEDULE} ${TOTALLATOR_CANARY}",
        "${CRON_UNSET:-${TOTALLATOR_CANARY}}",
    ];

    public async Task InitializeAsync()
    {
        var admin = await PostgresServer.CreateDatabaseAsync("canary");
        _database = new NpgsqlConnectionStringBuilder(admin).Database!;
        // The silo connects as a role whose password is the canary, as a production silo's connection string holds a real one.
        await using (var conn = new NpgsqlConnection(admin))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"""
                CREATE ROLE "{_role}" LOGIN PASSWORD '{_canary}';
                ALTER DATABASE "{_database}" OWNER TO "{_role}";
                ALTER SCHEMA public OWNER TO "{_role}";
                """, conn);
            await cmd.ExecuteNonQueryAsync();
        }
        var siloConnection = new NpgsqlConnectionStringBuilder(admin) { Username = _role, Password = _canary }.ConnectionString;
        _silo = SiloProcess.Start(new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = siloConnection,
            ["Admin__ApiKey"] = "admin-" + _canary,
            ["TOTALLATOR_CANARY"] = _canary,
            ["CRON_CANARY_SCHEDULE"] = "0 0 * * *",
            ["Orleans__ClusterId"] = _clusterId,
            ["Cron__Examples__Enabled"] = "false",
            ["Cron__BuiltIn__HistoryCleanup__Enabled"] = "false",
            ["Logging__LogLevel__Default"] = "Debug",
            // A definition may read any variable: one that reads the canary is invalid, and says so by the variable's name.
            ["Cron__Jobs__leaky__Schedule"] = "${TOTALLATOR_CANARY}",
            ["Cron__Jobs__leaky__Command"] = "/bin/true",
            ["Cron__Jobs__shown__Schedule"] = "${CRON_CANARY_SCHEDULE}",
            ["Cron__Jobs__shown__Command"] = "/bin/true",
            ["Cron__Jobs__editable__Schedule"] = "0 3 * * *",
            ["Cron__Jobs__editable__Command"] = "/bin/true",
            // A command that prints its environment into its output, which viewers read and history keeps.
            ["Cron__Jobs__printenv__Schedule"] = "* * * * * *",
            ["Cron__Jobs__printenv__Command"] = "/usr/bin/env",
        });
        await _silo.WaitStartedAsync(TimeSpan.FromSeconds(60));
        _api = await AdminApiFixture.StartApiAsync(admin, _clusterId, "totallator", new Dictionary<string, string?>(), new LineSink(_apiLog));
        _apiAddress = new Uri(_api.Urls.First());
    }

    [Fact]
    public async Task NoAnswerLogLineOrRowCarriesTheCanary_WhateverSchedulesAreSent()
    {
        using var bootstrap = Client(AdminApiFixture.BootstrapKey);
        var clients = new Dictionary<string, HttpClient>();
        foreach (var role in new[] { "viewer", "operator", "admin" })
        {
            clients[role] = Client(await AdminApiFixture.CreateKeyAsync(bootstrap, "canary-" + role, role));
        }
        try
        {
            var before = await SendAsync(clients["admin"], HttpMethod.Get, "jobs/editable");
            foreach (var (role, client) in clients)
            {
                foreach (var attack in Attacks)
                {
                    var preview = await SendAsync(client, HttpMethod.Post, "schedule/preview", new { schedule = attack });
                    Assert.Equal(HttpStatusCode.BadRequest, preview.Status);
                    var patch = await SendAsync(client, HttpMethod.Patch, "jobs/editable", new { schedule = attack }, ifMatch: "*");
                    Assert.Equal(role == "admin" ? HttpStatusCode.BadRequest : HttpStatusCode.Forbidden, patch.Status);
                    if (role == "admin")
                    {
                        // Refused by the variable's name, with the field named.
                        Assert.Contains("schedule", patch.Body, StringComparison.Ordinal);
                        Assert.Matches("TOTALLATOR_CANARY|ConnectionStrings__Postgres|Admin__ApiKey", patch.Body);
                    }
                }
                await SendAsync(client, HttpMethod.Get, "jobs");
                await SendAsync(client, HttpMethod.Get, "jobs/shown");
                await SendAsync(client, HttpMethod.Get, "audit");
                await SendAsync(client, HttpMethod.Get, "config");
            }
            // An alert rule naming the canary in its URL and secret: kept as written (the API resolves no variable there), sent
            // as written, and its failed delivery logged without any value of the environment.
            var rule = await SendAsync(clients["admin"], HttpMethod.Post, "alerts/rules", new
            {
                name = "canary-rule", events = FailedOnly, channel = "webhook", url = "http://127.0.0.1:9/${TOTALLATOR_CANARY}", secret = "${TOTALLATOR_CANARY}",
            });
            Assert.Equal(HttpStatusCode.Created, rule.Status);
            Assert.Equal(HttpStatusCode.Accepted, (await SendAsync(clients["admin"], HttpMethod.Post, "alerts/rules/canary-rule/test")).Status);
            var attemptDeadline = DateTime.UtcNow.AddSeconds(20);
            while (!(await SendAsync(clients["viewer"], HttpMethod.Get, "alerts/deliveries?rule=canary-rule")).Body.Contains("\"attempts\":1", StringComparison.Ordinal))
            {
                Assert.True(DateTime.UtcNow < attemptDeadline, "the test message was never tried:\n" + _silo!.Log);
                await Task.Delay(300);
            }

            // Nothing of the refused edits was stored.
            var after = await SendAsync(clients["admin"], HttpMethod.Get, "jobs/editable");
            Assert.Equal(Json(before.Body).GetProperty("version").GetInt32(), Json(after.Body).GetProperty("version").GetInt32());
            Assert.Equal("0 3 * * *", Json(after.Body).GetProperty("schedule").GetString());

            // An allowed variable is read, and its value shown, for an admin's edit as for a preview.
            var allowed = await SendAsync(clients["admin"], HttpMethod.Patch, "jobs/editable", new { schedule = "${CRON_CANARY_SCHEDULE}" }, ifMatch: "*");
            Assert.Equal(HttpStatusCode.OK, allowed.Status);
            Assert.Equal("0 0 * * *", Json(allowed.Body).GetProperty("resolvedSchedule").GetString());
            var preview2 = await SendAsync(clients["viewer"], HttpMethod.Post, "schedule/preview", new { schedule = "${CRON_CANARY_SCHEDULE}" });
            Assert.Equal(HttpStatusCode.OK, preview2.Status);

            // The definition that reads the canary: invalid, by the variable's name, never its value.
            var leaky = Json((await SendAsync(clients["viewer"], HttpMethod.Get, "jobs/leaky")).Body);
            Assert.Contains("${TOTALLATOR_CANARY}", leaky.GetProperty("invalidReason").GetString(), StringComparison.Ordinal);
            Assert.Equal(JsonValueKind.Null, leaky.GetProperty("resolvedSchedule").ValueKind);
            var shown = Json((await SendAsync(clients["viewer"], HttpMethod.Get, "jobs/shown")).Body);
            Assert.Equal("0 0 * * *", shown.GetProperty("resolvedSchedule").GetString());
            await SendAsync(clients["viewer"], HttpMethod.Get, "audit");

            // The command's printed environment, as a viewer reads it: the base variables, never the silo's secrets.
            var output = await PrintedEnvironmentAsync(clients["viewer"]);
            Assert.Contains("PATH=", output, StringComparison.Ordinal);
            Assert.Contains("TOTALLATOR_EXECUTION_ID=", output, StringComparison.Ordinal);

            Assert.DoesNotContain(_canary, _answers.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(_canary, _silo!.Log, StringComparison.Ordinal);
            Assert.Contains("leaky", _silo.Log, StringComparison.Ordinal); // the silo did log about the jobs: the check above saw real lines
            Assert.DoesNotContain(_canary, string.Join('\n', _apiLog), StringComparison.Ordinal);
            Assert.NotEmpty(_apiLog);
            Assert.Empty(await RowsWithCanaryAsync());
        }
        finally
        {
            foreach (var client in clients.Values)
            {
                client.Dispose();
            }
        }
    }

    private HttpClient Client(string key)
    {
        var client = new HttpClient { BaseAddress = new Uri(_apiAddress, "/api/cron/"), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    private async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpClient client, HttpMethod method, string path, object? body = null, string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        _answers.Append(response.Headers).Append(response.Content.Headers).AppendLine(text);
        return (response.StatusCode, text);
    }

    /// <summary>The output of the first succeeded run of <c>printenv</c>, read through the API.</summary>
    private async Task<string> PrintedEnvironmentAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            var page = Json((await SendAsync(client, HttpMethod.Get, "jobs/printenv/executions?status=succeeded&limit=1")).Body);
            if (page.GetProperty("items").EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } run)
            {
                var details = Json((await SendAsync(client, HttpMethod.Get, $"executions/{run.GetProperty("id").GetString()}")).Body);
                return details.GetProperty("output").GetString() ?? "";
            }
            await Task.Delay(300);
        }
        throw new TimeoutException("printenv never succeeded:\n" + _silo!.Log);
    }

    private static JsonElement Json(string body) => JsonDocument.Parse(body).RootElement.Clone();

    /// <summary>Every table of the database, each row as text, searched for the canary.</summary>
    private async Task<List<string>> RowsWithCanaryAsync()
    {
        var found = new List<string>();
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(PostgresServer.ServerConnectionString) { Database = _database }.ConnectionString);
        await conn.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'", conn))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }
        Assert.Contains(tables, t => t.Contains("cronjob", StringComparison.OrdinalIgnoreCase));
        foreach (var table in tables)
        {
            await using var cmd = new NpgsqlCommand($"SELECT count(*) FROM {table} t WHERE strpos(t::text, @canary) > 0", conn);
            cmd.Parameters.AddWithValue("canary", _canary);
            if ((long)(await cmd.ExecuteScalarAsync())! > 0)
            {
                found.Add(table);
            }
        }
        return found;
    }

    public async Task DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.StopAsync();
            await _api.DisposeAsync();
        }
        _silo?.Dispose();
        await PostgresServer.DropDatabaseAsync(new NpgsqlConnectionStringBuilder(PostgresServer.ServerConnectionString) { Database = _database }.ConnectionString);
        await using var conn = new NpgsqlConnection(PostgresServer.ServerConnectionString + ";Database=postgres");
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP ROLE IF EXISTS \"{_role}\"", conn);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>The AdminApi's log lines as text, exceptions included.</summary>
    private sealed class LineSink(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private void Add(string line) => lines.Enqueue(line);

        private sealed class Logger(LineSink sink, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                sink.Add($"{category} {logLevel}: {formatter(state, exception)} {exception}");
        }
    }
}
