using System.Globalization;

namespace PromLake.EndToEnd.Tests;

/// <summary>
/// A real Prometheus remote-writes to the standalone server; the log must then
/// hold exactly what Prometheus sent. Each test owns its processes and folders.
/// </summary>
public sealed class PrometheusRemoteWriteTests : TemporaryDirectory
{
    private static readonly TimeSpan ScrapeFor = TimeSpan.FromSeconds(15);
    [Fact]
    public async Task Prometheus_server_mode_sends_every_sample_and_the_log_holds_exactly_what_its_tsdb_holds()
    {
        await using var server = await StandaloneServer.StartAsync(Path.Combine(TestDirectory, "promlake"));
        await using var prometheus = await PrometheusServer.StartAsync(Path.Combine(TestDirectory, "prometheus"), server.Url, agent: false);

        await Task.Delay(ScrapeFor);
        var sent = await WaitUntilSentAsync(prometheus);
        Assert.Equal(0, await prometheus.SelfMetricAsync("prometheus_remote_storage_samples_failed_total"));
        Assert.Equal(0, await prometheus.SelfMetricAsync("prometheus_remote_storage_samples_dropped_total"));

        // Everything up to the newest timestamp Prometheus has delivered is in the
        // log; compare one series sample by sample against Prometheus's own TSDB.
        var upTo = await prometheus.SelfMetricAsync("prometheus_remote_storage_queue_highest_sent_timestamp_seconds");
        var expected = await prometheus.RawSamplesAsync("up{job=\"prometheus\"}", TimeSpan.FromMinutes(10), upTo);
        await prometheus.StopAsync();
        await server.StopAsync();

        var log = await LogContents.ReadAsync(server.LogDirectory, StandaloneServer.ShardCount);
        var key = LogContents.Key([("__name__", "up"), ("instance", prometheus.Url["http://".Length..]), ("job", "prometheus")]);
        Assert.True(log.Samples.ContainsKey(key), $"the log has no series {key}; it has {log.Samples.Count} series");
        var stored = log.Samples[key].Where(s => s.Timestamp <= (long)(upTo * 1000)).ToList();

        Assert.True(expected.Count >= 5, $"Prometheus holds only {expected.Count} samples of up after {ScrapeFor}");
        Assert.Equal(expected.Select(s => s.Timestamp), stored.Select(s => s.Timestamp));
        Assert.Equal(expected.Select(s => double.Parse(s.Value, CultureInfo.InvariantCulture)), stored.Select(s => BitConverter.UInt64BitsToDouble(s.ValueBits)));
        Assert.True(log.TotalSamples >= sent, $"Prometheus sent {sent} samples but the log holds {log.TotalSamples}");
        Assert.True(log.MetadataEntries > 0, "Prometheus sends metadata every 5 s; none reached the log");
    }

    [Fact]
    public async Task Prometheus_agent_mode_sends_every_sample_and_each_series_arrives_whole_and_in_order()
    {
        await using var server = await StandaloneServer.StartAsync(Path.Combine(TestDirectory, "promlake"));
        await using var prometheus = await PrometheusServer.StartAsync(Path.Combine(TestDirectory, "prometheus"), server.Url, agent: true);

        await Task.Delay(ScrapeFor);
        var sent = await WaitUntilSentAsync(prometheus);
        Assert.Equal(0, await prometheus.SelfMetricAsync("prometheus_remote_storage_samples_failed_total"));
        Assert.Equal(0, await prometheus.SelfMetricAsync("prometheus_remote_storage_samples_dropped_total"));
        var upTo = (long)(await prometheus.SelfMetricAsync("prometheus_remote_storage_queue_highest_sent_timestamp_seconds") * 1000);
        await prometheus.StopAsync();
        await server.StopAsync();

        var log = await LogContents.ReadAsync(server.LogDirectory, StandaloneServer.ShardCount);
        Assert.True(log.TotalSamples >= sent, $"the agent sent {sent} samples but the log holds {log.TotalSamples}");

        // An agent keeps no TSDB to compare with; its scrapes of itself are one a
        // second, so the series must hold one sample per scrape with no gap.
        var key = LogContents.Key([("__name__", "up"), ("instance", prometheus.Url["http://".Length..]), ("job", "prometheus")]);
        var up = log.Samples[key].Where(s => s.Timestamp <= upTo).Select(s => s.Timestamp).ToList();
        Assert.True(up.Count >= 5, $"only {up.Count} samples of up reached the log");
        Assert.Equal(up.Order().Distinct(), up);
        var gaps = up.Zip(up.Skip(1), (a, b) => b - a).ToList();
        Assert.All(gaps, gap => Assert.InRange(gap, 500, 1500));
    }

    /// <summary>Waits until Prometheus has no samples pending for the remote; returns the samples it sent.</summary>
    private static async Task<double> WaitUntilSentAsync(PrometheusServer prometheus)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var sent = await prometheus.SelfMetricAsync("prometheus_remote_storage_samples_total");
            if (sent > 0 && await prometheus.SelfMetricAsync("prometheus_remote_storage_samples_pending") == 0)
            {
                return sent;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("Prometheus did not manage to send its samples:\n" + prometheus.Output);
    }
}
