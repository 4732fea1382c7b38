using System.Globalization;
using CsCheck;
using DuckDB.NET.Data;
using Google.Protobuf;
using PromLake.Storage.Parquet;
using PromLake.Storage.Series;
using Histogram = PromLake.Protocol.WriteV2.Histogram;

namespace PromLake.Storage.Tests;

/// <summary>
/// What a user gets from plain SQL over a block with DuckDB: the queries here are the
/// ones README.md documents.
/// </summary>
public sealed class DuckDbQueryTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("promlake-storage-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Plain_SQL_returns_each_sample_with_metric_name_labels_timestamp_and_value()
    {
        var series = NodeSeries(hosts: 3, samplesPerSeries: 40);
        var path = WriteBlock(series);

        var rows = Query($"""
            SELECT metric_name, labels['instance'] AS instance, labels['job'] AS job, s.timestamp, coalesce(s.value, s.scaled / value_divisor) AS value
            FROM (SELECT metric_name, labels, value_divisor, unnest(samples) AS s FROM read_parquet('{path}'))
            ORDER BY metric_name, instance, s.timestamp
            """);

        var expected = series
            .SelectMany(x => x.Samples.Select(s => (x.MetricName, Instance: Get(x, "instance"), Job: Get(x, "job"), s.Timestamp, s.Value)))
            .OrderBy(r => r.MetricName, StringComparer.Ordinal).ThenBy(r => r.Instance, StringComparer.Ordinal).ThenBy(r => r.Timestamp)
            .ToList();
        Assert.Equal(expected.Count, rows.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].MetricName, rows[i][0]);
            Assert.Equal(expected[i].Instance, rows[i][1]);
            Assert.Equal(expected[i].Job, rows[i][2]);
            Assert.Equal(expected[i].Timestamp, rows[i][3]);
            Assert.Equal(BitConverter.DoubleToUInt64Bits(expected[i].Value), BitConverter.DoubleToUInt64Bits((double)rows[i][4]!));
        }
    }

    [Fact]
    public void A_time_range_in_SQL_selects_samples_by_timestamp()
    {
        var series = NodeSeries(hosts: 2, samplesPerSeries: 10);
        var path = WriteBlock(series);

        // 2023-11-14 22:13:20 UTC is 1,700,000,000,000 ms: the first two scrapes of host 0.
        var rows = Query($"""
            SELECT metric_name, labels['instance'] AS instance, s.timestamp, coalesce(s.value, s.scaled / value_divisor) AS value
            FROM (SELECT metric_name, labels, value_divisor, unnest(samples) AS s FROM read_parquet('{path}'))
            WHERE metric_name = 'node_load1'
              AND s.timestamp BETWEEN epoch_ms(TIMESTAMP '2023-11-14 22:13:20') AND epoch_ms(TIMESTAMP '2023-11-14 22:13:35')
            ORDER BY instance, s.timestamp
            """);

        Assert.Equal(
            [["node_load1", "10.0.0.0:9100", 1_700_000_000_000L, 0.0], ["node_load1", "10.0.0.0:9100", 1_700_000_015_000L, 0.25], ["node_load1", "10.0.0.1:9100", 1_700_000_000_001L, 1000.5]],
            rows);
    }

    [Fact]
    public void A_recursive_unnest_flattens_samples_into_timestamp_value_scaled_and_start_timestamp_columns()
    {
        var series = new StoredSeries([new Label(Label.MetricName, "http_requests_total"), new Label("code", "200")]);
        series.Samples.Add(new Sample(1_700_000_000_000, 10, StartTimestamp: 1_699_999_000_000));
        series.Samples.Add(new Sample(1_700_000_015_000, 12.3));
        series.Samples.Add(new Sample(1_700_000_030_000, double.PositiveInfinity));
        var path = WriteBlock([series]);

        var rows = Query($"""
            SELECT metric_name, labels['code'], value_divisor, unnest(samples, recursive := true)
            FROM read_parquet('{path}') WHERE metric_name = 'http_requests_total'
            """);

        // Columns: name, code, value_divisor, timestamp, value, scaled, start_timestamp. The
        // decimals are integers at the row's scale (12.3 = 123 / 10); +Inf stays a double.
        Assert.Equal(3, rows.Count);
        Assert.Equal(["http_requests_total", "200", 10.0, 1_700_000_000_000L, null, 100L, 1_699_999_000_000L], rows[0]);
        Assert.Equal(["http_requests_total", "200", 10.0, 1_700_000_015_000L, null, 123L, null], rows[1]);
        Assert.Equal(["http_requests_total", "200", 10.0, 1_700_000_030_000L, double.PositiveInfinity, null, null], rows[2]);
    }

    [Fact]
    public void Stale_markers_come_out_of_SQL_bit_for_bit_and_isnan_finds_them()
    {
        var series = new StoredSeries([new Label(Label.MetricName, "up"), new Label("job", "node")]);
        series.Samples.Add(new Sample(1_000, 1));
        series.Samples.Add(new Sample(2_000, BitConverter.UInt64BitsToDouble(StorageGenerators.StaleMarkerBits)));
        var path = WriteBlock([series]);

        var rows = Query($"SELECT s.timestamp, isnan(coalesce(s.value, s.scaled / value_divisor)) FROM (SELECT value_divisor, unnest(samples) AS s FROM read_parquet('{path}')) ORDER BY 1");

        Assert.Equal([[1_000L, false], [2_000L, true]], rows);
        var value = (double)Query($"SELECT s.value FROM (SELECT unnest(samples) AS s FROM read_parquet('{path}')) WHERE s.timestamp = 2000").Single()[0]!;
        Assert.Equal(StorageGenerators.StaleMarkerBits, BitConverter.DoubleToUInt64Bits(value));
    }

    [Fact]
    public void DuckDB_gives_every_value_back_bit_for_bit_whether_stored_scaled_or_as_a_double()
    {
        // Decimals of every scale (DuckDB must divide int64 by double exactly as the writer
        // checked), mixed in a series with NaN payloads, -0.0, infinities and subnormals.
        // Series in steps of a common factor too, whose divisor is 10^k divided by the factor.
        var decimals = Gen.Select(Gen.Long[-1_000_000_000_000, 1_000_000_000_000], Gen.Int[0, 12]).Select(t => t.Item1 / Math.Pow(10, t.Item2));
        Gen.OneOf(Gen.OneOf(decimals, StorageGenerators.AnyDouble).Array[1, 50], StorageGenerators.SteppedSeries).Array[1, 8].Sample(seriesValues =>
        {
            var series = new List<StoredSeries>();
            for (var i = 0; i < seriesValues.Length; i++)
            {
                var one = new StoredSeries([new Label(Label.MetricName, "m"), new Label("i", i.ToString(CultureInfo.InvariantCulture))]);
                for (var j = 0; j < seriesValues[i].Length; j++)
                {
                    one.Samples.Add(new Sample(j, seriesValues[i][j]));
                }

                series.Add(one);
            }

            var path = WriteBlock(series);
            var rows = Query($"""
                SELECT CAST(labels['i'] AS INTEGER), s.timestamp, coalesce(s.value, s.scaled / value_divisor)
                FROM (SELECT labels, value_divisor, unnest(samples) AS s FROM read_parquet('{path}')) ORDER BY 1, 2
                """);
            var k = 0;
            for (var i = 0; i < seriesValues.Length; i++)
            {
                foreach (var value in seriesValues[i])
                {
                    Assert.Equal(BitConverter.DoubleToUInt64Bits(value), BitConverter.DoubleToUInt64Bits((double)rows[k++][2]!));
                }
            }

            File.Delete(path);
        }, iter: 40);
    }

    [Theory]
    [InlineData(4096.0, 1.0 / 4096)]
    [InlineData(0.5, 2.0)]
    [InlineData(1e6, 1e-6)]
    public void A_series_in_steps_of_a_common_factor_stores_the_steps_and_its_divisor_over_the_factor(double step, double divisor)
    {
        var series = new StoredSeries([new Label(Label.MetricName, "node_memory_MemFree_bytes")]);
        // Enough samples for the factor to be worth looking for (DecimalScale.MinFactorSamples).
        for (var i = 0; i < 40; i++)
        {
            series.Samples.Add(new Sample(i, (1000 + (i * i)) * step));
        }

        var path = WriteBlock([series]);

        var rows = Query($"""
            SELECT s.scaled, value_divisor, coalesce(s.value, s.scaled / value_divisor)
            FROM (SELECT value_divisor, unnest(samples) AS s FROM read_parquet('{path}')) ORDER BY s.timestamp
            """);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => (object)(long)(1000 + (i * i))), rows.Select(r => r[0]));
        Assert.All(rows, r => Assert.Equal(divisor, (double)r[1]!));
        Assert.Equal(series.Samples.Select(s => s.Value), rows.Select(r => (double)r[2]!));
    }

    [Fact]
    public void Histograms_exemplars_and_metadata_are_there_for_SQL_too()
    {
        var histogram = new Histogram { CountInt = 7, Sum = 3.5, Schema = 3, Timestamp = 5_000 };
        var series = new StoredSeries([new Label(Label.MetricName, "rpc_duration_seconds"), new Label("job", "api")])
        {
            Metadata = new SeriesMetadata(MetricType.Histogram, "RPC latency.", "seconds"),
        };
        series.Histograms.Add(new HistogramSample(5_000, histogram.ToByteArray()));
        series.Exemplars.Add(new Exemplar(5_000, 0.25, [new Label("trace_id", "abc123")]));
        var path = WriteBlock([series]);

        var histograms = Query($"SELECT metric_name, h.timestamp, h.count, h.sum, h.message FROM (SELECT metric_name, unnest(histograms) AS h FROM read_parquet('{path}'))");
        var exemplars = Query($"SELECT e.timestamp, e.value, e.labels['trace_id'] FROM (SELECT unnest(exemplars) AS e FROM read_parquet('{path}'))");
        var metadata = Query($"SELECT metric_name, metric_type, metric_help, metric_unit FROM read_parquet('{path}')");

        Assert.Equal("rpc_duration_seconds", histograms.Single()[0]);
        Assert.Equal([5_000L, 7.0, 3.5], histograms.Single()[1..4]);
        Assert.Equal(histogram, Histogram.Parser.ParseFrom((byte[])histograms.Single()[4]!));
        Assert.Equal([[5_000L, 0.25, "abc123"]], exemplars);
        Assert.Equal([["rpc_duration_seconds", "histogram", "RPC latency.", "seconds"]], metadata);
    }

    [Fact]
    public void Row_group_statistics_carry_the_metric_name_range_DuckDB_prunes_with()
    {
        var series = NodeSeries(hosts: 4, samplesPerSeries: 30);
        var path = WriteBlock(series, rowGroupElements: 100);

        var groups = Query($"""
            SELECT row_group_id, stats_min_value, stats_max_value FROM parquet_metadata('{path}')
            WHERE path_in_schema = 'metric_name' ORDER BY row_group_id
            """);

        Assert.True(groups.Count > 3);
        for (var i = 1; i < groups.Count; i++)
        {
            Assert.True(string.CompareOrdinal((string)groups[i - 1][2]!, (string)groups[i][1]!) <= 0, "row groups are in metric name order");
        }
    }

    [Theory]
    [InlineData(SampleValueEncoding.Plain, "PLAIN")]
    [InlineData(SampleValueEncoding.ByteStreamSplit, "BYTE_STREAM_SPLIT")]
    public void Values_are_written_in_the_encoding_asked_for(SampleValueEncoding encoding, string expected)
    {
        var path = WriteBlock(NodeSeries(hosts: 2, samplesPerSeries: 20), encoding: encoding);

        var encodings = Query($"SELECT encodings FROM parquet_metadata('{path}') WHERE path_in_schema = 'samples, list, element, value'");

        Assert.Contains(expected, (string)encodings.Single()[0]!);
    }

    [Fact]
    public void Auto_writes_values_that_mostly_repeat_as_PLAIN()
    {
        var series = NodeSeries(hosts: 4, samplesPerSeries: 400);
        foreach (var one in series)
        {
            for (var i = 0; i < one.Samples.Count; i++)
            {
                // Not short decimals, so they stay doubles (DecimalScale).
                one.Samples[i] = one.Samples[i] with { Value = Math.PI + (i / 100) };
            }
        }

        var path = WriteBlock(series);

        var encodings = Query($"SELECT encodings FROM parquet_metadata('{path}') WHERE path_in_schema = 'samples, list, element, value'");
        Assert.DoesNotContain("BYTE_STREAM_SPLIT", (string)encodings.Single()[0]!);
    }

    private static byte[] ReadStream(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static string Get(StoredSeries series, string name) => series.Labels.First(l => l.Name == name).Value;

    /// <summary>node_exporter-like series: a few metrics per host with counters and gauges.</summary>
    internal static List<StoredSeries> NodeSeries(int hosts, int samplesPerSeries)
    {
        var series = new List<StoredSeries>();
        string[] metrics = ["node_cpu_seconds_total", "node_load1", "node_memory_MemFree_bytes", "node_network_receive_bytes_total", "up"];
        for (var h = 0; h < hosts; h++)
        {
            foreach (var metric in metrics)
            {
                var one = new StoredSeries([new Label(Label.MetricName, metric), new Label("instance", $"10.0.0.{h}:9100"), new Label("job", "node")]);
                for (var i = 0; i < samplesPerSeries; i++)
                {
                    one.Samples.Add(new Sample(1_700_000_000_000 + (i * 15_000) + h, (h * 1000.5) + (i * 0.25)));
                }

                series.Add(one);
            }
        }

        return series;
    }

    private string WriteBlock(IEnumerable<StoredSeries> series, int rowGroupElements = 1 << 20, SampleValueEncoding encoding = SampleValueEncoding.Auto)
    {
        var path = Path.Combine(_directory, $"{Guid.NewGuid():N}.parquet");
        File.WriteAllBytes(path, BlockAssert.Write(series, new() { RowGroupTargetElements = rowGroupElements, ValueEncoding = encoding }));
        return path;
    }

    private static List<object?[]> Query(string sql)
    {
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                if (row[i] is Stream blob)
                {
                    row[i] = ReadStream(blob); // DuckDB's memory: copy it before the result goes away
                }
                else if (row[i] is System.Numerics.BigInteger big)
                {
                    row[i] = long.Parse(big.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
                }
            }

            rows.Add(row);
        }

        return rows;
    }
}
