using PromLake.Storage.Parquet;
using PromLake.Storage.Series;

namespace PromLake.Storage.Compaction;

/// <summary>
/// One input of a merge, read a row group at a time and handed out a metric at a time: a
/// block's rows are sorted by metric name first (<see cref="SeriesOrder"/>), so all series
/// of one metric are side by side, possibly across a row-group boundary. Only the current
/// row group is held; each series is let go as it is taken.
/// </summary>
internal sealed class BlockMergeInput : IAsyncDisposable
{
    private readonly string _name;
    private readonly Stream _content;
    private readonly SampleBlockReader _reader;
    private List<StoredSeries?> _group = [];
    private int _nextGroup;
    private int _position;
    private string? _lastTaken;

    private BlockMergeInput(string name, Stream content, SampleBlockReader reader)
    {
        _name = name;
        _content = content;
        _reader = reader;
    }

    /// <summary>Opens <paramref name="content"/> (readable, seekable; disposed with the input) as a block named <paramref name="name"/> in errors.</summary>
    public static async Task<BlockMergeInput> OpenAsync(string name, Stream content, CancellationToken cancellationToken)
    {
        try
        {
            var reader = await SampleBlockReader.OpenAsync(content, cancellationToken).ConfigureAwait(false);
            return new BlockMergeInput(name, content, reader);
        }
        catch
        {
            await content.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The metric name of the next series not yet taken, or null at the end of the block.</summary>
    public async ValueTask<string?> PeekMetricNameAsync(CancellationToken cancellationToken)
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

        return _group[_position]!.MetricName;
    }

    /// <summary>Moves every series of <paramref name="metricName"/> at the head of the block into <paramref name="into"/>.</summary>
    /// <exception cref="InvalidDataException">The block's rows are not sorted by metric name.</exception>
    public async Task TakeAsync(string metricName, List<StoredSeries> into, CancellationToken cancellationToken)
    {
        while (await PeekMetricNameAsync(cancellationToken).ConfigureAwait(false) is { } next)
        {
            if (_lastTaken is not null && string.CompareOrdinal(next, _lastTaken) < 0)
            {
                // A merge of unsorted input would split a series into two rows and the block's order with it.
                throw new InvalidDataException($"block {_name} is not in series order: metric '{next}' follows '{_lastTaken}'");
            }

            if (next != metricName)
            {
                return;
            }

            into.Add(_group[_position]!);
            _group[_position++] = null;
            _lastTaken = next;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _reader.DisposeAsync().ConfigureAwait(false);
        await _content.DisposeAsync().ConfigureAwait(false);
    }
}
