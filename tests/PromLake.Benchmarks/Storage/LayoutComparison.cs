using System.Diagnostics;
using System.IO.Compression;
using Parquet;
using Parquet.Schema;
using PromLake.Storage.Series;

namespace PromLake.Benchmarks.Storage;

/// <summary>
/// <c>bytes-per-sample --alternatives</c>: the layouts PromLake's block was chosen against,
/// written from the same series. All are one row per sample sorted by (metric name,
/// labels, timestamp) with a labels map, the layout a reader of the issue would try first:
/// <list type="bullet">
/// <item>Parquet.Net with its default encodings and zstd at its smallest setting (the baseline);</item>
/// <item>Parquet.Net with the block's encodings (dictionary strings, DELTA_BINARY_PACKED timestamps, BYTE_STREAM_SPLIT values);</item>
/// <item>ParquetSharp (Arrow C++) with the same encodings, zstd level 3 and 9, page index on.</item>
/// </list>
/// </summary>
internal static class LayoutComparison
{
    private const int RowGroupRows = 1 << 20;

    public static async Task RunAsync(List<StoredSeries> series, long samples, long tsdbBytes, string work)
    {
        Console.WriteLine("| one row per sample | bytes | bytes/sample | vs TSDB | write time |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        var ordered = series.Order(SeriesOrder.Instance).ToList();
        await Measure("Parquet.Net, default encodings, zstd SmallestSize", () => ParquetNetAsync(ordered, Path.Combine(work, "net-default.parquet"), tuned: false, CompressionLevel.SmallestSize));
        await Measure("Parquet.Net, block encodings, zstd Optimal", () => ParquetNetAsync(ordered, Path.Combine(work, "net-tuned.parquet"), tuned: true, CompressionLevel.Optimal));
        await Measure("ParquetSharp, block encodings, zstd 3", () => Task.FromResult(ParquetSharpWrite(ordered, Path.Combine(work, "sharp-3.parquet"), 3)));
        await Measure("ParquetSharp, block encodings, zstd 9", () => Task.FromResult(ParquetSharpWrite(ordered, Path.Combine(work, "sharp-9.parquet"), 9)));

        async Task Measure(string name, Func<Task<string>> write)
        {
            var clock = Stopwatch.StartNew();
            var path = await write();
            var bytes = new FileInfo(path).Length;
            Console.WriteLine($"| {name} | {bytes:N0} | {(double)bytes / samples:F3} | {(double)bytes / tsdbBytes:F2} | {clock.Elapsed.TotalSeconds:F1} s |");
            File.Delete(path);
        }
    }

    private static async Task<string> ParquetNetAsync(List<StoredSeries> series, string path, bool tuned, CompressionLevel level)
    {
        var metric = new DataField<string>("metric_name", false);
        var key = new DataField<string>("key", false);
        var value = new DataField<string>("value", false);
        var timestamp = new DataField<long>("timestamp", false);
        var sampleValue = new DataField<double>("value", false);
        var schema = new ParquetSchema(metric, new MapField("labels", key, value), timestamp, sampleValue);
        var options = new ParquetOptions { CompressionMethod = CompressionMethod.Zstd, CompressionLevel = level };
        if (tuned)
        {
            foreach (var field in new[] { metric, key, value })
            {
                options.ColumnEncodingHints[field.Path.ToString()] = EncodingHint.Dictionary;
            }

            options.ColumnEncodingHints[timestamp.Path.ToString()] = EncodingHint.DeltaBinaryPacked;
            options.ColumnEncodingHints[sampleValue.Path.ToString()] = EncodingHint.ByteSplitStream;
        }

        await using var file = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(schema, file, options);
        foreach (var group in RowGroups(series))
        {
            var names = new List<string>();
            var timestamps = new List<long>();
            var values = new List<double>();
            var keys = new List<string>();
            var labelValues = new List<string>();
            var repetitions = new List<int>();
            foreach (var one in group)
            {
                foreach (var sample in one.Samples)
                {
                    names.Add(one.MetricName);
                    timestamps.Add(sample.Timestamp);
                    values.Add(sample.Value);
                    var first = true;
                    foreach (var label in one.Labels)
                    {
                        if (label.Name != Label.MetricName)
                        {
                            keys.Add(label.Name);
                            labelValues.Add(label.Value);
                            repetitions.Add(first ? 0 : 1);
                            first = false;
                        }
                    }
                }
            }

            using var rowGroup = writer.CreateRowGroup();
            await rowGroup.WriteAsync(metric, names);
            await rowGroup.WriteAsync(key, keys, repetitions.ToArray());
            await rowGroup.WriteAsync(value, labelValues, repetitions.ToArray());
            await rowGroup.WriteAsync<long>(timestamp, timestamps.ToArray());
            await rowGroup.WriteAsync<double>(sampleValue, values.ToArray());
        }

        return path;
    }

    private static string ParquetSharpWrite(List<StoredSeries> series, string path, int level)
    {
        using var text = ParquetSharp.LogicalType.String();
        using var none = ParquetSharp.LogicalType.None();
        using var map = ParquetSharp.LogicalType.Map();
        using var key = new ParquetSharp.Schema.PrimitiveNode("key", ParquetSharp.Repetition.Required, text, ParquetSharp.PhysicalType.ByteArray);
        using var value = new ParquetSharp.Schema.PrimitiveNode("value", ParquetSharp.Repetition.Required, text, ParquetSharp.PhysicalType.ByteArray);
        using var keyValue = new ParquetSharp.Schema.GroupNode("key_value", ParquetSharp.Repetition.Repeated, [key, value]);
        using var metric = new ParquetSharp.Schema.PrimitiveNode("metric_name", ParquetSharp.Repetition.Required, text, ParquetSharp.PhysicalType.ByteArray);
        using var labels = new ParquetSharp.Schema.GroupNode("labels", ParquetSharp.Repetition.Required, [keyValue], map);
        using var timestamp = new ParquetSharp.Schema.PrimitiveNode("timestamp", ParquetSharp.Repetition.Required, none, ParquetSharp.PhysicalType.Int64);
        using var sampleValue = new ParquetSharp.Schema.PrimitiveNode("value", ParquetSharp.Repetition.Required, none, ParquetSharp.PhysicalType.Double);
        using var root = new ParquetSharp.Schema.GroupNode("schema", ParquetSharp.Repetition.Required, [metric, labels, timestamp, sampleValue]);
        using var builder = new ParquetSharp.WriterPropertiesBuilder()
            .Compression(ParquetSharp.Compression.Zstd)
            .CompressionLevel(level)
            .MaxRowGroupLength(RowGroupRows)
            .DataPagesize(64 << 20)
            .EnableWritePageIndex()
            .Encoding("timestamp", ParquetSharp.Encoding.DeltaBinaryPacked)
            .DisableDictionary("timestamp")
            .Encoding("value", ParquetSharp.Encoding.ByteStreamSplit)
            .DisableDictionary("value");
        using var properties = builder.Build();
        using var writer = new ParquetSharp.ParquetFileWriter(path, root, properties);
        foreach (var group in RowGroups(series))
        {
            var rows = group.Sum(s => s.Samples.Count);
            var names = new string[rows];
            var keys = new string[rows][];
            var values = new string[rows][];
            var timestamps = new long[rows];
            var sampleValues = new double[rows];
            var r = 0;
            foreach (var one in group)
            {
                var k = one.Labels.Where(l => l.Name != Label.MetricName).Select(l => l.Name).ToArray();
                var v = one.Labels.Where(l => l.Name != Label.MetricName).Select(l => l.Value).ToArray();
                foreach (var sample in one.Samples)
                {
                    (names[r], keys[r], values[r], timestamps[r], sampleValues[r]) = (one.MetricName, k, v, sample.Timestamp, sample.Value);
                    r++;
                }
            }

            using var rowGroup = writer.AppendRowGroup();
            using (var column = rowGroup.NextColumn().LogicalWriter<string>())
            {
                column.WriteBatch(names);
            }

            using (var column = rowGroup.NextColumn().LogicalWriter<string[]>())
            {
                column.WriteBatch(keys);
            }

            using (var column = rowGroup.NextColumn().LogicalWriter<string[]>())
            {
                column.WriteBatch(values);
            }

            using (var column = rowGroup.NextColumn().LogicalWriter<long>())
            {
                column.WriteBatch(timestamps);
            }

            using (var column = rowGroup.NextColumn().LogicalWriter<double>())
            {
                column.WriteBatch(sampleValues);
            }
        }

        writer.Close();
        return path;
    }

    private static IEnumerable<List<StoredSeries>> RowGroups(List<StoredSeries> series)
    {
        var group = new List<StoredSeries>();
        var rows = 0;
        foreach (var one in series)
        {
            group.Add(one);
            rows += one.Samples.Count;
            if (rows >= RowGroupRows)
            {
                yield return group;
                group = [];
                rows = 0;
            }
        }

        if (group.Count > 0)
        {
            yield return group;
        }
    }
}
