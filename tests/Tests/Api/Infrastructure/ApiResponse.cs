using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Totallator.Tests.Api.Infrastructure;

/// <summary>An HTTP answer read whole: status, headers, body text and, when JSON, the parsed body.</summary>
public sealed record ApiResponse(HttpStatusCode Status, HttpResponseHeaders Headers, string Body)
{
    public int Code => (int)Status;

    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    /// <summary>The problem's detail and field errors, for assertions on what the client is told.</summary>
    public string ProblemText
    {
        get
        {
            var root = Json;
            var text = new StringBuilder(root.TryGetProperty("detail", out var detail) ? detail.GetString() : "");
            if (root.TryGetProperty("errors", out var errors))
            {
                foreach (var error in errors.EnumerateObject())
                {
                    text.Append(" [").Append(error.Name).Append("] ").AppendJoin(" ", error.Value.EnumerateArray().Select(e => e.GetString()));
                }
            }
            return text.ToString();
        }
    }

    public override string ToString() => $"{Code} {Body}";
}

public static class ApiCalls
{
    /// <summary>Sends a request with an optional raw JSON body and extra headers, and reads the whole answer.</summary>
    public static async Task<ApiResponse> SendAsync(this HttpClient client, string method, string path, string? json = null,
        IReadOnlyDictionary<string, string>? headers = null, string contentType = "application/json")
    {
        ArgumentNullException.ThrowIfNull(client);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        using var response = await client.SendAsync(request);
        return new ApiResponse(response.StatusCode, response.Headers, await response.Content.ReadAsStringAsync());
    }

    public static Task<ApiResponse> FetchAsync(this HttpClient client, string path) => client.SendAsync("GET", path);

    public static Task<ApiResponse> PostJsonAsync(this HttpClient client, string path, string? json = null) => client.SendAsync("POST", path, json);
}
