using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using PromLake.Storage.Parquet;
using PromLake.Storage.Series;

namespace PromLake.Benchmarks.Storage;

/// <summary>
/// <c>bytes-per-sample</c>: the same samples stored as a PromLake block and as a Prometheus
/// TSDB block, side by side.
/// <code>
/// dotnet run -c Release --project tests/PromLake.Benchmarks -- bytes-per-sample [--series 10000] [--hours 24] [--alternatives] [--keep DIR]
/// dotnet run -c Release --project tests/PromLake.Benchmarks -- bytes-per-sample --tsdb-block DIR
/// </code>
/// The first form generates a node_exporter fleet (<see cref="NodeFleet"/>), writes it as
/// OpenMetrics and lets <c>promtool tsdb create-blocks-from openmetrics</c> (Debian package
/// <c>prometheus</c>) build one TSDB block from it; the second takes an existing TSDB block
/// (for example from a snapshot of a real Prometheus), reads its samples back with
/// <c>promtool tsdb dump</c> and stores those. TSDB size is the block directory (chunks,
/// index, meta.json, tombstones); PromLake size is the one Parquet file.
/// </summary>
internal static class BytesPerSampleCommand
{
    // promtool cuts blocks at multiples of the block range; with a 54 h range, a day that
    // starts an hour after a multiple of 54 h lands in one block.
    internal const long FleetStartMs = (1_700_000_000_000 / (54 * 3_600_000L) * (54 * 3_600_000L)) + 3_600_000;

