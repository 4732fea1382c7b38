using PromLake.Protocol.LogEvents;
using PromLake.Storage.Series;
using V2 = PromLake.Protocol.WriteV2;

namespace PromLake.Storage.Compaction;

/// <summary>
/// The log events read since the last flush, decoded into series per
/// (tenant, hour of sample time). Samples are kept in log order, which the
/// deduplication rules rely on.
/// </summary>
public sealed class FlushBuffer
{
    private readonly Dictionary<(string Tenant, long Hour), Dictionary<ulong, StoredSeries>> _partitions = [];

    public long FirstPosition { get; private set; } = -1;

    public long LastPosition { get; private set; } = -1;

    /// <summary>Where the log continues after the buffered events (the checkpoint to commit after the flush).</summary>
    public long NextPosition { get; private set; } = -1;

    public long Bytes { get; private set; }

    public int Events { get; private set; }

    public IReadOnlyDictionary<(string Tenant, long Hour), Dictionary<ulong, StoredSeries>> Partitions => _partitions;

    public bool IsEmpty => Events == 0;

    public void Add(long position, long nextPosition, ReadOnlySpan<byte> payload)
    {
        var e = IngestEvent.Parser.ParseFrom(payload);
        if (e.FormatVersion != IngestEventFormat.CurrentVersion)
        {
            throw new InvalidDataException($"log event at position {position} has format version {e.FormatVersion}; this compactor reads version {IngestEventFormat.CurrentVersion}");
        }

        if (FirstPosition < 0)
        {
            FirstPosition = position;
        }

        LastPosition = position;
        NextPosition = nextPosition;
        Bytes += payload.Length;
        Events++;
        var symbols = e.Request.Symbols;
        foreach (var ts in e.Request.Timeseries)
        {
            Add(e.Tenant, e.ReceivedAtMs, symbols, ts);
        }
    }

    private void Add(string tenant, long receivedAtMs, IList<string> symbols, V2.TimeSeries ts)
    {
        var labels = new Label[ts.LabelsRefs.Count / 2];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = new Label(symbols[(int)ts.LabelsRefs[2 * i]], symbols[(int)ts.LabelsRefs[(2 * i) + 1]]);
        }

        var metadata = ts.Metadata is { } m ? new SeriesMetadata((MetricType)(int)m.Type, symbols[(int)m.HelpRef], symbols[(int)m.UnitRef]) : null;
        foreach (var sample in ts.Samples)
        {
            Series(tenant, BlockLayout.HourOf(sample.Timestamp), labels).Samples.Add(new Sample(sample.Timestamp, sample.Value, sample.StartTimestamp));
        }

        foreach (var histogram in ts.Histograms)
        {
            Series(tenant, BlockLayout.HourOf(histogram.Timestamp), labels).Histograms.Add(new HistogramSample(histogram.Timestamp, Google.Protobuf.MessageExtensions.ToByteArray(histogram)));
        }

        foreach (var exemplar in ts.Exemplars)
        {
            var exemplarLabels = new Label[exemplar.LabelsRefs.Count / 2];
            for (var i = 0; i < exemplarLabels.Length; i++)
            {
                exemplarLabels[i] = new Label(symbols[(int)exemplar.LabelsRefs[2 * i]], symbols[(int)exemplar.LabelsRefs[(2 * i) + 1]]);
            }

            Series(tenant, BlockLayout.HourOf(exemplar.Timestamp), labels).Exemplars.Add(new Exemplar(exemplar.Timestamp, exemplar.Value, exemplarLabels));
        }

        if (metadata is not null && ts.Samples.Count == 0 && ts.Histograms.Count == 0)
        {
            // Metadata alone (RW 1.0 sends it per family, apart from samples) has no
            // sample time: it belongs to the hour the write endpoint received it,
            // which is recorded in the event, so a repeated flush files it the same way.
            var hour = BlockLayout.HourOf(receivedAtMs);
            Series(tenant, hour, labels).Metadata = metadata;
        }
        else if (metadata is not null)
        {
            var hour = BlockLayout.HourOf(ts.Samples.Count > 0 ? ts.Samples[0].Timestamp : ts.Histograms[0].Timestamp);
            Series(tenant, hour, labels).Metadata = metadata;
        }
    }

    private StoredSeries Series(string tenant, long hour, Label[] labels)
    {
        if (!_partitions.TryGetValue((tenant, hour), out var series))
        {
            _partitions[(tenant, hour)] = series = [];
        }

        var id = SeriesId.Of(labels);
        if (!series.TryGetValue(id, out var stored))
        {
            series[id] = stored = new StoredSeries(labels);
        }

        return stored;
    }
}
