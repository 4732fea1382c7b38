using PromLake.Query.Model;
using PromLake.Storage.Parquet;
using Block = PromLake.Storage.Series;
using StorageLabel = PromLake.Storage.Series.Label;

namespace PromLake.Query.Store;

/// <summary>
/// A Parquet block decoded once into what queries read: each series' labels and its
/// float samples as two parallel arrays (timestamps ascending), plus a postings index
/// from label name and value to series, so a selective matcher finds its series without
/// looking at the others. Immutable once built, so any number of queries read it at once.
/// </summary>
public sealed class DecodedBlock
{
    private DecodedBlock(BlockSeries[] series, BlockPostings postings, long estimatedBytes)
    {
        Series = series;
        Postings = postings;
        EstimatedBytes = estimatedBytes;
    }

    /// <summary>The block's series in the order the block stores them.</summary>
    public BlockSeries[] Series { get; }

    public BlockPostings Postings { get; }

    /// <summary>Roughly what the decoded block holds on the heap, for the cache's bound.</summary>
    public long EstimatedBytes { get; }

    /// <summary>Decodes a whole block: float samples, native histograms and exemplars (metadata is not kept).</summary>
    public static async Task<DecodedBlock> DecodeAsync(Stream content, CancellationToken cancellationToken)
    {
        await using var reader = await SampleBlockReader.OpenAsync(content, cancellationToken).ConfigureAwait(false);
        var read = await reader.ReadColumnsAsync(cancellationToken).ConfigureAwait(false);
        var series = new List<BlockSeries>(read.Count);
        long bytes = 0;
        foreach (var (stored, timestamps, values, increasing) in read)
        {
            var histograms = stored.Histograms.Count == 0 ? [] : stored.Histograms.ToArray();
            var exemplars = stored.Exemplars.Count == 0 ? [] : stored.Exemplars.ToArray();
            series.Add(new BlockSeries(stored.Id, stored.Labels, QueryLabelsOf(stored.Labels), timestamps, values, increasing, histograms, exemplars));
            bytes += 64L * exemplars.Length;
            bytes += 16L * timestamps.Length + 64L * stored.Labels.Length + 200;
            foreach (var h in histograms)
            {
                bytes += 48 + h.Message.Length;
            }
        }

        var array = series.ToArray();
        return new DecodedBlock(array, BlockPostings.Build(array), bytes);
    }

    /// <summary>The engine's label set for a stored series' labels.</summary>
    internal static Labels QueryLabelsOf(StorageLabel[] labels)
    {
        var pairs = new Label[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            pairs[i] = new Label(labels[i].Name, labels[i].Value);
        }

        return Labels.FromPairs(pairs);
    }
}

/// <summary>
/// One series of a decoded block.
/// </summary>
/// <param name="Id">The series id the compactor keys series by (Prometheus's label hash).</param>
/// <param name="StorageLabels">The labels as stored, sorted by name, for the replica merge.</param>
/// <param name="Labels">The same labels as the engine's label set.</param>
/// <param name="Timestamps">Sample timestamps in ms, in the block's order (by time).</param>
/// <param name="Values">Sample values, bit for bit as stored (stale markers included).</param>
/// <param name="StrictlyIncreasing">No two samples share a timestamp: the samples need no repeat removal within the block.</param>
/// <param name="Histograms">Native histogram samples by time, as stored (the messages, decoded per query).</param>
/// <param name="Exemplars">The series' exemplars, as stored.</param>
public sealed record BlockSeries(ulong Id, StorageLabel[] StorageLabels, Labels Labels, long[] Timestamps, double[] Values, bool StrictlyIncreasing, Block.HistogramSample[] Histograms, Block.Exemplar[] Exemplars);
