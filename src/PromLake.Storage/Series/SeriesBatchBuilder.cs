using Google.Protobuf;
using PromLake.Protocol.LogEvents;
using PromLake.Protocol.WriteV2;

namespace PromLake.Storage.Series;

/// <summary>
/// Gathers the series of log events (<c>promlake.log.v1.IngestEvent</c>, each a RW 2.0
/// Request) into <see cref="StoredSeries"/>, one per distinct label set, ready for
/// <see cref="Parquet.SampleBlockWriter"/>. Everything of an entry is kept: samples with
/// their start timestamps, histograms as their messages, exemplars and the last metadata
/// seen. Nothing is deduplicated here; that is the compactor's rule to apply.
/// Not thread-safe.
/// </summary>
public sealed class SeriesBatchBuilder
{
    private readonly Dictionary<ulong, List<StoredSeries>> _byId = [];
    private readonly List<StoredSeries> _series = [];
    private readonly List<Label> _labels = [];

    /// <summary>Distinct series so far.</summary>
    public int Count => _series.Count;

    /// <summary>Adds one event; refuses versions of the event format it does not know.</summary>
    /// <exception cref="InvalidDataException">The event is of another version or references a symbol it does not have.</exception>
    public void Add(IngestEvent ingestEvent)
    {
        ArgumentNullException.ThrowIfNull(ingestEvent);
        if (ingestEvent.FormatVersion != IngestEventFormat.CurrentVersion)
        {
            throw new InvalidDataException($"ingest event of tenant {ingestEvent.Tenant}, shard {ingestEvent.Shard}: format version {ingestEvent.FormatVersion} is not {IngestEventFormat.CurrentVersion}");
        }

        if (ingestEvent.Request is { } request)
        {
            Add(request);
        }
    }

    /// <summary>Adds the series of one RW 2.0 request.</summary>
    public void Add(Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var symbols = request.Symbols;
        for (var t = 0; t < request.Timeseries.Count; t++)
        {
            var entry = request.Timeseries[t];
            // RW 2.0: labels_refs holds name and value references in pairs.
            if (entry.LabelsRefs.Count % 2 != 0)
            {
                throw new InvalidDataException($"timeseries {t}: labels_refs has an odd length {entry.LabelsRefs.Count}");
            }

            _labels.Clear();
            for (var i = 0; i < entry.LabelsRefs.Count; i += 2)
            {
                _labels.Add(new Label(Symbol(symbols, entry.LabelsRefs[i], t), Symbol(symbols, entry.LabelsRefs[i + 1], t)));
            }

            StoredSeries candidate;
            try
            {
                candidate = new StoredSeries(_labels);
            }
            catch (ArgumentException error)
            {
                throw new InvalidDataException($"timeseries {t}: {error.Message}", error);
            }

            var series = Find(candidate);
            foreach (var sample in entry.Samples)
            {
                series.Samples.Add(new Sample(sample.Timestamp, sample.Value, sample.StartTimestamp));
            }

            foreach (var histogram in entry.Histograms)
            {
                series.Histograms.Add(new HistogramSample(histogram.Timestamp, histogram.ToByteArray()));
            }

            foreach (var exemplar in entry.Exemplars)
            {
                var labels = new List<Label>(exemplar.LabelsRefs.Count / 2);
                for (var i = 0; i + 1 < exemplar.LabelsRefs.Count; i += 2)
                {
                    labels.Add(new Label(Symbol(symbols, exemplar.LabelsRefs[i], t), Symbol(symbols, exemplar.LabelsRefs[i + 1], t)));
                }

                labels.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
                series.Exemplars.Add(new Exemplar(exemplar.Timestamp, exemplar.Value, [.. labels]));
            }

            // proto3 cannot tell an absent Metadata from an empty one; an empty one says nothing.
            if (entry.Metadata is { } metadata
                && (metadata.Type != Metadata.Types.MetricType.Unspecified || metadata.HelpRef != 0 || metadata.UnitRef != 0))
            {
                series.Metadata = new SeriesMetadata(
                    (MetricType)metadata.Type,
                    Symbol(symbols, metadata.HelpRef, t),
                    Symbol(symbols, metadata.UnitRef, t));
            }
        }
    }

    /// <summary>The series gathered so far, in no particular order (the writer sorts).</summary>
    public IReadOnlyList<StoredSeries> Series => _series;

    /// <summary>Forgets everything, to start the next batch.</summary>
    public void Clear()
    {
        _byId.Clear();
        _series.Clear();
    }

    private StoredSeries Find(StoredSeries candidate)
    {
        if (!_byId.TryGetValue(candidate.Id, out var sameId))
        {
            _byId[candidate.Id] = [candidate];
            _series.Add(candidate);
            return candidate;
        }

        foreach (var existing in sameId)
        {
            if (existing.Labels.AsSpan().SequenceEqual(candidate.Labels))
            {
                return existing;
            }
        }

        sameId.Add(candidate);
        _series.Add(candidate);
        return candidate;
    }

    private static string Symbol(Google.Protobuf.Collections.RepeatedField<string> symbols, uint reference, int entry) =>
        reference < symbols.Count
            ? symbols[(int)reference]
            : throw new InvalidDataException($"timeseries {entry}: symbol reference {reference} is past the {symbols.Count} symbols");
}
