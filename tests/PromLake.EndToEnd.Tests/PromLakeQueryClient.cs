using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace PromLake.EndToEnd.Tests;

/// <summary>Instant queries against PromLake's Prometheus API as the dev tenant.</summary>
internal sealed class PromLakeQueryClient(string url) : IDisposable
{
    private readonly HttpClient _http = new();

    /// <summary>The vector result: labels (sorted, joined) → value.</summary>
    public async Task<Dictionary<string, double>> VectorAsync(string query, double? time = null)
    {
        var path = $"{url}/api/v1/query?query={Uri.EscapeDataString(query)}" + (time is { } t ? "&time=" + t.ToString(CultureInfo.InvariantCulture) : "");
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("dev:dev")));
        var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{query}: {(int)response.StatusCode} {body}");
        using var document = JsonDocument.Parse(body);
        var result = new Dictionary<string, double>();
        foreach (var sample in document.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
        {
            var labels = string.Join(",", sample.GetProperty("metric").EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => $"{p.Name}={p.Value.GetString()}"));
            result[labels] = double.Parse(sample.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
        }

        return result;
    }

    public void Dispose() => _http.Dispose();
}
