using Azure.Storage.Blobs;
using CsCheck;
using PromLake.Storage.Compaction;
using PromLake.Storage.Dedup;
using PromLake.Storage.Parquet;
using PromLake.Storage.Series;

namespace PromLake.Storage.Tests.Compaction;

/// <summary>
/// The merge reads its inputs a row group at a time and writes a metric at a time. Its output must be the
/// block that merging everything at once gives (the rules themselves are the hour and day merge tests'):
/// the same bytes, whatever the row-group boundaries of the inputs and of the output.
/// </summary>
public class StreamingMergeTests
{
    private static readonly string[] ReplicaLabels = ["__replica__"];

    // Never contacted: MergeBlocksAsync works on the streams it is given.
    private static readonly BlobContainerClient Unused = new(new Uri("http://127.0.0.1:9/unused"));

    [Fact]
    public void Merging_series_by_series_writes_the_block_a_merge_of_everything_at_once_writes()
    {
        // Level-0 inputs carry replica labels (taken a metric at a time and sorted); hour inputs have none
        // (streamed series by series), except those written before the replica labels were configured, which
        // send the merge back to a metric at a time.
        var input = Gen.Select(StorageGenerators.Series.Array[0, 10], Gen.OneOf(Gen.Const(InputKind.Level0), Gen.Const(InputKind.Hour), Gen.Const(InputKind.HourWithReplicaLabels)), Gen.Int[0, int.MaxValue])
            .Select(t => (Series: t.Item2 == InputKind.Hour ? t.Item1 : WithReplicas(t.Item1, t.Item3), Kind: t.Item2));
        Gen.Select(input.Array[1, 4], Gen.Int[1, 30], Gen.Int[1, 30]).Sample(t =>
        {
            var (inputs, inputGroupElements, outputGroupElements) = t;
            var inputOptions = new SampleBlockWriterOptions { RowGroupTargetElements = inputGroupElements };
            var outputOptions = new SampleBlockWriterOptions { RowGroupTargetElements = outputGroupElements };
            var blocks = inputs.Select(i => (Block: BlockAssert.Write(i.Series, inputOptions), Level: i.Kind == InputKind.Level0 ? BlockLevel.Level0 : BlockLevel.Hour)).ToList();

            var streamed = Merge(blocks, outputOptions);

            var whole = BlockAssert.Write(MergeWhole(blocks.Select(b => b.Block).ToList()), outputOptions);
            Assert.Equal(whole, streamed);
        }, iter: 200);
    }

    [Fact]
    public void Writing_rows_in_several_calls_gives_the_same_bytes_as_one_call()
    {
        Gen.Select(StorageGenerators.Series.Array[0, 16], Gen.Int[1, 30], Gen.Int[1, 5]).Sample(t =>
        {
            var (series, groupElements, chunk) = t;
            var writer = new SampleBlockWriter(new SampleBlockWriterOptions { RowGroupTargetElements = groupElements });
            var rows = BlockRows.From(series);
            using var once = new MemoryStream();
            writer.WriteRowsAsync(rows, once, default).GetAwaiter().GetResult();

            using var inParts = new MemoryStream();
            var session = writer.OpenAsync(inParts, default).GetAwaiter().GetResult();
            for (var i = 0; i < rows.Count; i += chunk)
            {
                session.AppendAsync(rows.GetRange(i, Math.Min(chunk, rows.Count - i)), default).GetAwaiter().GetResult();
            }

            var summary = session.CompleteAsync(default).GetAwaiter().GetResult();

            Assert.Equal(once.ToArray(), inParts.ToArray());
            Assert.Equal(rows.Count, summary.Series);
        }, iter: 150);
    }

    [Fact]
    public async Task An_input_not_in_series_order_is_refused_naming_the_block()
    {
        // Written row by row in the wrong order (what no PromLake writer does): metric "b" before "a".
        var b = new StoredSeries([new Label(Label.MetricName, "b")]);
        b.Samples.Add(new Sample(1000, 1));
        var a = new StoredSeries([new Label(Label.MetricName, "a")]);
        a.Samples.Add(new Sample(1000, 2));
        using var unsorted = new MemoryStream();
        await new SampleBlockWriter().WriteRowsAsync([new BlockRow(b), new BlockRow(a)], unsorted, default);

        var merge = new BlockMerge(Unused, ReplicaLabels);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() =>
            merge.MergeBlocksAsync([new MergeSource("t/2026/11/26/00/h-unsorted.parquet", new BinaryData(unsorted.ToArray()), BlockLevel.Hour)], new MemoryStream(), BlockLevel.Day, default));
        Assert.Contains("h-unsorted", error.Message, StringComparison.Ordinal);
        Assert.Contains("not in series order", error.Message, StringComparison.Ordinal);
    }

    private enum InputKind
    {
        Level0,
        Hour,
        HourWithReplicaLabels,
    }

    private static byte[] Merge(List<(byte[] Block, BlockLevel Level)> blocks, SampleBlockWriterOptions options)
    {
        var merge = new BlockMerge(Unused, ReplicaLabels, options);
        var inputs = blocks.Select((b, i) => new MergeSource($"input-{i}", new BinaryData(b.Block), b.Level)).ToList();
        using var destination = new MemoryStream();
        merge.MergeBlocksAsync(inputs, destination, BlockLevel.Hour, default).GetAwaiter().GetResult();
        return destination.ToArray();
    }

    /// <summary>The merge as it was before it streamed: every input read whole, in log order, then deduplicated.</summary>
    private static List<StoredSeries> MergeWhole(List<byte[]> blocks)
    {
        var byId = new Dictionary<ulong, StoredSeries>();
        var order = new List<StoredSeries>();
        foreach (var block in blocks)
        {
            foreach (var s in BlockAssert.Read(block).Series)
            {
                if (!byId.TryGetValue(s.Id, out var existing))
                {
                    byId[s.Id] = existing = new StoredSeries(s.Labels);
                    order.Add(existing);
                }

                existing.Samples.AddRange(s.Samples);
                existing.Histograms.AddRange(s.Histograms);
                existing.Exemplars.AddRange(s.Exemplars);
                existing.Metadata = s.Metadata ?? existing.Metadata;
            }
        }

        foreach (var s in order)
        {
            RepeatDedup.Apply(s.Samples);
            RepeatDedup.Apply(s.Histograms);
        }

        var merged = new ReplicaDedup(ReplicaLabels).Apply(order);
        foreach (var s in merged)
        {
            RepeatDedup.Apply(s.Exemplars);
        }

        return merged;
    }

    /// <summary>Some of the series given a replica label "a" or "b", chosen by <paramref name="seed"/>.</summary>
    private static StoredSeries[] WithReplicas(StoredSeries[] series, int seed)
    {
        var random = new Random(seed);
        return series.Select(s => random.Next(3) switch
        {
            0 => s,
            1 => WithLabel(s, new Label("__replica__", "a")),
            _ => WithLabel(s, new Label("__replica__", "b")),
        }).ToArray();
    }

    private static StoredSeries WithLabel(StoredSeries series, Label label)
    {
        var copy = new StoredSeries([.. series.Labels, label]) { Metadata = series.Metadata };
        copy.Samples.AddRange(series.Samples);
        copy.Histograms.AddRange(series.Histograms);
        copy.Exemplars.AddRange(series.Exemplars);
        return copy;
    }
}
