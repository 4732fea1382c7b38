using System.Globalization;
using System.IO.Compression;
using PromLake.Storage.Parquet;
using PromLake.Storage.Series;

namespace PromLake.Benchmarks.Storage;

/// <summary>
/// <c>bytes-by-family</c>: where a block's bytes go, per metric family, for several writer
/// settings; quick to run on a small fleet while trying encodings, without promtool.
/// <code>
/// dotnet run -c Release --project tests/PromLake.Benchmarks -- bytes-by-family [--series 1129] [--hours 6] [--top 25] [--only PREFIX]
/// </code>
/// The whole fleet is written as one block per setting (the figure that matters), and each
/// family as a block of its own, to see which families a change helps or hurts.
/// </summary>
internal static class FamilyBytesCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var seriesCount = BytesPerSampleCommand.IntOption(args, "--series", 1129);
        var hours = BytesPerSampleCommand.IntOption(args, "--hours", 6);
        // --top 0: the whole-fleet figures only (quick on a large fleet).
        var top = BytesPerSampleCommand.IntOption(args, "--top", 25);
        var series = NodeFleet.Generate(seriesCount, BytesPerSampleCommand.FleetStartMs, TimeSpan.FromHours(hours));
        var totalSamples = series.Sum(s => (long)s.Samples.Count);
        if (Array.IndexOf(args, "--only") is var only and >= 0 && only + 1 < args.Length)
        {
            // Just the families whose names start so, as a share of the fleet's samples.
            series = series.Where(s => s.MetricName.StartsWith(args[only + 1], StringComparison.Ordinal)).ToList();
            Console.WriteLine($"only {args[only + 1]}*: {series.Sum(s => (long)s.Samples.Count):N0} of the fleet's {totalSamples:N0} samples");
        }

        var samples = series.Sum(s => (long)s.Samples.Count);
        Console.WriteLine($"node_exporter fleet, {series.Count:N0} series, {hours} h at 15 s: {samples:N0} samples");

        var variants = new (string Name, SampleBlockWriterOptions Options)[]
        {
            ("doubles", new() { Compression = CompressionLevel.SmallestSize, ScaledValues = false }),
            ("scaled 10^k", new() { Compression = CompressionLevel.SmallestSize, CommonFactor = false, ScaleTrial = false }),
            ("factor", new() { Compression = CompressionLevel.SmallestSize, ScaleTrial = false }),
            ("factor+trial, 2^20-element row groups", SampleBlockWriterOptions.MergedLevels with { RowGroupTargetElements = 1 << 20 }),
            ("merged levels", SampleBlockWriterOptions.MergedLevels),
        };

        Console.WriteLine();
        Console.WriteLine("| setting | bytes | bytes/sample | write time |");
        Console.WriteLine("| --- | ---: | ---: | ---: |");
        foreach (var (name, options) in variants)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var bytes = await SizeAsync(series, options);
            Console.WriteLine($"| {name} | {bytes:N0} | {(double)bytes / samples:F4} | {clock.Elapsed.TotalSeconds:F1} s |");
        }

        await PrintColumnsAsync(series, variants[^1].Options, samples);
        if (top == 0)
        {
            return 0;
        }

        var families = series.GroupBy(s => s.MetricName).Select(g => g.ToList()).ToList();
        var sizes = new Dictionary<string, long[]>();
        foreach (var family in families)
        {
            var row = new long[variants.Length];
            for (var v = 0; v < variants.Length; v++)
            {
                row[v] = await SizeAsync(family, variants[v].Options);
            }

            sizes[family[0].MetricName] = row;
        }

        var familySamples = families.ToDictionary(f => f[0].MetricName, f => f.Sum(s => (long)s.Samples.Count));
        Console.WriteLine();
        Console.WriteLine($"| family | samples | {string.Join(" | ", variants.Select(v => v.Name + " B/sample"))} |");
        Console.WriteLine($"| --- | ---: |{string.Concat(variants.Select(_ => " ---: |"))}");
        foreach (var (name, row) in sizes.OrderByDescending(s => s.Value[^1]).Take(top))
        {
            var n = familySamples[name];
            Console.WriteLine($"| `{name}` | {n:N0} | {string.Join(" | ", row.Select(b => ((double)b / Math.Max(1, n)).ToString("F3", CultureInfo.InvariantCulture)))} |");
        }

        return 0;
    }

    private static async Task PrintColumnsAsync(List<StoredSeries> series, SampleBlockWriterOptions options, long samples)
    {
        var path = Path.GetTempFileName();
        try
        {
            await using (var file = File.Create(path))
            {
                await new SampleBlockWriter(options).WriteAsync(series, file);
            }

            await BytesPerSampleCommand.PrintColumnBytesAsync(path, samples);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<long> SizeAsync(List<StoredSeries> series, SampleBlockWriterOptions options)
    {
        using var stream = new MemoryStream();
        await new SampleBlockWriter(options).WriteAsync(series, stream);
        return stream.Length;
    }
}
