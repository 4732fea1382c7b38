using System.Diagnostics;
using System.Globalization;
using Azure.Storage.Blobs;
using PromLake.Storage.Compaction;
using PromLake.Storage.Parquet;
using PromLake.Storage.Series;

namespace PromLake.Benchmarks.Storage;

/// <summary>
/// <c>merge-memory</c>: the memory and time of one shard's day merge, 24 hour blocks into a day block.
/// <code>
/// dotnet run -c Release --project tests/PromLake.Benchmarks -- merge-memory [--series 10000] [--hours 24] [--heap-limit-mb N]
/// </code>
/// Generates the node_exporter fleet (<see cref="NodeFleet"/>), writes one hour block per hour as the hour
/// merge does (<see cref="SampleBlockWriterOptions.HourLevel"/>), lets the generated data go, and then merges
/// the hour blocks twice, each in a process of its own: as <see cref="BlockMerge"/> does (a row group per
/// input, a metric at a time), and as it did before (every input read whole, then deduplicated and written).
/// For each: wall time, the process's peak working set, the peak of the managed heap sampled every 10 ms
/// during the merge, the bytes allocated; and that both wrote the same block. With <c>--heap-limit-mb</c> the
/// merges run under the runtime's hard limit on the managed heap (<c>DOTNET_GCHeapHardLimit</c>), which shows
/// what each needs rather than what the GC chose to keep.
/// </summary>
internal static class MergeMemoryCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var child = Array.IndexOf(args, "--child");
        if (child >= 0)
        {
            return await RunChildAsync(args[child + 1], args[child + 2]);
        }

        var seriesCount = BytesPerSampleCommand.IntOption(args, "--series", 10_000);
        var hours = BytesPerSampleCommand.IntOption(args, "--hours", 24);
        var heapLimitMb = BytesPerSampleCommand.IntOption(args, "--heap-limit-mb", 0);
        var work = Directory.CreateTempSubdirectory("promlake-merge-").FullName;
        try
        {
            var hourBlocks = WriteHourBlocks(seriesCount, hours, out var samples);
            for (var i = 0; i < hourBlocks.Count; i++)
            {
                await File.WriteAllBytesAsync(Path.Combine(work, $"hour-{i:D2}.parquet"), hourBlocks[i]);
            }

            Console.WriteLine($"{hourBlocks.Count} hour blocks, {samples:N0} samples, {hourBlocks.Sum(b => (long)b.Length) / 1e6:F1} MB");
            hourBlocks.Clear();

            // Each merge in a process of its own, so that its peak working set is the merge's alone.
            foreach (var mode in new[] { "streaming", "whole" })
            {
                var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
                if (heapLimitMb > 0)
                {
                    // The runtime's hard limit on the managed heap: a merge that needs more fails with OutOfMemoryException.
                    start.Environment["DOTNET_GCHeapHardLimit"] = ((long)heapLimitMb << 20).ToString("X", CultureInfo.InvariantCulture);
                }

                foreach (var arg in new[] { "merge-memory", "--child", mode, work })
                {
                    start.ArgumentList.Add(arg);
                }

                using var process = Process.Start(start)!;
                Console.Write(await process.StandardOutput.ReadToEndAsync());
                await process.WaitForExitAsync();
                if (process.ExitCode != 0)
                {
                    Console.WriteLine($"{mode} merge failed (exit code {process.ExitCode}){(heapLimitMb > 0 ? $" within a managed heap of {heapLimitMb} MB" : "")}");
                }
            }

            if (!File.Exists(Path.Combine(work, "day-streaming.parquet")) || !File.Exists(Path.Combine(work, "day-whole.parquet")))
            {
                return 1;
            }

            var same = File.ReadAllBytes(Path.Combine(work, "day-streaming.parquet")).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(work, "day-whole.parquet")));
            Console.WriteLine(same ? "both wrote the same day block" : "the two day blocks DIFFER");
            return same ? 0 : 1;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<int> RunChildAsync(string mode, string work)
    {
        var hourBlocks = Directory.GetFiles(work, "hour-*.parquet").Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
        byte[] day;
        var merge = new BlockMerge(new BlobContainerClient(new Uri("http://127.0.0.1:9/unused")), ["__replica__", "prometheus_replica"]);
        if (mode == "streaming")
        {
            day = await MeasureAsync("streaming merge (BlockMerge)", async destination =>
            {
                var inputs = hourBlocks.Select((b, i) => new MergeSource($"hour-{i}", new BinaryData(b), BlockLevel.Hour)).ToList();
                await merge.MergeBlocksAsync(inputs, destination, BlockLevel.Day, default);
            });
        }
        else
        {
            day = await MeasureAsync("whole-partition merge (before)", async destination =>
            {
                var series = await ReadWholeAsync(merge, hourBlocks);
                await new SampleBlockWriter(SampleBlockWriterOptions.MergedLevels).WriteAsync(series, destination);
            });
        }

        await File.WriteAllBytesAsync(Path.Combine(work, $"day-{mode}.parquet"), day);
        return 0;
    }

    private static List<byte[]> WriteHourBlocks(int seriesCount, int hours, out long samples)
    {
        var fleet = NodeFleet.Generate(seriesCount, BytesPerSampleCommand.FleetStartMs, TimeSpan.FromHours(hours));
        samples = fleet.Sum(s => (long)s.Samples.Count);
        var largest = fleet.GroupBy(s => s.MetricName).MaxBy(g => g.Sum(s => (long)s.Samples.Count))!;
        Console.WriteLine($"largest metric: {largest.Key}, {largest.Count():N0} series, {largest.Sum(s => (long)s.Samples.Count):N0} samples");
        var writer = new SampleBlockWriter(SampleBlockWriterOptions.HourLevel);
        var blocks = new List<byte[]>();
        for (var hour = 0; hour < hours; hour++)
        {
            var from = BytesPerSampleCommand.FleetStartMs + (hour * 3_600_000L);
            var slice = new List<StoredSeries>(fleet.Count);
            foreach (var s in fleet)
            {
                var part = new StoredSeries(s.Labels) { Metadata = s.Metadata };
                part.Samples.AddRange(s.Samples.Where(x => x.Timestamp >= from && x.Timestamp < from + 3_600_000));
                slice.Add(part);
            }

            using var stream = new MemoryStream();
            writer.WriteAsync(slice, stream).GetAwaiter().GetResult();
            blocks.Add(stream.ToArray());
        }

        return blocks;
    }

    private static async Task<byte[]> MeasureAsync(string name, Func<Stream, Task> merge)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var baseline = GC.GetTotalMemory(forceFullCollection: false);
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        long peak = baseline;
        using var done = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
                try
                {
                    await Task.Delay(10, done.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });

        var clock = Stopwatch.StartNew();
        using var destination = new MemoryStream();
        await merge(destination);
        clock.Stop();
        await done.CancelAsync();
        await sampler;
        peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
        var allocatedMb = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1e6;
        using var self = Process.GetCurrentProcess();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: {clock.Elapsed.TotalSeconds:F1} s, process peak working set {self.PeakWorkingSet64 / 1e6:F0} MB, managed heap peak {(peak - baseline) / 1e6:F0} MB above the inputs (sampled, garbage included), {allocatedMb:F0} MB allocated, day block {destination.Length / 1e6:F1} MB"));
        return destination.ToArray();
    }

    /// <summary>The merge before it streamed: every input read whole in log order, then all series deduplicated at once.</summary>
    private static async Task<List<StoredSeries>> ReadWholeAsync(BlockMerge merge, List<byte[]> blocks)
    {
        var parts = new List<StoredSeries>();
        foreach (var block in blocks)
        {
            using var stream = new MemoryStream(block, writable: false);
            await using var reader = await SampleBlockReader.OpenAsync(stream);
            parts.AddRange((await reader.ReadAsync(BlockQuery.All)).Series);
        }

        return merge.Deduplicate(parts);
    }
}