    public static async Task<int> RunAsync(string[] args)
    {
        var seriesCount = IntOption(args, "--series", 10_000);
        var hours = IntOption(args, "--hours", 24);
        var tsdbBlock = StringOption(args, "--tsdb-block");
        var keep = StringOption(args, "--keep");
        var work = keep ?? Directory.CreateTempSubdirectory("promlake-bytes-").FullName;
        Directory.CreateDirectory(work);
        try
        {
            List<StoredSeries> series;
            string tsdbDirectory;
            string source;
            if (tsdbBlock is null)
            {
                var clock = Stopwatch.StartNew();
                series = NodeFleet.Generate(seriesCount, FleetStartMs, TimeSpan.FromHours(hours));
                Console.WriteLine($"generated {series.Count:N0} series in {clock.Elapsed.TotalSeconds:F1} s");
                source = $"node_exporter fleet, {series.Count:N0} series, {hours} h at 15 s";
                tsdbDirectory = BuildTsdbBlock(series, work);
            }
            else
            {
                tsdbDirectory = tsdbBlock;
                series = DumpTsdbBlock(tsdbBlock, work);
                source = $"TSDB block {Path.GetFileName(Path.TrimEndingDirectorySeparator(tsdbBlock))}, {series.Count:N0} series";
            }

            var samples = series.Sum(s => (long)s.Samples.Count);
            var tsdbBytes = Directory.EnumerateFiles(tsdbDirectory, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            var tsdbSamples = ReadTsdbSampleCount(tsdbDirectory);
            if (tsdbSamples != samples)
            {
                throw new InvalidOperationException($"the TSDB block holds {tsdbSamples} samples, PromLake's {samples}");
            }

            Console.WriteLine();
            Console.WriteLine($"{source}: {samples:N0} samples");
            Console.WriteLine();
            Console.WriteLine("| storage | bytes | bytes/sample | vs TSDB | write time |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
            Console.WriteLine($"| Prometheus TSDB block (chunks + index) | {tsdbBytes:N0} | {(double)tsdbBytes / samples:F3} | 1.00 | |");
            // The level-0 setting, the merged-level one (what BlockMerge writes), and with
            // --alternatives the merged level without each of its choices.
            var merged = SampleBlockWriterOptions.MergedLevels;
            var variants = new List<(string Name, SampleBlockWriterOptions Options)>
            {
                ("PromLake block, zstd Optimal (level 0)", new() { Compression = CompressionLevel.Optimal }),
                ("PromLake block, merged levels (zstd SmallestSize, 2^22-element row groups)", merged),
            };
            if (args.Contains("--alternatives"))
            {
                variants.Add(("— row groups of 2^20 elements", merged with { RowGroupTargetElements = 1 << 20 }));
                variants.Add(("— no trial against doubles", merged with { RowGroupTargetElements = 1 << 20, ScaleTrial = false }));
                variants.Add(("— divisors 10^k only, no trial (format 2 as first written)", merged with { RowGroupTargetElements = 1 << 20, ScaleTrial = false, CommonFactor = false }));
                variants.Add(("— all values as doubles (version 1), Auto", merged with { RowGroupTargetElements = 1 << 20, ScaledValues = false }));
                variants.Add(("— all values as doubles, BYTE_STREAM_SPLIT", merged with { RowGroupTargetElements = 1 << 20, ScaledValues = false, ValueEncoding = SampleValueEncoding.ByteStreamSplit }));
                variants.Add(("— all values as doubles, PLAIN", merged with { RowGroupTargetElements = 1 << 20, ScaledValues = false, ValueEncoding = SampleValueEncoding.Plain }));
            }

            for (var v = 0; v < variants.Count; v++)
            {
                var (description, options) = variants[v];
                var path = Path.Combine(work, $"block-{v}.parquet");
                var clock = Stopwatch.StartNew();
                await using (var file = File.Create(path))
                {
                    await new SampleBlockWriter(options).WriteAsync(series, file);
                }

                var bytes = new FileInfo(path).Length;
                Console.WriteLine($"| {description} | {bytes:N0} | {(double)bytes / samples:F3} | {(double)bytes / tsdbBytes:F2} | {clock.Elapsed.TotalSeconds:F1} s |");
            }

            await PrintColumnBytesAsync(Path.Combine(work, "block-1.parquet"), samples);

            var repeats = 0L;
            foreach (var one in series)
            {
                for (var i = 1; i < one.Samples.Count; i++)
                {
                    repeats += BitConverter.DoubleToUInt64Bits(one.Samples[i].Value) == BitConverter.DoubleToUInt64Bits(one.Samples[i - 1].Value) ? 1 : 0;
                }
            }

            Console.WriteLine();
            Console.WriteLine($"{(double)repeats / samples:P1} of the samples repeat the value before them in their series");

            if (args.Contains("--alternatives"))
            {
                Console.WriteLine();
                await LayoutComparison.RunAsync(series, samples, tsdbBytes, work);
            }

            return 0;
        }
        finally
        {
            if (keep is null)
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }

    /// <summary>Where the merged-level block's bytes go: compressed bytes per column, summed over row groups.</summary>
    internal static async Task PrintColumnBytesAsync(string path, long samples)
    {
        await using var file = File.OpenRead(path);
        await using var reader = await Parquet.ParquetReader.CreateAsync(file);
        var bytes = new Dictionary<string, long>();
        foreach (var field in reader.Schema.GetDataFields())
        {
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                var size = reader.OpenRowGroupReader(g).GetMetadata(field)?.MetaData?.TotalCompressedSize ?? 0;
                bytes[field.Path.ToString()] = bytes.GetValueOrDefault(field.Path.ToString()) + size;
            }
        }

        var total = bytes.Values.Sum();
        Console.WriteLine();
        Console.WriteLine("| column of the merged-level block | bytes | bytes/sample | share |");
        Console.WriteLine("| --- | ---: | ---: | ---: |");
        foreach (var (column, size) in bytes.OrderByDescending(c => c.Value))
        {
            Console.WriteLine($"| `{column}` | {size:N0} | {(double)size / samples:F3} | {(double)size / total:P1} |");
        }
    }

    /// <summary>Writes the series as OpenMetrics and has promtool build a TSDB block of them; returns the block's directory.</summary>
    private static string BuildTsdbBlock(List<StoredSeries> series, string work)
    {
        var input = Path.Combine(work, "samples.om");
        var clock = Stopwatch.StartNew();
        using (var writer = new StreamWriter(input, false, new UTF8Encoding(false), 1 << 20))
        {
            var line = new StringBuilder();
            foreach (var one in series)
            {
                line.Clear().Append(one.MetricName).Append('{');
                var first = true;
                foreach (var label in one.Labels)
                {
                    if (label.Name == Label.MetricName)
                    {
                        continue;
                    }

                    line.Append(first ? "" : ",").Append(label.Name).Append("=\"")
                        .Append(label.Value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal))
                        .Append('"');
                    first = false;
                }

                var prefix = line.Append("} ").ToString();
                foreach (var sample in one.Samples)
                {
                    // OpenMetrics timestamps are seconds; milliseconds survive as three decimals.
                    writer.Write(prefix);
                    writer.Write(sample.Value.ToString("R", CultureInfo.InvariantCulture));
                    writer.Write(' ');
                    writer.Write((sample.Timestamp / 1000).ToString(CultureInfo.InvariantCulture));
                    writer.Write('.');
                    writer.Write((sample.Timestamp % 1000).ToString("D3", CultureInfo.InvariantCulture));
                    writer.Write('\n');
                }
            }

            writer.Write("# EOF\n");
        }

        Console.WriteLine($"wrote {new FileInfo(input).Length / 1e6:N0} MB of OpenMetrics in {clock.Elapsed.TotalSeconds:F1} s");
        var output = Path.Combine(work, "tsdb");
        clock.Restart();
        Run("promtool", ["tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=54h", input, output]);
        Console.WriteLine($"promtool built the TSDB block in {clock.Elapsed.TotalSeconds:F1} s");
        File.Delete(input);
        return Directory.GetDirectories(output).Single();
    }

    /// <summary>Reads every sample of a TSDB block back through <c>promtool tsdb dump</c>.</summary>
    private static List<StoredSeries> DumpTsdbBlock(string block, string work)
    {
        // promtool reads a database directory, WAL included, and skips symbolic links: give it
        // a directory holding a copy of just this block.
        block = Path.TrimEndingDirectorySeparator(Path.GetFullPath(block));
        var directory = Path.Combine(work, "db");
        Directory.CreateDirectory(Path.Combine(directory, "wal"));
        var copy = Path.Combine(directory, Path.GetFileName(block));
        foreach (var file in Directory.EnumerateFiles(block, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(block, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        var meta = JsonDocument.Parse(File.ReadAllText(Path.Combine(block, "meta.json"))).RootElement;
        var dump = Run("promtool", ["tsdb", "dump", $"--min-time={meta.GetProperty("minTime").GetInt64()}", $"--max-time={meta.GetProperty("maxTime").GetInt64()}", directory]);
        var bySeries = new Dictionary<string, StoredSeries>();
        foreach (var line in dump.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // {__name__="up", instance="localhost:9090", job="prometheus"} 1 1700000000000
            var close = line.LastIndexOf('}');
            var rest = line[(close + 2)..].Split(' ');
            if (!bySeries.TryGetValue(line[..(close + 1)], out var series))
            {
                bySeries[line[..(close + 1)]] = series = new StoredSeries(ParseLabels(line[1..close]));
            }

            series.Samples.Add(new Sample(long.Parse(rest[1], CultureInfo.InvariantCulture), double.Parse(rest[0], CultureInfo.InvariantCulture)));
        }

        return [.. bySeries.Values];
    }

    private static List<Label> ParseLabels(string text)
    {
        var labels = new List<Label>();
        var i = 0;
        while (i < text.Length)
        {
            var equals = text.IndexOf('=', i);
            var name = text[i..equals].Trim(' ', ',');
            var value = new StringBuilder();
            var j = equals + 2;
            for (; text[j] != '"'; j++)
            {
                if (text[j] == '\\')
                {
                    j++;
                    value.Append(text[j] == 'n' ? '\n' : text[j]);
                }
                else
                {
                    value.Append(text[j]);
                }
            }

            labels.Add(new Label(name, value.ToString()));
            i = j + 1;
        }

        return labels;
    }

    private static long ReadTsdbSampleCount(string block) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(block, "meta.json"))).RootElement.GetProperty("stats").GetProperty("numSamples").GetInt64();

    private static string Run(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {stderr.Result}");
        }

        return stdout;
    }

    internal static int IntOption(string[] args, string name, int fallback) =>
        StringOption(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    private static string? StringOption(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
