using Google.Protobuf;
using Prompb = PromLake.Protocol.Prompb;
using WriteV2 = PromLake.Protocol.WriteV2;

namespace PromLake.LoadGenerator;

/// <summary>
/// Encodes a batch of series as one remote-write request message, for a given use of its body: use u carries
/// scrape rounds u*k .. u*k+k-1, where k is the samples per series.
/// </summary>
/// <remarks>
/// Built with the generated protobuf classes so the wire format is exactly what the contract says. This runs only
/// while preparing (and for self-checks); the timed loop re-stamps pre-compressed bytes instead (see PreparedBody).
/// </remarks>
internal sealed class RequestFactory(RemoteWriteProtocol protocol, ScrapeTimeline timeline, int samplesPerSeries)
{
    public RemoteWriteProtocol Protocol => protocol;
    public int SamplesPerSeries => samplesPerSeries;

    /// <summary>The field numbers leading from the request to each sample's value and timestamp.</summary>
    public SampleFieldPath SampleFieldPath => protocol == RemoteWriteProtocol.V1
        ? new(Prompb.WriteRequest.TimeseriesFieldNumber, Prompb.TimeSeries.SamplesFieldNumber, Prompb.Sample.ValueFieldNumber, Prompb.Sample.TimestampFieldNumber)
        : new(WriteV2.Request.TimeseriesFieldNumber, WriteV2.TimeSeries.SamplesFieldNumber, WriteV2.Sample.ValueFieldNumber, WriteV2.Sample.TimestampFieldNumber);

    /// <summary>How far every timestamp moves from one use of a body to the next: k scrape intervals.</summary>
    public long UseStrideMs => samplesPerSeries * timeline.IntervalMs;

    public long RoundOf(long use, int sampleIndex) => (use * samplesPerSeries) + sampleIndex;

    public long TimestampOf(SeriesDefinition series, long use, int sampleIndex) =>
        timeline.TimestampOf(series.Target.ScrapePhaseMs, RoundOf(use, sampleIndex));

    public double ValueOf(SeriesDefinition series, long use, int sampleIndex)
    {
        var round = RoundOf(use, sampleIndex);
        return series.Value.ValueAt(round, timeline.TimestampOf(series.Target.ScrapePhaseMs, round));
    }

    public byte[] Encode(IReadOnlyList<SeriesDefinition> batch, long use) => Build(batch, use).ToByteArray();

    public IMessage Build(IReadOnlyList<SeriesDefinition> batch, long use) => protocol switch
    {
        RemoteWriteProtocol.V1 => BuildV1(batch, use),
        RemoteWriteProtocol.V2 => BuildV2(batch, use),
        _ => throw new ArgumentOutOfRangeException(nameof(protocol)),
    };

    private Prompb.WriteRequest BuildV1(IReadOnlyList<SeriesDefinition> batch, long use)
    {
        // Metadata is left out: Prometheus 2.x sends RW 1.0 metadata in separate, periodic requests.
        var request = new Prompb.WriteRequest();
        foreach (var series in batch)
        {
            var timeSeries = new Prompb.TimeSeries();
            foreach (var label in series.Labels)
            {
                timeSeries.Labels.Add(new Prompb.Label { Name = label.Name, Value = label.Value });
            }

            for (var i = 0; i < samplesPerSeries; i++)
            {
                timeSeries.Samples.Add(new Prompb.Sample { Value = ValueOf(series, use, i), Timestamp = TimestampOf(series, use, i) });
            }

            request.Timeseries.Add(timeSeries);
        }

        return request;
    }

    private WriteV2.Request BuildV2(IReadOnlyList<SeriesDefinition> batch, long use)
    {
        // RW 2.0 interns every string in a per-request table whose first entry must be the empty string.
        var request = new WriteV2.Request();
        var symbols = new Dictionary<string, uint>(StringComparer.Ordinal);
        uint Ref(string text)
        {
            if (!symbols.TryGetValue(text, out var reference))
            {
                reference = (uint)request.Symbols.Count;
                symbols.Add(text, reference);
                request.Symbols.Add(text);
            }

            return reference;
        }

        Ref(string.Empty);
        foreach (var series in batch)
        {
            var timeSeries = new WriteV2.TimeSeries
            {
                Metadata = new WriteV2.Metadata
                {
                    Type = series.Kind == MetricKind.Counter
                        ? WriteV2.Metadata.Types.MetricType.Counter
                        : WriteV2.Metadata.Types.MetricType.Gauge,
                    HelpRef = Ref(series.Help),
                },
            };

            foreach (var label in series.Labels)
            {
                timeSeries.LabelsRefs.Add(Ref(label.Name));
                timeSeries.LabelsRefs.Add(Ref(label.Value));
            }

            for (var i = 0; i < samplesPerSeries; i++)
            {
                timeSeries.Samples.Add(new WriteV2.Sample
                {
                    Value = ValueOf(series, use, i),
                    Timestamp = TimestampOf(series, use, i),

                    // A counter's start is when node_exporter started counting, as a sender that knows it reports it.
                    StartTimestamp = series.Kind == MetricKind.Counter ? series.Target.ExporterStartMs : 0,
                });
            }

            request.Timeseries.Add(timeSeries);
        }

        return request;
    }
}
