using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PromLake.Query.Http;
using PromLake.Query.PromQL.Engine;
using PromLake.Query.Storage;
using Labels = PromLake.Query.Model.Labels;

namespace PromLake.Query.Tests.RemoteRead;

/// <summary>
/// A real Prometheus (the Debian package, 2.42) with <c>remote_read</c> pointed at PromLake answers range queries
/// with exactly the data PromLake's own API returns. Skipped where no <c>prometheus</c> binary is installed.
/// </summary>
public sealed class PrometheusRemoteReadTests
{
    [SkippableFact]
    public async Task Prometheus_reading_remotely_returns_what_PromLake_returns()
    {
        var prometheus = new[] { "/usr/bin/prometheus", "/usr/local/bin/prometheus" }.FirstOrDefault(File.Exists);
        Skip.If(prometheus is null, "no prometheus binary installed");

        // Samples 7 s after each 15 s step, so that no sample sits on a window edge: Prometheus 2's closed
        // windows and Prometheus 3's left-open ones (which PromLake implements) then select the same samples.
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 15 * 15;
        var start = now - 1800;
        var store = new InMemorySeriesStore();
        for (var t = start - 600 + 7; t < now - 300; t += 15)
        {
            var i = (t - start) / 15;
            store.Append(Labels.FromStrings("__name__", "requests_total", "job", "api", "instance", "a"), new StoredSample(t * 1000, 10 * i + 0.25));
            store.Append(Labels.FromStrings("__name__", "requests_total", "job", "api", "instance", "b"),
                new StoredSample(t * 1000, i == 40 ? StaleMarker.Value : 3 * i));
        }

        await using var app = await StartPromLakeAsync(store);
        var promLake = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var dir = Directory.CreateTempSubdirectory("promlake-remote-read-");
        var port = FreePort();
        await File.WriteAllTextAsync(Path.Combine(dir.FullName, "prometheus.yml"), $"""
            global:
              scrape_interval: 1h
            remote_read:
              - url: {promLake}api/v1/read
                read_recent: true
                authorization:
                  credentials: acme
            """);
        using var process = Process.Start(new ProcessStartInfo(prometheus!,
            [$"--config.file={dir.FullName}/prometheus.yml", $"--storage.tsdb.path={dir.FullName}/data", $"--web.listen-address=127.0.0.1:{port}", "--log.level=error"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
            await WaitReadyAsync(http);
            using var own = new HttpClient { BaseAddress = promLake };
            own.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "acme");

            foreach (var query in new[] { "requests_total", "rate(requests_total[1m])", "sum by (job) (requests_total)", "requests_total{instance=\"b\"} * 2" })
            {
                var range = $"query={Uri.EscapeDataString(query)}&start={start.ToString(CultureInfo.InvariantCulture)}&end={now.ToString(CultureInfo.InvariantCulture)}&step=15";
                var fromPrometheus = await DataAsync(http, "/api/v1/query_range?" + range);
                var fromPromLake = await DataAsync(own, "/api/v1/query_range?" + range);

                Assert.Equal(fromPromLake, fromPrometheus);
                Assert.Contains("\"values\"", fromPromLake);
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            dir.Delete(recursive: true);
        }
    }

    private static async Task<WebApplication> StartPromLakeAsync(InMemorySeriesStore store)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddPromLakeQuery(builder.Configuration);
        builder.Services.AddSingleton(TenantResolver.From(ctx => ctx.Request.Headers.Authorization.ToString() == "Bearer acme" ? "acme" : null));
        builder.Services.AddSingleton(TenantSeriesSource.From(_ => store));
        var app = builder.Build();
        app.MapPromLakeQueryApi();
        await app.StartAsync();
        return app;
    }

    private static async Task<string> DataAsync(HttpClient client, string pathAndQuery)
    {
        var text = await client.GetStringAsync(pathAndQuery);
        using var doc = JsonDocument.Parse(text);
        Assert.Equal("success", doc.RootElement.GetProperty("status").GetString());
        return doc.RootElement.GetProperty("data").GetRawText();
    }

    private static async Task WaitReadyAsync(HttpClient http)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var response = await http.GetAsync("/-/ready");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            Assert.True(DateTime.UtcNow < deadline, "Prometheus did not become ready in 30 s");
            await Task.Delay(100);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
