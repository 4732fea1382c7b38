using System.Text;
using PromLake.Storage.Series;

namespace PromLake.Storage.Compaction;

/// <summary>
/// The log events read since the last flush, decoded into series per (tenant, hour of
/// sample time). Samples are kept in log order, which the deduplication rules rely on.
/// <para>
/// Events are decoded by hand (<see cref="IngestEventDecoder"/>) straight into per-series
/// columns (<see cref="FlushSeries"/>); a series is found by the bytes of its labels in the
/// log (<see cref="LabelSetCache"/>), so its label strings are built once, when it is first
/// seen, not per event or per sample. <see cref="Clear"/> keeps the columns and the label
/// sets for the next flush. Not thread-safe.
/// </para>
/// </summary>
public sealed class FlushBuffer
{
    private readonly IngestEventDecoder _decoder = new();
    private readonly LabelSetCache _labelSets = new();
    private readonly Dictionary<(string Tenant, long Hour), FlushPartition> _partitions = [];
    private readonly List<FlushSeries> _pool = [];
    private FlushPartition? _lastPartition;
    private int _pooledInUse;
    private int _flush;
    private byte[] _tenantBytes = [];
    private string _tenant = "";
    private long _receivedAtMs;

    public long FirstPosition { get; private set; } = -1;

    public long LastPosition { get; private set; } = -1;

    /// <summary>Where the log continues after the buffered events (the checkpoint to commit after the flush).</summary>
    public long NextPosition { get; private set; } = -1;

    public long Bytes { get; private set; }

    public int Events { get; private set; }

    public bool IsEmpty => Events == 0;

    /// <summary>The buffered series per (tenant, hour), what each level-0 block will hold.</summary>
    public IReadOnlyCollection<FlushPartition> Blocks => _partitions.Values;

    /// <summary>
    /// The buffered series as the shared model, per (tenant, hour) and series id, samples in
    /// log order, for readers of the log tail. Built on each call; the compactor's own path
    /// (<see cref="Blocks"/>) does not need it.
    /// </summary>
    public IReadOnlyDictionary<(string Tenant, long Hour), Dictionary<ulong, StoredSeries>> Partitions
    {
        get
        {
            var partitions = new Dictionary<(string Tenant, long Hour), Dictionary<ulong, StoredSeries>>();
            foreach (var partition in _partitions.Values)
            {
                var series = new Dictionary<ulong, StoredSeries>();
                foreach (var s in partition.Series)
                {
                    series[s.LabelSet.Template.Id] = s.ToStoredSeries();
                }

                partitions[(partition.Tenant, partition.Hour)] = series;
            }

            return partitions;
        }
    }

    /// <exception cref="InvalidDataException">The event is malformed or of another format version.</exception>
    public void Add(long position, long nextPosition, ReadOnlySpan<byte> payload)
    {
        _decoder.Decode(payload, position, this);
        if (FirstPosition < 0)
        {
            FirstPosition = position;
        }

        LastPosition = position;
        NextPosition = nextPosition;
        Bytes += payload.Length;
        Events++;
    }

    /// <summary>Empties the buffer for the next flush, keeping its arrays and the label sets it has seen.</summary>
    public void Clear()
    {
        FirstPosition = LastPosition = NextPosition = -1;
        Bytes = 0;
        Events = 0;
        _partitions.Clear();
        _lastPartition = null;
        _pooledInUse = 0;
        _flush++;
        _labelSets.Trim();
    }

    internal void BeginEvent(ReadOnlySpan<byte> tenant, long receivedAtMs)
    {
        if (!tenant.SequenceEqual(_tenantBytes))
        {
            _tenantBytes = tenant.ToArray();
            _tenant = Encoding.UTF8.GetString(tenant);
        }

        _receivedAtMs = receivedAtMs;
    }

    internal void AddEntry(ReadOnlySpan<byte> payload, IngestEventDecoder decoder, LogEntry entry, int index)
    {
        if (entry.IsEmpty)
        {
            return;
        }

        var labelSet = _labelSets.Find(payload, decoder, entry.LabelRefs, index);
        var timestamps = entry.Samples.Timestamps;
        var values = entry.Samples.Values;
        var starts = entry.Samples.Starts;
        FlushSeries? series = null;
        for (var i = 0; i < timestamps.Length; i++)
        {
            var hour = BlockLayout.HourOf(timestamps[i]);
            if (series is null || series.Hour != hour)
            {
                series = Series(labelSet, hour);
            }

            series.Samples.Append(timestamps[i], values[i], starts[i]);
        }

        foreach (var histogram in entry.Histograms)
        {
            Series(labelSet, BlockLayout.HourOf(histogram.Timestamp)).Histograms.Add(histogram);
        }

        foreach (var exemplar in entry.Exemplars)
        {
            Series(labelSet, BlockLayout.HourOf(exemplar.Timestamp)).Exemplars.Add(exemplar);
        }

        if (entry.HasMetadata)
        {
            // Metadata alone (RW 1.0 sends it per family, apart from samples) has no sample
            // time: it belongs to the hour the write endpoint received it, which is recorded
            // in the event, so a repeated flush files it the same way.
            var time = timestamps.Length > 0 ? timestamps[0] : entry.Histograms.Count > 0 ? entry.Histograms[0].Timestamp : _receivedAtMs;
            Series(labelSet, BlockLayout.HourOf(time)).SetMetadata(entry.MetadataType, entry.MetadataHelp.Span(payload), entry.MetadataUnit.Span(payload));
        }
    }

    private FlushSeries Series(InternedLabelSet labelSet, long hour)
    {
        if (labelSet.Flush != _flush)
        {
            labelSet.Flush = _flush;
            labelSet.Series = null;
            labelSet.OtherSeries?.Clear();
        }
        else if (labelSet.Series is { } first && first.Hour == hour && first.Tenant == _tenant)
        {
            return first;
        }
        else if (labelSet.OtherSeries is { } others)
        {
            foreach (var other in others)
            {
                if (other.Hour == hour && other.Tenant == _tenant)
                {
                    return other;
                }
            }
        }

        var series = Rent();
        series.Reset(labelSet, _tenant, hour);
        Partition(hour).Series.Add(series);
        if (labelSet.Series is null)
        {
            labelSet.Series = series;
        }
        else
        {
            (labelSet.OtherSeries ??= []).Add(series);
        }

        return series;
    }

    private FlushPartition Partition(long hour)
    {
        if (_lastPartition is { } last && last.Hour == hour && ReferenceEquals(last.Tenant, _tenant))
        {
            return last;
        }

        if (!_partitions.TryGetValue((_tenant, hour), out var partition))
        {
            _partitions[(_tenant, hour)] = partition = new FlushPartition(_tenant, hour, _labelSets);
        }

        return _lastPartition = partition;
    }

    private FlushSeries Rent()
    {
        if (_pooledInUse == _pool.Count)
        {
            _pool.Add(new FlushSeries());
        }

        return _pool[_pooledInUse++];
    }
}
