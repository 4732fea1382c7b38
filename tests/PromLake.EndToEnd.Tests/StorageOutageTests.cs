using System.Net;
using PromLake.Query.Model;
using PromLake.Query.Storage;
using PromLake.Query.Store;

namespace PromLake.EndToEnd.Tests;

/// <summary>Blob storage down for a while: writes go on into the log, and everything arrives once it is back.</summary>
public sealed class StorageOutageTests : TemporaryDirectory
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    [Fact]
    public async Task While_azurite_is_down_writes_are_acknowledged_and_once_it_is_back_every_sample_reaches_the_blocks()
    {
        var port = FreePort.Next();
        var connection = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
        await using var server = await StandaloneServer.StartAsync(Path.Combine(TestDirectory, "promlake"), new Dictionary<string, string>
        {
            ["PromLake__Storage__ConnectionString"] = connection,
            ["PromLake__Storage__ContainerName"] = "outage",
            ["PromLake__Compactor__FlushInterval"] = "00:00:01",
            ["PromLake__Compactor__RetryDelay"] = "00:00:01",
        });
        using var client = new RemoteWriteClient(server.Url);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(RemoteWriteClient.Request(100, now - 60_000 + (i * 1000), "outage_metric"))).StatusCode);
        }

        await Task.Delay(3_000);
        await using var azurite = StartAzurite(port);

        // Read the blocks alone (no log tail): once storage is back, the compactor's
        // retries must bring every acknowledged sample into them.
        var blocks = new BlockStoreQuerier("dev", new Azure.Storage.Blobs.BlobContainerClient(connection, "outage"), null, null, "compactor", [], new BlockCache());
        var request = new SelectRequest([new LabelMatcher(MatcherType.Equal, "__name__", "outage_metric")], now - 120_000, now);
        var stored = 0;
        for (var attempt = 0; attempt < 120 && stored < 500; attempt++)
        {
            await Task.Delay(500);
            try
            {
                stored = (await blocks.SelectAsync(request)).Sum(series => series.Samples.Count);
            }
            catch (Azure.RequestFailedException)
            {
                // Azurite still starting.
            }
        }

        Assert.Equal(500, stored);
    }

    private static ChildProcess StartAzurite(int port)
    {
        var main = Path.Combine(RepositoryPaths.Root, ".tools", "azurite", "node_modules", "azurite", "dist", "src", "blob", "main.js");
        Assert.True(File.Exists(main), "Azurite is installed by .ci/test.sh or the Azurite fixture into .tools/azurite");
        return new ChildProcess("node", [main, "--blobHost", "127.0.0.1", "--blobPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry", "--silent"]);
    }
}
