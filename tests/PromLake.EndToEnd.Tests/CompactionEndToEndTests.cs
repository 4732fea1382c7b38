using System.Globalization;
using DuckDB.NET.Data;
using PromLake.Log.Tests.Blobs;

namespace PromLake.EndToEnd.Tests;

/// <summary>
/// Real Prometheus → standalone server → log → compactor → Parquet in Azurite,
/// read back with plain SQL in DuckDB and compared with Prometheus's own TSDB.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class CompactionEndToEndTests(AzuriteFixture azurite) : TemporaryDirectory
{
    [Fact]
    public async Task DuckDB_over_the_blobs_returns_exactly_the_samples_prometheus_holds_for_a_series()
    {
        var container = azurite.NewContainer();
        await using var server = await StandaloneServer.StartAsync(Path.Combine(TestDirectory, "promlake"), new Dictionary<string, string>
        {
            ["PromLake__Storage__ConnectionString"] = azurite.ConnectionString,
            ["PromLake__Storage__ContainerName"] = container.Name,
            ["PromLake__Compactor__FlushInterval"] = "00:00:02",
        });
        await using var prometheus = await PrometheusServer.StartAsync(Path.Combine(TestDirectory, "prometheus"), server.Url, agent: false);
        await Task.Delay(TimeSpan.FromSeconds(12));
        var upTo = await prometheus.SelfMetricAsync("prometheus_remote_storage_queue_highest_sent_timestamp_seconds");
        var expected = await prometheus.RawSamplesAsync("up{job=\"prometheus\"}", TimeSpan.FromMinutes(10), upTo);
        var instance = prometheus.Url["http://".Length..];

        // Freshness: everything acknowledged reaches a blob within seconds; poll, do not time.
        List<(long Timestamp, double Value)> stored = [];
        for (var attempt = 0; attempt < 60; attempt++)
        {
            var files = await DownloadAsync(container, Path.Combine(TestDirectory, $"blobs-{attempt}"));
            stored = files == 0 ? [] : Query(Path.Combine(TestDirectory, $"blobs-{attempt}"), instance, (long)(upTo * 1000));
            if (stored.Count >= expected.Count)
            {
                break;
            }

            await Task.Delay(500);
        }

        Assert.True(expected.Count >= 5, $"Prometheus holds only {expected.Count} samples of up");
        Assert.True(stored.Count > 0, "no samples of up reached the blobs; server output:\n" + server.Output);
        Assert.Equal(expected.Select(s => s.Timestamp), stored.Select(s => s.Timestamp));
        Assert.Equal(expected.Select(s => double.Parse(s.Value, CultureInfo.InvariantCulture)), stored.Select(s => s.Value));
    }

    private static async Task<int> DownloadAsync(Azure.Storage.Blobs.BlobContainerClient container, string directory)
    {
        Directory.CreateDirectory(directory);
        if (!await container.ExistsAsync())
        {
            return 0;
        }

        var count = 0;
        await foreach (var blob in container.GetBlobsAsync())
        {
            var path = Path.Combine(directory, blob.Name.Replace('/', '_'));
            await container.GetBlobClient(blob.Name).DownloadToAsync(path);
            count++;
        }

        return count;
    }

    /// <summary>Plain SQL, as a user would write it: one row per sample of the series.</summary>
    private static List<(long, double)> Query(string directory, string instance, long upToMs)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT s.timestamp, coalesce(s.value, s.scaled / value_divisor)
            FROM (SELECT metric_name, labels, value_divisor, unnest(samples) AS s FROM read_parquet('{directory}/*.parquet'))
            WHERE metric_name = 'up' AND labels['job'] = 'prometheus' AND labels['instance'] = '{instance}' AND s.timestamp <= {upToMs}
            ORDER BY s.timestamp
            """;
        using var reader = command.ExecuteReader();
        var rows = new List<(long, double)>();
        while (reader.Read())
        {
            rows.Add((reader.GetInt64(0), reader.GetDouble(1)));
        }

        return rows;
    }
}
