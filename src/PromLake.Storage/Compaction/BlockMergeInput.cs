using PromLake.Storage.Parquet;
using PromLake.Storage.Series;

namespace PromLake.Storage.Compaction;

/// <summary>A block to merge: its name (for errors), its bytes, and its level (level-0 blocks keep HA replica labels).</summary>
internal readonly record struct MergeSource(string Name, BinaryData Content, BlockLevel Level);

/// <summary>
/// One input of a merge, read a row group at a time and handed out series by series in block order (by metric
/// name first, <see cref="SeriesOrder"/>). Only the current row group is held; each series is let go as it is
/// taken.
/// </summary>
internal sealed class BlockMergeInput : IAsyncDisposable
{
    private readonly Stream _content;
    private readonly SampleBlockReader _reader;
    private List<StoredSeries?> _group = [];
    private int _nextGroup;
    private int _position;
    private string? _lastMetric;

    private BlockMergeInput(MergeSource source, Stream content, SampleBlockReader reader)
    {
        Source = source;
        _content = content;
        _reader = reader;
    }

    public MergeSource Source { get; }

    /// <summary>Level-0 blocks keep the replica labels, so their series are not in the order of the labels a merge writes.</summary>
    public bool KeepsReplicaLabels => Source.Level == BlockLevel.Level0;

    public static async Task<BlockMergeInput> OpenAsync(MergeSource source, CancellationToken cancellationToken)
    {
        var content = source.Content.ToStream();
        try
        {
            var reader = await SampleBlockReader.OpenAsync(content, cancellationToken).ConfigureAwait(false);
            return new BlockMergeInput(source, content, reader);
        }
        catch
        {
            await content.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The next series not yet taken, or null at the end of the block.</summary>
    /// <exception cref="InvalidDataException">The block's rows are not sorted by metric name.</exception>
    public async ValueTask<StoredSeries?> PeekAsync(CancellationToken cancellationToken)
    {
        while (_position == _group.Count)
        {
            if (_nextGroup == _reader.RowGroups.Count)
            {
                return null;
            }

            _group = [.. await _reader.ReadRowGroupAsync(_nextGroup++, cancellationToken).ConfigureAwait(false)];
            _position = 0;
        }

        var next = _group[_position]!;
        if (_lastMetric is not null && string.CompareOrdinal(next.MetricName, _lastMetric) < 0)
        {
            // A merge of unsorted input would split a series into two rows and the block's order with it.
            throw new InvalidDataException($"block {Source.Name} is not in series order: metric '{next.MetricName}' follows '{_lastMetric}'");
        }

        return next;
    }

    /// <summary>Takes the series <see cref="PeekAsync"/> returned.</summary>
    public StoredSeries Take()
    {
        var series = _group[_position]!;
        _group[_position++] = null;
        _lastMetric = series.MetricName;
        return series;
    }

    /// <summary>The metric name of the next series not yet taken, or null at the end of the block.</summary>
    public async ValueTask<string?> PeekMetricNameAsync(CancellationToken cancellationToken) =>
        (await PeekAsync(cancellationToken).ConfigureAwait(false))?.MetricName;

    /// <summary>Moves every series of <paramref name="metricName"/> at the head of the block into <paramref name="into"/>.</summary>
    public async Task TakeAsync(string metricName, List<StoredSeries> into, CancellationToken cancellationToken)
    {
        while (await PeekAsync(cancellationToken).ConfigureAwait(false) is { } next && next.MetricName == metricName)
        {
            into.Add(Take());
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _reader.DisposeAsync().ConfigureAwait(false);
        await _content.DisposeAsync().ConfigureAwait(false);
    }
}
