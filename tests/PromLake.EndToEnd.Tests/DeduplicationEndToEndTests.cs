using System.Net;
using PromLake.Log.Tests.Blobs;

namespace PromLake.EndToEnd.Tests;

/// <summary>Sender retries and HA pairs, through the whole pipeline: write → log → compactor → blocks → queries.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class DeduplicationEndToEndTests(AzuriteFixture azurite) : TemporaryDirectory
{
    [Fact]
    public async Task The_same_request_delivered_twice_is_stored_and_answered_once()
    {
        await using var server = await StartServerAsync("promlake");
        using var client = new RemoteWriteClient(server.Url);
        using var queries = new PromLakeQueryClient(server.Url);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var request = RemoteWriteClient.Request(50, now - 10_000, "retried_metric");

        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(request)).StatusCode);
        await Task.Delay(3_000); // let the first copy reach a block, so the second meets it across blocks
        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(request)).StatusCode);
        await Task.Delay(3_000);

        var counts = await queries.VectorAsync("count_over_time(retried_metric[1m])", now / 1000.0);
        Assert.Equal(50, counts.Count);
        Assert.All(counts.Values, c => Assert.Equal(1, c));
    }

    [Fact]
    public async Task An_ha_pair_of_prometheus_servers_is_stored_as_one_series_at_the_scrape_rate_without_the_replica_label()
    {
        await using var server = await StartServerAsync("promlake");
        var target = server.Url["http://".Length..];
        await using var a = await PrometheusServer.StartAsync(Path.Combine(TestDirectory, "a"), server.Url, agent: false, replica: "a", extraTarget: target);
        await using var b = await PrometheusServer.StartAsync(Path.Combine(TestDirectory, "b"), server.Url, agent: false, replica: "b", extraTarget: target);
        await Task.Delay(TimeSpan.FromSeconds(25));
        using var queries = new PromLakeQueryClient(server.Url);
        var at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0 - 3;

        var counts = await queries.VectorAsync("count_over_time(up{job=\"shared\"}[10s])", at);

        // Both replicas scrape the shared target every second; the pair must look like one scraper.
        var series = Assert.Single(counts);
        Assert.DoesNotContain("__replica__", series.Key);
        Assert.InRange(series.Value, 8, 11);
    }

    private Task<StandaloneServer> StartServerAsync(string name)
    {
        var container = azurite.NewContainer();
        return StandaloneServer.StartAsync(Path.Combine(TestDirectory, name), new Dictionary<string, string>
        {
            ["PromLake__Storage__ConnectionString"] = azurite.ConnectionString,
            ["PromLake__Storage__ContainerName"] = container.Name,
            ["PromLake__Compactor__FlushInterval"] = "00:00:01",
        });
    }
}
