using System.Net.Http.Headers;
using System.Text;
using Google.Protobuf;
using PromLake.Protocol.Prompb;

namespace PromLake.EndToEnd.Tests;

/// <summary>Sends RW 1.0 requests to a server as the dev tenant.</summary>
internal sealed class RemoteWriteClient(string url) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>A request with one sample at <paramref name="timestamp"/> for each of <paramref name="seriesCount"/> series.</summary>
    public static WriteRequest Request(int seriesCount, long timestamp, string metric = "e2e_metric")
    {
        var request = new WriteRequest();
        for (var i = 0; i < seriesCount; i++)
        {
            var series = new TimeSeries { Samples = { new Sample { Value = i + (timestamp % 1000), Timestamp = timestamp } } };
            series.Labels.Add(new Label { Name = "__name__", Value = metric });
            series.Labels.Add(new Label { Name = "series", Value = i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture) });
            request.Timeseries.Add(series);
        }

        return request;
    }

    public async Task<HttpResponseMessage> SendAsync(WriteRequest request)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, url + "/api/v1/write")
        {
            Content = new ByteArrayContent(Snappier.Snappy.CompressToArray(request.ToByteArray())),
        };
        message.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-protobuf;proto=prometheus.WriteRequest");
        message.Content.Headers.ContentEncoding.Add("snappy");
        message.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("dev:dev")));
        return await _http.SendAsync(message);
    }

    public void Dispose() => _http.Dispose();
}
